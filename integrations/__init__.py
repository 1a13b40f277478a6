"""Everything that talks to the outside: Zendesk (client and sandbox) and SMTP."""
