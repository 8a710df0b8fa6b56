"""reply review: replies put before a person (the reading on the to-do), the decisions kept as
the school's labels, a partner's "later until" day

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-08
"""
import sqlalchemy as sa
from alembic import op

revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('reply_labels',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('inbound_id', sa.Integer(), nullable=True),
    sa.Column('partner_id', sa.Integer(), nullable=True),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('language', sa.String(length=8), nullable=True),
    sa.Column('intent', sa.String(length=32), nullable=False),
    sa.Column('until', sa.Date(), nullable=True),
    sa.Column('referral_email', sa.String(length=320), nullable=True),
    sa.Column('referral_name', sa.String(length=200), nullable=True),
    sa.Column('read_as', sa.String(length=32), nullable=True),
    sa.Column('decided_by', sa.String(length=200), nullable=True),
    sa.Column('decided_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['inbound_id'], ['inbound_mail.id'], ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['partner_id'], ['partners.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('reply_labels', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_reply_labels_partner_id'), ['partner_id'], unique=False)
    with op.batch_alter_table('todos', schema=None) as batch_op:
        batch_op.add_column(sa.Column('reading', sa.JSON(), nullable=True))
    with op.batch_alter_table('partners', schema=None) as batch_op:
        batch_op.add_column(sa.Column('later_until', sa.Date(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('partners', schema=None) as batch_op:
        batch_op.drop_column('later_until')
    with op.batch_alter_table('todos', schema=None) as batch_op:
        batch_op.drop_column('reading')
    with op.batch_alter_table('reply_labels', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_reply_labels_partner_id'))
    op.drop_table('reply_labels')
