"""What every report shares: areas with their names, and how numbers and times are written."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from worker.profiles.read import Profiles


@dataclass(frozen=True)
class Area:
    key: str
    name: str
    # the rules' fallback area: tickets that matched no area
    fallback: bool = False

    def to_json(self) -> dict[str, Any]:
        return {"key": self.key, "name": self.name, "fallback": self.fallback}


def area_list(profiles: Profiles) -> list[Area]:
    """Every area with depth, deepest team-wide first, the fallback area last."""
    keys = profiles.areas()
    keys = [k for k in keys if k != profiles.fallback_area] + [
        k for k in keys if k == profiles.fallback_area
    ]
    return [Area(k, profiles.area_name(k), k == profiles.fallback_area) for k in keys]


def iso(when: datetime) -> str:
    return when.isoformat(timespec="seconds")


def rounded(value: float | None, digits: int = 3) -> float | None:
    """Rounded for reports: more digits would suggest a precision the data lacks."""
    return None if value is None else round(value, digits)
