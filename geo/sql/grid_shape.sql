SELECT ST_AsGeoJSON(ST_Transform(ST_SimplifyPreserveTopology(ST_Transform(geom, 4549), %(tolerance_m)s),
                                 4490), 6) AS geojson
  FROM grids WHERE code = %(code)s
