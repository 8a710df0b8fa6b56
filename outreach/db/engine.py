"""Engine and unit of work. Nothing connects at import time: callers build an engine here."""

from __future__ import annotations

import functools
import os

import sqlalchemy as sa
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.orm import Session, object_session, sessionmaker

from outreach.db import outcomes  # noqa: F401  (its session hooks keep the funnel's facts as the logbook is written)

DEFAULT_URL = "sqlite:///outreach.db"


def database_url(explicit: str | None = None) -> str:
    """The URL to use: an explicit one, else DATABASE_URL, else a SQLite file here."""
    url = explicit or os.environ.get("DATABASE_URL") or DEFAULT_URL
    parsed = make_url(url)
    if parsed.drivername in ("postgres", "postgresql"):
        # psycopg 3 is the driver we ship with; plain postgresql:// would ask for psycopg2.
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed.render_as_string(hide_password=False)


def make_engine(url: str | None = None) -> Engine:
    engine = sa.create_engine(database_url(url))
    if engine.dialect.name == "sqlite":
        sa.event.listen(engine, "connect", _sqlite_pragmas)
    return engine


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.execute("PRAGMA journal_mode=WAL")
    # WAL with synchronous=NORMAL: a commit survives the process being killed; only an OS
    # crash or power loss may undo the last few. (PostgreSQL is the choice where that matters.)
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def describe(engine: Engine) -> str:
    """The URL with any password hidden, for messages and logs."""
    return engine.url.render_as_string(hide_password=True)


def session_of(row: object) -> Session:
    """The session a loaded row belongs to (rows are read within a unit of work)."""
    session = object_session(row)
    assert session is not None, "a row read within a unit of work"
    return session


@functools.lru_cache(maxsize=32)
def _sessions(engine: Engine) -> sessionmaker:
    return sessionmaker(bind=engine, expire_on_commit=False)


class UnitOfWork:
    """A session that rolls back unless `commit()` was called inside the block."""

    def __init__(self, engine: Engine):
        self._factory = _sessions(engine)
        self.session: Session

    def __enter__(self) -> UnitOfWork:
        self.session = self._factory()
        return self

    def __exit__(self, *exc) -> None:
        self.session.rollback()
        self.session.close()

    def commit(self) -> None:
        self.session.commit()
