"""End to end with the real Dovecot and headless Chromium (issue 20, "done when"): a campaign
is sent through SMTP into Dovecot; an uncertain reply appears on Today and one click on
"Later until 2027-03-01" pauses the partner and schedules the "later" mail; an HTML-only warm
refusal with our mail quoted below it makes no invitation (even with `auto_invite: always`)
and marks the partner declined, off the active board and under the Pipeline's Closed filter.
Today and the Pipeline are screenshot at 1280 and 375 px."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from email.message import EmailMessage
from email.policy import SMTP

import pytest
import sqlalchemy as sa
from selenium.webdriver.common.by import By

from outreach.db.models import InboundMail, Meeting, Partner, ReplyLabel, Step, Todo
from outreach.db.types import utcnow
from outreach.domain.vocabulary import PartnerStatus, Phase, StepStatus
from outreach.services.accounts import users
from outreach.services.accounts.users import Role
from tests.support.browser import WebServer, axe_violations, chromium, main_text, screenshot
from tests.support.mailboxes import wait_for
from tests.test_inbox_watcher import reply, sent_campaign, step_of  # noqa: F401  (the fixture)
from worker.processes import start_watchers

OFFICER, SECRET = "officer@school.test", "a long pass phrase"
LATER = date(2027, 3, 1)
REFUSAL = (
    "Dear Jana,<br><br>Thank you so much for thinking of us, it sounds like a wonderful programme. After "
    "internal discussion, however, we have decided not to pursue this further: our training activities "
    "are fully covered by our existing partners.<br><br>We wish you every success.<br><br>Best regards,"
    "<br>Petra"
)
OURS_QUOTED = (
    "Dear Petra,<br>we would be glad to meet you for a first exploration meeting. Are you interested in "
    "hosting apprentices? Could we meet next week?<br>"
)


def html_reply(sender: str, to: str, in_reply_to: str) -> bytes:
    """HTML only, as Gmail writes it: the new text, then our mail in its quote block."""
    message = EmailMessage(policy=SMTP)
    message["From"], message["To"], message["Subject"] = sender, to, "Re: Proposal for potential collaboration"
    message["Message-ID"] = f"<{uuid.uuid4().hex}@partner.test>"
    message["Date"] = datetime.now(UTC).strftime("%a, %d %b %Y %H:%M:%S +0000")
    message["In-Reply-To"] = message["References"] = in_reply_to
    message.set_content(
        f'<div dir="ltr">{REFUSAL}</div><br><div class="gmail_quote"><div dir="ltr" '
        f'class="gmail_attr">On Mon, 7 Dec 2026 at 10:00, Jana &lt;{to}&gt; wrote:<br></div>'
        f'<blockquote class="gmail_quote" style="margin:0 0 0 .8ex">{OURS_QUOTED}</blockquote></div>',
        subtype="html",
    )
    return message.as_bytes()


@pytest.fixture(scope="module")
def browser():
    driver = chromium()
    yield driver
    driver.quit()


def log_in(driver, base: str) -> None:
    driver.delete_all_cookies()
    driver.get(base + "/login")
    driver.find_element(By.ID, "email").send_keys(OFFICER)
    driver.find_element(By.ID, "password").send_keys(SECRET)
    driver.find_element(By.CSS_SELECTOR, "main form button[type=submit]").click()
    wait_for(lambda: "/login" not in driver.current_url, what="the login")


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
@pytest.mark.parametrize("sent_campaign", [{"meeting": {"auto_invite": "always"}}], indirect=True)
def test_uncertain_reply_decided_in_one_click_and_a_warm_refusal_declines(
    sent_campaign,
    dovecot,
    uow,
    browser,
):
    campaign, app, stop = sent_campaign
    a = campaign.addresses
    with app.uow() as work:
        users.add(work.session, OFFICER, Role.OFFICER, SECRET, utcnow())
        work.commit()
    start_watchers(app, stop, idle_check_seconds=1)
    unsure = "Thanks for your mail. Hmm, we will see what our board thinks."
    dovecot.deliver(
        campaign.sender,
        reply(
            f"Person 0 <{a[0]}>",
            campaign.sender,
            "Re: Proposal for potential collaboration",
            unsure,
            step_of(uow, a[0]).message_id,
        ),
    )
    dovecot.deliver(campaign.sender, html_reply(f"Petra <{a[1]}>", campaign.sender, step_of(uow, a[1]).message_id))

    def processed():
        uow.session.expire_all()
        return (
            uow.session.scalar(
                sa.select(sa.func.count()).select_from(InboundMail).where(InboundMail.status == "processed")
            )
            == 2
        )

    wait_for(processed, timeout=30, what="both replies processed")

    partners = {p.name: p for p in uow.session.scalars(sa.select(Partner))}
    refused = partners["Organisation 1"]
    assert (refused.status, refused.phase) == (PartnerStatus.DECLINED, Phase.FIRST_CONTACT)
    assert uow.session.scalar(sa.select(Meeting)) is None  # "always" invites interested readings only
    [item] = uow.session.scalars(sa.select(Todo).where(Todo.kind == "review_reply")).all()
    assert item.partner_id == partners["Organisation 0"].id and item.reading["acts"] is False

    with WebServer(app) as web:
        log_in(browser, web.url)
        browser.get(web.url + "/")
        review = browser.find_element(By.CSS_SELECTOR, "li.review")
        assert unsure in review.find_element(By.CSS_SELECTOR, ".their-words").text
        assert "Organisation 0" in review.text and "Invite to the meeting" in review.text
        for width in (1280, 375):
            screenshot(browser, "today-review", width)
        browser.set_window_size(1280, 900)
        assert axe_violations(browser) == []

        form = review.find_element(By.CSS_SELECTOR, "form:has(input[name=until])")
        browser.execute_script(
            "arguments[0].value = arguments[1]", form.find_element(By.NAME, "until"), LATER.isoformat()
        )
        assert form.text.startswith("Later until")
        form.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
        wait_for(lambda: "later until 2027-03-01" in main_text(browser), what="the decision said")
        assert not browser.find_elements(By.CSS_SELECTOR, "li.review")

        uow.session.expire_all()
        partner = uow.session.get(Partner, partners["Organisation 0"].id)
        assert (partner.status, partner.later_until, partner.phase) == (
            PartnerStatus.PAUSED,
            LATER,
            Phase.FIRST_CONTACT,
        )
        later = uow.session.scalar(sa.select(Step).where(Step.partner_id == partner.id, Step.template == "later"))
        assert later.status is StepStatus.SCHEDULED and later.due_at.date() == LATER
        [label] = uow.session.scalars(sa.select(ReplyLabel)).all()
        assert (label.intent, label.until, label.decided_by) == ("not_now", LATER, OFFICER)

        browser.get(web.url + "/pipeline")
        board = browser.find_element(By.CSS_SELECTOR, ".board").text
        assert "Later until 2027-03-01" in board and "Organisation 1" not in board
        browser.get(web.url + "/pipeline?board=closed")
        closed = browser.find_element(By.CSS_SELECTOR, ".board").text
        assert "Organisation 1" in closed and "Declined" in closed and "Organisation 0" not in closed
        for width in (1280, 375):
            screenshot(browser, "pipeline-closed", width)
        browser.set_window_size(1280, 900)
        assert axe_violations(browser) == []
