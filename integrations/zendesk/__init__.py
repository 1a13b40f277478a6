"""The Zendesk client: the only place that speaks HTTP to Zendesk; it returns our own records."""

from integrations.zendesk.client import ClientStats, ZendeskClient
from integrations.zendesk.errors import ZendeskAuthError, ZendeskError, ZendeskGaveUp

__all__ = ["ClientStats", "ZendeskAuthError", "ZendeskClient", "ZendeskError", "ZendeskGaveUp"]
