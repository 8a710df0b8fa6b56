"""the web workspace: accounts, who wrote notes and one-off mails, who closed to-dos, weekly digests

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-29
"""
from alembic import op
import sqlalchemy as sa


revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('users',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('email', sa.String(length=320), nullable=False),
    sa.Column('role', sa.String(length=16), nullable=False),
    sa.Column('password_hash', sa.String(length=200), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('last_login_at', sa.DateTime(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_users')),
    sa.UniqueConstraint('email', name=op.f('uq_users_email'))
    )
    with op.batch_alter_table('campaigns', schema=None) as batch_op:
        batch_op.add_column(sa.Column('digest_week', sa.String(length=10), nullable=True))
    with op.batch_alter_table('partners', schema=None) as batch_op:
        batch_op.add_column(sa.Column('last_activity_at', sa.DateTime(), nullable=True))
        batch_op.create_index(batch_op.f('ix_partners_last_activity_at'), ['last_activity_at'], unique=False)
    op.execute("UPDATE partners SET last_activity_at = "
               "(SELECT max(occurred_at) FROM interactions WHERE interactions.partner_id = partners.id)")
    with op.batch_alter_table('interactions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('author', sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column('returns_on', sa.Date(), nullable=True))
        batch_op.create_index('ix_interactions_partner_id_occurred_at', ['partner_id', 'occurred_at'], unique=False)
    with op.batch_alter_table('steps', schema=None) as batch_op:
        batch_op.add_column(sa.Column('subject', sa.String(length=998), nullable=True))
        batch_op.add_column(sa.Column('body', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('created_by', sa.String(length=200), nullable=True))
    with op.batch_alter_table('todos', schema=None) as batch_op:
        batch_op.add_column(sa.Column('done_by', sa.String(length=200), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('todos', schema=None) as batch_op:
        batch_op.drop_column('done_by')
    with op.batch_alter_table('steps', schema=None) as batch_op:
        batch_op.drop_column('created_by')
        batch_op.drop_column('body')
        batch_op.drop_column('subject')
    with op.batch_alter_table('interactions', schema=None) as batch_op:
        batch_op.drop_index('ix_interactions_partner_id_occurred_at')
        batch_op.drop_column('returns_on')
        batch_op.drop_column('author')
    with op.batch_alter_table('partners', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_partners_last_activity_at'))
        batch_op.drop_column('last_activity_at')
    with op.batch_alter_table('campaigns', schema=None) as batch_op:
        batch_op.drop_column('digest_week')
    op.drop_table('users')
