"""The school's own labels for the reply reader: decisions staff took on replies, each with
the reply's new text (issue 20, part 4). The seam `outreach intent retrain` and the worker
call; the decisions themselves are stored by the review work (a later change fills this in).
A school's labels never leave its logbook: they are read here and given to the trainer in
memory only."""

from __future__ import annotations

from sqlalchemy.orm import Session

from outreach.inbound.intent import LabelledReply


def school_labels(session: Session) -> list[LabelledReply]:
    """The decisions staff took on replies, as labelled replies (none stored yet)."""
    return []
