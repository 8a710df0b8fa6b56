"""The first free meeting slot (pure)."""

from datetime import UTC, date, datetime, timedelta

from outreach.campaign.model import Availability
from outreach.domain.slots import first_free_slot, working_days_after

HOUR = timedelta(minutes=45)
MONDAY = datetime(2027, 3, 1, 8, 0, tzinfo=UTC)  # 09:00 in Berlin


def test_working_days_skip_weekends_and_holidays():
    assert working_days_after(date(2027, 3, 5), 1, set()) == date(2027, 3, 8)  # Friday -> Monday
    assert working_days_after(date(2027, 3, 5), 1, {date(2027, 3, 8)}) == date(2027, 3, 9)


def test_the_first_free_slot_respects_days_hours_lead_time_holidays_and_other_meetings():
    availability = Availability(
        days=["tue", "wed", "thu"], start="10:00", end="16:00", min_working_days_ahead=3, holidays=[date(2027, 3, 4)]
    )
    slot = first_free_slot(MONDAY, availability, "Europe/Berlin", HOUR, [])
    assert slot == datetime(
        2027, 3, 9, 10, 0, tzinfo=slot.tzinfo
    )  # Thu 4th is a holiday; 3 working days -> Fri 5th; next Tue
    busy = [(datetime(2027, 3, 9, 9, 0, tzinfo=UTC), datetime(2027, 3, 9, 10, 0, tzinfo=UTC))]
    assert first_free_slot(MONDAY, availability, "Europe/Berlin", HOUR, busy).hour == 11
    after = first_free_slot(MONDAY, availability, "Europe/Berlin", HOUR, [], after=slot)
    assert after == slot + timedelta(minutes=30)
    late = Availability(days=["mon"], start="15:30", end="16:00", min_working_days_ahead=0)
    assert first_free_slot(MONDAY, late, "Europe/Berlin", HOUR, []) is None  # 45 minutes never fit
