"""Email the reports: the HTML report in the body, its CSV files attached.

Reports name people, so they go only to the addresses configured: REPORT_RECIPIENTS get the
whole report, AREA_MANAGERS each get their own area's copy. With no recipient configured,
nothing is sent at all. Each recipient gets a message of their own, so nobody learns who
else receives the report.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import Engine

from integrations.smtp import Attachment, Message, SmtpError, send
from worker.mail import sender_address, smtp_server
from worker.reports.build import ReportError, ReportSet, build_reports
from worker.reports.html import render_html
from worker.reports.tabular import csv_text
from worker.settings import Settings

log = logging.getLogger(__name__)

NO_RECIPIENTS = (
    "no report recipients configured (REPORT_RECIPIENTS, AREA_MANAGERS): nothing was sent"
)


@dataclass(frozen=True)
class Delivery:
    recipient: str
    # None: the whole report; else the area of a manager's copy
    area: str | None
    subject: str
    attachments: list[str]


@dataclass
class DeliveryResult:
    sent: list[Delivery] = field(default_factory=list)
    # (recipient, reason) of messages that could not be sent or built
    failed: list[tuple[str, str]] = field(default_factory=list)
    # why nothing was attempted, when nothing was
    skipped: str | None = None

    @property
    def ok(self) -> bool:
        return not self.failed and self.skipped is None


def compose(reports: ReportSet, sender: str, recipient: str) -> Message:
    profiles = reports.profiles
    when = f"{profiles.as_of:%d %b %Y}"
    subject = f"Support expertise report, {when}"
    if reports.area is not None:
        subject += f": {profiles.area_name(reports.area)}"
    attachments = [
        Attachment(f"{kind}.csv", csv_text(reports.report(kind).csv_rows()).encode(), "text/csv")
        for kind in reports.kinds
    ]
    text = (
        f"{subject}\n\n"
        "Open this message in an HTML-capable mail app to see the report; the same data is\n"
        f"attached as CSV ({', '.join(a.filename for a in attachments)}).\n\n"
        "This report names people and their work; please do not forward it.\n"
    )
    return Message(
        sender=sender,
        to=[recipient],
        subject=subject,
        text=text,
        html=render_html(reports),
        attachments=attachments,
    )


def email_reports(
    engine: Engine,
    settings: Settings,
    kinds: list[str] | tuple[str, ...] = ("all",),
    *,
    reports: ReportSet | None = None,
    rules_dir: Path | None = None,
) -> DeliveryResult:
    """Send the reports to the configured recipients; `reports`: the whole report already
    built (by `expertise report --email`), so it is not built twice.

    Raises SettingsError when recipients are configured but SMTP_URL is not usable.
    """
    recipients = settings.report_recipient_list
    managers = settings.area_manager_map
    if not recipients and not managers:
        log.info(NO_RECIPIENTS)
        return DeliveryResult(skipped=NO_RECIPIENTS)
    server = smtp_server(settings)
    sender = sender_address(settings, server)
    result = DeliveryResult()
    jobs: list[tuple[str, ReportSet, str | None]] = []
    if recipients:
        whole = reports or build_reports(engine, settings, kinds, rules_dir=rules_dir)
        jobs += [(r, whole, None) for r in recipients]
    for key, addresses in managers.items():
        try:
            copy = build_reports(engine, settings, kinds, area=key, rules_dir=rules_dir)
        except ReportError as exc:
            result.failed += [(a, f"{key}: {exc}") for a in addresses]
            continue
        jobs += [(a, copy, key) for a in addresses]
    for recipient, report_set, area in jobs:
        message = compose(report_set, sender, recipient)
        try:
            refused = send(server, message)
        except SmtpError as exc:
            result.failed.append((recipient, str(exc)))
            log.warning("report to %s not sent: %s", recipient, exc)
            continue
        if refused:
            result.failed.append((recipient, "refused by the mail server"))
            continue
        result.sent.append(
            Delivery(recipient, area, message.subject, [a.filename for a in message.attachments])
        )
    return result
