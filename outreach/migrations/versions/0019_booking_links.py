"""booking links: a contact's own link to pick the first exploration meeting's slot

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-04
"""

import sqlalchemy as sa
from alembic import op

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "booking_links",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token", sa.String(length=64), nullable=False),
        sa.Column("partner_id", sa.Integer(), nullable=False),
        sa.Column("contact_id", sa.Integer(), nullable=False),
        sa.Column("campaign_id", sa.Integer(), nullable=False),
        sa.Column("step_id", sa.Integer(), nullable=True),
        sa.Column("meeting_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("expires_at", sa.DateTime(), nullable=False),
        sa.Column("picked_at", sa.DateTime(), nullable=True),
        sa.Column("picks", sa.Integer(), server_default="0", nullable=False),
        sa.ForeignKeyConstraint(
            ["partner_id"], ["partners.id"], name=op.f("fk_booking_links_partner_id_partners"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["contact_id"], ["contacts.id"], name=op.f("fk_booking_links_contact_id_contacts"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["campaign_id"], ["campaigns.id"], name=op.f("fk_booking_links_campaign_id_campaigns"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(["step_id"], ["steps.id"], name=op.f("fk_booking_links_step_id_steps"), ondelete="SET NULL"),
        sa.ForeignKeyConstraint(
            ["meeting_id"], ["meetings.id"], name=op.f("fk_booking_links_meeting_id_meetings"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_booking_links")),
        sa.UniqueConstraint("token", name=op.f("uq_booking_links_token")),
    )
    with op.batch_alter_table("booking_links") as batch:
        batch.create_index(batch.f("ix_booking_links_partner_id"), ["partner_id"], unique=False)
        batch.create_index(batch.f("ix_booking_links_contact_id"), ["contact_id"], unique=False)
        batch.create_index(batch.f("ix_booking_links_step_id"), ["step_id"], unique=False)


def downgrade() -> None:
    op.drop_table("booking_links")
