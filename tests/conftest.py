"""Fixtures: the logbook database on SQLite and on PostgreSQL, and the command line."""

from __future__ import annotations

import os

import pytest

from outreach.cli import main
from outreach.db.engine import UnitOfWork
from tests.support.databases import PostgresDatabases, empty_tables, migrated_engine


@pytest.fixture(autouse=True)
def _logging_as_it_was():
    """A command that configures logging (`outreach run`, `watch`) replaces the root handlers with
    one on the standard error of its moment, which pytest closes after the test: put back what
    was there, so no later test logs into a closed stream."""
    import logging

    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    yield
    root.handlers[:] = handlers
    root.setLevel(level)


@pytest.fixture(scope="session")
def postgres_databases():
    databases = PostgresDatabases()
    yield databases
    databases.drop_all()


@pytest.fixture(scope="session")
def postgres_url(postgres_databases):
    """One migrated PostgreSQL database for the session; tables are emptied per test."""
    url = postgres_databases.create()
    migrated_engine(url).dispose()
    return url


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request, tmp_path):
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'logbook.db'}"
        migrated_engine(url).dispose()
        return url
    url = request.getfixturevalue("postgres_url")
    return url


@pytest.fixture
def engine(database_url):
    from outreach.db.engine import make_engine

    engine = make_engine(database_url)
    empty_tables(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def uow(engine):
    with UnitOfWork(engine) as unit:
        yield unit


class Cli:
    """Runs `outreach ...` in-process against the test database; keeps the output."""

    def __init__(self, capsys, url: str | None, monkeypatch):
        self.capsys, self.url, self.monkeypatch = capsys, url, monkeypatch

    def __call__(self, *args: str, stdin: str | None = None):
        if self.url:
            self.monkeypatch.setenv("DATABASE_URL", self.url)
        if stdin is not None:
            import io

            self.monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
        self.capsys.readouterr()
        umask = os.umask(0o022)  # the command sets its own (owner only); the test process keeps its own
        os.umask(umask)
        try:
            code = main([str(a) for a in args])
        finally:
            os.umask(umask)
        out, err = self.capsys.readouterr()
        return Result(code, out, err)


class Result:
    def __init__(self, code: int, out: str, err: str):
        self.code, self.out, self.err = code, out, err

    def __repr__(self) -> str:
        return f"Result(code={self.code}, out={self.out!r}, err={self.err!r})"


@pytest.fixture
def cli(capsys, engine, database_url, monkeypatch):
    monkeypatch.setenv("COLUMNS", "200")
    return Cli(capsys, database_url, monkeypatch)


@pytest.fixture
def cli_no_db(capsys, monkeypatch, tmp_path):
    """The command line for commands that must not touch any database."""
    monkeypatch.setenv("COLUMNS", "200")
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'untouched.db'}")
    return Cli(capsys, None, monkeypatch)


@pytest.fixture(scope="session")
def dovecot():
    """A Dovecot server for the session: every address on it is a mailbox."""
    from tests.support.dovecot import Dovecot

    server = Dovecot()
    server.start()
    yield server
    server.cleanup()


@pytest.fixture(scope="session")
def smtp_relay(dovecot):
    from tests.support.smtp_relay import SmtpRelay

    relay = SmtpRelay(dovecot.lmtp_port)
    relay.start()
    yield relay
    relay.stop()
