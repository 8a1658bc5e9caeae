"""Open311 GeoReport v2's XML, the format the standard requires beside JSON: the same values as the
JSON answer, as elements. A list inside a record repeats its singular (endpoints → endpoint); None is
an empty element; true/false are written as the standard's examples write them."""
from __future__ import annotations

import datetime as dt
from xml.etree import ElementTree as ET

ITEM = {"endpoints": "endpoint", "formats": "format", "attributes": "attribute", "values": "value"}
MEDIA_TYPE = "text/xml; charset=utf-8"


def _fill(el: ET.Element, value) -> None:
    if isinstance(value, dict):
        for k, v in value.items():
            _fill(ET.SubElement(el, k), v)
    elif isinstance(value, list):
        name = ITEM.get(el.tag, "item")
        for v in value:
            _fill(ET.SubElement(el, name), v)
    elif isinstance(value, bool):
        el.text = "true" if value else "false"
    elif isinstance(value, dt.datetime):
        el.text = value.isoformat()
    elif value is not None:
        el.text = str(value)


def document(root: str, item: str | None, value) -> bytes:
    """<root><item>…</item>…</root> for a list (item given), <root>…</root> for one record."""
    top = ET.Element(root)
    if item is None:
        _fill(top, value)
    else:
        for v in value:
            _fill(ET.SubElement(top, item), v)
    return ET.tostring(top, encoding="utf-8", xml_declaration=True)
