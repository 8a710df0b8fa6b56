"""mailbox turns: the latest message a worker let go from each mailbox, so the pace
(`sending.seconds_between_messages`) holds across every worker

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-04
"""

import sqlalchemy as sa
from alembic import op

revision = "0023"
down_revision = "0022"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("sending_health", sa.Column("last_turn_at", sa.DateTime(), nullable=True))


def downgrade() -> None:
    op.drop_column("sending_health", "last_turn_at")
