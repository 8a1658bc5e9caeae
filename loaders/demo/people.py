"""Demo staff: 5,034 grid workers with mobile terminals and 2,383 police embedded in grids."""
from __future__ import annotations

import numpy as np
import pandas as pd

from loaders.demo import names
from loaders.demo.grids import allocate, sample_in

N_GRID_WORKERS = 5034
N_POLICE = 2383


def build_staff(rng: np.random.Generator, grids: pd.DataFrame) -> pd.DataFrame:
    admin3 = grids[(grids.level == 3) & (grids.kind == "admin")]
    dedicated = grids[grids.kind == "dedicated"]
    pop = admin3.population.to_numpy(dtype=float)

    # Every dedicated grid has one worker; the rest go to admin grids, at least 3 each, more where
    # more people live. Police: at least one per admin grid, more in populous grids.
    workers_admin = allocate(N_GRID_WORKERS - len(dedicated), np.sqrt(pop), minimum=3)
    police_admin = allocate(N_POLICE, pop, minimum=1)

    codes = np.concatenate([
        np.repeat(admin3.code.to_numpy(), workers_admin),
        dedicated.code.to_numpy(),
        np.repeat(admin3.code.to_numpy(), police_admin),
    ])
    roles = np.array(["grid_worker"] * (workers_admin.sum() + len(dedicated)) + ["police"] * police_admin.sum())
    n = len(codes)
    geom_by_code = dict(zip(grids.code, grids.geom))
    # Current positions from the mobile terminals, inside their own grid (sampled per grid).
    xy = np.empty((n, 2))
    order = np.argsort(codes, kind="stable")
    sorted_codes = codes[order]
    starts = np.flatnonzero(np.r_[True, sorted_codes[1:] != sorted_codes[:-1]])
    ends = np.r_[starts[1:], n]
    for s, e in zip(starts, ends):
        xy[order[s:e]] = sample_in(rng, geom_by_code[sorted_codes[s]], e - s)
    frame = pd.DataFrame({
        "id": np.arange(1, n + 1),
        "name": names.person_names(rng, n),
        "role": roles,
        "grid_code": codes,
        "phone": names.phones(rng, n),
        # 网格员 terminals JYWG…, 网格警员 terminals JYJW… (both carry the mobile terminal)
        "terminal_id": [f"JYWG{i:05d}" if r == "grid_worker" else f"JYJW{i:05d}"
                        for i, r in zip(range(1, n + 1), roles)],
        "on_duty": rng.random(n) < np.where(roles == "police", 0.55, 0.72),
        "lon": xy[:, 0],
        "lat": xy[:, 1],
    })
    return frame
