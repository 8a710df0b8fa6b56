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
    with op.batch_alter_table('interactions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('author', sa.String(length=200), nullable=True))
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
        batch_op.drop_column('author')
    with op.batch_alter_table('campaigns', schema=None) as batch_op:
        batch_op.drop_column('digest_week')
    op.drop_table('users')
