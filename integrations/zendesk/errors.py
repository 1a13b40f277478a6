"""Errors the Zendesk client raises; messages never carry credentials."""

from __future__ import annotations


class ZendeskError(Exception):
    """Zendesk answered in a way we cannot continue from (bad request, missing resource, ...)."""

    def __init__(self, message: str, *, endpoint: str | None = None, status: int | None = None):
        super().__init__(message)
        self.endpoint = endpoint
        self.status = status


class ZendeskAuthError(ZendeskError):
    """401/403: the credentials are wrong or lack permission; retrying cannot help."""


class ZendeskGaveUp(ZendeskError):
    """Transient failures (5xx, timeouts, broken bodies, 429s) lasted longer than allowed."""
