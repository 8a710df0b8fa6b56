"""The schema comes from Alembic migrations, on SQLite and PostgreSQL alike."""

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from outreach.db import migrate
from outreach.db.engine import make_engine
from outreach.db.models import Base
from outreach.errors import DatabaseNotReady


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_database(request, tmp_path):
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'new.db'}"
    else:
        url = request.getfixturevalue("postgres_databases").create()
    engine = make_engine(url)
    yield engine
    engine.dispose()


def test_upgrade_downgrade_upgrade(empty_database):
    migrate.upgrade(empty_database)
    assert migrate.current_revision(empty_database) == migrate.head_revision()
    migrate.downgrade(empty_database, "base")
    assert sa.inspect(empty_database).get_table_names() == ["alembic_version"]
    migrate.upgrade(empty_database)
    assert {"partners", "contacts", "interactions", "phase_changes", "suppressions"} <= set(
        sa.inspect(empty_database).get_table_names()
    )


def test_the_models_and_the_migrations_agree(empty_database):
    migrate.upgrade(empty_database)
    with empty_database.connect() as connection:
        diff = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    assert diff == []


def test_a_server_database_is_never_upgraded_behind_the_users_back(empty_database):
    with pytest.raises(DatabaseNotReady, match="Run `outreach db upgrade` first"):
        migrate.ensure_ready(empty_database, auto_upgrade=False)
    assert migrate.current_revision(empty_database) is None
    migrate.ensure_ready(empty_database, auto_upgrade=True)
    assert migrate.current_revision(empty_database) == migrate.head_revision()
