"""The domain's code lists, each once, as string enums that carry their Chinese label: event status
(the national digital-city-management pattern), handling level, urgency, hazard level, dedicated-grid
type and emergency-resource kind. Roles are in geo/roles.py, figures in geo/metrics.py. The label
tables below are derived from the enums for lookups by plain code (what the database returns).
"""
from __future__ import annotations

from enum import Enum, IntEnum, StrEnum
from typing import Any


def _with_label(base: type):
    """The __new__ of an enum whose members are (code, 中文标签)."""
    def __new__(cls, value, label: str):
        obj: Any = base.__new__(cls, value)
        obj._value_ = value
        obj.label = label
        return obj
    return __new__


class LabelledStr(StrEnum):
    """A text code with its Chinese label: `Status.CLOSED == "closed"`, `Status.CLOSED.label == "结案"`."""

    label: str
    __new__ = _with_label(str)


class LabelledInt(IntEnum):
    """A numeric code with its Chinese label: `Urgency(1).label == "特急"`."""

    label: str
    __new__ = _with_label(int)


class Status(LabelledStr):
    REPORTED = "reported", "上报"
    ACCEPTED = "accepted", "立案"
    DISPATCHED = "dispatched", "派遣"
    IN_PROGRESS = "in_progress", "处置中"
    HANDLED = "handled", "处置完成"
    VERIFIED = "verified", "核查"
    CLOSED = "closed", "结案"
    REJECTED = "rejected", "不予立案"
    RETURNED = "returned", "退回"


class Level(LabelledStr):
    CITY = "city", "市级"
    TOWN = "town", "镇街"
    VILLAGE = "village", "村社区"


class Urgency(LabelledInt):
    EXTRA_URGENT = 1, "特急"
    URGENT = 2, "紧急"
    NORMAL = 3, "一般"


class HazardLevel(LabelledInt):
    FIRST = 1, "一级重大危险源"
    SECOND = 2, "二级重大危险源"
    THIRD = 3, "三级重大危险源"
    FOURTH = 4, "四级重大危险源"


class DedicatedType(LabelledStr):
    SCHOOL = "school", "学校"
    HOSPITAL = "hospital", "医院"
    CHEMICAL_PARK = "chemical_park", "化工园区"
    INDUSTRIAL_PARK = "industrial_park", "工业园区"
    MARKET = "market", "市场"
    SCENIC_AREA = "scenic_area", "景区"
    ELDERLY_HOME = "elderly_home", "养老机构"
    TRANSPORT_HUB = "transport_hub", "交通枢纽"
    OTHER = "other", "其他"


class ResourceKind(LabelledStr):
    RESCUE_BASE = "rescue_base", "危化品应急救援基地"
    FIRE_STATION = "fire_station", "消防救援站"
    HOSPITAL = "hospital", "医院"
    POLICE_STATION = "police_station", "派出所"
    MATERIALS_DEPOT = "materials_depot", "应急物资库"
    SHELTER = "shelter", "应急避难场所"
    MEDICAL_TEAM = "medical_team", "医疗救援队"


class NoticeKind(LabelledStr):
    """What reaches a terminal's inbox (and the webhook): a new task, 催办, 督办."""
    TASK = "task", "新任务"
    URGE = "urge", "催办"
    SUPERVISE = "supervise", "督办"


class PhotoStage(LabelledStr):
    BEFORE = "before", "处置前"
    AFTER = "after", "处置后"


class BaseKind(LabelledStr):
    """一张图's base data per grid: 人、地、物、组织 (事 are the events)."""
    PEOPLE = "people", "人"
    LAND = "land", "地"
    THINGS = "things", "物"
    ORGS = "orgs", "组织"


class ServicePointKind(LabelledStr):
    WINDOW = "window", "澄事之窗"
    APP_POINT = "app_point", "最江阴服务点"


class EnterpriseStatus(LabelledStr):
    """厂中厂 / 安全生产 supervision: where a supervised enterprise stands."""
    RECTIFYING = "rectifying", "整改中"
    RECTIFIED = "rectified", "已整改"
    CLOSED = "closed", "已关停"


class EnterpriseSector(LabelledStr):
    CHEMICAL = "chemical", "化工"
    METALLURGY = "metallurgy", "冶金"
    MACHINERY = "machinery", "机械制造"
    TEXTILE = "textile", "纺织服装"
    BUILDING_MATERIALS = "building_materials", "建材"
    ELECTRONICS = "electronics", "电子电气"
    LOGISTICS = "logistics", "仓储物流"
    OTHER = "other", "其他"


class InspectionResult(LabelledStr):
    PASS = "pass", "合格"
    ISSUES = "issues", "发现隐患"
    CLOSED = "closed", "责令关停"


def labels(enum: type[Enum]) -> dict:
    """code -> label, for lookups by the plain values the database returns."""
    return {m.value: m.label for m in enum}   # type: ignore[attr-defined]


STATUS_LABELS: dict[str, str] = labels(Status)
CLOSED_STATUSES = (Status.CLOSED.value, Status.REJECTED.value)
OPEN_STATUSES = tuple(s for s in STATUS_LABELS if s not in CLOSED_STATUSES)
PRIORITY_LABELS: dict[int, str] = labels(Urgency)
LEVEL_LABELS: dict[str, str] = labels(Level)
HAZARD_LEVEL_LABELS: dict[int, str] = labels(HazardLevel)
DEDICATED_LABELS: dict[str, str] = labels(DedicatedType)
RESOURCE_LABELS: dict[str, str] = labels(ResourceKind)
NOTICE_LABELS: dict[str, str] = labels(NoticeKind)
PHOTO_STAGE_LABELS: dict[str, str] = labels(PhotoStage)
BASE_KIND_LABELS: dict[str, str] = labels(BaseKind)
SERVICE_POINT_LABELS: dict[str, str] = labels(ServicePointKind)
ENTERPRISE_STATUS_LABELS: dict[str, str] = labels(EnterpriseStatus)
ENTERPRISE_SECTOR_LABELS: dict[str, str] = labels(EnterpriseSector)
INSPECTION_LABELS: dict[str, str] = labels(InspectionResult)
# What the address register made of an address (geo.addresses.Match.status): the import's match report
# on the page and in the CLI's CSV.
ADDRESS_MATCH_LABELS: dict[str, str] = {"clear": "已定位", "ambiguous": "多处相近，待核", "none": "未找到，待核"}


def status_label(code: str) -> str:
    return STATUS_LABELS.get(code, code)
