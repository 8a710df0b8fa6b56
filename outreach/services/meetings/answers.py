"""An attendee's answer shown wherever the meeting is: staff's own calendar (CalDAV) carries
each attendee's PARTSTAT as recorded, with the meeting's UID and SEQUENCE unchanged (an answer
is no new version of the meeting). Without a staff calendar nothing is asked for."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from outreach.calendar.invite import build
from outreach.db.models import Campaign, Meeting
from outreach.rendering import Renderer
from outreach.services.events import Event, ShowAnswers
from outreach.services.meetings.invitations import into_staff_calendar, plan_of
from outreach.settings.campaigns import settings_of


def show_answers(session: Session, meeting: Meeting) -> list[Event]:
    """What an answer recorded on the meeting asks for after the commit: its staff calendar
    copy put again, where the meeting's campaign names a staff calendar."""
    if meeting.campaign_id is None or meeting.status != "invited":
        return []
    settings = settings_of(session.get_one(Campaign, meeting.campaign_id))
    return [ShowAnswers(meeting.id)] if settings.meeting.staff_calendar is not None else []


def answers_into_staff_calendar(uow, meeting: Meeting, renderer: Renderer, now: datetime) -> None:
    """The meeting in staff's calendar as it stands, each attendee's answer as recorded; an
    unreachable calendar raises the calendar to-do, as a sent invitation does."""
    if meeting.campaign_id is None or meeting.status != "invited":
        return
    settings = settings_of(uow.session.get_one(Campaign, meeting.campaign_id))
    if settings.meeting.staff_calendar is None:
        return
    into_staff_calendar(uow, settings, meeting, build(plan_of(meeting, settings, renderer, now)), now)
