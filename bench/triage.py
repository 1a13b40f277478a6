"""Triage latency per ticket: classify a new ticket and recommend a group and agents, with
the reasons, for a help desk of 200 agents and 30 product areas. Zendesk I/O excluded.

    .venv/bin/python bench/triage.py                     # 20,000 tickets
    .venv/bin/python bench/triage.py --tickets 5000

The 30 areas are the project's rules/areas.yaml (14 areas, and its fallback) plus 16 more
written the same way; the other rule files are the project's. Agents have depth in one to
three areas (a few generalists in many), loads around the load cap, and some are inactive
or suspended. The tier model is fitted on 3,000 labelled tickets, as a worker keeps it.
Texts are the sandbox catalog's customer phrases. Target: p99 <= 20 ms.
"""

from __future__ import annotations

import argparse
import random
import shutil
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

import yaml

from integrations.sandbox.catalog import CATALOG, GREETINGS, OPENERS, SIGN_OFFS
from worker.rules import Directory, FieldInfo, compile_rules, load_rules
from worker.rules.compiled import CompiledRules
from worker.tagging.triage import classify_new_ticket
from worker.triage.config import TriageFile
from worker.triage.expertise import AreaDepth, Expertise
from worker.triage.recommend import TriageContext
from worker.triage.roster import Agent
from worker.triage.tiers import fit

ROOT = Path(__file__).resolve().parent.parent
AGENTS = 200
AREA_FIELD = 900
GROUPS = {101: "Tier 1 - General", 102: "Tier 2 - Technical", 103: "Tier 3 - Engineering"}
EXTRA_WORDS = ("ledger", "sandbox", "kiosk", "voicebot", "forms", "macros", "sla", "portal",
               "catalog", "survey", "badge", "archive", "locale", "theme", "quota",
               "webinar")  # fmt: skip


def rules_with_30_areas(target: Path) -> None:
    for name in ("complexity.yaml", "attribution.yaml"):
        shutil.copy(ROOT / "rules" / name, target / name)
    areas = yaml.safe_load((ROOT / "rules" / "areas.yaml").read_text(encoding="utf-8"))
    for word in EXTRA_WORDS:
        areas["areas"].append(
            {
                "key": word,
                "name": word.capitalize(),
                "when": [
                    {"custom_field": {"field": "Product area", "in": [f"pa_{word}"]}, "weight": 10},
                    {"tags": {"any": [word]}, "weight": 5},
                    {"keywords": [f"{word}*", f"{word} settings"], "search_in": ["subject"],
                     "weight": 3},
                    {"keywords": [f"{word}*"], "search_in": ["description"]},
                ],
            }
        )  # fmt: skip
    (target / "areas.yaml").write_text(yaml.safe_dump(areas, sort_keys=False), encoding="utf-8")


def ticket(rng: random.Random, ticket_id: int) -> tuple[dict[str, Any], int]:
    """A new ticket's fields, and the tier it needs."""
    tier = rng.choices((1, 2, 3), (0.55, 0.30, 0.15))[0]
    technical = tier > 1
    if rng.random() < 0.5:
        area = CATALOG[rng.randrange(len(CATALOG))]
        key, tags = area.key, area.tags
        subject = rng.choice(area.technical_subjects if technical else area.subjects)
        detail = rng.choice(area.technical_details if technical else area.details)
    else:
        key = rng.choice(EXTRA_WORDS)
        tags = (key,)
        subject = f"Problem with the {key} settings" if technical else f"How do I use {key}?"
        detail = f"Since the update our {key} shows an error and the endpoint returns 500."
    description = "\n\n".join(
        p for p in (rng.choice(GREETINGS), rng.choice(OPENERS), detail, rng.choice(SIGN_OFFS)) if p
    )
    labels = [tags[0]] if rng.random() < 0.5 else []
    if tier == 3 and rng.random() < 0.6:
        labels.append("bug")
    fields = {AREA_FIELD: f"pa_{key}"} if rng.random() < 0.4 else {}
    priorities = {1: "normal", 2: "high", 3: "urgent"}
    return {
        "id": ticket_id,
        "subject": subject,
        "description": description,
        "tags": labels,
        "custom_fields": fields,
        "priority": priorities[tier] if rng.random() < 0.6 else "normal",
        "type": "problem" if technical and rng.random() < 0.5 else "question",
        "channel": "web",
        "group_id": 101,
        "status": "new",
    }, tier


def desk(
    rng: random.Random, areas: list[str]
) -> tuple[dict[int, Agent], Expertise, dict[int, int]]:
    agents: dict[int, Agent] = {}
    expertise: Expertise = {}
    load: dict[int, int] = {}
    for n in range(AGENTS):
        agent_id = 10_000 + n
        tier = 1 if n < 110 else (2 if n < 170 else 3)
        roll = rng.random()
        agents[agent_id] = Agent(
            agent_id, f"Agent {n}", f"agent{n}@example.com", roll > 0.03,
            0.03 < roll < 0.06, 100 + tier, tier,
        )  # fmt: skip
        own = rng.sample(areas, 12 if rng.random() < 0.1 else rng.randint(1, 3))
        expertise[agent_id] = {
            a: AreaDepth(rng.uniform(2, 60), rng.randint(3, 200), (rng.randint(0, 50),) * 3)
            for a in own
        }
        load[agent_id] = rng.randint(0, 24)
    return agents, expertise, load


def build(compiled: CompiledRules, rng: random.Random) -> TriageContext:
    areas = [k for k in compiled.areas.names if k != compiled.areas.fallback]
    agents, expertise, load = desk(rng, areas)
    samples = []
    for i in range(3_000):
        fields, tier = ticket(rng, i)
        samples.append((classify_new_ticket(compiled, fields), tier))
    return TriageContext(compiled, TriageFile(), agents, expertise, load, GROUPS, fit(samples))


def measure(context: TriageContext, tickets: list[dict[str, Any]], explain: bool) -> list[float]:
    for t in tickets[:200]:  # warm-up: first-use caches (text normalising, area pools)
        context.recommend(t, explain=explain)
    timings = []
    clock = time.perf_counter_ns
    for t in tickets:
        began = clock()
        context.recommend(t, explain=explain)
        timings.append((clock() - began) / 1e6)
    return timings


def summary(label: str, ms: list[float]) -> str:
    ordered = sorted(ms)
    p = statistics.quantiles(ordered, n=100, method="inclusive")
    return (
        f"{label}: p50 {p[49]:.2f} ms  p99 {p[98]:.2f} ms  max {ordered[-1]:.2f} ms  "
        f"mean {statistics.fmean(ordered):.2f} ms over {len(ordered):,} tickets"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tickets", type=int, default=20_000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    with tempfile.TemporaryDirectory() as scratch:
        rules_dir = Path(scratch)
        rules_with_30_areas(rules_dir)
        rules = load_rules(rules_dir)
    options = tuple((a.capitalize(), f"pa_{a}") for a in (*[c.key for c in CATALOG], *EXTRA_WORDS))
    directory = Directory(groups=GROUPS, fields={AREA_FIELD: FieldInfo("Product area", options)})
    compiled = compile_rules(rules, directory)
    context = build(compiled, rng)
    tickets = [ticket(rng, 100_000 + i)[0] for i in range(args.tickets)]
    areas = len(compiled.areas.names) - 1
    print(f"{areas} areas (and the fallback), {len(context.agents)} agents")
    print(summary("classify + recommend, with reasons", measure(context, tickets, True)))
    print(summary("classify + recommend, no area trace", measure(context, tickets, False)))
    print("target: p99 <= 20 ms")


if __name__ == "__main__":
    main()
