"""A real SMTP server on 127.0.0.1 (aiosmtpd) that keeps what it receives, for tests."""

from __future__ import annotations

import email
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email.message import Message
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword


@dataclass
class Received:
    mail_from: str
    rcpt_tos: list[str]
    message: Message


@dataclass
class MailCatcher:
    host: str
    port: int
    received: list[Received] = field(default_factory=list)
    # (username, password) of every login attempt
    logins: list[tuple[str, str]] = field(default_factory=list)

    def url(self, user: str | None = None, password: str | None = None) -> str:
        creds = f"{user}:{password}@" if user is not None else ""
        return f"smtp://{creds}{self.host}:{self.port}"

    def to(self, address: str) -> list[Received]:
        return [r for r in self.received if address in r.rcpt_tos]

    # aiosmtpd handler hook
    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.received.append(
            Received(
                envelope.mail_from,
                list(envelope.rcpt_tos),
                email.message_from_bytes(envelope.original_content or envelope.content),
            )
        )
        return "250 OK"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@contextmanager
def mail_catcher(users: dict[str, str] | None = None) -> Iterator[MailCatcher]:
    """A server on 127.0.0.1; with `users`, it accepts AUTH LOGIN/PLAIN for them (over plain
    text: this is loopback)."""
    catcher = MailCatcher("127.0.0.1", _free_port())

    def authenticate(server: Any, session: Any, envelope: Any, mechanism: str, auth: Any) -> Any:
        if not isinstance(auth, LoginPassword):
            return AuthResult(success=False, handled=False)
        user, password = auth.login.decode(), auth.password.decode()
        catcher.logins.append((user, password))
        ok = users is not None and users.get(user) == password
        # handled=False: aiosmtpd itself answers (235 or 535)
        return AuthResult(success=ok, handled=False)

    controller = Controller(
        catcher,
        hostname=catcher.host,
        port=catcher.port,
        authenticator=authenticate if users is not None else None,
        auth_require_tls=False,
    )
    controller.start()
    try:
        yield catcher
    finally:
        controller.stop()
