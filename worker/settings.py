"""Every setting the worker reads, from the environment and `.env`, and nowhere else.

Nothing here is read at import time: call `get_settings()` where a value is needed.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class SettingsError(Exception):
    """A setting is missing, malformed or contradicts another; the message names the variable."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_file=".env", env_file_encoding="utf-8", extra="ignore", case_sensitive=False
    )

    # Zendesk account
    zendesk_url: str | None = Field(
        default=None,
        description="Full base URL of the account, e.g. http://127.0.0.1:8765 for the sandbox.",
    )
    zendesk_subdomain: str | None = Field(
        default=None, description="Account subdomain; gives https://SUBDOMAIN.zendesk.com."
    )
    zendesk_email: str | None = Field(
        default=None, description="Email of the API user (token auth: EMAIL/token)."
    )
    zendesk_api_token: SecretStr | None = Field(default=None, description="Zendesk API token.")
    zendesk_timeout_s: float = Field(
        default=30.0, gt=0, description="Seconds before one HTTP request counts as hung."
    )
    zendesk_rate_share: float = Field(
        default=0.8,
        gt=0,
        le=1,
        description="Share of the account's per-minute API limit this worker may use.",
    )
    zendesk_give_up_s: float = Field(
        default=900.0,
        gt=0,
        description="Seconds one request may keep failing transiently before the sync gives up.",
    )
    zendesk_page_size: int = Field(
        default=1000, ge=1, le=1000, description="Records per page on the exports."
    )

    # Storage and broker
    database_url: str = Field(
        default="sqlite:///expertise.db",
        description="SQLAlchemy URL; SQLite file by default, PostgreSQL in production.",
    )
    celery_broker_url: str = Field(
        default="redis://localhost:6379/0", description="Celery broker (Redis)."
    )
    celery_result_backend: str | None = Field(
        default=None, description="Celery result backend; defaults to the broker URL."
    )

    celery_visibility_timeout_s: int = Field(
        default=6 * 3600,
        ge=5,
        description="Seconds before Redis hands an unacknowledged task to another worker; "
        "longer than the longest task (a first sync of a large account).",
    )

    # The nightly pipeline
    pipeline_schedule: str = Field(
        default="0 2 * * *",
        description="When the nightly pipeline (sync, tag, profiles, reports) starts: cron "
        "syntax, minute hour day-of-month month day-of-week.",
    )
    pipeline_timezone: str = Field(
        default="UTC", description="Time zone of PIPELINE_SCHEDULE, e.g. Europe/Berlin."
    )
    pipeline_lock_ttl_s: int = Field(
        default=900,
        ge=30,
        description="Seconds a dead run's lock survives; live runs renew it while they work.",
    )
    tag_batch_size: int = Field(
        default=10_000,
        ge=100,
        description="Tickets per tagging task; the nightly run spreads batches over workers.",
    )
    ops_recipients: str = Field(
        default="", description="Comma-separated addresses told by email when a nightly run fails."
    )

    # What the sync keeps
    store_text: bool = Field(
        default=True, description="Keep ticket subject and description (for keyword rules)."
    )
    sync_start: str | None = Field(
        default=None,
        description="ISO date the first sync starts from; later syncs resume. Default: all.",
    )

    rules_dir: Path = Field(default=Path("./rules"), description="Directory of the admin rules.")

    log_format: Literal["text", "json"] = Field(
        default="text", description="`json` writes one JSON object a line, for log pipelines."
    )
    log_level: str = Field(
        default="WARNING",
        description="Least severe level logged: DEBUG, INFO, WARNING or ERROR.",
    )

    # Expertise profiles and reports
    profile_half_life_days: float = Field(
        default=180.0,
        gt=0,
        description="Days after which a piece of work counts half as much in a profile.",
    )
    interests_field: str = Field(
        default="career_interests",
        description="Key of the Zendesk user field holding an agent's career interests "
        "(areas or roles, comma-separated).",
    )
    reports_dir: Path = Field(
        default=Path("./reports"), description="Where `expertise report` writes by default."
    )
    smtp_url: SecretStr | None = Field(
        default=None,
        description="Mail server for reports: smtp://user:password@host:587 (STARTTLS when "
        "offered) or smtps://user:password@host:465 (TLS from the start).",
    )
    smtp_from: str | None = Field(
        default=None, description="Sender address of report emails (default: the SMTP user)."
    )
    report_recipients: str = Field(
        default="", description="Comma-separated addresses that receive the full reports."
    )
    area_managers: str = Field(
        default="",
        description="Who receives each area's report: 'billing=ann@x.com;api=bo@x.com,cy@x.com'.",
    )

    # Triage and the webhook
    zendesk_webhook_secret: SecretStr | None = Field(
        default=None,
        description="Signing secret of the Zendesk webhook that `expertise webhook serve` "
        "receives (Admin Center > Apps and integrations > Webhooks > the webhook > "
        "Signing secret).",
    )
    triage_poll_minutes: int = Field(
        default=5, ge=1, le=60, description="Minutes between pickups of new unassigned tickets."
    )
    triage_lookback_hours: float = Field(
        default=24.0,
        gt=0,
        description="How far back the very first pickup looks for new unassigned tickets.",
    )

    @field_validator("log_level")
    @classmethod
    def _known_level(cls, value: str) -> str:
        level = value.upper()
        if level not in ("DEBUG", "INFO", "WARNING", "ERROR"):
            raise ValueError(f"must be DEBUG, INFO, WARNING or ERROR, got {value!r}")
        return level

    @field_validator("sync_start")
    @classmethod
    def _iso_date(cls, value: str | None) -> str | None:
        if value:
            from datetime import date

            try:
                date.fromisoformat(value)
            except ValueError:
                raise ValueError(f"must be a date like 2026-01-31, got {value!r}") from None
        return value

    @field_validator("celery_broker_url")
    @classmethod
    def _redis_broker(cls, value: str) -> str:
        if not value.startswith(("redis://", "rediss://", "redis+socket://")):
            raise ValueError(f"must be a Redis URL (redis://host:6379/0), got {value!r}")
        return value

    @field_validator("smtp_from")
    @classmethod
    def _address(cls, value: str | None) -> str | None:
        if value is not None and "@" not in value:
            raise ValueError(f"must be an email address, got {value!r}")
        return value

    @field_validator("pipeline_schedule")
    @classmethod
    def _cron(cls, value: str) -> str:
        parse_cron(value)
        return value

    @field_validator("pipeline_timezone")
    @classmethod
    def _timezone(cls, value: str) -> str:
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(
                f"unknown time zone {value!r} (use an IANA name such as UTC or Europe/Berlin)"
            ) from None
        return value

    @field_validator("report_recipients", "ops_recipients")
    @classmethod
    def _recipients(cls, value: str) -> str:
        parse_recipients(value)
        return value

    @field_validator("area_managers")
    @classmethod
    def _managers(cls, value: str) -> str:
        parse_area_managers(value)
        return value

    @property
    def report_recipient_list(self) -> list[str]:
        return parse_recipients(self.report_recipients)

    @property
    def ops_recipient_list(self) -> list[str]:
        return parse_recipients(self.ops_recipients)

    @property
    def area_manager_map(self) -> dict[str, list[str]]:
        return parse_area_managers(self.area_managers)

    @model_validator(mode="after")
    def _one_zendesk_address(self) -> Settings:
        if self.zendesk_url and self.zendesk_subdomain:
            raise ValueError("ZENDESK_URL and ZENDESK_SUBDOMAIN are both set; set only one of them")
        if self.zendesk_url and not self.zendesk_url.startswith(("http://", "https://")):
            raise ValueError(
                f"ZENDESK_URL must start with http:// or https://, got {self.zendesk_url!r}"
            )
        return self

    @property
    def zendesk_base_url(self) -> str:
        if self.zendesk_url:
            return self.zendesk_url.rstrip("/")
        if self.zendesk_subdomain:
            return f"https://{self.zendesk_subdomain}.zendesk.com"
        raise SettingsError(
            "ZENDESK_URL or ZENDESK_SUBDOMAIN must be set (e.g. ZENDESK_SUBDOMAIN=acme, "
            "or ZENDESK_URL=http://127.0.0.1:8765 for the sandbox)"
        )

    def require_zendesk(self) -> tuple[str, str, SecretStr]:
        """The account address and credentials, or one clear error naming what is missing."""
        base = self.zendesk_base_url
        if not self.zendesk_email:
            raise SettingsError("ZENDESK_EMAIL must be set (the API user's email address)")
        if self.zendesk_api_token is None or not self.zendesk_api_token.get_secret_value():
            raise SettingsError(
                "ZENDESK_API_TOKEN must be set (Admin Center > Apps and integrations > Zendesk API)"
            )
        return base, self.zendesk_email, self.zendesk_api_token

    @property
    def result_backend(self) -> str:
        return self.celery_result_backend or self.celery_broker_url

    def masked(self) -> dict[str, Any]:
        """Effective settings as shown to people: secrets masked, URLs without passwords."""
        out: dict[str, Any] = {}
        for name in type(self).model_fields:
            value = getattr(self, name)
            if isinstance(value, SecretStr):
                value = "**********" if value.get_secret_value() else ""
            elif isinstance(value, str) and name.endswith("_url"):
                value = mask_url_password(value)
            elif isinstance(value, Path):
                value = str(value)
            out[name.upper()] = value
        return out


CRON_FIELDS = ("minute", "hour", "day_of_month", "month_of_year", "day_of_week")


def parse_cron(text: str) -> dict[str, str]:
    """'30 1 * * 1-5' -> celery crontab keyword arguments; ValueError saying what is wrong."""
    from celery.schedules import crontab

    parts = text.split()
    if len(parts) != len(CRON_FIELDS):
        raise ValueError(
            f"must have 5 fields (minute hour day-of-month month day-of-week), got {text!r}"
        )
    fields = dict(zip(CRON_FIELDS, parts, strict=True))
    try:
        crontab(**fields)
    except ValueError as exc:
        raise ValueError(f"invalid cron expression {text!r}: {exc}") from None
    return fields


def mask_url_password(url: str) -> str:
    """postgresql://user:secret@host/db -> postgresql://user:***@host/db."""
    scheme, sep, rest = url.partition("://")
    if not sep or "@" not in rest:
        return url
    creds, at, host = rest.rpartition("@")
    if ":" in creds:
        user = creds.split(":", 1)[0]
        return f"{scheme}://{user}:***{at}{host}"
    return url


def parse_recipients(text: str) -> list[str]:
    """'a@x.com, b@x.com' -> ['a@x.com', 'b@x.com']; raises ValueError on a non-address."""
    out: list[str] = []
    for part in text.replace(";", ",").split(","):
        address = part.strip()
        if not address:
            continue
        local, at, domain = address.rpartition("@")
        if not at or not local or not domain or any(c.isspace() for c in address):
            raise ValueError(f"{address!r} is not an email address")
        if address.casefold() not in (a.casefold() for a in out):
            out.append(address)
    return out


def parse_area_managers(text: str) -> dict[str, list[str]]:
    """'billing=ann@x.com;api=bo@x.com,cy@x.com' -> {'billing': [...], 'api': [...]}."""
    out: dict[str, list[str]] = {}
    for entry in text.split(";"):
        if not entry.strip():
            continue
        area, eq, addresses = entry.partition("=")
        if not eq or not area.strip():
            raise ValueError(f"write each entry as area=address[,address], got {entry.strip()!r}")
        recipients = parse_recipients(addresses)
        if not recipients:
            raise ValueError(f"no address for area {area.strip()!r}")
        known = out.setdefault(area.strip(), [])
        known.extend(r for r in recipients if r not in known)
    return out


def _format_validation_error(exc: ValidationError) -> str:
    lines = []
    for err in exc.errors():
        msg = str(err["msg"]).removeprefix("Value error, ")
        loc = ".".join(str(p) for p in err["loc"]).upper()
        # Cross-field checks have no location; their message names the variables itself.
        lines.append(f"{loc}: {msg}" if loc else msg)
    return "invalid settings: " + "; ".join(lines)


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    try:
        return Settings()
    except ValidationError as exc:
        raise SettingsError(_format_validation_error(exc)) from None
