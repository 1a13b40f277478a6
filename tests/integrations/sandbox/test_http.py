"""Auth, errors, rate limits, faults and updates, as a client sees them over HTTP."""

from __future__ import annotations

import http.client
from urllib.parse import urlsplit

import pytest
import requests
from sandbox_testkit import get, session_for

from integrations.sandbox import Sandbox, SandboxConfig, parse_faults

TICKETS = "/api/v2/incremental/tickets/cursor.json"
EVENTS = "/api/v2/incremental/ticket_events.json"


def test_wrong_or_missing_credentials_get_401(sandbox: Sandbox) -> None:
    url = f"{sandbox.url}{TICKETS}?start_time=0"
    for auth in (None, (f"{sandbox.email}/token", "wrong"), (sandbox.email, sandbox.token)):
        response = requests.get(url, auth=auth, timeout=10)
        assert response.status_code == 401
        assert response.json() == {"error": "Couldn't authenticate you"}
        assert "X-Rate-Limit" in response.headers


def test_unknown_path_gets_404_invalid_endpoint(sandbox: Sandbox, http: requests.Session) -> None:
    response = http.get(f"{sandbox.url}/api/v2/nope.json", timeout=10)
    assert response.status_code == 404
    assert response.json() == {"error": "InvalidEndpoint", "description": "Not found"}
    assert "X-Rate-Limit-Remaining" in response.headers


def test_bad_parameters_get_400(sandbox: Sandbox, http: requests.Session) -> None:
    for query in ("start_time=yesterday", "cursor=%%%", ""):
        response = http.get(f"{sandbox.url}{TICKETS}?{query}", timeout=10)
        assert response.status_code == 400, query
        assert response.json()["error"] == "InvalidValue"


def test_keep_alive_and_content_length(sandbox: Sandbox) -> None:
    parts = urlsplit(sandbox.url)
    conn = http.client.HTTPConnection(parts.hostname or "", parts.port, timeout=10)
    headers = {
        "Authorization": requests.auth._basic_auth_str(f"{sandbox.email}/token", sandbox.token)
    }
    try:
        for _ in range(3):  # three requests on one connection
            conn.request("GET", "/api/v2/groups.json", headers=headers)
            response = conn.getresponse()
            body = response.read()
            assert response.status == 200
            assert int(response.getheader("Content-Length") or -1) == len(body)
            assert response.version == 11
    finally:
        conn.close()


def test_groups_fields_users_tickets_and_comments(sandbox: Sandbox, http: requests.Session) -> None:
    base = f"{sandbox.url}/api/v2"
    groups = get(http, f"{base}/groups.json")
    assert [g["name"] for g in groups["groups"]][:3] == [
        "Tier 1 - General",
        "Tier 2 - Technical",
        "Tier 3 - Engineering",
    ]
    assert groups["count"] == len(groups["groups"])
    assert groups["next_page"] is None
    one_per_page = get(http, f"{base}/groups.json", per_page=1)
    assert len(one_per_page["groups"]) == 1
    assert one_per_page["next_page"].startswith(f"{base}/groups.json?page=2")

    fields = get(http, f"{base}/ticket_fields.json")["ticket_fields"]
    assert {"subject", "description", "status"} <= {f["type"] for f in fields}
    area_field = next(f for f in fields if f["title"] == "Product area")
    assert area_field["type"] == "tagger"
    assert {o["value"] for o in area_field["custom_field_options"]} == {
        f"pa_{a['key']}" for a in sandbox.truth()["areas"]
    }

    agent = sandbox.truth()["agents"][0]
    assert get(http, f"{base}/users/{agent['id']}.json")["user"]["name"] == agent["name"]
    assert http.get(f"{base}/users/1.json", timeout=10).status_code == 404

    ticket = get(http, f"{base}/tickets/2.json")["ticket"]
    assert ticket["id"] == 2
    side_loaded = get(http, f"{base}/tickets/2.json", include="metric_sets")
    assert side_loaded["ticket"] == ticket
    assert [m["ticket_id"] for m in side_loaded["metric_sets"]] == [2]
    comments = get(http, f"{base}/tickets/2/comments.json")
    assert comments["count"] == len(comments["comments"]) >= 1
    assert comments["comments"][0]["body"] == ticket["description"]
    assert http.get(f"{base}/tickets/999999.json", timeout=10).status_code == 404


def test_rate_limit_429_with_retry_after_and_headers(fresh_sandbox: Sandbox) -> None:
    fresh_sandbox.set_rate_limits(True, export_per_min=3, api_per_min=5)
    session = session_for(fresh_sandbox)
    url = f"{fresh_sandbox.url}{TICKETS}"
    remaining = []
    for _ in range(3):
        response = session.get(url, params={"start_time": 0, "per_page": 1}, timeout=10)
        assert response.status_code == 200
        assert response.headers["X-Rate-Limit"] == "3"
        remaining.append(int(response.headers["X-Rate-Limit-Remaining"]))
    assert remaining == [2, 1, 0]
    refused = session.get(url, params={"start_time": 0}, timeout=10)
    assert refused.status_code == 429
    assert refused.json()["error"] == "APIRateLimitExceeded"
    assert 1 <= int(refused.headers["Retry-After"]) <= 60
    assert refused.headers["X-Rate-Limit-Remaining"] == "0"
    # The other bucket is separate.
    assert session.get(f"{fresh_sandbox.url}/api/v2/groups.json", timeout=10).status_code == 200
    assert fresh_sandbox.stats()["http_429"] == 1

    fresh_sandbox.set_rate_limits(False)
    assert session.get(url, params={"start_time": 0}, timeout=10).status_code == 200


def test_bad_fault_spec_names_the_key(fresh_sandbox: Sandbox) -> None:
    with pytest.raises(ValueError, match="http999"):
        parse_faults("http500=0.1,http999=0.2")
    with pytest.raises(ValueError, match="timeout"):
        parse_faults("timeout=lots")
    with pytest.raises(ValueError, match="bogus"):
        SandboxConfig(faults="bogus=0.5")
    with pytest.raises(ValueError, match="nope"):
        fresh_sandbox.set_faults("nope=1")
    assert parse_faults(" http500=0.1, dup=0 ") == {"http500": 0.1, "dup": 0.0}


def test_http500_fault(fresh_sandbox: Sandbox) -> None:
    fresh_sandbox.set_faults("http500=1")
    session = session_for(fresh_sandbox)
    response = session.get(f"{fresh_sandbox.url}{TICKETS}", params={"start_time": 0}, timeout=10)
    assert response.status_code in (500, 502, 503)
    assert "error" in response.json()
    assert fresh_sandbox.stats()["faults_injected"] == {"http500": 1}
    # Auth failures are not faulted.
    anonymous = requests.get(f"{fresh_sandbox.url}{TICKETS}?start_time=0", timeout=10)
    assert anonymous.status_code == 401


def test_timeout_fault_hangs_then_drops_the_connection(fresh_sandbox: Sandbox) -> None:
    fresh_sandbox.set_faults("timeout=1")
    session = session_for(fresh_sandbox)
    with pytest.raises(requests.ConnectionError):
        session.get(f"{fresh_sandbox.url}{TICKETS}", params={"start_time": 0}, timeout=10)
    with pytest.raises(requests.Timeout):
        session.get(f"{fresh_sandbox.url}{TICKETS}", params={"start_time": 0}, timeout=0.3)
    assert fresh_sandbox.stats()["faults_injected"] == {"timeout": 2}


def test_truncate_fault_sends_part_of_the_body(fresh_sandbox: Sandbox) -> None:
    fresh_sandbox.set_faults("truncate=1")
    session = session_for(fresh_sandbox)
    with pytest.raises(requests.exceptions.ChunkedEncodingError):
        session.get(f"{fresh_sandbox.url}{TICKETS}", params={"start_time": 0}, timeout=10)
    assert fresh_sandbox.stats()["faults_injected"] == {"truncate": 1}


def test_dup_fault_repeats_records_before_the_cursor(fresh_sandbox: Sandbox) -> None:
    session = session_for(fresh_sandbox)
    url = f"{fresh_sandbox.url}{TICKETS}"
    first = get(session, url, start_time=0, per_page=20)
    fresh_sandbox.set_faults("dup=1")
    second = get(session, first["after_url"])
    first_ids = [t["id"] for t in first["tickets"]]
    second_ids = [t["id"] for t in second["tickets"]]
    repeated = [i for i in second_ids if i in first_ids]
    assert 1 <= len(repeated) <= 5
    assert repeated == first_ids[-len(repeated) :]
    assert second_ids[: len(repeated)] == repeated
    events = get(session, f"{fresh_sandbox.url}{EVENTS}", start_time=0, per_page=10)
    assert events["count"] == 10
    assert fresh_sandbox.stats()["faults_injected"] == {"dup": 2}


def test_http429_fault_is_a_short_burst(fresh_sandbox: Sandbox) -> None:
    fresh_sandbox.set_faults("http429=1")
    session = session_for(fresh_sandbox)
    response = session.get(f"{fresh_sandbox.url}{TICKETS}", params={"start_time": 0}, timeout=10)
    assert response.status_code == 429
    assert response.headers["Retry-After"] == "1"
    fresh_sandbox.set_faults("")
    assert fresh_sandbox.stats()["http_429"] == 1
    assert session.get(f"{fresh_sandbox.url}{TICKETS}?start_time=0", timeout=10).ok


def test_put_updates_ticket_and_adds_an_audit(fresh_sandbox: Sandbox) -> None:
    session = session_for(fresh_sandbox)
    base = fresh_sandbox.url
    tickets = get(session, f"{base}{TICKETS}", start_time=0)["tickets"]
    target = next(t for t in tickets if t["status"] in ("open", "pending", "new", "solved"))
    other = next(g for g in fresh_sandbox.truth()["groups"] if g["id"] != target["group_id"])
    body = {
        "ticket": {
            "tags": [*target["tags"], "triaged"],
            "group_id": other["id"],
            "status": "open",
            "comment": {"body": "Routing to engineering.", "public": False},
            "safe_update": True,
            "updated_stamp": target["updated_at"],
        }
    }
    response = session.put(f"{base}/api/v2/tickets/{target['id']}.json", json=body, timeout=10)
    assert response.status_code == 200, response.text
    updated = response.json()["ticket"]
    assert "triaged" in updated["tags"]
    assert updated["group_id"] == other["id"]
    assert updated["generated_timestamp"] > target["generated_timestamp"]

    # The stale stamp is now refused.
    conflict = session.put(f"{base}/api/v2/tickets/{target['id']}.json", json=body, timeout=10)
    assert conflict.status_code == 409
    assert conflict.json()["error"] == "UpdateConflict"

    # The ticket moved to the end of the export, once; the audit is in the event export.
    after = get(session, f"{base}{TICKETS}", start_time=0)["tickets"]
    assert [t["id"] for t in after].count(target["id"]) == 1
    assert after[-1]["id"] == target["id"]
    events = get(
        session, f"{base}{EVENTS}", start_time=updated["generated_timestamp"],
        include="comment_events",
    )["ticket_events"]  # fmt: skip
    audit = next(e for e in events if e["ticket_id"] == target["id"])
    kinds = {(c["event_type"], c.get("field_name")) for c in audit["child_events"]}
    assert ("Comment", None) in kinds
    assert ("Change", "group_id") in kinds
    note = next(c for c in audit["child_events"] if c["event_type"] == "Comment")
    assert note["body"] == "Routing to engineering."
    assert note["public"] is False
    assert fresh_sandbox.stats()["audits"] == fresh_sandbox.desk.audits_total


def test_put_rejects_invalid_values(fresh_sandbox: Sandbox) -> None:
    session = session_for(fresh_sandbox)
    url = f"{fresh_sandbox.url}/api/v2/tickets/5.json"
    assert session.put(url, json={"ticket": {"status": "bogus"}}, timeout=10).status_code == 422
    assert session.put(url, json={"nothing": 1}, timeout=10).status_code == 400
    assert session.put(url, data=b"{", timeout=10).status_code == 400
