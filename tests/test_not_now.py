"""A partner says "not now": no invitation, their follow-ups stop, and on the day they meant
a short follow-up (the `later` template, in their language, in the same thread) goes out."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from email.message import EmailMessage
from email.policy import SMTP

from outreach.campaign import load_campaign
from outreach.db.types import utcnow
from outreach.inbound.message import Fetched
from outreach.rendering import Renderer
from outreach.services import campaigns, inbox
from tests.support.campaigns import campaign_settings, write_campaign
from tests.test_sending_rules import Clock, FakeOutbox, run_tick, send_all

START = datetime(2026, 11, 30, 9, 0, tzinfo=timezone.utc)  # a Monday


def test_not_now_pauses_until_the_day_then_a_short_follow_up_in_their_language(uow, tmp_path):
    partners = [{"name": "Stadtwerke Südheide", "country": "DE", "partnership_types": ["training"],
                 "contacts": [{"name": "Jürgen Schäfer", "email": "j@suedheide.test", "language": "de"}]}]
    settings = campaign_settings("later", 1, 1, partners, sequence=[{"name": "follow-up-1", "after_business_days": 5}])
    settings["meeting"] = {"auto_invite": True}
    campaigns.queue(uow.session, load_campaign(write_campaign(tmp_path, settings)), Renderer(), START)
    uow.commit()
    outbox, clock = FakeOutbox(), Clock(START)
    send_all(uow, outbox, clock, run_tick(uow, outbox, clock))
    [first] = outbox.sent
    answer = EmailMessage(policy=SMTP)
    answer["From"], answer["To"], answer["Subject"] = "j@suedheide.test", "vet@school.test", "AW: " + first["Subject"]
    answer["Message-ID"], answer["In-Reply-To"] = "<answer@suedheide.test>", first["Message-ID"]
    answer.set_content("Leider haben wir derzeit keine Kapazitäten. Melden Sie sich gerne im März wieder.")
    [inbound_id] = inbox.store(uow, tmp_path, "vet@school.test", "INBOX", 1, [Fetched(1, answer.as_bytes(), START)], 1,
                               utcnow())
    outcome = inbox.process(uow, inbound_id, START + timedelta(hours=1))
    assert outcome.status == "processed"
    assert not any(type(event).__name__ == "SendMeeting" for event in outcome.events)  # no invitation
    while clock.now < datetime(2027, 3, 5, tzinfo=timezone.utc):
        send_all(uow, outbox, clock, run_tick(uow, outbox, clock))
        clock.now += timedelta(hours=6)
    assert len(outbox.sent) == 2  # the follow-up was stopped by the reply; then the short one in March
    later = outbox.sent[1]
    sent_on = datetime.strptime(later["Date"], "%a, %d %b %Y %H:%M:%S %z")
    assert sent_on.date().isoformat().startswith("2027-03-0")
    text = later.get_body(("plain",)).get_content()
    assert "Guten Tag Jürgen Schäfer" in text and "noch einmal" in text
    assert later["In-Reply-To"] == first["Message-ID"] and later["Subject"] == "Re: " + first["Subject"]
