"""Chinese labels for widget options."""
from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any


def labels(mapping: Mapping) -> Callable[[Any], str]:
    """The format_func of a widget whose options are the mapping's keys: each key's label (the key
    itself when it has none)."""
    return lambda key: str(mapping.get(key, key))
