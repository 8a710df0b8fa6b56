"""sending health: whether each mailbox can send, failing since when, its last error in plain words

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-08
"""
from alembic import op
import sqlalchemy as sa


revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('sending_health',
    sa.Column('address', sa.String(length=320), nullable=False),
    sa.Column('last_ok_at', sa.DateTime(), nullable=True),
    sa.Column('failing_since', sa.DateTime(), nullable=True),
    sa.Column('last_error', sa.Text(), nullable=True),
    sa.Column('last_tried_at', sa.DateTime(), nullable=True),
    sa.Column('tried_with', sa.String(length=64), nullable=True),
    sa.PrimaryKeyConstraint('address', name=op.f('pk_sending_health'))
    )


def downgrade() -> None:
    op.drop_table('sending_health')
