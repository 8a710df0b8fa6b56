"""The workspace shows times where its reader is (issue 23): in the campaign's zone by default,
in the zone a person chose on their account page otherwise, with the zone named on every page.
The database keeps UTC; partners' mail keeps the partner's own time."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from outreach.db.models import Step, User
from tests.test_sending_rules import queue
from tests.test_web_forms import logged_in, token, web  # noqa: F401  (the fixture)


def due_shown(browser, step_id: int) -> str:
    page = browser.get(f"/steps/{step_id}/preview").text
    return re.search(r"due ([0-9]{2} \w{3} [0-9]{4} [0-9]{2}:[0-9]{2})", page).group(1)


@pytest.fixture
def queued(web, tmp_path):
    with web.uow() as uow:
        queue(uow, tmp_path, count=1, sending__timezone="Europe/Berlin")  # due Monday 1 March 2027, 10:00 UTC
        step_id = uow.session.scalar(sa.select(Step.id))
    return step_id


def test_times_in_the_campaign_zone_until_a_person_picks_their_own(web, queued):
    browser = logged_in(web, "viewer@school.test")  # a viewer may set their own view, nothing else
    assert due_shown(browser, queued) == "01 Mar 2027 11:00"  # Berlin in winter: UTC+1
    today = browser.get("/").text
    assert "Times: Berlin time (Europe/Berlin)" in today and "UTC" not in today

    answer = browser.post("/account/timezone", data={"csrf": token(browser, "/account"), "timezone": "Asia/Tokyo"})
    assert answer.status_code == 200 and "times are now shown in Tokyo time (Asia/Tokyo)" in answer.text
    assert due_shown(browser, queued) == "01 Mar 2027 19:00"
    assert "Times: Tokyo time (Asia/Tokyo)" in browser.get("/campaigns").text
    assert due_shown(logged_in(web, "officer@school.test"), queued) == "01 Mar 2027 11:00"  # each their own

    refused = browser.post("/account/timezone", data={"csrf": token(browser, "/account"), "timezone": "Mars/Olympus"})
    assert refused.status_code == 400 and "&#39;Mars/Olympus&#39; is no time zone this server knows" in refused.text
    for alias in ("localtime", "Factory", "posix/Europe/Berlin", "Etc/GMT+5"):  # in the tz files, but no place
        answer = browser.post("/account/timezone", data={"csrf": token(browser, "/account"), "timezone": alias})
        assert answer.status_code == 400, alias
        assert browser.get("/account").status_code == 200
    with web.uow() as uow:
        assert uow.session.scalar(sa.select(User.timezone).where(User.email == "viewer@school.test")) == "Asia/Tokyo"

    browser.post("/account/timezone", data={"csrf": token(browser, "/account"), "timezone": ""})
    assert due_shown(browser, queued) == "01 Mar 2027 11:00"  # back to the campaign's
    still = browser.post(f"/steps/{queued}/hold", data={"csrf": token(browser, "/")})
    assert still.status_code == 403 and "your role (viewer) may not change this" in still.text  # nothing else
