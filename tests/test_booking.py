"""The booking page (issue 21): with `meeting.booking`, an interested partner is answered with a
mail carrying their own link; the page (no login) offers free slots in both parties' hours in
the partner's zone and language; a pick sends the .ics invitation with the agenda, a second pick
moves the same meeting; the link expires. In Chromium, against Dovecot and a real SMTP relay."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from email.policy import SMTP

import icalendar
import pytest
import sqlalchemy as sa
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

from outreach.campaign import load_campaign
from outreach.db.models import BookingLink, Campaign, Meeting, Partner, Step
from outreach.db.types import utcnow
from outreach.inbound.message import Fetched
from outreach.rendering import Renderer
from outreach.services.inbound import inbox
from outreach.services.meetings import booking
from outreach.services.outbound import campaigns
from tests.support.browser import WebServer, axe_violations, chromium, main_text, screenshot
from tests.support.campaigns import campaign_settings, write_campaign
from tests.support.mailboxes import messages, new_address, wait_for
from tests.test_sending_rules import Clock, FakeOutbox, run_tick, send_all
from tests.test_web_forms import web  # noqa: F401  (the fixture)

START = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)  # a Monday
WORKSPACE = "https://outreach.school.test"


def settings_for(address: str, smtp_port: int, imap_port: int) -> dict:
    partners = [
        {
            "name": "Logística Atlântica",
            "country": "PT",
            "partnership_types": ["training"],
            "contacts": [{"name": "Rita Costa", "salutation": "Sra.", "email": address, "language": "pt"}],
        }
    ]
    settings = campaign_settings("booking", smtp_port, imap_port, partners, sending__timezone="Europe/Berlin")
    settings["meeting"] = {"auto_invite": "always", "booking": True, "workspace_url": WORKSPACE}
    return settings


def answered(uow, tmp_path, address: str, text: str):
    """The first contact sent, and the partner's reply processed."""
    settings = settings_for(address, 1, 1)
    campaigns.queue(uow.session, load_campaign(write_campaign(tmp_path, settings)), Renderer(), START)
    uow.commit()
    outbox, clock = FakeOutbox(), Clock(START)
    send_all(uow, outbox, clock, run_tick(uow, outbox, clock))
    [first] = outbox.sent
    answer = EmailMessage(policy=SMTP)
    answer["From"], answer["To"], answer["Subject"] = address, "vet@school.test", "RE: " + first["Subject"]
    answer["Message-ID"], answer["In-Reply-To"] = "<answer@atlantica.test>", first["Message-ID"]
    answer.set_content(text)
    [inbound_id] = inbox.store(
        uow, tmp_path, "vet@school.test", "INBOX", 1, [Fetched(1, answer.as_bytes(), START)], 1, utcnow()
    )
    clock.now = START + timedelta(hours=1)
    outcome = inbox.process(uow, inbound_id, clock.now)
    assert outcome.status == "processed"
    assert not any(type(event).__name__ == "SendMeeting" for event in outcome.events)  # they pick the time
    return outbox, clock


def test_an_interested_partner_gets_their_link_and_books_then_moves(uow, tmp_path):
    address = "rita@atlantica.test"
    outbox, clock = answered(uow, tmp_path, address, "Olá! Sim, com todo o gosto. Vamos marcar uma reunião.")
    step = uow.session.scalar(sa.select(Step).where(Step.template == "booking"))
    assert step is not None, "the answer to an interested partner is the booking mail"
    send_all(uow, outbox, clock, run_tick(uow, outbox, clock))
    mail = outbox.sent[-1]
    text = mail.get_body(("plain",)).get_content()
    link = uow.session.scalar(sa.select(BookingLink))
    assert f"{WORKSPACE}/book/{link.token}" in text and len(link.token) >= 40
    assert text.startswith("Exma. Sra. Costa,") and "na sua hora local" in text
    assert mail["Subject"].startswith("Re: ")  # in the conversation

    now = START + timedelta(hours=2)
    page = booking.page(uow.session, link, now)
    assert page.language == "pt" and page.city == "Lisboa" and page.booked is None
    assert 3 <= len(page.choices) <= 6
    assert all(re.search(r"\b(09|1[0-6]):\d\d$", c.words) for c in page.choices), page.choices  # Lisbon hours
    meeting = booking.pick(uow.session, link, page.choices[0].value, now)
    uow.commit()
    assert (meeting.sequence, meeting.start_at) == (0, datetime.fromisoformat(page.choices[0].value))
    again = booking.page(uow.session, link, now)
    assert again.booked is not None and again.choices
    with pytest.raises(booking.TooManyPicks):  # each pick mails the partner: a minute apart at least
        booking.pick(uow.session, link, again.choices[-1].value, now + timedelta(seconds=20))
    now += timedelta(minutes=2)
    again = booking.page(uow.session, link, now)
    moved = booking.pick(uow.session, link, again.choices[-1].value, now)
    uow.commit()
    assert moved.id == meeting.id and moved.sequence == 1
    assert uow.session.scalar(sa.select(sa.func.count()).select_from(Meeting)) == 1

    with pytest.raises(booking.SlotTaken):
        booking.pick(uow.session, link, "2027-01-05T03:00:00+01:00", now + timedelta(minutes=2))  # a night there
    uow.session.rollback()  # as the workspace's unit of work does: a refused pick counts for nothing
    with pytest.raises(booking.LinkExpired):
        booking.find(uow.session, link.token, link.expires_at + timedelta(seconds=1))
    with pytest.raises(booking.NotFound):
        booking.find(uow.session, "x" * 43, now)
    for hostile in ("\x00", "", "x" * 5000, link.token + "x", link.token[:-1]):
        with pytest.raises(booking.NotFound):
            booking.find(uow.session, hostile, now)
    for minute in (4, 6):  # a booking and three moves in all
        choice = booking.page(uow.session, link, now + timedelta(minutes=minute)).choices[0].value
        booking.pick(uow.session, link, choice, now + timedelta(minutes=minute))
    with pytest.raises(booking.TooManyPicks):
        booking.pick(uow.session, link, choice, now + timedelta(hours=1))


def test_a_link_stops_acting_when_what_it_stood_for_ends(uow, tmp_path):
    """Opted out, partner closed, campaign paused, or the meeting it booked cancelled: the link is closed."""
    from outreach.domain.vocabulary import ContactStatus, PartnerStatus
    from outreach.services.meetings import invitations as meetings

    answered(uow, tmp_path, "rita@atlantica.test", "Olá! Sim, com todo o gosto. Vamos marcar uma reunião.")
    link = uow.session.scalar(sa.select(BookingLink))
    now = START + timedelta(hours=2)
    meeting = booking.pick(uow.session, link, booking.page(uow.session, link, now).choices[0].value, now)
    meetings.cancel(meeting)
    uow.commit()
    with pytest.raises(booking.LinkClosed, match="cancelled"):
        booking.find(uow.session, link.token, now)
    meeting.status = "invited"
    for change, undo, why in (
        (
            lambda: setattr(link.contact, "status", ContactStatus.OPTED_OUT),
            lambda: setattr(link.contact, "status", ContactStatus.ACTIVE),
            "opted_out",
        ),
        (
            lambda: setattr(link.partner, "status", PartnerStatus.DECLINED),
            lambda: setattr(link.partner, "status", PartnerStatus.ACTIVE),
            "declined",
        ),
        (
            lambda: setattr(uow.session.get(Campaign, link.campaign_id), "paused_at", now),
            lambda: setattr(uow.session.get(Campaign, link.campaign_id), "paused_at", None),
            "paused",
        ),
    ):
        change()
        uow.commit()
        with pytest.raises(booking.LinkClosed, match=why):
            booking.find(uow.session, link.token, now)
        undo()
        uow.commit()
    assert booking.find(uow.session, link.token, now) is link


def test_picks_at_the_same_moment_make_one_meeting(uow, engine, tmp_path):
    """Eight browsers pick at once (PostgreSQL runs them in parallel): one meeting, never two in a slot."""
    import threading

    from outreach.db.engine import UnitOfWork

    answered(uow, tmp_path, "rita@atlantica.test", "Olá! Sim, com todo o gosto. Vamos marcar uma reunião.")
    token = uow.session.scalar(sa.select(BookingLink.token))
    now = START + timedelta(hours=2)
    choices = booking.page(uow.session, uow.session.scalar(sa.select(BookingLink)), now).choices
    uow.commit()
    start, outcomes = threading.Barrier(8), []

    def pick(index: int) -> None:
        with UnitOfWork(engine) as mine:
            link = booking.find(mine.session, token, now)
            start.wait()
            try:
                booking.pick(mine.session, link, choices[index % len(choices)].value, now)
                mine.commit()
                outcomes.append("booked")
            except (booking.TooManyPicks, booking.SlotTaken) as error:
                outcomes.append(type(error).__name__)
            except Exception as error:  # SQLite: "database is locked" for the ones that wait too long
                outcomes.append(type(error).__name__)

    threads = [threading.Thread(target=pick, args=(i,)) for i in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    uow.session.expire_all()
    assert outcomes.count("booked") == 1, outcomes
    assert uow.session.scalar(sa.select(sa.func.count()).select_from(Meeting)) == 1


def test_the_booking_page_in_a_browser_books_and_moves_and_the_invitation_lands(
    tmp_path, dovecot, smtp_relay, monkeypatch
):
    from tests.support.campaigns import PASSWORD_ENV
    from tests.support.dovecot import PASSWORD
    from worker.app import App

    monkeypatch.setenv(PASSWORD_ENV, PASSWORD)

    address = new_address()
    settings = settings_for(address, smtp_relay.port, dovecot.imap_port)
    settings["mailbox"]["imap"]["append_to_sent"] = False
    clock = [utcnow()]
    app = App(database_url=f"sqlite:///{tmp_path / 'outreach.db'}", data_dir=tmp_path / "data", now=lambda: clock[0])
    browser = chromium()
    try:
        now = clock[0]
        with app.uow() as uow:
            campaigns.queue(uow.session, load_campaign(write_campaign(tmp_path, settings)), Renderer(), now)
            partner = uow.session.scalar(sa.select(Partner))
            link = booking.link_for(
                uow.session, partner, partner.contacts[0], uow.session.scalar(sa.select(Campaign)), now
            )
            uow.commit()
            token = link.token
        with WebServer(app) as server:
            browser.get(f"{server.url}/book/{token}")
            assert browser.find_element(By.TAG_NAME, "html").get_attribute("lang") == "pt"
            main = browser.find_element(By.TAG_NAME, "main").text
            assert "Escolha um horário para a nossa primeira reunião" in main and "hora de Lisboa" in main
            assert not axe_violations(browser)
            for width in (1280, 375):
                screenshot(browser, "booking-page", width)
                overflow = browser.execute_script(
                    "return document.documentElement.scrollWidth - document.documentElement.clientWidth"
                )
                assert overflow <= 1, (width, overflow)
            browser.set_window_size(1280, 900)
            radios = browser.find_elements(By.CSS_SELECTOR, "input[name=slot]")
            assert 3 <= len(radios) <= 6
            chosen = radios[1].get_attribute("value")
            radios[1].send_keys(Keys.SPACE)  # by keyboard: choose, then Enter submits the form
            radios[1].send_keys(Keys.ENTER)
            wait_for(lambda: "Reservado:" in main_text(browser), what="the booking confirmed")
            invitation = wait_for(
                lambda: next((m for m in messages(dovecot, address) if _calendar(m)), None),
                timeout=60,
                what="the invitation in the partner's mailbox",
            )
            event = icalendar.Calendar.from_ical(_calendar(invitation)).walk("VEVENT")[0]
            assert event.decoded("DTSTART").astimezone(UTC) == datetime.fromisoformat(chosen).astimezone(UTC)
            assert "Logística Atlântica" in str(event.get("DESCRIPTION"))  # the guide's agenda
            assert int(event.get("SEQUENCE")) == 0
            screenshot(browser, "booking-booked", 1280)
            screenshot(browser, "booking-booked", 375)

            browser.set_window_size(1280, 900)
            clock[0] += timedelta(minutes=2)  # a minute at least between two picks of one link
            browser.find_elements(By.CSS_SELECTOR, "input[name=slot]")[-1].click()
            browser.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
            wait_for(lambda: "Feito: a reunião passa para" in main_text(browser), what="the meeting moved")
            wait_for(
                lambda: any(
                    int(icalendar.Calendar.from_ical(_calendar(m)).walk("VEVENT")[0].get("SEQUENCE")) == 1
                    for m in messages(dovecot, address)
                    if _calendar(m)
                ),
                timeout=60,
                what="the update (SEQUENCE 1) in the partner's mailbox",
            )
            browser.get(f"{server.url}/book/{'y' * 43}")
            assert "Esta ligação" not in main_text(browser) and "This link is not known" in main_text(browser)
        with app.uow() as uow:
            assert uow.session.scalar(sa.select(sa.func.count()).select_from(Meeting)) == 1
    finally:
        browser.quit()
        app.close()


def _calendar(message) -> bytes | None:
    for part in message.walk():
        if part.get_content_type() == "text/calendar":
            return part.get_payload(decode=True)
    return None


def test_a_reader_of_the_workspace_never_sees_a_link_that_acts(web, uow, tmp_path):
    """The booking mail's preview hides the token from a viewer; an officer sees it, and the
    partner's page lists the working links for officers only."""
    from tests.test_web_forms import logged_in

    answered(uow, tmp_path, "rita@atlantica.test", "Olá! Sim, com todo o gosto. Vamos marcar uma reunião.")
    step = uow.session.scalar(sa.select(Step).where(Step.template == "booking"))
    token = uow.session.scalar(sa.select(BookingLink.token))
    viewer, officer = logged_in(web, "viewer@school.test"), logged_in(web, "officer@school.test")
    shown = viewer.get(f"/steps/{step.id}/preview").text
    assert "/book/•••" in shown and token not in shown
    assert token in officer.get(f"/steps/{step.id}/preview").text
    assert token in officer.get(f"/partners/{step.partner_id}").text
    assert token not in viewer.get(f"/partners/{step.partner_id}").text
    for hostile in ("%00", "x" * 43, "a" * 5000):
        answer = viewer.get(f"/book/{hostile}")
        assert answer.status_code == 404 and answer.headers["x-robots-tag"] == "noindex, nofollow"
