"""Skills-based routing: skill types (attributes), skills (attribute values), and the skills
each agent has (instance values).

Setting an agent's skills replaces all of them, so callers send the full list they want the
agent to end up with, other skill types included. That also makes the call idempotent;
creating a skill type or skill is not, so it is never retried after an ambiguous failure.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from integrations.zendesk.errors import ZendeskError
from integrations.zendesk.paginators import next_link_pages
from integrations.zendesk.records import Skipped
from integrations.zendesk.writes import WriteHttp

ATTRIBUTES_PATH = "/api/v2/routing/attributes"


@dataclass(frozen=True, slots=True)
class RoutingAttribute:
    id: str
    name: str


@dataclass(frozen=True, slots=True)
class RoutingValue:
    id: str
    name: str
    attribute_id: str


class RoutingApi:
    def __init__(self, http: WriteHttp) -> None:
        self._http = http

    def attributes(self) -> list[RoutingAttribute]:
        return self._list(ATTRIBUTES_PATH, "attributes", _attribute)

    def create_attribute(self, name: str) -> RoutingAttribute:
        body = self._http.send_json(
            "POST", ATTRIBUTES_PATH, {"attribute": {"name": name}}, idempotent=False
        )
        return _attribute(_object(body, "attribute", f"POST {ATTRIBUTES_PATH}"))

    def values(self, attribute_id: str) -> list[RoutingValue]:
        return self._list(_values_path(attribute_id), "attribute_values", _value)

    def create_value(self, attribute_id: str, name: str) -> RoutingValue:
        path = _values_path(attribute_id)
        body = self._http.send_json(
            "POST", path, {"attribute_value": {"name": name}}, idempotent=False
        )
        return _value(_object(body, "attribute_value", f"POST {path}"))

    def agent_values(self, user_id: int) -> list[RoutingValue]:
        body = self._http.get_json(_agent_path(user_id))
        return [_value(d) for d in _objects(body, "attribute_values", _agent_path(user_id))]

    def set_agent_values(self, user_id: int, value_ids: Iterable[str]) -> list[RoutingValue]:
        """Replace every skill of the agent with `value_ids`; the skills they now have."""
        path = _agent_path(user_id)
        body = self._http.send_json(
            "POST", path, {"attribute_value_ids": sorted(set(value_ids))}, idempotent=True
        )
        return [_value(d) for d in _objects(body, "attribute_values", path)]

    def _list(self, path: str, key: str, parse_one: Any) -> list[Any]:
        out: list[Any] = []

        def parse_page(body: dict[str, Any]) -> tuple[list[Any], list[Skipped]]:
            return [parse_one(d) for d in _objects(body, key, path)], []

        for page in next_link_pages(self._http.get_json, path, parse_page, params={}):
            out.extend(page.records)
        return out


def _values_path(attribute_id: str) -> str:
    return f"{ATTRIBUTES_PATH}/{_safe_id(attribute_id)}/values"


def _agent_path(user_id: int) -> str:
    return f"/api/v2/routing/agents/{int(user_id)}/instance_values"


def _safe_id(value: str) -> str:
    # ids go into a URL path; Zendesk's are UUIDs
    if not value or not all(c.isalnum() or c == "-" for c in value):
        raise ValueError(f"not a routing id: {value!r}")
    return value


def _objects(body: dict[str, Any], key: str, where: str) -> list[dict[str, Any]]:
    items = body.get(key)
    if not isinstance(items, list) or not all(isinstance(d, dict) for d in items):
        raise ZendeskError(f"the answer of {where} has no {key!r} list")
    return items


def _object(body: dict[str, Any], key: str, where: str) -> dict[str, Any]:
    d = body.get(key)
    if not isinstance(d, dict):
        raise ZendeskError(f"the answer of {where} has no {key!r} object")
    return d


def _text(d: dict[str, Any], key: str) -> str:
    value = d.get(key)
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    if not isinstance(value, str) or not value:
        raise ZendeskError(f"a routing record has no {key!r}: {str(d)[:200]}")
    return value


def _attribute(d: dict[str, Any]) -> RoutingAttribute:
    return RoutingAttribute(_text(d, "id"), _text(d, "name"))


def _value(d: dict[str, Any]) -> RoutingValue:
    return RoutingValue(_text(d, "id"), _text(d, "name"), _text(d, "attribute_id"))
