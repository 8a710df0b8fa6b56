"""campaigns and steps

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-28
"""
from alembic import op
import sqlalchemy as sa


revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('campaigns',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=80), nullable=False),
    sa.Column('mailbox', sa.String(length=320), nullable=False),
    sa.Column('settings', sa.JSON(), nullable=False),
    sa.Column('source_path', sa.String(length=1024), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_campaigns')),
    sa.UniqueConstraint('name', name=op.f('uq_campaigns_name'))
    )
    with op.batch_alter_table('campaigns', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_campaigns_mailbox'), ['mailbox'], unique=False)

    op.create_table('steps',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('campaign_id', sa.Integer(), nullable=False),
    sa.Column('partner_id', sa.Integer(), nullable=False),
    sa.Column('contact_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=80), nullable=False),
    sa.Column('template', sa.String(length=80), nullable=False),
    sa.Column('status', sa.Enum('scheduled', 'queued', 'sending', 'sent', 'cancelled', 'failed', 'uncertain', name='stepstatus', native_enum=False, length=32), nullable=False),
    sa.Column('due_at', sa.DateTime(), nullable=False),
    sa.Column('message_id', sa.String(length=998), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('queued_at', sa.DateTime(), nullable=True),
    sa.Column('claimed_at', sa.DateTime(), nullable=True),
    sa.Column('sent_at', sa.DateTime(), nullable=True),
    sa.Column('last_error', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['campaign_id'], ['campaigns.id'], name=op.f('fk_steps_campaign_id_campaigns'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['contact_id'], ['contacts.id'], name=op.f('fk_steps_contact_id_contacts'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['partner_id'], ['partners.id'], name=op.f('fk_steps_partner_id_partners'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_steps')),
    sa.UniqueConstraint('contact_id', 'campaign_id', 'name', name='uq_steps_contact_campaign_name'),
    sa.UniqueConstraint('message_id', name=op.f('uq_steps_message_id'))
    )
    with op.batch_alter_table('steps', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_steps_campaign_id'), ['campaign_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_steps_contact_id'), ['contact_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_steps_partner_id'), ['partner_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_steps_sent_at'), ['sent_at'], unique=False)
        batch_op.create_index('ix_steps_status_due_at', ['status', 'due_at'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('steps', schema=None) as batch_op:
        batch_op.drop_index('ix_steps_status_due_at')
        batch_op.drop_index(batch_op.f('ix_steps_sent_at'))
        batch_op.drop_index(batch_op.f('ix_steps_partner_id'))
        batch_op.drop_index(batch_op.f('ix_steps_contact_id'))
        batch_op.drop_index(batch_op.f('ix_steps_campaign_id'))

    op.drop_table('steps')
    with op.batch_alter_table('campaigns', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_campaigns_mailbox'))

    op.drop_table('campaigns')
