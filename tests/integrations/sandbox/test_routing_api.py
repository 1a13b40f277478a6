"""Skills-based routing endpoints of the sandbox, over real HTTP: skill types, skills, and
agents' skills, in Zendesk's shapes, with Zendesk's errors."""

from __future__ import annotations

from typing import Any

import requests
from sandbox_testkit import END, session_for

from integrations.sandbox import Sandbox, SandboxConfig, start_sandbox

ATTRIBUTES = "/api/v2/routing/attributes"


def _post(http: requests.Session, url: str, body: Any) -> requests.Response:
    return http.post(url, json=body, timeout=10)


def test_attributes_and_values_are_created_and_listed(fresh_sandbox: Sandbox) -> None:
    http = session_for(fresh_sandbox)
    base = fresh_sandbox.url
    assert http.get(base + ATTRIBUTES, timeout=10).json()["attributes"] == []

    created = _post(http, base + ATTRIBUTES, {"attribute": {"name": "Product area"}})
    assert created.status_code == 201
    attribute = created.json()["attribute"]
    assert set(attribute) == {"url", "id", "name", "created_at", "updated_at"}
    assert attribute["name"] == "Product area"
    assert attribute["url"] == f"{base}{ATTRIBUTES}/{attribute['id']}.json"

    values_url = f"{base}{ATTRIBUTES}/{attribute['id']}/values"
    made = [
        _post(http, values_url, {"attribute_value": {"name": name}}).json()["attribute_value"]
        for name in ("Billing", "API")
    ]
    assert [v["attribute_id"] for v in made] == [attribute["id"]] * 2
    listed = http.get(values_url + ".json", timeout=10).json()
    assert [v["name"] for v in listed["attribute_values"]] == ["Billing", "API"]
    assert listed["count"] == 2
    # .json or not, the same list of skill types
    assert http.get(base + ATTRIBUTES + ".json", timeout=10).json()["attributes"] == [attribute]


def test_agent_skills_are_replaced_as_a_whole(fresh_sandbox: Sandbox) -> None:
    http = session_for(fresh_sandbox)
    base = fresh_sandbox.url
    attribute = _post(http, base + ATTRIBUTES, {"attribute": {"name": "Product area"}}).json()
    values_url = f"{base}{ATTRIBUTES}/{attribute['attribute']['id']}/values"
    ids = [
        _post(http, values_url, {"attribute_value": {"name": n}}).json()["attribute_value"]["id"]
        for n in ("Billing", "API", "Search")
    ]
    agent = fresh_sandbox.truth()["agents"][0]["id"]
    agent_url = f"{base}/api/v2/routing/agents/{agent}/instance_values"
    assert http.get(agent_url, timeout=10).json() == {"attribute_values": []}

    first = _post(http, agent_url, {"attribute_value_ids": ids[:2]})
    assert first.status_code == 200
    assert [v["name"] for v in first.json()["attribute_values"]] == ["Billing", "API"]
    _post(http, agent_url, {"attribute_value_ids": [ids[2]]})
    held = http.get(agent_url, timeout=10).json()["attribute_values"]
    assert [v["id"] for v in held] == [ids[2]]


def test_routing_errors_look_like_zendesk(fresh_sandbox: Sandbox) -> None:
    http = session_for(fresh_sandbox)
    base = fresh_sandbox.url
    blank = _post(http, base + ATTRIBUTES, {"attribute": {"name": "  "}})
    assert blank.status_code == 422
    assert blank.json()["error"] == "RecordInvalid"
    _post(http, base + ATTRIBUTES, {"attribute": {"name": "Language"}})
    taken = _post(http, base + ATTRIBUTES, {"attribute": {"name": "language"}})
    assert taken.status_code == 422
    assert "already been taken" in taken.text

    unknown_attribute = f"{base}{ATTRIBUTES}/00000000-0000-0000-0000-000000000000/values"
    assert http.get(unknown_attribute, timeout=10).status_code == 404
    assert http.get(f"{base}/api/v2/routing/agents/1/instance_values", timeout=10).status_code == (
        404
    )
    agent = fresh_sandbox.truth()["agents"][0]["id"]
    agent_url = f"{base}/api/v2/routing/agents/{agent}/instance_values"
    bad_ids = _post(http, agent_url, {"attribute_value_ids": ["no-such-skill"]})
    assert bad_ids.status_code == 422
    assert _post(http, agent_url, {"ids": []}).status_code == 400
    assert http.get(agent_url, timeout=10).json() == {"attribute_values": []}

    anonymous = requests.get(base + ATTRIBUTES, timeout=10)
    assert anonymous.status_code == 401


def test_same_calls_give_the_same_ids() -> None:
    config = SandboxConfig(seed=3, agents=4, tickets=30, months=1, rate_limits=False, end=END)
    ids = []
    for _ in range(2):
        with start_sandbox(config, port=0) as sb:
            made = _post(session_for(sb), sb.url + ATTRIBUTES, {"attribute": {"name": "Tier"}})
            ids.append(made.json()["attribute"]["id"])
    assert ids[0] == ids[1]
