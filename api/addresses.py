"""The address register for terminals and other systems: what an address matches before it is sent
(geo/addresses.py). A report with only an address is placed by the same matcher (POST /reports)."""
from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request

from api.deps import scoped, worker
from geo import addresses, terminals

PREFIX = "/api/v1"
router = APIRouter(prefix=PREFIX, tags=["标准地址"])


@router.get("/addresses/match", summary="地址匹配：标准地址库中的候选位置（匹配度从高到低）",
            description="clear 为 true 时 best 即可直接上报的位置；否则请让用户从 candidates 中选择或在地图上选点。")
def match(request: Request, me: Annotated[terminals.Worker, Depends(worker)],
          q: Annotated[str, Query(min_length=1, max_length=200, description="地址，如“金巷社区春申路340号附近”")]):
    with scoped(request, me).connection() as conn:
        m = addresses.match_one(conn, q)
    best = m.best
    return {"address": q, "normalised": m.parsed.normalised, "status": m.status, "clear": best is not None,
            "best": best.as_dict() if best else None, "candidates": [c.as_dict() for c in m.candidates]}
