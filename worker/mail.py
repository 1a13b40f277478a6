"""The mail server and sender address from settings, for everything the worker emails."""

from __future__ import annotations

from integrations.smtp import SmtpError, SmtpServer
from worker.settings import Settings, SettingsError


def smtp_server(settings: Settings) -> SmtpServer:
    """Raises SettingsError naming SMTP_URL when it is missing or malformed."""
    if settings.smtp_url is None or not settings.smtp_url.get_secret_value():
        raise SettingsError(
            "SMTP_URL must be set to send email (e.g. smtp://user:password@mail.example.com:587)"
        )
    try:
        return SmtpServer.from_url(settings.smtp_url.get_secret_value())
    except SmtpError as exc:
        raise SettingsError(f"SMTP_URL: {exc}") from None


def sender_address(settings: Settings, server: SmtpServer) -> str:
    if settings.smtp_from:
        return settings.smtp_from
    if server.username and "@" in server.username:
        return server.username
    return f"expertise@{server.host}"
