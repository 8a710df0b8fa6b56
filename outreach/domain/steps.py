"""The kinds of step a campaign sends, and which step statuses are still to come. A step's
`name` is its place in a campaign's sequence; its `template` names the kind of mail."""

from __future__ import annotations

from enum import StrEnum

from outreach.domain.vocabulary import StepStatus


class StepKind(StrEnum):
    FIRST_CONTACT = "first_contact"  # the first step of every campaign (its name and its template)
    FREE_TEXT = "free_text"  # a one-off mail staff write themselves
    NEXT_STEPS = "next_steps"  # after the exploration meeting (agenda item 5)
    LATER = "later"  # the short follow-up on the day a partner's "not now" meant
    CLOSING = "closing"  # the polite answer to a "no", where the campaign asks for one
    INTRODUCTION = "introduction"  # the first mail to a colleague a partner pointed us to
    INTRODUCTION_REQUEST = "introduction_request"  # asking a mutual contact to introduce us to a partner
    CHECK_IN = "check_in"  # the quarterly check-in of a partnership in maintenance
    BOOKING = "booking"  # answers an interested partner with their link to the booking page


PENDING = (StepStatus.SCHEDULED, StepStatus.QUEUED)  # still to be sent
