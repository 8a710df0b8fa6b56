"""The workspace's Mailboxes page: officers see each mailbox's name and health, never its
servers or where its secret comes from; the administrator sees servers, login, the campaigns
that name it, and runs the login test against the real loopback SMTP relay and Dovecot. In a
real browser (headless Chromium) too: screenshots at 1280 and 375 px, axe-core."""

from __future__ import annotations

import re

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

from outreach.campaign import load_campaign
from outreach.db.models import RegisteredMailbox
from outreach.db.types import utcnow
from outreach.rendering import Renderer
from outreach.services.outbound import campaigns
from tests.support.browser import WebServer, axe_violations, chromium, screenshot
from tests.support.campaigns import PASSWORD_ENV, campaign_settings, named, register_mailbox, write_campaign
from tests.support.dovecot import PASSWORD
from tests.support.mailboxes import new_address, wait_for
from tests.test_web_forms import PASS, logged_in, token, web  # noqa: F401  (the workspace fixture)


def registered(app, tmp_path, dovecot, smtp_port: int, name: str = "employers-2027") -> str:
    """A registered mailbox on the loopback servers, and a campaign that names it."""
    address = new_address("school.test")
    settings = campaign_settings(
        name,
        smtp_port,
        dovecot.imap_port,
        [{"name": "Nordhafen", "contacts": [{"email": new_address()}]}],
        sender=address,
    )
    with app.uow() as uow:
        register_mailbox(uow.session, settings)
        uow.commit()
        campaigns.queue(uow.session, load_campaign(write_campaign(tmp_path, named(settings))), Renderer(), utcnow())
        uow.commit()
    return address


def test_officers_see_names_and_health_the_administrator_tests_the_logins(
    web,
    tmp_path,
    dovecot,
    smtp_relay,
    monkeypatch,
):
    monkeypatch.setenv(PASSWORD_ENV, PASSWORD)
    address = registered(web, tmp_path, dovecot, smtp_relay.port)
    officer = logged_in(web)
    seen = officer.get("/mailboxes").text
    assert address in seen and "Jana Weber, Riverside Vocational College" in seen and "Not tested yet" in seen
    for hidden in (f"127.0.0.1:{smtp_relay.port}", PASSWORD_ENV, "password from", "employers-2027", "Test the logins"):
        assert hidden not in seen, hidden
    refused = officer.post("/mailboxes/test", data={"csrf": token(officer, "/mailboxes"), "address": address})
    assert refused.status_code == 403
    admin = logged_in(web, "admin@school.test")
    page = admin.get("/mailboxes").text
    for shown in (
        f"127.0.0.1:{smtp_relay.port} (none)",
        f"127.0.0.1:{dovecot.imap_port} (none)",
        f"{address} with a password from an environment variable",
        "employers-2027",
        "Test the logins",
    ):
        assert shown in page, shown
    assert PASSWORD_ENV not in page  # where the secret comes from stays on the server's command line
    tested = admin.post("/mailboxes/test", data={"csrf": token(admin, "/mailboxes"), "address": address})
    assert tested.status_code == 200 and f"{address}: both logins work" in tested.text, tested.text
    assert "Both logins worked" in officer.get("/mailboxes").text
    monkeypatch.setenv(PASSWORD_ENV, "not the password")
    failed = admin.post("/mailboxes/test", data={"csrf": token(admin, "/mailboxes"), "address": address})
    assert re.search(rf'<p class="problem" role="alert">{re.escape(address)}: a login failed', failed.text)
    assert "IMAP 127.0.0.1" in failed.text and "the server refused the password" in failed.text
    seen = officer.get("/mailboxes").text
    assert "A login failed: tell the administrator" in seen and "the server refused" not in seen
    with web.uow() as uow:
        assert uow.session.get(RegisteredMailbox, address).test_ok is False


@pytest.fixture(scope="module")
def browser():
    driver = chromium()
    yield driver
    driver.quit()


def log_in(driver, base: str, email: str) -> None:
    driver.delete_all_cookies()
    driver.get(base + "/login")
    driver.find_element(By.ID, "email").send_keys(email)
    driver.find_element(By.ID, "password").send_keys(PASS, Keys.ENTER)
    wait_for(lambda: "/login" not in driver.current_url, what="the login")


def test_the_mailboxes_page_in_a_browser(web, browser, tmp_path, dovecot, smtp_relay, monkeypatch):
    monkeypatch.setenv(PASSWORD_ENV, PASSWORD)
    address = registered(web, tmp_path, dovecot, smtp_relay.port)
    broken = registered(web, tmp_path, dovecot, 1, name="alumni-network")  # nothing listens on port 1
    with WebServer(web) as server:
        log_in(browser, server.url, "admin@school.test")
        browser.get(server.url + "/mailboxes")
        for tested in (address, broken):  # each mailbox's test, by its button
            button = browser.find_element(By.XPATH, f"//section[h2='{tested}']//button")
            button.click()
            wait_for(lambda: gone(button), timeout=60, what="the page after the test")
            assert browser.find_element(By.CSS_SELECTOR, ".said, .problem").text
        main = browser.find_element(By.TAG_NAME, "main").text
        assert "Both logins worked" in main and "A login failed" in main and "nothing answers at" in main
        assert address in main
        _look(browser, "mailboxes-admin")
        log_in(browser, server.url, "officer@school.test")
        browser.get(server.url + "/mailboxes")
        main = browser.find_element(By.TAG_NAME, "main").text
        assert "Both logins worked" in main and "127.0.0.1" not in main
        _look(browser, "mailboxes-officer")


def gone(element) -> bool:
    try:
        element.tag_name
        return False
    except Exception:  # stale: the browser has moved on
        return True


def _look(browser, name: str) -> None:
    problems = axe_violations(browser)
    assert not problems, [(v["id"], v["help"], [n["target"] for n in v["nodes"]][:3]) for v in problems]
    for width in (1280, 375):
        screenshot(browser, name, width)
        overflow = browser.execute_script(
            "return document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 1, (name, width, overflow)
