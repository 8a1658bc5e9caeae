SELECT x.at, x.result, x.issues, x.inspector, x.note
  FROM enterprise_inspections x
 WHERE x.enterprise_id = %(enterprise_id)s
 ORDER BY x.at DESC
