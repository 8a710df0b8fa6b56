"""workspace indexes: a page costs what it shows (the Pipeline's columns, the partnerships by
name, Today's check-ins, answers and returns from out of office, the replies Reports counts)

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-10
"""

import sqlalchemy as sa
from alembic import op

revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index(
        "ix_partners_phase_activity",
        "partners",
        ["phase", sa.text("coalesce(last_activity_at, created_at)"), "id"],
    )
    op.create_index("ix_partners_name_id", "partners", ["name", "id"])
    op.create_index("ix_interactions_returns_on", "interactions", ["returns_on"])
    op.create_index(
        "ix_interactions_received", "interactions", ["direction", "kind", "history", "partner_id", "occurred_at"]
    )
    op.create_index("ix_steps_template_due_at", "steps", ["template", "due_at"])
    op.create_index("ix_meeting_attendees_answered_at", "meeting_attendees", ["answered_at"])


def downgrade() -> None:
    op.drop_index("ix_meeting_attendees_answered_at", table_name="meeting_attendees")
    op.drop_index("ix_steps_template_due_at", table_name="steps")
    op.drop_index("ix_interactions_received", table_name="interactions")
    op.drop_index("ix_interactions_returns_on", table_name="interactions")
    op.drop_index("ix_partners_name_id", table_name="partners")
    op.drop_index("ix_partners_phase_activity", table_name="partners")
