"""rendered once: a step keeps the message rendered when it was queued (subject, text, HTML)
with the fingerprint of what it was made from; sending uses it unless that changed

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-11
"""

import sqlalchemy as sa
from alembic import op

revision = "0022"
down_revision = "0021"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("steps") as table:
        table.add_column(sa.Column("rendered", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("steps") as table:
        table.drop_column("rendered")
