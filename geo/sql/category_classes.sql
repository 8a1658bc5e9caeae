SELECT class_code, min(class_name) AS class_name, count(*) AS categories
  FROM event_categories GROUP BY class_code ORDER BY class_code
