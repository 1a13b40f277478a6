"""Helpers for the sandbox tests: walking the exports over HTTP, and reading the recorded
real Zendesk responses (Betamax cassettes)."""

from __future__ import annotations

import base64
import contextlib
import gzip
import json
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import requests

from tests.helpers.recorded import recorded_dir

RECORDED_DIR = recorded_dir()
END = datetime(2025, 6, 1, tzinfo=UTC)


def session_for(sb: Any) -> requests.Session:
    session = requests.Session()
    session.auth = (f"{sb.email}/token", sb.token)
    return session


def get(session: requests.Session, url: str, **params: Any) -> dict[str, Any]:
    response = session.get(url, params=params or None, timeout=30)
    assert response.status_code == 200, (response.status_code, response.text[:300])
    payload: dict[str, Any] = response.json()
    return payload


def walk_tickets(
    session: requests.Session, base: str, per_page: int, include: str = ""
) -> Iterator[dict[str, Any]]:
    """Every page of the cursor ticket export from the beginning."""
    params: dict[str, Any] = {"start_time": 0, "per_page": per_page}
    if include:
        params["include"] = include
    page = get(session, f"{base}/api/v2/incremental/tickets/cursor.json", **params)
    while True:
        yield page
        if page["end_of_stream"]:
            return
        page = get(session, page["after_url"])


def walk_events(session: requests.Session, base: str, per_page: int) -> Iterator[dict[str, Any]]:
    page = get(
        session,
        f"{base}/api/v2/incremental/ticket_events.json",
        start_time=0,
        per_page=per_page,
        include="comment_events",
    )
    while True:
        yield page
        if page["end_of_stream"]:
            return
        page = get(session, page["next_page"])


def _body(interaction: dict[str, Any]) -> Any:
    body = interaction["response"]["body"]
    encoded = body.get("base64_string")
    if encoded:
        raw = base64.b64decode(encoded)
        with contextlib.suppress(gzip.BadGzipFile):
            raw = gzip.decompress(raw)
        return json.loads(raw)
    return json.loads(body.get("string") or "null")


def load_cassette(name: str) -> list[tuple[str, Any]]:
    """(request uri, decoded JSON body) of every interaction of one recording."""
    data = json.loads((RECORDED_DIR / name).read_text())
    return [(i["request"]["uri"], _body(i)) for i in data["http_interactions"]]


def recorded_records(name: str, uri_part: str, key: str) -> list[dict[str, Any]]:
    """All `key` records of the responses to requests whose URI contains `uri_part`."""
    records: list[dict[str, Any]] = []
    for uri, body in load_cassette(name):
        if uri_part in uri and isinstance(body, dict):
            records.extend(body.get(key) or [])
    return records


def json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    return "object"


def type_profile(records: list[dict[str, Any]]) -> dict[str, set[str]]:
    """JSON types each key takes across `records`."""
    profile: dict[str, set[str]] = {}
    for record in records:
        for key, value in record.items():
            profile.setdefault(key, set()).add(json_type(value))
    return profile
