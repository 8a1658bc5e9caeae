"""Import a county's own data: `python -m loaders grids|staff|chem-sites|resources FILE …`.

    read.py     a file (GeoJSON, Shapefile zipped or not, GeoPackage layer, CSV, XLSX) -> a frame
    crs.py      the file's coordinate system -> CGCS2000 (EPSG:4490), and likely mistakes
    checks.py   one Problem per refused feature; geometry and text (mojibake) checks
    report.py   the report (problems, counts) and the all-or-nothing load
    grids.py    the grid hierarchy: field mapping, hierarchy/tiling checks, upsert, event re-assignment
    points.py   staff, hazardous-chemical sites, emergency resources

Nothing is written unless every feature passes; one transaction per import; `dry_run` only reports.
"""
