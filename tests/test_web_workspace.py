"""The workspace as a person uses it, in a real browser (Debian's headless Chromium): log in
with the keyboard alone, see the pipeline of a played demo, open a partner, add a note, move
it to another phase, hold a follow-up, send a one-off mail that arrives at the test's SMTP
server and in the partner's Dovecot mailbox; a form post without its CSRF token is refused,
and so is any change by a viewer; without a session no page and no download shows partner
data. Every page is screenshot at 1280 and 375 px (see README) and checked with axe-core."""

from __future__ import annotations

import io

import httpx
import pytest
import sqlalchemy as sa
from rich.console import Console
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

from outreach.db.models import Campaign, Interaction, PhaseChange, Step
from outreach.db.types import utcnow
from outreach.domain.vocabulary import InteractionKind, StepStatus
from outreach.resources import EXAMPLE_CAMPAIGN, packaged
from outreach.services.accounts import users
from outreach.services.accounts.users import Role
from tests.support.browser import WebServer, axe_violations, chromium, screenshot
from tests.support.campaigns import PASSWORD_ENV
from tests.support.dovecot import PASSWORD
from tests.support.mailboxes import messages, wait_for

OFFICER, VIEWER, SECRET = "officer@riverside.example", "viewer@riverside.example", "a long pass phrase"
ADMIN = "admin@riverside.example"
PAGES = {
    "today": "/",
    "pipeline": "/pipeline",
    "partner": "/partners/{id}",
    "campaigns": "/campaigns",
    "reports": "/reports",
}


@pytest.fixture(scope="module")
def played(tmp_path_factory, dovecot, smtp_relay):
    """The demo played to its end; then its campaign's mailbox pointed at the test's SMTP
    server and Dovecot, sending at any hour, and two accounts."""
    from worker.app import App
    from worker.demo import Demo

    folder = tmp_path_factory.mktemp("demo") / "outreach-demo"
    assert Demo(packaged(EXAMPLE_CAMPAIGN), folder, Console(file=io.StringIO(), width=120)).run()
    app = App(database_url=f"sqlite:///{folder / 'outreach.db'}", data_dir=folder)
    with app.uow() as uow:
        campaign = uow.session.scalar(sa.select(Campaign))
        settings = dict(campaign.settings)
        settings["mailbox"] = {
            **settings["mailbox"],
            "smtp": {"host": "127.0.0.1", "port": smtp_relay.port, "security": "none"},
            "imap": {**settings["mailbox"]["imap"], "host": "127.0.0.1", "port": dovecot.imap_port, "security": "none"},
            "auth": {"username": settings["mailbox"]["address"], "password_env": PASSWORD_ENV},
        }
        settings["sending"] = {
            **settings["sending"],
            "days": ["mon", "tue", "wed", "thu", "fri", "sat", "sun"],
            "start": "00:00",
            "end": "23:59",
            "seconds_between_messages": 0,
        }
        campaign.settings, campaign.updated_at = settings, utcnow()
        users.add(uow.session, OFFICER, Role.OFFICER, SECRET, utcnow())
        users.add(uow.session, VIEWER, Role.VIEWER, SECRET, utcnow())
        users.add(uow.session, ADMIN, Role.ADMIN, SECRET, utcnow())
        uow.commit()
    yield app
    app.close()


@pytest.fixture(scope="module")
def browser():
    driver = chromium()
    yield driver
    driver.quit()


def log_in(driver, base: str, email: str) -> None:
    """By keyboard alone: type, Tab to the next field, Enter to send."""
    driver.delete_all_cookies()
    driver.get(base + "/login")
    field = driver.find_element(By.ID, "email")
    field.click()
    field.send_keys(email, Keys.TAB)
    active = driver.switch_to.active_element
    assert active.get_attribute("id") == "password"
    active.send_keys(SECRET, Keys.ENTER)
    wait_for(lambda: "/login" not in driver.current_url, what="the login")


def partner_id(app, name: str) -> int:
    from outreach.db.models import Partner

    with app.uow() as uow:
        return uow.session.scalar(sa.select(Partner.id).where(Partner.name == name))


def submit(driver, form_selector: str, **fields) -> None:
    form = driver.find_element(By.CSS_SELECTOR, form_selector)
    for name, value in fields.items():
        element = form.find_element(By.NAME, name)
        if element.tag_name == "select":
            from selenium.webdriver.support.select import Select

            Select(element).select_by_value(value)
        else:
            element.clear()
            element.send_keys(value)
    form.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    wait_for(lambda: gone(form), what="the next page")


def gone(element) -> bool:
    """The element belongs to a page that is no longer shown."""
    try:
        element.tag_name
        return False
    except Exception:  # stale: the browser has moved on
        return True


def test_an_officer_works_through_the_demo_in_the_browser(played, browser, dovecot, smtp_relay, monkeypatch):
    monkeypatch.setenv(PASSWORD_ENV, PASSWORD)
    with WebServer(played) as web:
        log_in(browser, web.url, OFFICER)
        browser.get(web.url + "/pipeline")
        board = browser.find_element(By.CSS_SELECTOR, ".board").text
        for name in ("Nordhafen Logistik GmbH", "Kraków Skills Hub", "Stadtwerke Südheide", "Harbourside Care Trust"):
            assert name in board
        assert [h.text.split()[0] for h in browser.find_elements(By.CSS_SELECTOR, ".column h2")] == [
            "Scouting",
            "First",
            "Proposal",
            "Collaboration",
            "Maintenance",
        ]

        harbour = partner_id(played, "Harbourside Care Trust")
        browser.get(f"{web.url}/partners/{harbour}")
        assert browser.find_element(By.TAG_NAME, "h1").text == "Harbourside Care Trust"
        submit(browser, f"form[action='/partners/{harbour}/note']", text="Met Aoife at the care fair; call in May.")
        assert "note added" in browser.find_element(By.CSS_SELECTOR, ".said").text
        assert "Met Aoife at the care fair" in browser.find_element(By.CSS_SELECTOR, ".timeline").text

        submit(
            browser,
            f"form[action='/partners/{harbour}/move']",
            phase="proposal",
            reason="asked for a proposal by phone",
        )
        assert "Proposal" in browser.find_element(By.CSS_SELECTOR, "main > p.muted").text
        with played.uow() as uow:
            change = uow.session.scalar(
                sa.select(PhaseChange).where(PhaseChange.partner_id == harbour).order_by(PhaseChange.id.desc()).limit(1)
            )
            assert (change.to_phase.value, change.reason, change.by) == (
                "proposal",
                "asked for a proposal by phone",
                OFFICER,
            )

        stadtwerke = partner_id(played, "Stadtwerke Südheide")
        browser.get(f"{web.url}/partners/{stadtwerke}")
        hold = browser.find_element(By.CSS_SELECTOR, "form[action$='/hold'] button")
        step_id = int(hold.find_element(By.XPATH, "..").get_attribute("action").split("/")[-2])
        hold.click()
        wait_for(lambda: gone(hold), what="the page after holding")
        assert "held" in browser.find_element(By.CSS_SELECTOR, ".said").text
        with played.uow() as uow:
            step = uow.session.get(Step, step_id)
            assert step.status is StepStatus.HELD and step.last_error == f"held by {OFFICER}"

        krakow = partner_id(played, "Kraków Skills Hub")
        browser.get(f"{web.url}/partners/{krakow}")
        submit(
            browser,
            f"form[action='/partners/{krakow}/mail']",
            subject="Erasmus+ mobility: your questions",
            text="Dear Mr Nowak,\n\nthank you for your questions; here are our answers.",
        )
        assert "mail queued" in browser.find_element(By.CSS_SELECTOR, ".said").text
        played.tick()  # the scheduler's round: the worker of `outreach run` would send it now
        from worker.processes import start_worker

        worker = start_worker(played, 1)
        try:
            arrived = wait_for(
                lambda: next(
                    (
                        m
                        for m in messages(dovecot, "l.nowak@krakow-skills.example")
                        if m["Subject"] == "Erasmus+ mobility: your questions"
                    ),
                    None,
                ),
                what="the one-off mail in the partner's mailbox",
            )
        finally:
            worker.stop()
        assert "here are our answers" in arrived.get_body(("plain",)).get_content()
        assert arrived["In-Reply-To"]  # threaded to the conversation
        assert any(rcpts == ["l.nowak@krakow-skills.example"] for _, rcpts in smtp_relay.handler.accepted)
        browser.get(web.url + "/")
        assert "Kraków Skills Hub" not in browser.find_element(By.TAG_NAME, "main").text  # answered: off the list
        with played.uow() as uow:
            logged = uow.session.scalar(
                sa.select(Interaction).where(
                    Interaction.partner_id == krakow, Interaction.subject == "Erasmus+ mobility: your questions"
                )
            )
            assert logged is not None and logged.kind is InteractionKind.EMAIL

        nordhafen = partner_id(played, "Nordhafen Logistik GmbH")
        for name, path in PAGES.items():
            browser.get(web.url + path.format(id=nordhafen))
            assert browser.find_element(By.TAG_NAME, "h1").text
            problems = axe_violations(browser)
            assert not problems, (name, [(v["id"], v["help"], [n["target"] for n in v["nodes"]][:3]) for v in problems])
            for width in (1280, 375):
                screenshot(browser, name, width)
                overflow = browser.execute_script(
                    "return document.documentElement.scrollWidth - document.documentElement.clientWidth"
                )
                assert overflow <= 1, (name, width, overflow)  # nothing runs off the side of a phone


def test_csrf_roles_and_sessions(played, browser):
    with WebServer(played) as web:
        with httpx.Client(base_url=web.url) as anonymous:
            for path in (
                "/",
                "/pipeline",
                "/partners/1",
                "/campaigns",
                "/reports",
                "/reports/partners.csv",
                "/reports/partners.xlsx",
                "/inbound/1",
                "/steps/1/preview",
            ):
                answer = anonymous.get(path)
                assert answer.status_code == 303 and answer.headers["location"].startswith("/login"), path
                assert "Nordhafen" not in answer.text
            assert anonymous.post("/partners/1/note", data={"text": "x"}).status_code == 401

        log_in(browser, web.url, OFFICER)
        cookie = browser.get_cookie("outreach_session")
        assert cookie["httpOnly"] and cookie["sameSite"] == "Lax"
        with httpx.Client(base_url=web.url, cookies={"outreach_session": cookie["value"]}) as officer:
            refused = officer.post("/partners/1/note", data={"text": "forged"})
            assert refused.status_code == 403 and "did not come from this workspace" in refused.text
            assert (
                officer.get("/reports/partners.xlsx")
                .headers["content-type"]
                .startswith("application/vnd.openxmlformats")
            )

        log_in(browser, web.url, VIEWER)
        browser.get(web.url + "/partners/1")
        assert not browser.find_elements(By.CSS_SELECTOR, "main form")  # a viewer sees no form to change things
        token = browser.find_element(By.CSS_SELECTOR, "form.logout input[name=csrf]").get_attribute("value")
        cookie = browser.get_cookie("outreach_session")
        with httpx.Client(base_url=web.url, cookies={"outreach_session": cookie["value"]}) as viewer:
            for path, data in (
                ("/partners/1/note", {"text": "x"}),
                ("/partners/1/move", {"phase": "proposal", "reason": "x"}),
                ("/campaigns/employers-2027/pause", {}),
            ):
                answer = viewer.post(path, data={**data, "csrf": token})
                assert answer.status_code == 403 and "viewer" in answer.text, path
        with played.uow() as uow:
            assert (
                uow.session.scalar(
                    sa.select(sa.func.count()).select_from(Interaction).where(Interaction.text.in_(["x", "forged"]))
                )
                == 0
            )


def test_the_audit_page_in_the_browser(played, browser):
    """An administrator reads who did what from where (failed logins included), on a desk and on
    a phone; an officer is refused the page."""
    with WebServer(played) as web:
        browser.delete_all_cookies()
        browser.get(web.url + "/login")
        browser.find_element(By.ID, "email").send_keys(OFFICER)
        browser.find_element(By.ID, "password").send_keys("not the password", Keys.ENTER)
        wait_for(lambda: browser.find_elements(By.CSS_SELECTOR, ".problem"), what="the refused login")
        log_in(browser, web.url, OFFICER)
        browser.get(web.url + "/audit")
        assert "for administrators" in browser.find_element(By.TAG_NAME, "main").text
        assert not browser.find_elements(By.CSS_SELECTOR, "nav a[href='/audit']")

        log_in(browser, web.url, ADMIN)
        browser.find_element(By.CSS_SELECTOR, "nav a[href='/audit']").click()
        wait_for(lambda: browser.current_url.endswith("/audit"), what="the audit page")
        entries = browser.find_element(By.CSS_SELECTOR, "table.audit").text
        assert "login.failed" in entries and "127.0.0.1" in entries and OFFICER in entries
        problems = axe_violations(browser)
        assert not problems, [(v["id"], v["help"], [n["target"] for n in v["nodes"]][:3]) for v in problems]
        for width in (1280, 375):
            screenshot(browser, "audit", width)
            overflow = browser.execute_script(
                "return document.documentElement.scrollWidth - document.documentElement.clientWidth"
            )
            assert overflow <= 1, (width, overflow)
