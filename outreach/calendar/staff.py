"""Staff's own calendar over CalDAV (the `caldav` library): a meeting is put in it when invited
or moved and removed when cancelled; its busy times are read so that the automatic slot avoids
them. A calendar that cannot be reached never stops an invitation: the caller is told why."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from icalendar import Calendar

from outreach.campaign.model import StaffCalendar
from outreach.errors import OutreachError
from outreach.mail.secrets import resolve


class CalendarUnavailable(OutreachError):
    exit_code = 4


def _calendar(spec: StaffCalendar) -> tuple[Any, Any]:
    from caldav.davclient import DAVClient

    password = resolve(spec.auth).value if spec.auth else None
    url = str(spec.url)
    client: Any = DAVClient(
        url=url,
        username=spec.auth.username if spec.auth else None,
        password=password,
        ssl_verify_cert=spec.verify_certificates,
        require_tls=url.startswith("https:"),
        timeout=20,
    )
    return client, client.calendar(url=url)


def _stored(ics: bytes) -> str:
    """A calendar object as CalDAV keeps it: no iTIP METHOD (RFC 4791, 4.1)."""
    calendar = Calendar.from_ical(ics)
    calendar.pop("METHOD", None)
    return bytes(calendar.to_ical()).decode()


def put(spec: StaffCalendar, uid: str, ics: bytes, cancelled: bool) -> None:
    """The meeting as it now is: saved (same UID: updated in place), or removed when cancelled."""
    try:
        client, calendar = _calendar(spec)
        with client:
            if cancelled:
                try:
                    calendar.object_by_uid(uid).delete()
                except Exception as error:  # already gone: nothing to remove
                    if "NotFound" not in type(error).__name__:
                        raise
                return
            calendar.save_event(_stored(ics), increase_seqno=False)  # our SEQUENCE is the one the partner saw
    except CalendarUnavailable:
        raise
    except Exception as error:
        raise CalendarUnavailable(f"the staff calendar {spec.url} could not be updated: {error}") from None


def busy(spec: StaffCalendar, start: datetime, end: datetime) -> list[tuple[datetime, datetime]]:
    """Busy times (UTC) between start and end: opaque, not cancelled events, recurrences expanded."""
    try:
        client, calendar = _calendar(spec)
        with client:
            found = calendar.search(start=start, end=end, event=True, expand=True)
            times = []
            for item in found:
                for event in Calendar.from_ical(item.data).walk("VEVENT"):
                    if (
                        str(event.get("TRANSP", "OPAQUE")).upper() == "TRANSPARENT"
                        or str(event.get("STATUS", "")).upper() == "CANCELLED"
                    ):
                        continue
                    times.append((_utc(event.decoded("DTSTART")), _utc(event.decoded("DTEND"))))
            return times
    except Exception as error:
        raise CalendarUnavailable(f"the staff calendar {spec.url} could not be read: {error}") from None


def _utc(moment: date | datetime) -> datetime:
    if not isinstance(moment, datetime):  # an all-day event: busy from its day's start
        moment = datetime(moment.year, moment.month, moment.day)
    aware = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return aware.astimezone(UTC)
