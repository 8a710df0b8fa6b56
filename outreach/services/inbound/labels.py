"""The school's own labels for the reply reader: decisions staff took on replies, each with
the reply's new text (issue 20, part 4), kept in `reply_labels` by `review.decide`.
`outreach intent retrain` and the worker (at start and weekly) train on them with the shipped
set. A school's labels never leave its logbook: they are read here and given to the trainer
in memory only; no export reads them."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Session

from outreach.db.models import ReplyLabel
from outreach.inbound.intent import LabelledReply


def school_labels(session: Session) -> list[LabelledReply]:
    """The decisions staff took on replies, as labelled replies, oldest first."""
    rows = session.scalars(sa.select(ReplyLabel).order_by(ReplyLabel.id))
    return [
        LabelledReply(
            text=row.text,
            intent=row.intent,
            language=row.language,
            until=row.until.strftime("%Y-%m") if row.until else None,
            referral_name=row.referral_name,
            referral_email=row.referral_email,
            source=f"reply_labels#{row.id}",
        )
        for row in rows
    ]
