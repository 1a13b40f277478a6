from __future__ import annotations

import pytest

from worker.settings import Settings, SettingsError, get_settings, mask_url_password


def test_defaults_need_nothing_installed() -> None:
    s = Settings()
    assert s.database_url.startswith("sqlite:///")
    assert s.celery_broker_url == "redis://localhost:6379/0"
    assert str(s.rules_dir) == "rules"


def test_subdomain_gives_zendesk_url() -> None:
    assert Settings(zendesk_subdomain="acme").zendesk_base_url == "https://acme.zendesk.com"
    assert Settings(zendesk_url="http://127.0.0.1:8765/").zendesk_base_url == (
        "http://127.0.0.1:8765"
    )


def test_url_and_subdomain_together_is_one_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ZENDESK_URL", "http://127.0.0.1:8765")
    monkeypatch.setenv("ZENDESK_SUBDOMAIN", "acme")
    with pytest.raises(SettingsError, match="ZENDESK_URL and ZENDESK_SUBDOMAIN are both set"):
        get_settings()


def test_malformed_value_names_the_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ZENDESK_RATE_SHARE", "lots")
    with pytest.raises(SettingsError, match="ZENDESK_RATE_SHARE"):
        get_settings()


@pytest.mark.parametrize(
    ("env", "missing"),
    [
        ({}, "ZENDESK_URL or ZENDESK_SUBDOMAIN"),
        ({"ZENDESK_SUBDOMAIN": "acme"}, "ZENDESK_EMAIL"),
        ({"ZENDESK_SUBDOMAIN": "acme", "ZENDESK_EMAIL": "a@b.c"}, "ZENDESK_API_TOKEN"),
    ],
)
def test_missing_zendesk_setting_is_named(
    monkeypatch: pytest.MonkeyPatch, env: dict[str, str], missing: str
) -> None:
    for k, v in env.items():
        monkeypatch.setenv(k, v)
    with pytest.raises(SettingsError, match=missing):
        get_settings().require_zendesk()


def test_env_file_is_read(tmp_path: object, monkeypatch: pytest.MonkeyPatch) -> None:
    from pathlib import Path

    Path(".env").write_text("ZENDESK_SUBDOMAIN=fromfile\nSTORE_TEXT=false\n")
    s = get_settings()
    assert s.zendesk_base_url == "https://fromfile.zendesk.com"
    assert s.store_text is False


def test_masked_hides_secrets_and_url_passwords() -> None:
    s = Settings(
        zendesk_api_token="tok-123456",  # type: ignore[arg-type]
        database_url="postgresql://me:pw-secret@db/x",
    )
    shown = repr(s.masked()) + repr(s)
    assert "tok-123456" not in shown
    assert "pw-secret" not in repr(s.masked())
    assert s.masked()["ZENDESK_API_TOKEN"] == "**********"
    assert s.masked()["DATABASE_URL"] == "postgresql://me:***@db/x"


def test_mask_url_password_leaves_plain_urls() -> None:
    assert mask_url_password("sqlite:///x.db") == "sqlite:///x.db"
    assert mask_url_password("redis://localhost:6379/0") == "redis://localhost:6379/0"


def test_log_level_is_case_insensitive_and_checked(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LOG_LEVEL", "info")
    assert get_settings().log_level == "INFO"
    get_settings.cache_clear()
    monkeypatch.setenv("LOG_LEVEL", "chatty")
    with pytest.raises(SettingsError, match="LOG_LEVEL: must be DEBUG, INFO, WARNING or ERROR"):
        get_settings()
