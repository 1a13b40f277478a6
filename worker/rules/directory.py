"""The parts of the Zendesk account rules refer to by name: groups and custom fields.

Rules may name a group or field by its title, but tickets store ids; the directory turns
names into ids when the rules are compiled. Its digest changes when a rename could change
a ticket's tags, so tagging knows to redo the history.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field


@dataclass(frozen=True)
class FieldInfo:
    title: str
    # (display name, stored value) for drop-down fields
    options: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Directory:
    groups: Mapping[int, str] = field(default_factory=dict)
    fields: Mapping[int, FieldInfo] = field(default_factory=dict)

    def group_ids(self, name: str) -> list[int]:
        folded = name.strip().casefold()
        return sorted(i for i, n in self.groups.items() if n.strip().casefold() == folded)

    def field_ids(self, title: str) -> list[int]:
        folded = title.strip().casefold()
        return sorted(i for i, f in self.fields.items() if f.title.strip().casefold() == folded)

    def digest(self) -> str:
        content = {
            "groups": sorted((i, n) for i, n in self.groups.items()),
            "fields": sorted((i, f.title, list(f.options)) for i, f in self.fields.items()),
        }
        text = json.dumps(content, separators=(",", ":"), ensure_ascii=False)
        return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]
