"""Deterministic demo data for Jiangyin: `python -m loaders demo [--seed N] [--events N] [--days N]`.

`generate()` is pure: the same (seed, events, days, until) gives the same rows. `loaders.demo.load`
writes them in one transaction with COPY.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd

from loaders.reference import read_csv


@dataclass
class DemoData:
    params: dict
    grids: pd.DataFrame
    staff: pd.DataFrame
    events: pd.DataFrame
    event_log: pd.DataFrame
    chem_sites: pd.DataFrame
    chem_inventory: pd.DataFrame
    resources: pd.DataFrame


def categories_frame() -> pd.DataFrame:
    cats = pd.DataFrame(read_csv("event_categories.csv"))
    deps = pd.DataFrame(read_csv("departments.csv")).rename(
        columns={"code": "department_code", "name": "department_name"})
    cats = cats.merge(deps[["department_code", "department_name"]], on="department_code", how="left")
    cats["team_code"] = cats.team_code.replace("", None)
    cats["weight"] = cats.weight.astype(float)
    cats["limit_value"] = cats.limit_value.astype(float)
    return cats


def generate(seed: int = 20261127, events: int = 20000, days: int = 90,
             until: dt.datetime | None = None) -> DemoData:
    from geo.worktime import TZ
    from loaders.demo.events import build_events
    from loaders.demo.grids import build_grids
    from loaders.demo.people import build_staff
    from loaders.demo.sites import build_chem_sites, build_resources

    if until is None:
        until = dt.datetime.now(TZ).replace(minute=0, second=0, microsecond=0)
    if until.tzinfo is None:
        until = until.replace(tzinfo=TZ)
    if events < 0 or days < 1:
        raise ValueError("--events must be >= 0 and --days >= 1")
    # Independent streams per part, so changing the event count leaves the grids unchanged.
    ss = np.random.SeedSequence(seed)
    r_grids, r_staff, r_events, r_sites = (np.random.default_rng(s) for s in ss.spawn(4))
    grids = build_grids(r_grids)
    staff = build_staff(r_staff, grids)
    ev, log = build_events(r_events, grids, staff, categories_frame(), events, days, until)
    sites, inventory = build_chem_sites(r_sites, grids)
    resources = build_resources(r_sites, grids, sites)
    params = {"seed": seed, "events": events, "days": days, "until": until.isoformat()}
    return DemoData(params, grids, staff, ev, log, sites, inventory, resources)
