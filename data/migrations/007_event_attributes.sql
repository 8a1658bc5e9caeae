-- An imported export's other columns, kept with each event when the importer asks for them (issue 30:
-- `loaders events … --keep-columns`, 数据导入: 保留其他列): {column name: cell text}, at most 8 KB.
ALTER TABLE public.events ADD COLUMN IF NOT EXISTS attributes jsonb
    CHECK (attributes IS NULL OR (jsonb_typeof(attributes) = 'object' AND pg_column_size(attributes) <= 8192));
