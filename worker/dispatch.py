"""One dispatcher for the events that services return: each event type has its handler.
A handler's failure is logged and never undoes what the service committed."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from outreach.db.models import Campaign
from outreach.errors import OutreachError
from outreach.messages.envelope import staff_notice_message
from outreach.services.events import FileProcessed, SendMeeting, ShowAnswers, TellStaff
from outreach.services.meetings import invitations as meetings
from outreach.services.meetings.answers import answers_into_staff_calendar
from outreach.services.operations import sending_health
from outreach.settings import mailboxes
from outreach.settings.campaigns import settings_of

log = logging.getLogger("outreach.worker")


def tell_staff(app, event: TellStaff) -> None:
    """A notice or the weekly digest to staff; its result tells the mailbox's health."""
    settings = _settings(app, event.campaign_id)
    now = app.now()
    message = staff_notice_message(settings, event, now)
    with app.uow() as uow, sending_health.watched(uow, mailboxes.sending(settings), now, settings.sending.timezone):
        app.outbox(settings).send(message, settings.mailbox.address, [event.to])


def send_meeting(app, event: SendMeeting) -> None:
    with app.uow() as uow:
        meeting = meetings.find(uow.session, event.meeting_id)
        settings = settings_of(uow.session.get(Campaign, meeting.campaign_id))
        meetings.send_invitation(uow, meeting, app.outbox(settings), app.renderer(settings), app.now())


def show_answers(app, event: ShowAnswers) -> None:
    with app.uow() as uow:
        meeting = meetings.find(uow.session, event.meeting_id)
        settings = settings_of(uow.session.get(Campaign, meeting.campaign_id))
        answers_into_staff_calendar(uow, meeting, app.renderer(settings), app.now())


def file_processed(app, event: FileProcessed) -> None:
    settings = _settings(app, event.campaign_id)
    if settings.mailbox.imap.processed_folder:
        app.outbox(settings).move_processed(event.folder, event.uidvalidity, event.uid)


def _settings(app, campaign_id: int):
    with app.uow() as uow:
        return settings_of(uow.session.get(Campaign, campaign_id))


HANDLERS: dict[type, Callable[[Any, Any], None]] = {
    TellStaff: tell_staff,
    SendMeeting: send_meeting,
    ShowAnswers: show_answers,
    FileProcessed: file_processed,
}


def dispatch(app, events) -> None:
    for event in events:
        try:
            HANDLERS[type(event)](app, event)
        except (OutreachError, OSError) as error:  # a refused or missing login too: what the service logged stays
            log.warning("could not %s: %s", type(event).__name__, error)
