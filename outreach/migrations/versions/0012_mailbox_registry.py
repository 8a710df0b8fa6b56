"""mailbox registry: the administrator's mailboxes (servers, one secret source, health); where each campaign came from

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-06
"""
import re

from alembic import op
import sqlalchemy as sa


revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None

# The workspace read an uploaded file from a fresh TemporaryDirectory (`tmp` and 8 characters);
# a campaign queued from such a folder is taken as uploaded. Its own servers and secret sources
# are then refused at run time (the safe direction); queuing it again from the command line,
# or naming a registered mailbox, brings it back.
UPLOADED = re.compile(r"[/\\]tmp[a-z0-9_]{8}[/\\][^/\\]+$")


def upgrade() -> None:
    op.create_table('mailboxes',
    sa.Column('address', sa.String(length=320), nullable=False),
    sa.Column('display_name', sa.String(length=200), nullable=False),
    sa.Column('reply_to', sa.String(length=320), nullable=True),
    sa.Column('plus_addressing', sa.Boolean(), nullable=False),
    sa.Column('smtp', sa.JSON(), nullable=False),
    sa.Column('imap', sa.JSON(), nullable=False),
    sa.Column('username', sa.String(length=320), nullable=False),
    sa.Column('secret_kind', sa.String(length=32), nullable=False),
    sa.Column('secret_source', sa.Text(), nullable=False),
    sa.Column('authserv_id', sa.JSON(), nullable=True),
    sa.Column('tested_at', sa.DateTime(), nullable=True),
    sa.Column('test_ok', sa.Boolean(), nullable=True),
    sa.Column('test_result', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('address', name=op.f('pk_mailboxes'))
    )
    with op.batch_alter_table('campaigns', schema=None) as batch_op:
        batch_op.add_column(sa.Column('origin', sa.String(length=8), nullable=False, server_default='cli'))
    campaigns = sa.table('campaigns', sa.column('id', sa.Integer), sa.column('source_path', sa.String),
                         sa.column('origin', sa.String))
    connection = op.get_bind()
    uploaded = [row.id for row in connection.execute(sa.select(campaigns.c.id, campaigns.c.source_path))
                if row.source_path and UPLOADED.search(row.source_path)]
    if uploaded:
        connection.execute(campaigns.update().where(campaigns.c.id.in_(uploaded)).values(origin='web'))


def downgrade() -> None:
    with op.batch_alter_table('campaigns', schema=None) as batch_op:
        batch_op.drop_column('origin')
    op.drop_table('mailboxes')
