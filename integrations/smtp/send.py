"""One message to its recipients over SMTP: STARTTLS when offered, or TLS from the start.

Errors name the server and what failed, never the password: the URL's secret stays in
`SmtpServer` (hidden from repr) and goes nowhere but the AUTH command.
"""

from __future__ import annotations

import smtplib
import ssl
from collections.abc import Sequence
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from typing import Literal
from urllib.parse import parse_qs, unquote, urlsplit

Security = Literal["starttls", "tls", "none"]
_DEFAULT_PORTS = {"smtp": 587, "smtps": 465}


class SmtpError(Exception):
    """The mail could not be handed to the server; the message says why, without secrets."""


@dataclass(frozen=True)
class SmtpServer:
    host: str
    port: int
    username: str | None = None
    password: str | None = field(default=None, repr=False)
    # starttls: upgrade when the server offers it (and insist on it when logging in to a
    # server other than this machine); tls: TLS from the start (smtps://); none: plain
    security: Security = "starttls"
    timeout: float = 30.0

    @classmethod
    def from_url(cls, url: str, *, timeout: float = 30.0) -> SmtpServer:
        """smtp://[user[:password]@]host[:port][?starttls=off] or smtps://...

        User and password are percent-decoded, so a password may hold any character.
        """
        parts = urlsplit(url)
        if parts.scheme not in _DEFAULT_PORTS:
            raise SmtpError(f"SMTP URL must start with smtp:// or smtps://, got {parts.scheme!r}")
        if not parts.hostname:
            raise SmtpError("SMTP URL has no host")
        try:
            port = parts.port or _DEFAULT_PORTS[parts.scheme]
        except ValueError:
            raise SmtpError("SMTP URL has an invalid port") from None
        query = parse_qs(parts.query)
        security: Security = "tls" if parts.scheme == "smtps" else "starttls"
        if query.get("starttls", [""])[0].lower() in ("off", "no", "false", "0"):
            security = "none"
        return cls(
            host=parts.hostname,
            port=port,
            username=unquote(parts.username) if parts.username else None,
            password=unquote(parts.password) if parts.password else None,
            security=security,
            timeout=timeout,
        )

    @property
    def address(self) -> str:
        return f"{self.host}:{self.port}"

    @property
    def local(self) -> bool:
        return self.host in ("localhost", "127.0.0.1", "::1")


@dataclass(frozen=True)
class Attachment:
    filename: str
    content: bytes
    mime_type: str = "application/octet-stream"


@dataclass(frozen=True)
class Message:
    sender: str
    to: Sequence[str]
    subject: str
    text: str
    html: str | None = None
    attachments: Sequence[Attachment] = ()

    def build(self) -> EmailMessage:
        mail = EmailMessage()
        mail["From"] = self.sender
        mail["To"] = ", ".join(self.to)
        mail["Subject"] = self.subject
        mail["Date"] = formatdate(localtime=False)
        mail["Message-ID"] = make_msgid(domain=self.sender.rpartition("@")[2] or None)
        mail.set_content(self.text)
        if self.html is not None:
            mail.add_alternative(self.html, subtype="html")
        for a in self.attachments:
            maintype, _, subtype = a.mime_type.partition("/")
            mail.add_attachment(
                a.content, maintype=maintype, subtype=subtype or "octet-stream", filename=a.filename
            )
        return mail


def send(server: SmtpServer, message: Message) -> list[str]:
    """Hand `message` to the server; returns the recipients it refused (the others got it).

    Raises SmtpError when nothing could be sent.
    """
    if not message.to:
        raise SmtpError("no recipients")
    context = ssl.create_default_context()
    client: smtplib.SMTP
    try:
        if server.security == "tls":
            client = smtplib.SMTP_SSL(
                server.host, server.port, timeout=server.timeout, context=context
            )
        else:
            client = smtplib.SMTP(server.host, server.port, timeout=server.timeout)
        with client:
            client.ehlo()
            if server.security == "starttls":
                if client.has_extn("starttls"):
                    client.starttls(context=context)
                    client.ehlo()
                elif server.username and not server.local:
                    raise SmtpError(
                        f"{server.address} does not offer STARTTLS; refusing to send the "
                        "password in clear (use smtps://, or ?starttls=off to allow it)"
                    )
            if server.username:
                client.login(server.username, server.password or "")
            refused = client.send_message(message.build())
    except SmtpError:
        raise
    except smtplib.SMTPAuthenticationError as exc:
        raise SmtpError(f"{server.address} refused the login ({exc.smtp_code})") from None
    except smtplib.SMTPRecipientsRefused as exc:
        raise SmtpError(
            f"{server.address} refused every recipient: {', '.join(sorted(exc.recipients))}"
        ) from None
    except smtplib.SMTPResponseException as exc:
        text = (
            exc.smtp_error.decode("utf-8", "replace")
            if isinstance(exc.smtp_error, bytes)
            else str(exc.smtp_error)
        )
        raise SmtpError(f"{server.address} answered {exc.smtp_code}: {text}") from None
    except (smtplib.SMTPException, OSError) as exc:
        raise SmtpError(
            f"cannot send through {server.address}: {type(exc).__name__}: {exc}"
        ) from None
    return sorted(refused)
