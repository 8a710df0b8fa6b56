"""The database adapter: models, engine and unit of work, migrations."""
