"""What pages call to read and write, for the signed-in viewer. One module per concern:

- `pools`   the app role's pool, the read replica, the viewer, the per-scope cache (`shared`);
- `reads`   cached aggregates and fresh reads, personal data already masked for the viewer;
- `actions` every write: one transaction with its audit row, then exactly the touched caches refreshed;
- `account` sign-in and sessions, the admin's reads of users and the audit log, import checks.

Pages use `from dashboard.ui import data` and `data.<name>`; the names are gathered here.
"""
from dashboard.ui.data.account import (
    audit_rows,
    handoff,
    import_check,
    login,
    logout,
    resume,
    terminal_accounts,
    touch,
    users,
)
from dashboard.ui.data.actions import (
    act_many,
    admin_change,
    escalate_overdue,
    import_events,
    import_run,
    refresh,
    report_drill,
    submit_reports,
    urge,
    write,
)
from dashboard.ui.data.pools import (
    FIGURES_TTL_S,
    SHAPES_TTL_S,
    VIEWER_KEY,
    live,
    pool,
    reader,
    replica_status,
    shared,
    viewer,
)
from dashboard.ui.data.reads import (
    area_figures,
    area_shapes,
    categories,
    categories_catalogue,
    category_classes,
    chem_sites,
    chemicals,
    children,
    county_outline,
    dataset_info,
    dedicated_grids,
    density,
    departments,
    dispatch_queue,
    duplicates,
    evaluate,
    event,
    event_points,
    exposure,
    grid_shape,
    hazard_site,
    hazard_sites,
    incident_zone,
    kpis,
    latest_events,
    list_events,
    nearest_staff,
    overdue_events,
    photos,
    point_preview,
    resolve_path,
    resources,
    search_events,
    staff_list,
    staff_summary,
    teams,
    timeline,
    town_ranking,
    trend,
    urge_counts,
    urgent_events,
    urges,
    village_ranking,
    with_conn,
)

__all__ = [
    "FIGURES_TTL_S", "SHAPES_TTL_S", "VIEWER_KEY", "act_many", "admin_change", "area_figures", "area_shapes",
    "audit_rows", "categories", "categories_catalogue", "category_classes", "chem_sites", "chemicals",
    "children", "county_outline", "dataset_info", "dedicated_grids", "density", "departments",
    "dispatch_queue", "duplicates", "escalate_overdue", "evaluate", "event", "event_points", "exposure",
    "grid_shape", "hazard_site", "hazard_sites", "import_check", "import_events", "import_run", "kpis",
    "handoff", "latest_events", "list_events", "live", "login", "logout", "nearest_staff", "overdue_events", "photos", "point_preview", "incident_zone", "pool",
    "reader", "refresh", "replica_status", "report_drill", "resolve_path", "resources", "resume",
    "search_events", "shared", "staff_list", "staff_summary", "submit_reports", "teams", "terminal_accounts", "timeline", "touch",
    "town_ranking", "trend", "urge", "urge_counts", "urgent_events", "urges", "users", "viewer", "village_ranking", "with_conn", "write",
]
