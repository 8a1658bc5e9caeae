SELECT i.cas, c.name, c.hazard_class, i.max_quantity_t, c.threshold_t, c.beta,
       i.max_quantity_t / c.threshold_t AS q_ratio, c.beta * i.max_quantity_t / c.threshold_t AS beta_q_ratio,
       c.mw, c.aegl2_60min_ppm, c.erpg2_ppm
  FROM chem_inventory i JOIN chemicals c ON c.cas = i.cas
 WHERE i.site_id = %(id)s
 ORDER BY beta_q_ratio DESC
