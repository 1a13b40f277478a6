"""Skills-based routing endpoints: skill types (attributes), skills (attribute values) and
each agent's skills (instance values), in Zendesk's JSON shapes.

An account starts with none of them; what the API creates lives here, next to the
generated desk, and is lost when the sandbox stops. Ids are UUIDs, as in Zendesk, derived
from the seed and a counter so that the same calls give the same ids.
"""

from __future__ import annotations

import json
import threading
import time
import uuid
from collections.abc import Callable, Collection
from dataclasses import dataclass
from typing import Any

from integrations.sandbox.state import iso

Json = dict[str, Any]

# route names, as app.py registers them
ATTRIBUTES = "routing/attributes"
CREATE_ATTRIBUTE = "routing/attributes (create)"
VALUES = "routing/attributes/{id}/values"
CREATE_VALUE = "routing/attributes/{id}/values (create)"
AGENT_VALUES = "routing/agents/{id}/instance_values"
SET_AGENT_VALUES = "routing/agents/{id}/instance_values (set)"
NAMES = (ATTRIBUTES, CREATE_ATTRIBUTE, VALUES, CREATE_VALUE, AGENT_VALUES, SET_AGENT_VALUES)


@dataclass(slots=True)
class _Record:
    id: str
    name: str
    created_at: int
    # the attribute a value belongs to; None for attributes
    attribute_id: str | None = None


class _Invalid(Exception):
    def __init__(self, status: int, body: Json) -> None:
        super().__init__(body.get("description"))
        self.status = status
        self.body = body


def _record_invalid(field: str, message: str) -> _Invalid:
    return _Invalid(
        422,
        {
            "error": "RecordInvalid",
            "description": "Record validation errors",
            "details": {field: [{"description": f"{field.capitalize()}: {message}"}]},
        },
    )


def _not_found() -> _Invalid:
    return _Invalid(404, {"error": "RecordNotFound", "description": "Not found"})


class RoutingState:
    def __init__(
        self, seed: int, agent_ids: Collection[int], clock: Callable[[], float] = time.time
    ) -> None:
        self._namespace = uuid.uuid5(uuid.NAMESPACE_URL, f"zendesk-sandbox/{seed}/routing")
        self._agents = frozenset(agent_ids)
        self._clock = clock
        self._lock = threading.Lock()
        self._made = 0
        self._attributes: dict[str, _Record] = {}
        self._values: dict[str, _Record] = {}
        self._agent_values: dict[int, list[str]] = {}

    def handle(self, name: str, ids: tuple[str, ...], body: bytes, base: str) -> tuple[int, Json]:
        """(HTTP status, JSON body) for one request to a routing route."""
        try:
            with self._lock:
                return self._handle(name, ids, body, base)
        except _Invalid as exc:
            return exc.status, exc.body

    def _handle(self, name: str, ids: tuple[str, ...], body: bytes, base: str) -> tuple[int, Json]:
        if name == ATTRIBUTES:
            items = [self._json(a, base) for a in self._attributes.values()]
            return 200, {"attributes": items, "next_page": None, "previous_page": None,
                         "count": len(items)}  # fmt: skip
        if name == CREATE_ATTRIBUTE:
            new = self._create(_name_in(body, "attribute"), None, self._attributes.values())
            self._attributes[new.id] = new
            return 201, {"attribute": self._json(new, base)}
        if name in (VALUES, CREATE_VALUE):
            attribute = self._attributes.get(ids[0])
            if attribute is None:
                raise _not_found()
            siblings = [v for v in self._values.values() if v.attribute_id == attribute.id]
            if name == VALUES:
                items = [self._json(v, base) for v in siblings]
                return 200, {"attribute_values": items, "next_page": None,
                             "previous_page": None, "count": len(items)}  # fmt: skip
            new = self._create(_name_in(body, "attribute_value"), attribute.id, siblings)
            self._values[new.id] = new
            return 201, {"attribute_value": self._json(new, base)}
        agent_id = int(ids[0])
        if agent_id not in self._agents:
            raise _not_found()
        if name == SET_AGENT_VALUES:
            self._agent_values[agent_id] = self._value_ids(body)
        held = [self._values[v] for v in self._agent_values.get(agent_id, ()) if v in self._values]
        return 200, {"attribute_values": [self._json(v, base) for v in held]}

    def _create(self, name: str, attribute_id: str | None, existing: Any) -> _Record:
        if any(r.name.casefold() == name.casefold() for r in existing):
            raise _record_invalid("name", "has already been taken")
        self._made += 1
        new_id = str(uuid.uuid5(self._namespace, str(self._made)))
        return _Record(new_id, name, int(self._clock()), attribute_id)

    def _value_ids(self, body: bytes) -> list[str]:
        payload = _payload(body)
        value_ids = payload.get("attribute_value_ids")
        if not isinstance(value_ids, list) or not all(isinstance(v, str) for v in value_ids):
            raise _Invalid(
                400,
                {"error": "InvalidValue",
                 "description": 'Expected {"attribute_value_ids": ["<id>", ...]}'},
            )  # fmt: skip
        unknown = [v for v in value_ids if v not in self._values]
        if unknown:
            raise _record_invalid("attribute_value_ids", f"unknown ids {', '.join(unknown)}")
        return list(dict.fromkeys(value_ids))

    @staticmethod
    def _json(record: _Record, base: str) -> Json:
        stamp = iso(record.created_at)
        if record.attribute_id is None:
            url = f"{base}/api/v2/routing/attributes/{record.id}.json"
            return {"url": url, "id": record.id, "name": record.name,
                    "created_at": stamp, "updated_at": stamp}  # fmt: skip
        url = f"{base}/api/v2/routing/attributes/{record.attribute_id}/values/{record.id}.json"
        return {"url": url, "id": record.id, "name": record.name,
                "attribute_id": record.attribute_id, "created_at": stamp,
                "updated_at": stamp}  # fmt: skip


def _payload(body: bytes) -> Json:
    try:
        payload = json.loads(body or b"null")
    except ValueError:
        raise _Invalid(400, {"error": "InvalidValue", "description": "Body is not JSON"}) from None
    if not isinstance(payload, dict):
        raise _Invalid(400, {"error": "InvalidValue", "description": "Expected a JSON object"})
    return payload


def _name_in(body: bytes, key: str) -> str:
    inner = _payload(body).get(key)
    if not isinstance(inner, dict):
        raise _Invalid(
            400, {"error": "InvalidValue", "description": f'Expected {{"{key}": {{"name": ...}}}}'}
        )
    name = inner.get("name")
    if not isinstance(name, str) or not name.strip():
        raise _record_invalid("name", "cannot be blank")
    return name.strip()
