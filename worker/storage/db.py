"""Engines, sessions and migrations.

SQLite is the embedded default; PostgreSQL is the production store. Every command applies
pending migrations on first use, so a new user never runs a separate setup step.
"""

from __future__ import annotations

import fcntl
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

MIGRATIONS_DIR = Path(__file__).parent / "migrations"


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    cur = dbapi_conn.cursor()
    # WAL lets a report read while the sync writes; the busy timeout rides out the other writer.
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.execute("PRAGMA busy_timeout=30000")
    cur.close()


def normalize_url(url: str) -> str:
    """Accept postgres:// and postgresql:// and use the psycopg 3 driver for them."""
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://") :]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://") :]
    return url


def is_sqlite(url: str) -> bool:
    return make_url(normalize_url(url)).get_backend_name() == "sqlite"


def create_db_engine(url: str) -> Engine:
    url = normalize_url(url)
    if is_sqlite(url):
        engine = create_engine(url, connect_args={"timeout": 30})
        event.listen(engine, "connect", _sqlite_pragmas)
    else:
        engine = create_engine(url, pool_pre_ping=True)
    return engine


def _alembic_config(url: str) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    # '%' is Alembic's interpolation character; a password may contain it.
    cfg.set_main_option("sqlalchemy.url", normalize_url(url).replace("%", "%%"))
    return cfg


# Any constant, the same in every process: the key of the advisory lock migrations take.
_MIGRATION_LOCK_KEY = 0x6578_7065_7274  # "expert"


@contextmanager
def _migration_file_lock(engine: Engine) -> Iterator[None]:
    """SQLite: one process migrates a database file at a time (the others then find it done)."""
    database = engine.url.database
    if not database or database == ":memory:":
        yield
        return
    with open(f"{database}.migrate-lock", "a+b") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def upgrade(engine: Engine) -> None:
    """Apply every pending migration (idempotent, and safe when several workers start at once:
    they take turns, and each applies only what is still pending when its turn comes)."""
    cfg = _alembic_config(engine.url.render_as_string(hide_password=False))
    if engine.dialect.name == "sqlite":
        with _migration_file_lock(engine), engine.begin() as conn:
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, "head")
        return
    with engine.begin() as conn:
        conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _MIGRATION_LOCK_KEY})
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def head_revision() -> str | None:
    script = ScriptDirectory.from_config(_alembic_config("sqlite://"))
    return script.get_current_head()


_ENGINES: dict[str, Engine] = {}


def get_engine(url: str) -> Engine:
    """The process-wide engine for `url`, migrated to the newest schema on first use."""
    url = normalize_url(url)
    engine = _ENGINES.get(url)
    if engine is None:
        engine = create_db_engine(url)
        if current_revision(engine) != head_revision():
            upgrade(engine)
        _ENGINES[url] = engine
    return engine


def dispose_engines() -> None:
    """Forget cached engines (after a fork, or between tests)."""
    while _ENGINES:
        _, engine = _ENGINES.popitem()
        engine.dispose()


@contextmanager
def session_scope(engine: Engine) -> Iterator[Session]:
    """One transaction: commit on success, roll back on any error."""
    factory = sessionmaker(bind=engine, expire_on_commit=False)
    session = factory()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()
