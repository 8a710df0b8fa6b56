"""A fresh SQLite file or a throw-away PostgreSQL database, migrated to head."""

from __future__ import annotations

import uuid

import sqlalchemy as sa
from sqlalchemy.engine import make_url

from outreach.db import migrate
from outreach.db.engine import database_url, make_engine
from outreach.db.models import Base
from tests.support.services import POSTGRES_ADMIN_URL, missing


class PostgresDatabases:
    """Creates databases named outreach_test_* on the local server and drops them after."""

    def __init__(self):
        self.admin = sa.create_engine(database_url(POSTGRES_ADMIN_URL), isolation_level="AUTOCOMMIT")
        self.created: list[str] = []

    def check(self) -> None:
        try:
            with self.admin.connect() as connection:
                connection.execute(sa.text("select 1"))
        except sa.exc.OperationalError as error:
            missing("PostgreSQL", str(error).splitlines()[0])

    def create(self) -> str:
        self.check()
        name = f"outreach_test_{uuid.uuid4().hex[:12]}"
        with self.admin.connect() as connection:
            connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
        self.created.append(name)
        return make_url(database_url(POSTGRES_ADMIN_URL)).set(database=name).render_as_string(hide_password=False)

    def drop_all(self) -> None:
        with self.admin.connect() as connection:
            for name in self.created:
                connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        self.admin.dispose()


def migrated_engine(url: str):
    engine = make_engine(url)
    migrate.upgrade(engine)
    return engine


def empty_tables(engine) -> None:
    """Remove every row, keep the schema (faster than a new PostgreSQL database per test)."""
    with engine.begin() as connection:
        if engine.dialect.name == "postgresql":
            names = ", ".join(t.name for t in Base.metadata.sorted_tables)
            connection.execute(sa.text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        else:
            for table in reversed(Base.metadata.sorted_tables):
                connection.execute(table.delete())
