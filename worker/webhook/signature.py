"""Zendesk webhook signatures: base64(HMAC-SHA256(secret, timestamp + body)).

Zendesk sends the signature in `X-Zendesk-Webhook-Signature` and the signed timestamp in
`X-Zendesk-Webhook-Signature-Timestamp`. The timestamp is signed with the body, so checking
its age bounds how long a captured request can be replayed.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from datetime import UTC, datetime

SIGNATURE_HEADER = "X-Zendesk-Webhook-Signature"
TIMESTAMP_HEADER = "X-Zendesk-Webhook-Signature-Timestamp"


class Rejected(Exception):
    """The request is refused; `status` is the HTTP status to answer with. The message says
    why for the log and never holds the secret or the signature."""

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason


def sign(secret: str, timestamp: str, body: bytes) -> str:
    digest = hmac.new(secret.encode(), timestamp.encode() + body, hashlib.sha256).digest()
    return base64.b64encode(digest).decode("ascii")


def parse_timestamp(text: str) -> float:
    """Zendesk's ISO 8601 timestamp (e.g. 2025-05-01T10:00:00Z) as Unix seconds."""
    when = datetime.fromisoformat(text.strip())
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return when.timestamp()


def verify(
    secret: str,
    timestamp: str | None,
    signature: str | None,
    body: bytes,
    *,
    now: float,
    tolerance_s: float,
) -> None:
    """Raises Rejected(401) unless the request is signed with `secret` within tolerance."""
    if not timestamp or not signature:
        raise Rejected(401, "unsigned request: signature or timestamp header missing")
    expected = sign(secret, timestamp, body)
    if not hmac.compare_digest(expected.encode(), signature.strip().encode()):
        raise Rejected(401, "wrong signature")
    try:
        sent = parse_timestamp(timestamp)
    except ValueError:
        raise Rejected(401, "unreadable signature timestamp") from None
    if abs(now - sent) > tolerance_s:
        raise Rejected(401, f"stale request: signed {now - sent:.0f}s from now")
