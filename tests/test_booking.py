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
from tests.support.browser import WebServer, axe_violations, chromium, screenshot
from tests.support.campaigns import campaign_settings, write_campaign
from tests.support.mailboxes import messages, new_address, wait_for
from tests.test_sending_rules import Clock, FakeOutbox, run_tick, send_all

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
    moved = booking.pick(uow.session, link, again.choices[-1].value, now)
    uow.commit()
    assert moved.id == meeting.id and moved.sequence == 1
    assert uow.session.scalar(sa.select(sa.func.count()).select_from(Meeting)) == 1

    with pytest.raises(booking.SlotTaken):
        booking.pick(uow.session, link, "2027-01-05T03:00:00+01:00", now)  # never offered: a night in Lisbon
    with pytest.raises(booking.LinkExpired):
        booking.find(uow.session, link.token, link.expires_at + timedelta(seconds=1))
    with pytest.raises(booking.NotFound):
        booking.find(uow.session, "x" * 43, now)


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
    app = App(database_url=f"sqlite:///{tmp_path / 'outreach.db'}", data_dir=tmp_path / "data")
    browser = chromium()
    try:
        now = utcnow()
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
            wait_for(lambda: "Reservado:" in _main_text(browser), what="the booking confirmed")
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
            browser.find_elements(By.CSS_SELECTOR, "input[name=slot]")[-1].click()
            browser.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
            wait_for(lambda: "Feito: a reunião passa para" in _main_text(browser), what="the meeting moved")
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
            assert "Esta ligação" not in _main_text(browser) and "This link is not known" in _main_text(browser)
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


def _main_text(browser) -> str:
    from selenium.common.exceptions import StaleElementReferenceException

    try:
        return browser.find_element(By.TAG_NAME, "main").text
    except StaleElementReferenceException:
        return ""
