-- What lies in a zone (a ring, a threat zone or a drawn zone; CGCS2000 WKB), across the whole
-- county: third-level grids with the share of their residents inside (areas in EPSG:4549),
-- sensitive dedicated grids and chemical sites in the viewer's area by name, and one aggregate row
-- ('other') per town outside it. The rule lives in jy_zone_analysis (migration 009).
SELECT * FROM jy_zone_analysis(%(zone)s, %(lon)s, %(lat)s, %(exclude_site)s)
