"""Settings that point the worker at a running sandbox."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import SecretStr

from worker.settings import Settings

DEFAULT_RULES = Path(__file__).resolve().parents[2] / "rules"


def settings_for(sandbox: Any, database_url: str, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "zendesk_url": sandbox.url,
        "zendesk_email": sandbox.email,
        "zendesk_api_token": SecretStr(sandbox.token),
        "database_url": database_url,
        "zendesk_timeout_s": 5.0,
        "zendesk_give_up_s": 120.0,
    }
    values.update(overrides)
    return Settings(**values)


def env_for(sandbox: Any, database_url: str, **extra: str) -> dict[str, str]:
    """Environment variables for a worker or CLI subprocess."""
    env = {
        "ZENDESK_URL": sandbox.url,
        "ZENDESK_EMAIL": sandbox.email,
        "ZENDESK_API_TOKEN": sandbox.token,
        "DATABASE_URL": database_url,
        "ZENDESK_TIMEOUT_S": "5",
        "ZENDESK_GIVE_UP_S": "120",
        "RULES_DIR": str(DEFAULT_RULES),
    }
    env.update(extra)
    return env
