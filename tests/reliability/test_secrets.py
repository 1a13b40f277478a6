"""(f) The API token, the SMTP password and the webhook secret are never shown.

A whole run (sync -> tag -> profiles -> reports written and emailed through a real SMTP
server that checks the password) and every failure around it that involves a secret
(a mail server refusing the login or not there, an SMTP_URL that cannot be read, Zendesk
refusing the token, a proxy echoing the credentials back in its errors, webhook requests
good and forged) log everything at DEBUG, as text and as JSON. Then the logs, the console,
the report files, the mails, every exception's text and traceback, the webhook's answers
and every row of every table are searched for each secret, whole, in part and encoded.
"""

from __future__ import annotations

import base64
import io
import json
import logging
import threading
import traceback
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from functools import partial
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
import requests
from pydantic import SecretStr
from sqlalchemy import Engine, MetaData, select

from integrations.sandbox import start_sandbox
from integrations.zendesk import http as zendesk_http
from integrations.zendesk.writes import ZendeskWriter
from tests.integrations.smtp.mailcatcher import mail_catcher
from tests.reliability.pipelinekit import desk, run_stages, settings
from worker.logs import JsonFormatter
from worker.reports.build import FORMATS, write_reports
from worker.reports.deliver import email_reports
from worker.settings import Settings
from worker.storage.db import get_engine
from worker.sync.run import run_sync
from worker.webhook.server import start_webhook
from worker.webhook.signature import SIGNATURE_HEADER, TIMESTAMP_HEADER, sign

EMAIL = "admin@sandbox.example"
TOKEN = "zdtok-Reliab1lity-7f3c9a1e5b2d"
SMTP_USER = "reports@example.com"
SMTP_PASSWORD = "smtp-pw-Reliab1lity-4d2e8b6a"
WEBHOOK_SECRET = "whsec-Reliab1lity-91ab0c3e5f"
RECIPIENT = "ann@example.com"


def _b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


def secret_forms() -> dict[str, str]:
    """Each secret as it could show up: whole, either half, percent-encoded, and base64 as
    the wire carries it (HTTP Basic, SMTP AUTH PLAIN and LOGIN)."""
    forms: dict[str, str] = {}
    for name, secret in (
        ("API token", TOKEN),
        ("SMTP password", SMTP_PASSWORD),
        ("webhook secret", WEBHOOK_SECRET),
    ):
        half = len(secret) // 2
        forms[name] = secret
        forms[f"{name} (first half)"] = secret[:half]
        forms[f"{name} (second half)"] = secret[half:]
        if quote(secret, safe="") != secret:
            forms[f"{name} (percent-encoded)"] = quote(secret, safe="")
    forms["API token (HTTP Basic)"] = _b64(f"{EMAIL}/token:{TOKEN}")
    forms["SMTP password (AUTH PLAIN)"] = _b64(f"\0{SMTP_USER}\0{SMTP_PASSWORD}")
    forms["SMTP password (AUTH LOGIN)"] = _b64(SMTP_PASSWORD)
    return forms


def leaks(texts: dict[str, str]) -> list[str]:
    return [
        f"{form} in {where}"
        for where, text in texts.items()
        for form, value in secret_forms().items()
        if value in text
    ]


class Logs:
    """Every record from every logger at DEBUG, formatted as text and as JSON lines."""

    def __init__(self) -> None:
        self.text = io.StringIO()
        self.json = io.StringIO()


@pytest.fixture
def all_logs() -> Iterator[Logs]:
    logs = Logs()
    text = logging.StreamHandler(logs.text)
    text.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    as_json = logging.StreamHandler(logs.json)
    as_json.setFormatter(JsonFormatter())
    root = logging.getLogger()
    level = root.level
    for handler in (text, as_json):
        handler.setLevel(logging.DEBUG)
        root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    try:
        yield logs
    finally:
        root.removeHandler(text)
        root.removeHandler(as_json)
        root.setLevel(level)


class EchoingProxy(ThreadingHTTPServer):
    """Answers every request with `status`, echoing the credentials it was sent in the
    reason phrase and the body, as a badly configured proxy or gateway might."""

    daemon_threads = True

    def __init__(self, status: int) -> None:
        super().__init__(("127.0.0.1", 0), _EchoHandler)
        self.status = status
        self.requests = 0
        threading.Thread(target=self.serve_forever, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"

    def __enter__(self) -> EchoingProxy:
        return self

    def __exit__(self, *exc: object) -> None:
        self.shutdown()
        self.server_close()


class _EchoHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def _echo(self) -> None:
        assert isinstance(self.server, EchoingProxy)
        self.server.requests += 1
        length = int(self.headers.get("Content-Length") or 0)
        if length:
            self.rfile.read(length)
        auth = self.headers.get("Authorization", "")
        decoded = base64.b64decode(auth.removeprefix("Basic ")).decode(errors="replace")
        body = json.dumps({"error": "rejected", "authorization": auth, "user": decoded}).encode()
        self.send_response(self.server.status, f"Rejected {decoded}")
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = _echo
    do_PUT = _echo

    def log_message(self, format: str, *args: Any) -> None:
        pass


def failure_text(action: Callable[[], object]) -> str:
    """The exception `action` raises, as a person or a log would see it: message, repr and
    the whole traceback with every cause."""
    try:
        action()
    except Exception as exc:
        return "\n".join([str(exc), repr(exc), *traceback.format_exception(exc)])
    raise AssertionError(f"{action} did not fail")


def every_row(engine: Engine) -> str:
    """Every row of every table in the database, whatever the models say there is."""
    meta = MetaData()
    meta.reflect(engine)
    lines = []
    with engine.connect() as conn:
        for table in meta.sorted_tables:
            lines += [f"{table.name}: {tuple(row)!r}" for row in conn.execute(select(table))]
    return "\n".join(lines)


def _signed(secret: str, body: bytes, stamp: str) -> dict[str, str]:
    return {TIMESTAMP_HEADER: stamp, SIGNATURE_HEADER: sign(secret, stamp, body)}


def _webhook_answers(s: Settings) -> str:
    queued: list[int] = []
    server = start_webhook(s, port=0, enqueue=queued.append)
    now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    body = json.dumps({"type": "zen:event-type:ticket.created", "detail": {"id": "4711"}}).encode()
    try:
        answers = [
            requests.post(server.url, data=body, headers=headers, timeout=10)
            for headers in (
                _signed(WEBHOOK_SECRET, body, now),
                _signed("a-forged-secret", body, now),
                _signed(WEBHOOK_SECRET, body, "2020-01-01T00:00:00Z"),
                {},
            )
        ]
    finally:
        server.shutdown()
        server.server_close()
    assert [a.status_code for a in answers] == [202, 401, 401, 401]
    assert queued == [4711]
    return "\n".join(f"{a.status_code} {a.reason} {a.headers} {a.text}" for a in answers)


@pytest.mark.slow
def test_secrets_appear_nowhere(
    pg_database: str,
    tmp_path: Path,
    all_logs: Logs,
    capfd: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(zendesk_http, "BACKOFF_BASE_S", 0.05)
    engine = get_engine(pg_database)
    failures: dict[str, str] = {}
    smtp_url = f"smtp://{quote(SMTP_USER, safe='')}:{quote(SMTP_PASSWORD, safe='')}@"
    with (
        start_sandbox(desk(token=TOKEN, email=EMAIL), port=0) as sb,
        mail_catcher(users={SMTP_USER: SMTP_PASSWORD}) as mail,
    ):
        s = settings(
            sb,
            pg_database,
            smtp_url=SecretStr(f"{smtp_url}{mail.host}:{mail.port}"),
            report_recipients=RECIPIENT,
            zendesk_webhook_secret=SecretStr(WEBHOOK_SECRET),
        )
        # The whole run, with every secret in use.
        run_stages(engine, s)
        written = write_reports(engine, s, ["all"], tmp_path / "reports", FORMATS)
        delivered = email_reports(engine, s)
    assert delivered.ok, delivered
    assert mail.logins == [(SMTP_USER, SMTP_PASSWORD)]
    assert [r.rcpt_tos for r in mail.received] == [[RECIPIENT]]
    webhook = _webhook_answers(s)

    # A mail server that refuses the password, one that is not there, an unreadable URL.
    with mail_catcher(users={SMTP_USER: "another-password"}) as refusing:
        wrong = s.model_copy(
            update={"smtp_url": SecretStr(f"{smtp_url}{refusing.host}:{refusing.port}")}
        )
        refused = email_reports(engine, wrong)
    gone = email_reports(engine, wrong)  # the server has stopped
    unreadable = s.model_copy(update={"smtp_url": SecretStr(f"{smtp_url}{mail.host}:port")})
    failures["unreadable SMTP_URL"] = failure_text(lambda: email_reports(engine, unreadable))
    for name, result in (("refused SMTP login", refused), ("SMTP server down", gone)):
        assert not result.ok
        failures[name] = repr(result)

    # Zendesk refusing the token; a proxy echoing the credentials in errors, on reads
    # (the sync) and on writes (triage), answering 4xx at once or 5xx until given up.
    with start_sandbox(desk(token="the-real-token", email=EMAIL), port=0) as other:
        refusing_zendesk = s.model_copy(update={"zendesk_url": other.url})
        failures["Zendesk refusing the token"] = failure_text(
            lambda: run_sync(engine, refusing_zendesk)
        )
    for status in (400, 503):
        with (
            EchoingProxy(status) as proxy,
            ZendeskWriter(proxy.url, EMAIL, SecretStr(TOKEN), give_up_after_s=0.5) as writer,
        ):
            echoed = s.model_copy(update={"zendesk_url": proxy.url, "zendesk_give_up_s": 0.5})
            failures[f"sync through a proxy echoing {status}"] = failure_text(
                partial(run_sync, engine, echoed)
            )
            failures[f"triage write through a proxy echoing {status}"] = failure_text(
                partial(writer.update_ticket, 1, {"tags": ["x"]}, "2026-01-01T00:00:00Z")
            )
            assert proxy.requests >= 2
    out, err = capfd.readouterr()

    searched = {
        "text logs": all_logs.text.getvalue(),
        "JSON logs": all_logs.json.getvalue(),
        "stdout": out,
        "stderr": err,
        "settings as shown": f"{s!r} {s} {s.masked()}",
        "webhook answers": webhook,
        "database": every_row(engine),
        **{f"report {p.name}": p.read_text(encoding="utf-8") for p in written},
        **{f"mail to {r.rcpt_tos}": r.message.as_string() for r in mail.received},
        **{f"exception: {k}": v for k, v in failures.items()},
    }
    # What is searched is the real thing, not empty or beside the point.
    assert {p.suffix for p in written} == {".html", ".csv", ".json"}
    assert "GET /api/v2/incremental/tickets" in searched["text logs"]
    assert all(json.loads(line) for line in searched["JSON logs"].splitlines())
    assert "webhook request refused" in searched["text logs"]
    assert "refused the login" in failures["refused SMTP login"]
    assert "ZendeskAuthError" in searched["database"]
    assert "HTTP 400" in failures["sync through a proxy echoing 400"]
    assert "gave up" in failures["sync through a proxy echoing 503"]
    found = leaks(searched)
    assert found == [], "\n".join(found)
