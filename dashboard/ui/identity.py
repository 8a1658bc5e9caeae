"""Who is acting. Until log-in exists (a later feature), the sidebar offers a demo identity; the
workflow in geo/ checks every action against it exactly as it will against a logged-in user."""
from __future__ import annotations

import streamlit as st

from dashboard.ui import data
from geo.scope import Scope
from geo.workflow import ROLES, Actor

CHOICES = ("city_dispatcher", "town_dispatcher", "village_staff")


def current_actor() -> Actor:
    with st.sidebar:
        st.markdown("**当前身份（演示，登录功能上线前）**")
        role = st.selectbox("角色", CHOICES, format_func=ROLES.get, key="id_role")
        name = st.text_input("姓名", value="值班调度员", key="id_name", max_chars=20).strip() or "值班调度员"
        town = village = None
        if role in ("town_dispatcher", "village_staff"):
            towns = data.children(Scope.city())
            town = st.selectbox("镇街", [t["code"] for t in towns], key="id_town",
                                format_func={t["code"]: t["name"] for t in towns}.get)
        if role == "village_staff" and town:
            villages = data.children(Scope(town=town))
            village = st.selectbox("村社区", [v["code"] for v in villages], key="id_village",
                                   format_func={v["code"]: v["name"] for v in villages}.get)
    return Actor(name=name, role=role, town=town, village=village)
