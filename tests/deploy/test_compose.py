"""docker-compose.yml, checked without a Docker engine: what it runs must exist in the project."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.main import get_command

from worker.cli.main import app
from worker.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
SERVICES: dict[str, dict[str, Any]] = COMPOSE["services"]
OURS = {name: svc for name, svc in SERVICES.items() if "build" in svc}
# Variables the official images read; everything else must be one of our settings.
IMAGE_VARIABLES = {"POSTGRES_USER", "POSTGRES_PASSWORD", "POSTGRES_DB"}


def test_the_nightly_deployment_has_its_services() -> None:
    assert {"redis", "postgres", "worker", "beat"} <= set(SERVICES)


@pytest.mark.parametrize("name", sorted(OURS))
def test_command_is_a_real_entry_point(name: str) -> None:
    command = OURS[name]["command"]
    program, args = command[0], command[1:]
    if program == "expertise":
        cli = get_command(app)
        words = [a for a in args if not a.startswith("-")]
        ctx_cmd: Any = cli
        for word in words:
            sub = getattr(ctx_cmd, "commands", {}).get(word)
            if sub is None:
                break
            ctx_cmd = sub
        assert ctx_cmd is not cli, f"{name}: `expertise {' '.join(args)}` is not a command"
        known = {o for p in ctx_cmd.params for o in getattr(p, "opts", [])}
        for option in (a for a in args if a.startswith("--")):
            assert option in known, f"{name}: {option} is not an option of {words}"
    elif program == "celery":
        assert args[:2] == ["-A", "worker"], f"{name}: the Celery app is `worker`"
        assert args[2] in {"worker", "beat", "flower"}, f"{name}: unknown celery command"
        if "-Q" in args:
            import worker.tasks  # noqa: F401 - registers the tasks
            from worker.celery_app import app as celery_app

            queues = set(args[args.index("-Q") + 1].split(","))
            used = {t.queue for n, t in celery_app.tasks.items() if n.startswith("worker.")}
            assert used <= queues, f"{name}: tasks use queues {used - queues} nobody consumes"
    else:
        pytest.fail(f"{name}: unexpected program {program!r}")


def _variables(svc: dict[str, Any]) -> set[str]:
    env = svc.get("environment") or {}
    return set(env) if isinstance(env, dict) else {e.split("=", 1)[0] for e in env}


@pytest.mark.parametrize("name", sorted(SERVICES))
def test_every_variable_is_a_real_setting(name: str) -> None:
    settings = {f.upper() for f in Settings.model_fields}
    unknown = _variables(SERVICES[name]) - settings - IMAGE_VARIABLES
    assert not unknown, f"{name} sets variables no setting reads: {sorted(unknown)}"


def test_dependencies_exist_and_have_health_checks() -> None:
    for name, svc in SERVICES.items():
        for dep, how in (svc.get("depends_on") or {}).items():
            assert dep in SERVICES, f"{name} depends on unknown service {dep}"
            condition = how.get("condition")
            if condition == "service_healthy":
                assert "healthcheck" in SERVICES[dep], f"{dep} has no health check"
    for name in ("redis", "postgres"):
        assert "healthcheck" in SERVICES[name]
    assert OURS["worker"]["depends_on"]["migrate"]["condition"] == (
        "service_completed_successfully"
    )


def test_env_example_lists_only_real_settings() -> None:
    example = ROOT / ".env.example"
    settings = {f.upper() for f in Settings.model_fields}
    names = {
        line.split("=", 1)[0].strip()
        for line in example.read_text().splitlines()
        if "=" in line and not line.lstrip().startswith("#")
    }
    assert names, ".env.example is empty"
    assert names <= settings, sorted(names - settings)
