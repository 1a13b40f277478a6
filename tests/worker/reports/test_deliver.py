from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import SecretStr
from sqlalchemy import Engine

from tests.integrations.smtp.mailcatcher import Received, mail_catcher
from tests.worker.reports.reportkit import build_desk, settings_for, write_rules
from worker.reports.deliver import email_reports
from worker.settings import SettingsError


@pytest.fixture
def rules_dir(tmp_path: Path) -> Path:
    return write_rules(tmp_path / "rules")


@pytest.fixture
def desk_url(engine: Engine, db_url: str, rules_dir: Path) -> str:
    build_desk(engine, rules_dir)
    return db_url


def _html(received: Received) -> str:
    part = next(p for p in received.message.walk() if p.get_content_type() == "text/html")
    return str(part.get_payload(decode=True).decode())


def _attachments(received: Received) -> dict[str, bytes]:
    return {
        str(p.get_filename()): p.get_payload(decode=True)
        for p in received.message.walk()
        if p.get_filename()
    }


def test_recipients_get_the_report_and_area_managers_their_own_area(
    engine: Engine, desk_url: str, rules_dir: Path
) -> None:
    with mail_catcher(users={"reports": "s3cret"}) as server:
        settings = settings_for(
            desk_url,
            rules_dir,
            smtp_url=SecretStr(server.url("reports", "s3cret")),
            smtp_from="expertise@example.com",
            report_recipients="boss@example.com, lead@example.com",
            area_managers="mobile=mobile.manager@example.com",
        )
        result = email_reports(engine, settings)
    assert result.ok
    assert sorted(d.recipient for d in result.sent) == [
        "boss@example.com",
        "lead@example.com",
        "mobile.manager@example.com",
    ]
    # one message per recipient: nobody sees who else receives the report
    assert all(len(r.rcpt_tos) == 1 for r in server.received)
    [boss] = server.to("boss@example.com")
    assert boss.mail_from == "expertise@example.com"
    assert boss.message["Subject"].startswith("Support expertise report")
    assert set(_attachments(boss)) == {"specialization.csv", "coverage.csv", "candidates.csv"}
    assert b"Ann Lee" in _attachments(boss)["candidates.csv"]
    assert "Ann Lee" in _html(boss)
    # the mobile manager's copy names only people with mobile work
    [manager] = server.to("mobile.manager@example.com")
    assert manager.message["Subject"].endswith(": Mobile")
    html = _html(manager)
    assert "Cy Diaz" in html
    for outsider in ("Ann Lee", "Bo Chen", "Dee Ng"):
        assert outsider not in html
        assert outsider.encode() not in b"".join(_attachments(manager).values())


def test_nothing_is_sent_without_recipients(engine: Engine, desk_url: str, rules_dir: Path) -> None:
    with mail_catcher() as server:
        settings = settings_for(desk_url, rules_dir, smtp_url=SecretStr(server.url()))
        result = email_reports(engine, settings)
    assert result.sent == []
    assert result.skipped is not None
    assert "nothing was sent" in result.skipped
    assert server.received == []


def test_recipients_without_a_mail_server_is_a_settings_error(
    engine: Engine, desk_url: str, rules_dir: Path
) -> None:
    settings = settings_for(desk_url, rules_dir, report_recipients="boss@example.com")
    with pytest.raises(SettingsError, match="SMTP_URL"):
        email_reports(engine, settings)


def test_a_mail_server_that_is_down_fails_each_message_without_crashing(
    engine: Engine, desk_url: str, rules_dir: Path
) -> None:
    with mail_catcher() as server:
        url = server.url()
    settings = settings_for(
        desk_url, rules_dir, smtp_url=SecretStr(url), report_recipients="boss@example.com"
    )
    result = email_reports(engine, settings)
    assert result.sent == []
    [(recipient, reason)] = result.failed
    assert recipient == "boss@example.com"
    assert "cannot send" in reason
