"""Tell support ops when a nightly run fails: always in the log, by email to OPS_RECIPIENTS."""

from __future__ import annotations

import logging
import socket

from integrations.smtp import Message, SmtpError, send
from worker.mail import sender_address, smtp_server
from worker.settings import Settings, SettingsError
from worker.storage.clock import utcnow

log = logging.getLogger(__name__)


def redact(text: str, settings: Settings) -> str:
    """Blank every secret the settings hold out of `text`: an error can quote anything a
    library put in its message, and this one leaves the machine."""
    for secret in (settings.zendesk_api_token, settings.smtp_url, settings.zendesk_webhook_secret):
        value = secret.get_secret_value() if secret is not None else ""
        if value:
            text = text.replace(value, "**********")
    if settings.smtp_url is not None:
        try:
            password = smtp_server(settings).password
        except SettingsError:
            password = None
        if password:
            text = text.replace(password, "**********")
    return text


def report_failure(settings: Settings, stage: str, error: str) -> bool:
    """Log the failure and email it to OPS_RECIPIENTS; True if the email went out."""
    error = redact(error, settings)
    log.error("nightly pipeline failed in stage %s: %s", stage, error, extra={"stage": stage})
    recipients = settings.ops_recipient_list
    if not recipients:
        return False
    try:
        server = smtp_server(settings)
    except SettingsError as exc:
        log.error("cannot email the failure to OPS_RECIPIENTS: %s", exc)
        return False
    when = utcnow()
    text = (
        f"The nightly expertise pipeline failed at {when:%Y-%m-%d %H:%M} UTC "
        f"on {socket.gethostname()}.\n\n"
        f"Stage: {stage}\n"
        f"Error: {error}\n\n"
        "Nothing stored was lost: every stage resumes where it stopped. The next scheduled run\n"
        "tries again; to see the state now, run `expertise status`, and to start a run by hand,\n"
        "`celery -A worker call worker.tasks.run_pipeline`.\n"
    )
    message = Message(
        sender=sender_address(settings, server),
        to=recipients,
        subject=f"[expertise] nightly run failed: {stage}",
        text=text,
    )
    try:
        refused = send(server, message)
    except SmtpError as exc:
        log.error("cannot email the failure to OPS_RECIPIENTS: %s", redact(str(exc), settings))
        return False
    if refused:
        log.error("the mail server refused the failure report for %s", ", ".join(refused))
    return len(refused) < len(recipients)
