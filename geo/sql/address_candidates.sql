-- Candidates in the standard address register for a batch of parsed addresses (geo/addresses.py):
-- one statement, whatever the batch's size. A road address: the village's roads nearest in name
-- (trigram similarity; or the county's roads of that name when the village is not known), with the
-- door plate of that number if there is one, else the point interpolated along the side of the road
-- that holds the number. A compound, building or named place: the register's points nearest in name
-- (pg_trgm's similarity operator on the GIN index), within the village or town when known. The grid is the plate's, or
-- the point -> grid rule's for an interpolated point. geo/addresses.py scores them.
WITH q AS (
    SELECT * FROM unnest(%(i)s::int[], %(town)s::text[], %(village)s::text[], %(road)s::text[], %(num)s::int[],
                         %(place)s::text[]) AS q(i, town, village, road, num, place)
), road_hit AS (
    SELECT q.i, r.code, r.name, r.village_code, r.town_code, q.num, q.village IS NOT NULL AS village_given,
           r.s_name, r.geom,
           CASE WHEN q.num %% 2 = 1 AND q.num BETWEEN r.odd_from AND r.odd_to
                     THEN (q.num - r.odd_from)::float8 / greatest(r.odd_to - r.odd_from, 1)
                WHEN q.num %% 2 = 0 AND q.num BETWEEN r.even_from AND r.even_to
                     THEN (q.num - r.even_from)::float8 / greatest(r.even_to - r.even_from, 1)
           END AS frac
      FROM q
      CROSS JOIN LATERAL (
          SELECT r.*, similarity(r.name, q.road) AS s_name FROM address_roads r
           WHERE r.village_code = q.village
           ORDER BY r.name = q.road DESC, similarity(r.name, q.road) DESC, r.code LIMIT 4) r
     WHERE q.road IS NOT NULL AND q.village IS NOT NULL
    UNION ALL
    SELECT q.i, r.code, r.name, r.village_code, r.town_code, q.num, false, r.s_name, r.geom,
           CASE WHEN q.num %% 2 = 1 AND q.num BETWEEN r.odd_from AND r.odd_to
                     THEN (q.num - r.odd_from)::float8 / greatest(r.odd_to - r.odd_from, 1)
                WHEN q.num %% 2 = 0 AND q.num BETWEEN r.even_from AND r.even_to
                     THEN (q.num - r.even_from)::float8 / greatest(r.even_to - r.even_from, 1)
           END
      FROM q
      CROSS JOIN LATERAL (
          SELECT r.*, similarity(r.name, q.road) AS s_name FROM address_roads r
           WHERE (r.name = q.road OR r.name %% q.road) AND (q.town IS NULL OR r.town_code = q.town)
           ORDER BY r.name = q.road DESC, similarity(r.name, q.road) DESC, r.code LIMIT 6) r
     WHERE q.road IS NOT NULL AND q.village IS NULL
), road_point AS (
    SELECT h.*, d.geom AS door_geom, d.grid_code AS door_grid,
           coalesce(d.geom, ST_LineInterpolatePoint(h.geom, coalesce(h.frac, 0.5))) AS at
      FROM road_hit h
      LEFT JOIN LATERAL (SELECT p.geom, p.grid_code FROM address_points p
                          WHERE p.road_code = h.code AND p.number = h.num LIMIT 1) d ON true
)
SELECT rp.i, 'road' AS kind, rp.code, rp.name || coalesce(rp.num::text || '号', '') AS name, rp.village_code,
       rp.town_code, rp.village_given, rp.s_name, rp.frac IS NOT NULL AS in_range, rp.door_geom IS NOT NULL AS door,
       ST_X(rp.at) AS lon, ST_Y(rp.at) AS lat,
       -- the grid whoever asks (a town or village sees only its own grids: jy_place_of_point names another's,
       -- so that intake can say "outside your area" rather than "no place")
       coalesce(rp.door_grid, grid_for_point(rp.at),
                (SELECT pp.grid_code FROM jy_place_of_point(ST_X(rp.at), ST_Y(rp.at)) pp)) AS grid_code
  FROM road_point rp
UNION ALL
SELECT q.i, p.kind, p.code, p.name, p.village_code, p.town_code, q.village IS NOT NULL, p.s_name, true, false,
       ST_X(p.geom), ST_Y(p.geom), p.grid_code
  FROM q
  CROSS JOIN LATERAL (
      SELECT p.*, similarity(p.name, q.place) AS s_name FROM address_points p
       WHERE p.kind <> 'door' AND (p.name = q.place OR p.name %% q.place)
         AND (q.village IS NULL OR p.village_code = q.village) AND (q.town IS NULL OR p.town_code = q.town)
       ORDER BY p.name = q.place DESC, similarity(p.name, q.place) DESC, p.code LIMIT 6) p
 WHERE q.place IS NOT NULL
