"""Meetings in the partner's time (issue 21): slots lie in our availability and their working
hours where they are (the contact's zone, else their country's main zone), a partner with no
common hour gets a to-do with the nearest options instead of a night-time slot, and the mail
states the time where the reader is, ours beside it, places named as people name them."""

from __future__ import annotations

import email
import json
import re
from datetime import UTC, datetime, time, timedelta
from email.policy import default
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from outreach.campaign import load_campaign
from outreach.campaign.model import Availability
from outreach.db.models import Campaign, Partner, Todo
from outreach.domain.places import partner_zone, zone_words
from outreach.domain.slots import TheirHours, free_slots, nearest_options
from outreach.rendering import Renderer
from outreach.services.meetings import invitations as meetings
from outreach.services.outbound import campaigns
from tests.support.campaigns import campaign_settings, write_campaign
from tests.support.services import closed_port
from tests.test_web_forms import web  # noqa: F401  (the fixture)

BERLIN, NEW_YORK, TOKYO = "Europe/Berlin", "America/New_York", "Asia/Tokyo"
MONDAY = datetime(2027, 3, 1, 8, 0, tzinfo=UTC)
MINUTES_45 = timedelta(minutes=45)
PARTNERS = [
    {
        "name": "Hudson Training Inc.",
        "partnership_types": ["training"],
        "contacts": [{"name": "Dana Miller", "email": "dana@hudson.test", "timezone": NEW_YORK}],
    },
    {
        "name": "Logística Atlântica",
        "country": "PT",
        "partnership_types": ["training"],
        "contacts": [{"name": "Rita Costa", "email": "rita@atlantica.test", "language": "pt"}],
    },
    {
        "name": "Sakura Kogyo",
        "country": "JP",
        "partnership_types": ["training"],
        "contacts": [{"name": "Kenji Sato", "email": "kenji@sakura.test"}],
    },
    {
        "name": "Early Birds Ltd",
        "country": "US",
        "working_hours": "07:00-15:00",
        "partnership_types": ["training"],
        "contacts": [{"name": "Sam Early", "email": "sam@early.test"}],
    },
]


def queued(uow, tmp_path):
    settings = campaign_settings("zones", closed_port(), closed_port(), PARTNERS, sending__timezone=BERLIN)
    settings["institution"]["city"] = "Hamburg"
    campaigns.queue(uow.session, load_campaign(write_campaign(tmp_path, settings)), Renderer(), MONDAY)
    uow.commit()
    return uow.session.scalar(sa.select(Campaign))


def partner(uow, name: str) -> Partner:
    return uow.session.scalar(sa.select(Partner).where(Partner.name == name))


# --- the pure parts ---------------------------------------------------------------------------


def test_a_slot_lies_in_both_parties_hours_and_never_at_night_there():
    ours = Availability(days=["tue", "wed", "thu"], start=time(10), end=time(16), min_working_days_ahead=1)
    new_york = TheirHours(NEW_YORK)
    starts = free_slots(MONDAY, ours, BERLIN, MINUTES_45, [], theirs=new_york, count=4)
    assert [s.astimezone(ZoneInfo(NEW_YORK)).strftime("%a %H:%M") for s in starts] == [
        "Tue 09:00",
        "Wed 09:00",
        "Thu 09:00",
        "Tue 09:00",
    ]
    assert all(s.astimezone(ZoneInfo(BERLIN)).hour == 15 for s in starts)
    tokyo = TheirHours(TOKYO)
    assert free_slots(MONDAY, ours, BERLIN, MINUTES_45, [], theirs=tokyo, count=3) == []
    nearest = nearest_options(MONDAY, ours, BERLIN, MINUTES_45, [], tokyo)
    # Berlin's 10:00 is 18:00 in Tokyo until the clocks change on 28 March, 17:00 after: nearest first.
    assert [n.astimezone(ZoneInfo(TOKYO)).strftime("%m-%d %H:%M") for n in nearest] == [
        "03-30 17:00",
        "03-31 17:00",
        "04-01 17:00",
    ]
    night_owls = TheirHours("Pacific/Auckland")  # our 10:00-16:00 is 22:00-04:00 there
    assert nearest_options(MONDAY, ours, BERLIN, MINUTES_45, [], night_owls) == []


def test_the_partners_zone_and_the_words_for_it():
    assert partner_zone(NEW_YORK, "DE", BERLIN) == NEW_YORK
    assert partner_zone(None, "US", BERLIN) == NEW_YORK
    assert partner_zone(None, "PT", BERLIN) == "Europe/Lisbon"
    assert partner_zone(None, None, BERLIN) == BERLIN
    moment = datetime(2027, 3, 9, 14, 0, tzinfo=UTC)
    assert zone_words(moment, NEW_YORK, BERLIN, "en", "Hamburg") == "New York time, 15:00 in Hamburg"
    assert zone_words(moment, "Europe/Lisbon", BERLIN, "pt") == "hora de Lisboa; 15:00 em Berlim"
    assert zone_words(moment, "Europe/Paris", BERLIN, "fr") == "heure de Paris"  # the same clock: ours not said
    assert zone_words(moment, "Europe/Amsterdam", BERLIN, "de") == "Ortszeit Amsterdam"


# --- the command line, the to-do, the mail ----------------------------------------------------


def test_slots_for_new_york_lisbon_and_tokyo_and_the_invitation_in_their_time(uow, tmp_path, cli, monkeypatch):
    queued(uow, tmp_path)
    monkeypatch.setattr("outreach.cli.meeting.utcnow", lambda: MONDAY)
    answer = cli("meeting", "slots", "dana@hudson.test", "--count", "3", "--json")
    assert answer.code == 0, answer
    slots = json.loads(answer.out)
    assert len(slots) == 3
    for slot in slots:
        start, local = datetime.fromisoformat(slot["start"]), datetime.fromisoformat(slot["partner_local"])
        assert start == local and start.utcoffset() == timedelta(hours=1) and local.utcoffset() == timedelta(hours=-5)
        assert time(9) <= local.time() and (local + MINUTES_45).time() <= time(17)
    lisbon = json.loads(cli("meeting", "slots", "rita@atlantica.test", "--json").out)
    assert datetime.fromisoformat(lisbon[0]["partner_local"]).strftime("%H:%M %z") == "09:00 +0000"
    early = json.loads(cli("meeting", "slots", "sam@early.test", "--json").out)  # their own hours
    assert {datetime.fromisoformat(s["partner_local"]).strftime("%H:%M") for s in early} == {"07:00", "07:30", "08:00"}

    tokyo = cli("meeting", "slots", "kenji@sakura.test", "--json")
    assert tokyo.code == 0 and json.loads(tokyo.out) == []
    assert "no hour of our meeting availability falls in their working hours (09:00-17:00 Asia/Tokyo)" in tokyo.err

    preview = cli("meeting", "invite", "dana@hudson.test", "--dry-run", "--out", tmp_path / "preview")
    assert preview.code == 0, preview
    [eml] = (tmp_path / "preview").glob("*.eml")
    text = email.message_from_bytes(eml.read_bytes(), policy=default).get_body(("plain",)).get_content()
    assert "at 09:00 (New York time, 15:00 in Hamburg)" in text, text
    assert "Europe/Berlin" not in text and "America/New_York" not in text


def test_an_interested_partner_with_no_common_hour_gets_a_person_not_a_night_slot(uow, tmp_path):
    campaign = queued(uow, tmp_path)
    sakura = partner(uow, "Sakura Kogyo")
    try:
        meetings.first_invitation(uow.session, sakura, campaign, MONDAY)
    except meetings.NoCommonHour as problem:
        meetings.ask_for_a_time(uow.session, sakura, problem, MONDAY, "the meeting invitation")
    else:
        raise AssertionError("a Tokyo partner was invited in Berlin's afternoon (their night)")
    uow.commit()
    [todo] = uow.session.scalars(sa.select(Todo).where(Todo.kind == "meeting_time")).all()
    assert "Sakura Kogyo: the meeting invitation was not sent" in todo.text
    assert "nearest: " in todo.text and "Tue 30 Mar 10:00 ours = Tue 17:00 theirs" in todo.text
    assert f"outreach meeting invite {sakura.id} --at" in todo.text


def test_the_invite_form_offers_slots_in_the_partners_time(web, uow, tmp_path, monkeypatch):
    from outreach.db.models import Meeting
    from tests.support.campaigns import PASSWORD_ENV
    from tests.test_web_forms import logged_in, token

    monkeypatch.setenv(PASSWORD_ENV, "x")
    queued(uow, tmp_path)
    hudson, sakura = partner(uow, "Hudson Training Inc."), partner(uow, "Sakura Kogyo")
    browser = logged_in(web)
    page = browser.get(f"/partners/{hudson.id}").text
    assert "free in our hours and in theirs (09:00-17:00, New York time)" in page
    offered = re.findall(r'name="slot" value="([^"]+)"', page)
    assert len(offered) == 3
    shown = re.findall(r"<strong>(\w{3} \d{2} \w{3} \d{2}:\d{2}) in New York</strong>", page)
    assert [s[-5:] for s in shown] == ["09:00"] * 3
    assert "No common hour: no hour of our meeting availability" in browser.get(f"/partners/{sakura.id}").text

    answer = browser.post(  # the campaign's mail server does not answer: the meeting is kept, a to-do says so
        f"/partners/{hudson.id}/meeting", data={"csrf": token(browser, f"/partners/{hudson.id}"), "slot": offered[1]}
    )
    assert answer.status_code in (400, 502)
    uow.session.expire_all()
    meeting = uow.session.scalar(sa.select(Meeting).where(Meeting.partner_id == hudson.id))
    assert meeting.start_at == datetime.fromisoformat(offered[1])
    assert uow.session.scalar(sa.select(Todo.id).where(Todo.kind == "meeting_not_sent")) is not None


def test_the_invite_form_in_a_browser(web, uow, tmp_path):
    """The offered slots as an officer sees them (Chromium, 1280 and 375 px, axe-core)."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    from tests.support.browser import WebServer, axe_violations, chromium, screenshot
    from tests.support.mailboxes import wait_for
    from tests.test_web_forms import PASS

    queued(uow, tmp_path)
    hudson = partner(uow, "Hudson Training Inc.")
    browser = chromium()
    try:
        with WebServer(web) as server:
            browser.get(server.url + "/login")
            browser.find_element(By.ID, "email").send_keys("officer@school.test")
            browser.find_element(By.ID, "password").send_keys(PASS, Keys.ENTER)
            wait_for(lambda: "/login" not in browser.current_url, what="the login")
            browser.get(f"{server.url}/partners/{hudson.id}")
            legend = browser.find_element(By.CSS_SELECTOR, "form[action$='/meeting'] legend").text
            assert "free in our hours and in theirs (09:00-17:00, New York time)" in legend
            assert len(browser.find_elements(By.CSS_SELECTOR, "input[name=slot]")) == 3
            assert not axe_violations(browser)
            for width in (1280, 375):
                screenshot(browser, "partner-invite-slots", width)
    finally:
        browser.quit()
