"""reply tokens

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-28
"""
from alembic import op
import sqlalchemy as sa


revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('steps', schema=None) as batch_op:
        batch_op.add_column(sa.Column('reply_token', sa.String(length=32), nullable=True))
        batch_op.create_index(batch_op.f('ix_steps_reply_token'), ['reply_token'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('steps', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_steps_reply_token'))
        batch_op.drop_column('reply_token')

