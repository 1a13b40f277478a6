"""A failed nightly run is reported by email to OPS_RECIPIENTS, through a real SMTP server."""

from __future__ import annotations

from collections.abc import Iterator
from email.message import Message
from pathlib import Path
from typing import Any

import pytest
import redis
from pydantic import SecretStr

from integrations.sandbox import SandboxConfig, start_sandbox
from tests.helpers.celery_workers import (
    BROKER,
    celery_client,
    flush,
    running_workers,
    start_pipeline,
    wait_until,
    worker_logs,
)
from tests.helpers.sandbox import DEFAULT_RULES, env_for, settings_for
from tests.integrations.smtp.mailcatcher import MailCatcher, mail_catcher
from worker.pipeline.alerts import redact, report_failure
from worker.pipeline.flow import LOCK_NAME
from worker.pipeline.lock import PipelineLock
from worker.pipeline.run import run_pipeline
from worker.settings import Settings

WRONG_TOKEN = "wrong-token-7f3a9c"
OPS = "ops@support.example"


@pytest.fixture(scope="module")
def sandbox() -> Iterator[Any]:
    config = SandboxConfig(seed=2, agents=6, tickets=50, months=1, rate_limits=False)
    with start_sandbox(config, port=0) as sb:
        yield sb


@pytest.fixture
def catcher() -> Iterator[MailCatcher]:
    with mail_catcher() as c:
        yield c


def _body(message: Message) -> str:
    payload = message.get_payload(decode=True)
    assert isinstance(payload, bytes)
    return payload.decode()


def test_a_failed_stage_emails_ops_without_the_token(
    sandbox: Any, db_url: str, catcher: MailCatcher
) -> None:
    settings = settings_for(
        sandbox,
        db_url,
        zendesk_api_token=SecretStr(WRONG_TOKEN),
        rules_dir=DEFAULT_RULES,
        ops_recipients=OPS,
        smtp_url=SecretStr(catcher.url()),
    )
    lock = PipelineLock(redis.Redis.from_url("redis://127.0.0.1:6379/12"), f"alert-{db_url}")
    with pytest.raises(Exception, match=r"401|authenticat"):
        run_pipeline(settings, lock=lock)
    [mail] = catcher.to(OPS)
    assert mail.message["Subject"] == "[expertise] nightly run failed: sync"
    body = _body(mail.message)
    assert "Stage: sync" in body
    assert "expertise status" in body
    assert WRONG_TOKEN not in mail.message.as_string()


def test_without_ops_recipients_the_failure_is_only_logged(
    catcher: MailCatcher, caplog: pytest.LogCaptureFixture
) -> None:
    settings = Settings(smtp_url=SecretStr(catcher.url()))
    assert report_failure(settings, "tag", "RulesInvalid: areas.yaml:3: bad") is False
    assert catcher.received == []
    assert "nightly pipeline failed in stage tag" in caplog.text


def test_secrets_quoted_by_an_error_are_blanked() -> None:
    settings = Settings(
        zendesk_api_token=SecretStr("tok-123456"),
        smtp_url=SecretStr("smtp://mailer:pw-98765@mail.example:587"),
        zendesk_webhook_secret=SecretStr("whsec-abcdef"),
    )
    text = redact("tok-123456 / pw-98765 / whsec-abcdef / smtp://mailer:pw-98765@m", settings)
    for secret in ("tok-123456", "pw-98765", "whsec-abcdef"):
        assert secret not in text


@pytest.mark.slow
def test_a_step_failing_on_a_worker_emails_ops_once_and_frees_the_lock(
    sandbox: Any, tmp_path: Path, catcher: MailCatcher
) -> None:
    flush()
    env = env_for(
        sandbox,
        f"sqlite:///{tmp_path / 'alerts.db'}",
        ZENDESK_API_TOKEN=WRONG_TOKEN,
        CELERY_BROKER_URL=BROKER,
        OPS_RECIPIENTS=OPS,
        SMTP_URL=catcher.url(),
    )
    app = celery_client(env)
    with running_workers(env, tmp_path, 1):
        started = start_pipeline(app)
        assert "result_id" in started
        assert wait_until(lambda: bool(catcher.to(OPS)), 60), worker_logs(tmp_path)
        broker = redis.Redis.from_url(BROKER)
        assert wait_until(lambda: not broker.exists(LOCK_NAME), 10), "the lock was not freed"
    [mail] = catcher.to(OPS)
    assert mail.message["Subject"] == "[expertise] nightly run failed: sync"
    assert WRONG_TOKEN not in mail.message.as_string()
