"""scouting: the spreadsheet's other columns kept with each partner; influence and interest for the stakeholder matrix; KPIs of partnerships; check-ins as a meeting series; documents attached to one-off mails

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
    op.create_table('kpis',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('partner_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('target', sa.Float(), nullable=False),
    sa.Column('unit', sa.String(length=60), nullable=False),
    sa.Column('due', sa.Date(), nullable=True),
    sa.Column('current', sa.Float(), nullable=True),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('updated_by', sa.String(length=200), nullable=False),
    sa.ForeignKeyConstraint(['partner_id'], ['partners.id'], name=op.f('fk_kpis_partner_id_partners'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_kpis')),
    sa.UniqueConstraint('partner_id', 'name', name='uq_kpis_partner_name')
    )
    with op.batch_alter_table('kpis', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_kpis_partner_id'), ['partner_id'], unique=False)
    with op.batch_alter_table('steps', schema=None) as batch_op:
        batch_op.add_column(sa.Column('attachment_path', sa.String(length=1024), nullable=True))
        batch_op.add_column(sa.Column('about_partner_id', sa.Integer(), nullable=True))
    with op.batch_alter_table('meetings', schema=None) as batch_op:
        batch_op.add_column(sa.Column('kind', sa.String(length=16), nullable=False, server_default='exploration'))
        batch_op.add_column(sa.Column('rrule', sa.String(length=200), nullable=True))
    with op.batch_alter_table('partners', schema=None) as batch_op:
        batch_op.add_column(sa.Column('extra', sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column('partnership', sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column('influence', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('interest', sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('steps', schema=None) as batch_op:
        batch_op.drop_column('about_partner_id')
        batch_op.drop_column('attachment_path')
    with op.batch_alter_table('meetings', schema=None) as batch_op:
        batch_op.drop_column('rrule')
        batch_op.drop_column('kind')
    op.drop_table('kpis')
    with op.batch_alter_table('partners', schema=None) as batch_op:
        batch_op.drop_column('interest')
        batch_op.drop_column('influence')
        batch_op.drop_column('partnership')
        batch_op.drop_column('extra')
