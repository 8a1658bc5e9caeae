-- Supervised enterprises (安全生产 / 厂中厂) with their latest inspection.
SELECT s.id, s.code, s.name, s.sector, s.status, s.status_on, s.grid_code,
       ST_X(s.location) AS lon, ST_Y(s.location) AS lat, i.at AS last_inspection, i.result AS last_result,
       i.issues AS last_issues
  FROM supervised_enterprises s
  LEFT JOIN LATERAL (SELECT x.at, x.result, x.issues FROM enterprise_inspections x
                      WHERE x.enterprise_id = s.id ORDER BY x.at DESC LIMIT 1) i ON true
 WHERE (%(scope_town)s::text IS NULL OR s.town_code = %(scope_town)s)
   AND (%(scope_village)s::text IS NULL OR s.village_code = %(scope_village)s)
   AND (%(status)s::text IS NULL OR s.status = %(status)s)
 ORDER BY s.id
