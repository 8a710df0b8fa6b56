"""A partner says "not now": no invitation, their follow-ups stop, and on the day they meant
a short follow-up (the `later` template, in their language, in the same thread) goes out."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from tests.test_answer_mails import first_mail_and_answer
from tests.test_sending_rules import run_tick, send_all


def test_not_now_pauses_until_the_day_then_a_short_follow_up_in_their_language(uow, tmp_path):
    outbox, clock, first = first_mail_and_answer(
        uow, tmp_path, "Im Moment passt es leider nicht. Kommen Sie bitte im März noch einmal auf uns zu."
    )
    while clock.now < datetime(2027, 3, 5, tzinfo=UTC):
        send_all(uow, outbox, clock, run_tick(uow, outbox, clock))
        clock.now += timedelta(hours=6)
    assert len(outbox.sent) == 2  # the follow-up was stopped by the reply; then the short one in March
    later = outbox.sent[1]
    sent_on = datetime.strptime(later["Date"], "%a, %d %b %Y %H:%M:%S %z")
    assert sent_on.date().isoformat().startswith("2027-03-0")
    text = later.get_body(("plain",)).get_content()
    assert "Sehr geehrter Herr Schäfer" in text and "noch einmal" in text
    assert later["In-Reply-To"] == first["Message-ID"] and later["Subject"] == "Re: " + first["Subject"]
