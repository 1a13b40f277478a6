from __future__ import annotations

import pytest

from integrations.smtp import Attachment, Message, SmtpError, SmtpServer, send
from tests.integrations.smtp.mailcatcher import mail_catcher


def _message(**overrides: object) -> Message:
    values: dict[str, object] = {
        "sender": "reports@example.com",
        "to": ["ann@example.com"],
        "subject": "Support expertise report",
        "text": "plain version",
        "html": "<p>Ann &amp; Bo: <b>report</b></p>",
        "attachments": [Attachment("coverage.csv", b"area,bus_factor\nbilling,1\n", "text/csv")],
    }
    values.update(overrides)
    return Message(**values)  # type: ignore[arg-type]


def test_a_message_arrives_with_its_html_text_and_attachment() -> None:
    with mail_catcher() as server:
        refused = send(SmtpServer.from_url(server.url()), _message())
    assert refused == []
    [got] = server.received
    assert got.mail_from == "reports@example.com"
    assert got.rcpt_tos == ["ann@example.com"]
    mail = got.message
    assert mail["Subject"] == "Support expertise report"
    assert mail["To"] == "ann@example.com"
    parts = {p.get_content_type(): p for p in mail.walk() if not p.is_multipart()}
    html = parts["text/html"].get_payload(decode=True).decode()
    assert html.strip() == "<p>Ann &amp; Bo: <b>report</b></p>"
    assert parts["text/plain"].get_payload(decode=True).decode().strip() == "plain version"
    attachment = parts["text/csv"]
    assert attachment.get_filename() == "coverage.csv"
    assert attachment.get_payload(decode=True) == b"area,bus_factor\nbilling,1\n"


def test_logs_in_with_the_percent_decoded_credentials_of_the_url() -> None:
    password = "p@ss:w/rd%"
    with mail_catcher(users={"reports@example.com": password}) as server:
        url = server.url("reports%40example.com", "p%40ss%3Aw%2Frd%25")
        send(SmtpServer.from_url(url), _message())
    assert server.logins == [("reports@example.com", password)]
    assert len(server.received) == 1


def test_a_refused_login_is_an_error_that_does_not_show_the_password() -> None:
    with mail_catcher(users={"reports": "right"}) as server, pytest.raises(SmtpError) as failure:
        send(SmtpServer.from_url(server.url("reports", "wrong-secret")), _message())
    assert "refused the login" in str(failure.value)
    assert "wrong-secret" not in str(failure.value)
    assert server.received == []


def test_no_server_listening_is_an_error_naming_the_address() -> None:
    with mail_catcher() as server:
        url = server.url()
    # the server has stopped: nothing listens on its port any more
    with pytest.raises(SmtpError, match=r"127\.0\.0\.1:\d+"):
        send(SmtpServer.from_url(url, timeout=2), _message())


def test_a_message_needs_recipients() -> None:
    with pytest.raises(SmtpError, match="no recipients"):
        send(SmtpServer("127.0.0.1", 1), _message(to=[]))


@pytest.mark.parametrize(
    ("url", "port", "security"),
    [
        ("smtp://mail.example.com", 587, "starttls"),
        ("smtp://mail.example.com:25?starttls=off", 25, "none"),
        ("smtps://mail.example.com", 465, "tls"),
    ],
)
def test_url_forms(url: str, port: int, security: str) -> None:
    server = SmtpServer.from_url(url)
    assert (server.host, server.port, server.security) == ("mail.example.com", port, security)


def test_the_password_stays_out_of_repr() -> None:
    server = SmtpServer.from_url("smtp://user:hunter2@mail.example.com")
    assert server.password == "hunter2"
    assert "hunter2" not in repr(server)


@pytest.mark.parametrize("url", ["http://mail.example.com", "smtp://", "smtp://host:notaport"])
def test_bad_urls_are_rejected(url: str) -> None:
    with pytest.raises(SmtpError):
        SmtpServer.from_url(url)
