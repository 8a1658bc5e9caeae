"""Deterministic demo data for Jiangyin: `python -m loaders demo [--seed N] [--events N] [--days N]`.

`generate()` is pure: the same (seed, events, days, until) gives the same rows. `loaders.demo.load`
writes them in one transaction with COPY.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import cached_property
from typing import Callable, Iterator

import numpy as np
import pandas as pd

from geo.errors import InvalidInput
from loaders.reference import read_csv


@dataclass
class DemoData:
    params: dict
    grids: pd.DataFrame
    staff: pd.DataFrame
    chem_sites: pd.DataFrame
    chem_inventory: pd.DataFrame
    resources: pd.DataFrame
    n_events: int
    # (events, event_log) frames a batch at a time; each call draws the same rows again
    event_batches: Callable[[], Iterator[tuple[pd.DataFrame, pd.DataFrame]]]
    # 一张图's layers (loaders/demo/onemap.py): table -> frame, drawn on first use
    onemap_frames: Callable[[], dict[str, pd.DataFrame]] | None = None

    @cached_property
    def onemap(self) -> dict[str, pd.DataFrame]:
        return self.onemap_frames() if self.onemap_frames else {}

    @cached_property
    def _joined(self) -> tuple[pd.DataFrame, pd.DataFrame]:
        parts = list(self.event_batches())
        if not parts:
            return pd.DataFrame(), pd.DataFrame()
        return (pd.concat([e for e, _ in parts], ignore_index=True),
                pd.concat([lg for _, lg in parts], ignore_index=True))

    @property
    def events(self) -> pd.DataFrame:
        """All events in one frame (tests and small data; the loader streams the batches)."""
        return self._joined[0]

    @property
    def event_log(self) -> pd.DataFrame:
        return self._joined[1]


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
    from loaders.demo.events import build_event_batches
    from loaders.demo.grids import build_grids
    from loaders.demo.people import build_staff
    from loaders.demo.sites import build_chem_sites, build_resources

    if until is None:
        until = dt.datetime.now(TZ).replace(minute=0, second=0, microsecond=0)
    if until.tzinfo is None:
        until = until.replace(tzinfo=TZ)
    if events < 0 or days < 1:
        raise InvalidInput("--events must be >= 0 and --days >= 1", "事件数不能为负，天数至少为1。")
    # Independent streams per part, so changing the event count leaves the grids unchanged.
    ss = np.random.SeedSequence(seed)
    # (spawn(n) gives the same first children for any n: a new stream leaves the others unchanged)
    s_grids, s_staff, s_events, s_sites, s_onemap = ss.spawn(5)
    r_grids, r_staff, r_sites = (np.random.default_rng(s) for s in (s_grids, s_staff, s_sites))
    grids = build_grids(r_grids)
    staff = build_staff(r_staff, grids)
    categories = categories_frame()
    sites, inventory = build_chem_sites(r_sites, grids)
    resources = build_resources(r_sites, grids, sites)
    params = {"seed": seed, "events": events, "days": days, "until": until.isoformat()}

    def event_batches():
        return build_event_batches(np.random.default_rng(s_events), grids, staff, categories, events, days, until)
    def onemap_frames():
        from loaders.demo import onemap
        return onemap.build(np.random.default_rng(s_onemap), grids, staff, until)
    return DemoData(params, grids, staff, sites, inventory, resources, events, event_batches, onemap_frames)
