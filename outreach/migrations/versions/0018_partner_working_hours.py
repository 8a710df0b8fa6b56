"""partner working hours: the hours a meeting may take where the partner is (none: 09:00-17:00)

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-04
"""

import sqlalchemy as sa
from alembic import op

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("partners") as batch:
        batch.add_column(sa.Column("working_hours", sa.String(length=11), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("partners") as batch:
        batch.drop_column("working_hours")
