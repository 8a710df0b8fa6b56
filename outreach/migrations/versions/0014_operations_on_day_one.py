"""operations on day one: where a mailbox's reading began, mail kept as history, what a pause moved

Revision ID: 0014
Revises: 0012
Create Date: 2026-12-04
"""
from alembic import op
import sqlalchemy as sa


revision = '0014'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('checkpoints', schema=None) as batch_op:
        batch_op.add_column(sa.Column('first_uid', sa.BigInteger(), nullable=True))
    with op.batch_alter_table('interactions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('history', sa.Boolean(), nullable=False, server_default=sa.false()))
    with op.batch_alter_table('steps', schema=None) as batch_op:
        batch_op.add_column(sa.Column('due_before_pause', sa.DateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('steps', schema=None) as batch_op:
        batch_op.drop_column('due_before_pause')
    with op.batch_alter_table('interactions', schema=None) as batch_op:
        batch_op.drop_column('history')
    with op.batch_alter_table('checkpoints', schema=None) as batch_op:
        batch_op.drop_column('first_uid')
