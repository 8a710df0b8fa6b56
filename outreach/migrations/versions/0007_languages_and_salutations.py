"""the partner's language: salutation, title and family name of contacts; a personal note per partner

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-29
"""
from alembic import op
import sqlalchemy as sa


revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('contacts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('salutation', sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column('title', sa.String(length=60), nullable=True))
        batch_op.add_column(sa.Column('family_name', sa.String(length=200), nullable=True))
    with op.batch_alter_table('partners', schema=None) as batch_op:
        batch_op.add_column(sa.Column('personal_note', sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('partners', schema=None) as batch_op:
        batch_op.drop_column('personal_note')
    with op.batch_alter_table('contacts', schema=None) as batch_op:
        batch_op.drop_column('family_name')
        batch_op.drop_column('title')
        batch_op.drop_column('salutation')
