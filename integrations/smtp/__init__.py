"""Sending mail over SMTP with the standard library: plain arguments in, no worker imports.

server = SmtpServer.from_url("smtp://user:secret@mail.example.com:587")
send(server, Message(sender=..., to=[...], subject=..., text=..., html=...))
"""

from __future__ import annotations

from integrations.smtp.send import Attachment, Message, SmtpError, SmtpServer, send

__all__ = ["Attachment", "Message", "SmtpError", "SmtpServer", "send"]
