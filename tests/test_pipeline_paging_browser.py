"""The Pipeline pages each phase column (issue 25): 40 cards, then "Next" to the following 40 of
that column only, the filters kept, without JavaScript; in headless Chromium with axe-core and
screenshots."""

from __future__ import annotations

from datetime import timedelta

import pytest
from selenium.webdriver.common.by import By

from outreach.db.models import Partner
from outreach.db.types import utcnow
from outreach.domain.vocabulary import Phase
from outreach.services.accounts import users
from outreach.services.accounts.users import Role
from outreach.services.workspace.pages import CARDS_PER_COLUMN
from tests.support.browser import WebServer, axe_violations, chromium, screenshot
from tests.support.mailboxes import wait_for

VIEWER, SECRET = "viewer@school.test", "a long pass phrase"
IN_PROPOSAL = CARDS_PER_COLUMN + 5


@pytest.fixture
def app(tmp_path):
    from outreach.db.engine import make_engine
    from outreach.db.migrate import upgrade
    from worker.app import App

    url = f"sqlite:///{tmp_path / 'outreach.db'}"
    engine = make_engine(url)
    upgrade(engine)
    engine.dispose()
    app = App(database_url=url, data_dir=tmp_path, broker=None)
    now = utcnow()
    with app.uow() as uow:
        for i in range(IN_PROPOSAL + 3):
            phase = Phase.PROPOSAL if i < IN_PROPOSAL else Phase.MAINTENANCE
            uow.session.add(
                Partner(
                    name=f"Firm {i:02d}",
                    name_key=f"firm {i:02d}",
                    country="DE" if i % 2 else "FR",
                    phase=phase,
                    last_activity_at=now - timedelta(hours=i),
                )
            )
        users.add(uow.session, VIEWER, Role.VIEWER, SECRET, now)
        uow.commit()
    yield app
    app.close()


def test_a_column_pages_on_without_javascript(app):
    browser = chromium()
    try:
        with WebServer(app) as web:
            browser.get(web.url + "/login")
            browser.find_element(By.ID, "email").send_keys(VIEWER)
            browser.find_element(By.ID, "password").send_keys(SECRET)
            browser.find_element(By.CSS_SELECTOR, "form button[type=submit]").click()
            wait_for(lambda: "/login" not in browser.current_url, what="the login")
            browser.get(web.url + "/pipeline")
            column = browser.find_element(By.CSS_SELECTOR, "section[aria-labelledby=phase-proposal]")
            assert len(column.find_elements(By.CSS_SELECTOR, "li.card")) == CARDS_PER_COLUMN
            assert f"1–{CARDS_PER_COLUMN} of {IN_PROPOSAL}" in column.text and "Firm 00" in column.text
            assert not browser.find_elements(By.CSS_SELECTOR, "section[aria-labelledby=phase-maintenance] nav")
            for width in (1280, 375):
                screenshot(browser, "pipeline-paged", width)
            browser.set_window_size(1280, 900)
            assert axe_violations(browser) == []

            column.find_element(By.CSS_SELECTOR, "a[rel=next]").click()
            wait_for(lambda: "page=2" in browser.current_url, what="the next page of the column")
            column = browser.find_element(By.CSS_SELECTOR, "section[aria-labelledby=phase-proposal]")
            names = [
                card.find_element(By.TAG_NAME, "a").text for card in column.find_elements(By.CSS_SELECTOR, "li.card")
            ]
            assert names == [f"Firm {i:02d}" for i in range(CARDS_PER_COLUMN, IN_PROPOSAL)]
            assert f"{CARDS_PER_COLUMN + 1}–{IN_PROPOSAL} of {IN_PROPOSAL}" in column.text
            assert not column.find_elements(By.CSS_SELECTOR, "a[rel=next]")
            maintenance = browser.find_element(By.CSS_SELECTOR, "section[aria-labelledby=phase-maintenance]")
            assert (
                len(maintenance.find_elements(By.CSS_SELECTOR, "li.card")) == 3
            )  # the other columns: their first cards

            browser.get(web.url + "/pipeline?country=DE&phase=proposal&page=2")
            column = browser.find_element(By.CSS_SELECTOR, "section[aria-labelledby=phase-proposal]")
            assert "No more cards here" in column.text  # 22 in Germany: one page
            back = column.find_element(By.CSS_SELECTOR, "a[rel=prev]").get_attribute("href")
            assert back.endswith("/pipeline?country=DE&phase=proposal&page=1#phase-proposal")
    finally:
        browser.quit()
