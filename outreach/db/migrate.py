"""Alembic, driven from code: the migrations ship inside the package."""

from __future__ import annotations

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Engine

from outreach.db.engine import describe
from outreach.errors import DatabaseNotReady
from outreach.resources import packaged

MIGRATIONS = packaged("migrations")


def _config(engine: Engine) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["engine"] = engine
    return config


def head_revision() -> str:
    head = ScriptDirectory(str(MIGRATIONS)).get_current_head()
    assert head is not None, "the package ships its migrations"
    return head


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def upgrade(engine: Engine, revision: str = "head") -> None:
    command.upgrade(_config(engine), revision)


def downgrade(engine: Engine, revision: str) -> None:
    command.downgrade(_config(engine), revision)


def ensure_ready(engine: Engine, auto_upgrade: bool) -> None:
    """Upgrade the schema when allowed (the embedded SQLite default), else stop clearly.

    A shared server database is migrated once, on purpose, by `outreach db upgrade`
    (docker-compose runs it as its own service), never as a side effect of any command.
    """
    current = current_revision(engine)
    if current == head_revision():
        return
    if auto_upgrade:
        upgrade(engine)
        return
    state = "has no tables yet" if current is None else f"is at revision {current}"
    raise DatabaseNotReady(
        f"the database {describe(engine)} {state}; this version needs {head_revision()}. "
        "Run `outreach db upgrade` first."
    )
