"""scouting: the spreadsheet's other columns kept with each partner; influence and interest for the stakeholder matrix

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-29
"""
from alembic import op
import sqlalchemy as sa


revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('partners', schema=None) as batch_op:
        batch_op.add_column(sa.Column('extra', sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column('influence', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('interest', sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('partners', schema=None) as batch_op:
        batch_op.drop_column('interest')
        batch_op.drop_column('influence')
        batch_op.drop_column('extra')
