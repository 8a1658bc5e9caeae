"""Cached access to geo/: the pool in st.cache_resource, aggregates in st.cache_data (short TTL)."""
from __future__ import annotations

import streamlit as st

from geo import db, overview
from geo.scope import Scope

FIGURES_TTL_S = 30       # live figures
SHAPES_TTL_S = 600       # polygons change only on import


@st.cache_resource(show_spinner=False)
def pool():
    return db.make_pool()


@st.cache_data(ttl=FIGURES_TTL_S, show_spinner=False)
def kpis(scope: Scope, days: int = 30) -> overview.Kpis:
    return overview.kpis(pool(), scope, days=days)


@st.cache_data(ttl=FIGURES_TTL_S, show_spinner=False)
def area_figures(scope: Scope, days: int = 30) -> list[dict]:
    return overview.area_figures(pool(), scope, days=days)


@st.cache_data(ttl=SHAPES_TTL_S, show_spinner=False)
def area_shapes(scope: Scope) -> list[dict]:
    return overview.area_shapes(pool(), scope)


@st.cache_data(ttl=SHAPES_TTL_S, show_spinner=False)
def county_outline() -> dict | None:
    return overview.county_outline(pool())


@st.cache_data(ttl=FIGURES_TTL_S * 4, show_spinner=False)
def density(scope: Scope, days: int = 30) -> list[dict]:
    return overview.density(pool(), scope, days=days)


@st.cache_data(ttl=SHAPES_TTL_S, show_spinner=False)
def chem_sites(scope: Scope) -> list[dict]:
    return overview.chem_sites(pool(), scope)


@st.cache_data(ttl=SHAPES_TTL_S, show_spinner=False)
def dataset_info() -> dict | None:
    return overview.dataset_info(pool())
