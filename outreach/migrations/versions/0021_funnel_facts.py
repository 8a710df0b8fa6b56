"""funnel facts: each campaign's partners with the first time each was heard back from and their
meetings, and the replies per day, kept as the logbook is written (Reports counts these, not every
mail and meeting), filled here from the logbook as it stands; what each campaign sent, from an index

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-12
"""

import sqlalchemy as sa
from alembic import op

revision = "0021"
down_revision = "0020"
branch_labels = None
depends_on = None

# As outreach/db/outcomes.py builds them: a partner is a campaign's once it has a first contact in
# it; what was heard is mail in (not history) of four kinds, from any campaign; the meetings are the
# campaign's with the partner, and those an attendee accepted.
CAMPAIGN_PARTNERS = """
INSERT INTO campaign_partners (campaign_id, partner_id, replied_at, bounced_at, out_of_office_at, opted_out_at,
    meetings_invited, meetings_accepted)
SELECT m.campaign_id, m.partner_id, h.replied_at, h.bounced_at, h.out_of_office_at, h.opted_out_at,
    coalesce(t.invited, 0), coalesce(t.accepted, 0)
FROM (SELECT DISTINCT campaign_id, partner_id FROM steps WHERE name = 'first_contact') m
LEFT OUTER JOIN (
    SELECT partner_id,
        min(CASE WHEN kind = 'email' THEN occurred_at END) AS replied_at,
        min(CASE WHEN kind = 'bounce' THEN occurred_at END) AS bounced_at,
        min(CASE WHEN kind = 'auto_reply' THEN occurred_at END) AS out_of_office_at,
        min(CASE WHEN kind = 'opt_out' THEN occurred_at END) AS opted_out_at
    FROM interactions
    WHERE direction = 'in' AND history = false AND kind IN ('email', 'bounce', 'auto_reply', 'opt_out')
    GROUP BY partner_id
) h ON h.partner_id = m.partner_id
LEFT OUTER JOIN (
    SELECT campaign_id, partner_id, count(*) AS invited,
        count(CASE WHEN EXISTS (SELECT 1 FROM meeting_attendees a
            WHERE a.meeting_id = meetings.id AND a.partstat = 'ACCEPTED') THEN 1 END) AS accepted
    FROM meetings
    GROUP BY campaign_id, partner_id
) t ON t.campaign_id = m.campaign_id AND t.partner_id = m.partner_id
"""
REPLIES_PER_DAY = """
INSERT INTO replies_per_day (day, replies)
SELECT date(occurred_at), count(*) FROM interactions
WHERE direction = 'in' AND kind = 'email' AND history = false
GROUP BY date(occurred_at)
"""


def upgrade() -> None:
    op.create_table(
        "campaign_partners",
        sa.Column("campaign_id", sa.Integer(), nullable=False),
        sa.Column("partner_id", sa.Integer(), nullable=False),
        sa.Column("replied_at", sa.DateTime(), nullable=True),
        sa.Column("bounced_at", sa.DateTime(), nullable=True),
        sa.Column("out_of_office_at", sa.DateTime(), nullable=True),
        sa.Column("opted_out_at", sa.DateTime(), nullable=True),
        sa.Column("meetings_invited", sa.Integer(), nullable=False),
        sa.Column("meetings_accepted", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["campaign_id"], ["campaigns.id"], name=op.f("fk_campaign_partners_campaign_id_campaigns"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["partner_id"], ["partners.id"], name=op.f("fk_campaign_partners_partner_id_partners"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("campaign_id", "partner_id", name=op.f("pk_campaign_partners")),
    )
    with op.batch_alter_table("campaign_partners") as batch:
        batch.create_index(batch.f("ix_campaign_partners_partner_id"), ["partner_id"], unique=False)
    op.create_table(
        "replies_per_day",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("replies", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("day", name=op.f("pk_replies_per_day")),
    )
    op.execute(CAMPAIGN_PARTNERS)
    op.execute(REPLIES_PER_DAY)
    op.create_index("ix_steps_campaign_status_name", "steps", ["campaign_id", "status", "name"])


def downgrade() -> None:
    op.drop_index("ix_steps_campaign_status_name", table_name="steps")
    op.drop_table("replies_per_day")
    op.drop_table("campaign_partners")
