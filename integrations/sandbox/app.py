"""From request to response, without the HTTP plumbing: routing, auth, rate limits, faults,
and the endpoints themselves."""

from __future__ import annotations

import base64
import binascii
import json
import re
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, urlsplit

from integrations.sandbox import exports, faults, routing_api
from integrations.sandbox.corruption import Corruptions
from integrations.sandbox.exports import BadRequest
from integrations.sandbox.generator import Desk
from integrations.sandbox.mutations import UpdateError, update_ticket
from integrations.sandbox.ratelimit import API, EXPORT, RateLimiter, Verdict
from integrations.sandbox.render import (
    comments_json,
    group_json,
    ticket_fields_json,
    ticket_json,
    user_json,
)
from integrations.sandbox.state import metric_set
from integrations.sandbox.truth import truth_dict

Json = dict[str, Any]


@dataclass(slots=True)
class Response:
    status: int
    body: bytes
    headers: dict[str, str] = field(default_factory=dict)
    # "timeout": hang, then drop the connection; "truncate": send part of the body, then drop.
    fault: str | None = None


@dataclass(frozen=True, slots=True)
class Route:
    method: str
    pattern: re.Pattern[str]
    name: str
    bucket: str
    # Paged exports are where a `dup` fault makes sense.
    paged: bool = False


ROUTES = (
    Route("GET", re.compile(r"/api/v2/incremental/tickets/cursor\.json"),
          "incremental_tickets", EXPORT, paged=True),
    Route("GET", re.compile(r"/api/v2/incremental/ticket_events\.json"),
          "incremental_ticket_events", EXPORT, paged=True),
    Route("GET", re.compile(r"/api/v2/incremental/users/cursor\.json"),
          "incremental_users", EXPORT, paged=True),
    Route("GET", re.compile(r"/api/v2/groups\.json"), "groups", API),
    Route("GET", re.compile(r"/api/v2/ticket_fields\.json"), "ticket_fields", API),
    Route("GET", re.compile(r"/api/v2/users/(\d+)\.json"), "users/{id}", API),
    Route("GET", re.compile(r"/api/v2/tickets/(\d+)\.json"), "tickets/{id}", API),
    Route("PUT", re.compile(r"/api/v2/tickets/(\d+)\.json"), "tickets/{id} (update)", API),
    Route("GET", re.compile(r"/api/v2/tickets/(\d+)/comments\.json"),
          "tickets/{id}/comments", API),
    # skills-based routing (routing_api.py); Zendesk takes these paths with or without .json
    Route("GET", re.compile(r"/api/v2/routing/attributes(?:\.json)?"),
          routing_api.ATTRIBUTES, API),
    Route("POST", re.compile(r"/api/v2/routing/attributes(?:\.json)?"),
          routing_api.CREATE_ATTRIBUTE, API),
    Route("GET", re.compile(r"/api/v2/routing/attributes/([0-9a-f-]+)/values(?:\.json)?"),
          routing_api.VALUES, API),
    Route("POST", re.compile(r"/api/v2/routing/attributes/([0-9a-f-]+)/values(?:\.json)?"),
          routing_api.CREATE_VALUE, API),
    Route("GET", re.compile(r"/api/v2/routing/agents/(\d+)/instance_values(?:\.json)?"),
          routing_api.AGENT_VALUES, API),
    Route("POST", re.compile(r"/api/v2/routing/agents/(\d+)/instance_values(?:\.json)?"),
          routing_api.SET_AGENT_VALUES, API),
)  # fmt: skip


def json_response(status: int, payload: Any, headers: dict[str, str] | None = None) -> Response:
    body = json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode()
    return Response(status, body, dict(headers or {}))


class Stats:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._requests: Counter[str] = Counter()
        self._faults: Counter[str] = Counter()
        self._http_429 = 0

    def request(self, endpoint: str) -> None:
        with self._lock:
            self._requests[endpoint] += 1

    def fault(self, kind: str) -> None:
        with self._lock:
            self._faults[kind] += 1

    def too_many(self) -> None:
        with self._lock:
            self._http_429 += 1

    def snapshot(self) -> Json:
        with self._lock:
            return {
                "requests_total": sum(self._requests.values()),
                "requests_by_endpoint": dict(self._requests),
                "http_429": self._http_429,
                "faults_injected": dict(self._faults),
            }

    def reset(self) -> None:
        with self._lock:
            self._requests.clear()
            self._faults.clear()
            self._http_429 = 0


class SandboxApp:
    def __init__(self, desk: Desk) -> None:
        config = desk.config
        self.desk = desk
        self.email = config.email
        self.token = config.token
        self.limiter = RateLimiter(
            config.rate_limits, config.export_limit_per_min, config.api_limit_per_min
        )
        self.faults = faults.FaultInjector(config.seed, config.faults)
        self.stats = Stats()
        self.base_url = ""
        owner = next((a for a in desk.staff.agents if a.email == config.email), None)
        self._api_user_id = owner.id if owner is not None else desk.staff.agents[0].id
        self.routing = routing_api.RoutingState(config.seed, desk.agents_by_id)
        self.corruptions = Corruptions()
        self.latency_s = config.latency_s

    def stats_payload(self) -> Json:
        payload = self.stats.snapshot()
        payload["tickets"] = self.desk.tickets
        payload["audits"] = self.desk.audits_total
        return payload

    def _authorized(self, header: str | None) -> bool:
        if not header or not header.startswith("Basic "):
            return False
        try:
            decoded = base64.b64decode(header[6:], validate=True).decode()
        except (binascii.Error, UnicodeDecodeError):
            return False
        user, _, password = decoded.partition(":")
        return user == f"{self.email}/token" and password == self.token

    def handle(self, method: str, target: str, auth: str | None, body: bytes) -> Response:
        parts = urlsplit(target)
        path = parts.path
        if path.startswith("/_sandbox/"):
            return self._internal(path)
        route, match = _match(method, path)
        bucket = EXPORT if path.startswith("/api/v2/incremental/") else API
        now = time.monotonic()
        self.stats.request(route.name if route else "unknown")
        if route is None or match is None:
            return self._with_limits(
                json_response(404, {"error": "InvalidEndpoint", "description": "Not found"}),
                self.limiter.peek(bucket, now),
            )
        if not self._authorized(auth):
            return self._with_limits(
                json_response(401, {"error": "Couldn't authenticate you"}),
                self.limiter.peek(bucket, now),
            )
        if self.latency_s:
            time.sleep(self.latency_s)
        verdict = self.limiter.admit(route.bucket, now)
        if not verdict.allowed:
            self.stats.too_many()
            return self._too_many(verdict, verdict.retry_after)
        fault = self.faults.draw(route.bucket, now) if method == "GET" else None
        if fault == faults.DUP and not route.paged:
            fault = None
        if fault is not None:
            self.stats.fault(fault)
        if fault == faults.HTTP429:
            self.stats.too_many()
            return self._too_many(verdict, 1)
        if fault == faults.HTTP500:
            status = self.faults.status_code()
            error = {"error": "ServerError", "description": f"Sandbox injected HTTP {status}"}
            return self._with_limits(json_response(status, error), verdict)
        if fault == faults.TIMEOUT:
            return Response(0, b"", fault=faults.TIMEOUT)
        dup = self.faults.amount(1, 5) if fault == faults.DUP else 0
        params = {k: v[-1] for k, v in parse_qs(parts.query).items()}
        try:
            response = self._dispatch(route, match, params, body, dup)
        except BadRequest as exc:
            response = json_response(400, {"error": "InvalidValue", "description": str(exc)})
        if fault == faults.TRUNCATE:
            response.fault = faults.TRUNCATE
        return self._with_limits(response, verdict)

    def _with_limits(self, response: Response, verdict: Verdict) -> Response:
        response.headers["X-Rate-Limit"] = str(verdict.limit)
        response.headers["X-Rate-Limit-Remaining"] = str(verdict.remaining)
        return response

    def _too_many(self, verdict: Verdict, retry_after: int) -> Response:
        body = {
            "error": "APIRateLimitExceeded",
            "description": "Number of allowed API requests per minute exceeded",
        }
        response = json_response(429, body, {"Retry-After": str(retry_after)})
        response.headers["X-Rate-Limit"] = str(verdict.limit)
        response.headers["X-Rate-Limit-Remaining"] = "0"
        return response

    def _internal(self, path: str) -> Response:
        if path == "/_sandbox/stats":
            return json_response(200, self.stats_payload())
        if path == "/_sandbox/truth":
            return json_response(200, truth_dict(self.desk))
        return json_response(404, {"error": "InvalidEndpoint", "description": "Not found"})

    def _dispatch(
        self, route: Route, match: re.Match[str], params: dict[str, str], body: bytes, dup: int
    ) -> Response:
        desk, base = self.desk, self.base_url
        name = route.name
        if name in routing_api.NAMES:
            return json_response(*self.routing.handle(name, match.groups(), body, base))
        if name == "incremental_tickets":
            include = {i.strip() for i in params.get("include", "").split(",") if i.strip()}
            page = exports.ticket_page(
                desk,
                base,
                start_time=params.get("start_time"),
                cursor=params.get("cursor"),
                per_page=exports.per_page_of(params.get("per_page")),
                include=include & {"metric_sets", "users", "groups"},
                dup=dup,
            )
            self.corruptions.tickets(page["tickets"])
            return self._corrupted(json_response(200, page))
        if name == "incremental_ticket_events":
            page = exports.event_page(
                desk,
                base,
                start_time=params.get("start_time"),
                per_page=exports.per_page_of(params.get("per_page")),
                with_comments="comment_events" in params.get("include", ""),
                per_page_param=params.get("per_page"),
                dup=dup,
            )
            self.corruptions.ticket_events(page["ticket_events"])
            return json_response(200, page)
        if name == "incremental_users":
            page = exports.user_page(
                desk,
                base,
                start_time=params.get("start_time"),
                cursor=params.get("cursor"),
                per_page=exports.per_page_of(params.get("per_page")),
                dup=dup,
            )
            return json_response(200, page)
        if name == "groups":
            groups = [group_json(g, base) for g in desk.staff.groups]
            return json_response(200, _offset_page("groups", groups, params, base, "groups"))
        if name == "ticket_fields":
            fields = ticket_fields_json(desk, base)
            return json_response(
                200,
                {"ticket_fields": fields, "next_page": None, "previous_page": None,
                 "count": len(fields)},
            )  # fmt: skip
        record_id = int(match.group(1))
        if name == "users/{id}":
            user = user_json(desk, record_id, base)
            if user is None:
                return _record_not_found()
            return json_response(200, {"user": user})
        if not desk.exists(record_id):
            return _record_not_found()
        if name == "tickets/{id}":
            view = desk.ticket(record_id)
            if view.state.status == "deleted":
                return _record_not_found()
            payload: Json = {"ticket": ticket_json(desk, view, base, False)}
            if "metric_sets" in params.get("include", ""):
                # Show-ticket side-loads metric sets as a top-level list, as Zendesk does.
                payload["metric_sets"] = [metric_set(record_id, view.audits, base)]
            return json_response(200, payload)
        if name == "tickets/{id}/comments":
            comments = comments_json(desk, desk.ticket(record_id))
            path = f"tickets/{record_id}/comments"
            return json_response(200, _offset_page("comments", comments, params, base, path))
        return self._update(record_id, body)

    def _corrupted(self, response: Response) -> Response:
        return Response(response.status, Corruptions.encode(response.body), response.headers)

    def _update(self, ticket_id: int, body: bytes) -> Response:
        try:
            payload = json.loads(body or b"null")
        except ValueError:
            return json_response(400, {"error": "InvalidValue", "description": "Body is not JSON"})
        if self.desk.ticket(ticket_id).state.status == "deleted":
            return _record_not_found()
        try:
            update_ticket(self.desk, ticket_id, payload, self._api_user_id, int(time.time()))
        except UpdateError as exc:
            return json_response(exc.status, exc.body)
        view = self.desk.ticket(ticket_id)
        return json_response(200, {"ticket": ticket_json(self.desk, view, self.base_url, False)})


def _record_not_found() -> Response:
    return json_response(404, {"error": "RecordNotFound", "description": "Not found"})


def _match(method: str, path: str) -> tuple[Route | None, re.Match[str] | None]:
    for route in ROUTES:
        match = route.pattern.fullmatch(path)
        if match is not None and route.method == method:
            return route, match
    return None, None


def _offset_page(
    key: str, records: list[Json], params: dict[str, str], base: str, path: str
) -> Json:
    per_page = exports.per_page_of(params.get("per_page"), default=100)
    try:
        page = max(1, int(params.get("page", "1")))
    except ValueError as exc:
        raise BadRequest("page must be an integer") from exc
    chunk = records[(page - 1) * per_page : page * per_page]
    url = f"{base}/api/v2/{path}.json?page={{}}&per_page={per_page}"
    return {
        key: chunk,
        "next_page": url.format(page + 1) if page * per_page < len(records) else None,
        "previous_page": url.format(page - 1) if page > 1 else None,
        "count": len(records),
    }
