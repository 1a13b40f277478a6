"""Do the profiles name the right experts? Measured on sandbox help desks against their truth.

For each seed: start a sandbox, sync it into a fresh SQLite database over real HTTP, tag it
with the rules in rules/, build the profiles, then check

- precision: of the top 3 people by depth in each area, the share the sandbox's truth
  marks as strong in that area (target >= 0.8 per seed);
- generalists: no agent the truth marks as a generalist is labelled a specialist.

    .venv/bin/python scripts/measure_profile_precision.py            # seeds 7, 1, 2
    .venv/bin/python scripts/measure_profile_precision.py --seeds 3 --tickets 5000 --check

With --check the exit code is 1 when a seed misses a target.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from pydantic import SecretStr

from integrations.sandbox import SandboxConfig, start_sandbox
from worker.profiles.build import update_profiles
from worker.profiles.derived import SPECIALIST
from worker.profiles.read import Profiles, load_profiles
from worker.settings import Settings
from worker.storage.db import dispose_engines, get_engine
from worker.sync.run import run_sync
from worker.tagging.run import tag_work

ROOT = Path(__file__).resolve().parent.parent
PRECISION_TARGET = 0.8
TOP = 3


@dataclass
class Outcome:
    seed: int
    tickets: int
    areas: int
    hits: int
    named: int
    generalists: int
    generalists_called_specialists: list[str]
    misses: list[str] = field(default_factory=list)

    @property
    def precision(self) -> float:
        return self.hits / self.named if self.named else 0.0

    @property
    def ok(self) -> bool:
        return self.precision >= PRECISION_TARGET and not self.generalists_called_specialists


def judge(profiles: Profiles, truth: dict[str, Any], seed: int, tickets: int) -> Outcome:
    agents = {a["id"]: a for a in truth["agents"]}
    hits = named = 0
    misses: list[str] = []
    for area in (a["key"] for a in truth["areas"]):
        ranked = sorted(profiles.agents.values(), key=lambda p: (-p.depth_in(area), p.agent_id))
        for person in [p for p in ranked if p.depth_in(area) > 0][:TOP]:
            named += 1
            if agents[person.agent_id]["areas"].get(area, 0) > 0:
                hits += 1
            else:
                misses.append(f"{area}: {person.name}")
    generalists = [a for a in truth["agents"] if a["generalist"]]
    wrong = [
        a["name"]
        for a in generalists
        if a["id"] in profiles.agents and profiles.agents[a["id"]].label == SPECIALIST
    ]
    return Outcome(seed, tickets, len(truth["areas"]), hits, named, len(generalists), wrong, misses)


def measure(seed: int, tickets: int, rules_dir: Path, workdir: Path) -> Outcome:
    config = SandboxConfig(seed=seed, tickets=tickets, rate_limits=False)
    url = f"sqlite:///{workdir / f'seed-{seed}-{tickets}.db'}"
    engine = get_engine(url)
    with start_sandbox(config, port=0) as sandbox:
        settings = Settings(
            zendesk_url=sandbox.url,
            zendesk_email=sandbox.email,
            zendesk_api_token=SecretStr(sandbox.token),
            database_url=url,
        )
        run_sync(engine, settings)
        truth = sandbox.truth()
    tag_work(engine, rules_dir, full=True)
    # depth as of the desk's last day, so a rerun months later gives the same figures
    end = datetime.fromisoformat(truth["end"].replace("Z", "+00:00")).replace(tzinfo=None)
    update_profiles(engine, settings, full=True, as_of=end, rules_dir=rules_dir)
    outcome = judge(load_profiles(engine), truth, seed, tickets)
    dispose_engines()
    return outcome


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", default="7,1,2", help="comma-separated sandbox seeds")
    parser.add_argument("--tickets", type=int, default=20_000)
    parser.add_argument("--rules-dir", type=Path, default=ROOT / "rules")
    parser.add_argument("--check", action="store_true", help="exit 1 when a target is missed")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON too")
    args = parser.parse_args()
    outcomes = []
    with tempfile.TemporaryDirectory() as tmp:
        for seed in (int(s) for s in args.seeds.split(",") if s.strip()):
            outcome = measure(seed, args.tickets, args.rules_dir, Path(tmp))
            outcomes.append(outcome)
            print(
                f"seed {seed}: precision {outcome.precision:.2f} ({outcome.hits}/{outcome.named} "
                f"of the top {TOP} in {outcome.areas} areas are strong there), "
                f"{len(outcome.generalists_called_specialists)} of {outcome.generalists} "
                "generalists labelled specialist",
                flush=True,
            )
            for miss in outcome.misses:
                print(f"    not strong per the truth: {miss}")
    print()
    header = "generalists as specialists"
    print(f"{'seed':>4} {'tickets':>8} {'areas':>5} {'precision':>9} {header:>27}")
    for o in outcomes:
        print(
            f"{o.seed:>4} {o.tickets:>8,} {o.areas:>5} {o.precision:>9.2f} "
            f"{len(o.generalists_called_specialists):>13} of {o.generalists:<3}"
        )
    met = all(o.ok for o in outcomes)
    verdict = "met" if met else "NOT met"
    print(
        f"targets: precision >= {PRECISION_TARGET} per seed, "
        f"no generalist labelled specialist: {verdict}"
    )
    if args.json:
        print(json.dumps([{**o.__dict__, "precision": o.precision} for o in outcomes]))
    return 1 if args.check and not met else 0


if __name__ == "__main__":
    sys.exit(main())
