"""The workspace's forms and rules over HTTP (Starlette's test client, on SQLite and
PostgreSQL): the login limit, cookies, CSRF, roles, a campaign file queued with the CLI's
line-numbered errors, contacts edited, one-off mails and scheduled messages, the manager's
download; and the same actions from the command line."""

from __future__ import annotations

import io
import re

import pytest
import sqlalchemy as sa
from openpyxl import load_workbook
from starlette.testclient import TestClient

from outreach.db.models import Contact, Partner, Step
from outreach.db.types import utcnow
from outreach.domain.vocabulary import StepStatus
from outreach.services.accounts import users
from outreach.services.accounts.users import Role
from outreach.web.app import create_app
from tests.support.campaigns import campaign_settings, named, register_mailbox, write_campaign
from tests.support.services import closed_port
from tests.test_sending_rules import queue

PASS = "a long pass phrase"


@pytest.fixture
def web(database_url, engine, tmp_path, monkeypatch):
    from worker.app import App

    monkeypatch.delenv("REDIS_URL", raising=False)
    app = App(database_url=database_url, data_dir=tmp_path / "data")
    with app.uow() as uow:
        for email, role in (
            ("admin@school.test", Role.ADMIN),
            ("officer@school.test", Role.OFFICER),
            ("viewer@school.test", Role.VIEWER),
        ):
            users.add(uow.session, email, role, PASS, utcnow())
        uow.commit()
    yield app
    app.close()


def client(app, secure: bool = False) -> TestClient:
    return TestClient(
        create_app(app, secure_cookies=secure), base_url="https://testserver" if secure else "http://testserver"
    )


def token(browser: TestClient, path: str = "/login") -> str:
    return re.search(r'name="csrf" value="([^"]+)"', browser.get(path).text).group(1)


def logged_in(app, email: str = "officer@school.test", secure: bool = False) -> TestClient:
    browser = client(app, secure)
    answer = browser.post(
        "/login", data={"email": email, "password": PASS, "csrf": token(browser)}, follow_redirects=False
    )
    assert answer.status_code == 303, answer.text
    return browser


def test_logins_are_slowed_and_cookies_are_guarded(web):
    browser = client(web)
    csrf = token(browser)
    answers = [
        browser.post("/login", data={"email": "officer@school.test", "password": "wrong", "csrf": csrf}).status_code
        for _ in range(4)
    ]
    assert answers == [401, 401, 401, 429]  # three free tries, then a wait
    blocked = browser.post("/login", data={"email": "officer@school.test", "password": PASS, "csrf": csrf})
    assert blocked.status_code == 429 and "Too many failed attempts" in blocked.text
    assert (
        client(web).post("/login", data={"email": "admin@school.test", "password": PASS}).status_code == 403
    )  # no token
    secure = client(web, secure=True)
    answer = secure.post(
        "/login", data={"email": "admin@school.test", "password": PASS, "csrf": token(secure)}, follow_redirects=False
    )
    cookie = answer.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=lax" in cookie and "secure" in cookie
    page = secure.get("/")
    assert (
        "default-src 'self'" in page.headers["content-security-policy"]
        and page.headers["x-content-type-options"] == "nosniff"
    )


def test_a_campaign_file_is_queued_or_refused_with_its_lines(web, tmp_path):
    browser = logged_in(web)
    settings = campaign_settings(
        "web-queued",
        closed_port(),
        closed_port(),
        [
            {
                "name": "Nordhafen",
                "partnership_types": ["training"],
                "contacts": [{"name": "Klaus Becker", "email": "k@nordhafen.test"}],
            }
        ],
    )
    with web.uow() as uow:  # the administrator registered the mailbox; the file names it by address
        register_mailbox(uow.session, settings)
        uow.commit()
    good = write_campaign(tmp_path, named(settings))
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        good.read_text()
        .replace("name: web-queued", "name: Web Queued!")
        .replace("max_per_hour: 10000", "max_per_hour: -1")
    )
    csrf = token(browser, "/campaigns")
    refused = browser.post("/campaigns/queue", data={"csrf": csrf}, files={"file": ("bad.yaml", bad.read_bytes())})
    assert refused.status_code == 400
    assert re.search(r"bad\.yaml:\d+: name", refused.text) and re.search(
        r"bad\.yaml:\d+: sending.max_per_hour", refused.text
    )
    queued = browser.post("/campaigns/queue", data={"csrf": csrf}, files={"file": ("c.yaml", good.read_bytes())})
    assert queued.status_code == 200 and "1 first-contact emails scheduled" in queued.text
    assert "web-queued" in browser.get("/campaigns").text
    viewer = logged_in(web, "viewer@school.test")
    assert (
        viewer.post(
            "/campaigns/queue",
            data={"csrf": token(viewer, "/campaigns")},
            files={"file": ("c.yaml", good.read_bytes())},
        ).status_code
        == 403
    )


def test_contacts_mails_and_scheduled_messages(web, tmp_path, uow):
    queue(uow, tmp_path, count=1)
    partner_id = uow.session.scalar(sa.select(Partner.id))
    browser = logged_in(web)
    csrf = token(browser, f"/partners/{partner_id}")
    added = browser.post(
        f"/partners/{partner_id}/contact",
        data={
            "csrf": csrf,
            "name": "Anna Berg",
            "email": "Anna.Berg@Partner0.test",
            "salutation": "Frau",
            "title": "Dr.",
            "language": "de",
            "register": "formal",
        },
    )
    assert added.status_code == 200 and "contact saved" in added.text
    wrong = browser.post(f"/partners/{partner_id}/contact", data={"csrf": csrf, "email": "not an address"})
    assert wrong.status_code == 400 and "not a valid email address" in wrong.text
    uow.session.expire_all()
    anna = uow.session.scalar(sa.select(Contact).where(Contact.email == "anna.berg@partner0.test"))
    assert (anna.salutation.value, anna.title, anna.language) == ("female", "Dr.", "de")
    assert "contact anna.berg@partner0.test added by officer@school.test" in browser.get(f"/partners/{partner_id}").text

    no_first = browser.post(
        f"/partners/{partner_id}/mail", data={"csrf": csrf, "contact": str(anna.id), "template": "follow_up"}
    )
    assert no_first.status_code == 400 and "needs first" in no_first.text  # she never had a first mail to follow up
    mailed = browser.post(
        f"/partners/{partner_id}/mail", data={"csrf": csrf, "contact": str(anna.id), "template": "check_in"}
    )
    assert mailed.status_code == 200, mailed.text
    empty = browser.post(f"/partners/{partner_id}/mail", data={"csrf": csrf, "contact": str(anna.id)})
    assert empty.status_code == 400 and "give a template, or a subject and a text" in empty.text
    uow.session.expire_all()
    [one_off] = uow.session.scalars(sa.select(Step).where(Step.contact_id == anna.id)).all()
    assert one_off.created_by == "officer@school.test" and one_off.status is StepStatus.SCHEDULED
    preview = browser.get(f"/steps/{one_off.id}/preview")
    assert "Sehr geehrte Frau Dr. Berg," in preview.text  # her language, her salutation

    for action, status in (("hold", StepStatus.HELD), ("resume", StepStatus.SCHEDULED), ("skip", StepStatus.CANCELLED)):
        assert browser.post(f"/steps/{one_off.id}/{action}", data={"csrf": csrf}).status_code == 200
        uow.session.expire_all()
        assert uow.session.get(Step, one_off.id).status is status
    assert uow.session.get(Step, one_off.id).last_error == "skipped by officer@school.test"
    assert browser.post("/campaigns/rules/cancel", data={"csrf": csrf}).status_code == 400  # a reason is needed
    assert browser.post("/campaigns/rules/cancel", data={"csrf": csrf, "reason": "budget cut"}).status_code == 200
    uow.session.expire_all()
    assert {
        s.last_error
        for s in uow.session.scalars(sa.select(Step).where(Step.status == StepStatus.CANCELLED))
        if s.name == "first_contact"
    } == {"campaign cancelled: budget cut (officer@school.test)"}


def test_the_managers_download_reads_well(web, tmp_path, uow):
    queue(uow, tmp_path, count=2)
    uow.session.scalar(sa.select(Partner)).name = '=HYPERLINK("http://evil.example")'
    uow.commit()
    browser = logged_in(web, "viewer@school.test")  # reading is for everyone with an account
    book = load_workbook(io.BytesIO(browser.get("/reports/partners.xlsx").content))
    sheet = book.active
    assert [c.value for c in sheet[1]] == [
        "Organisation",
        "Country",
        "Contact",
        "Email",
        "Phase",
        "Status",
        "Last contact",
        "Meeting date",
        "Next action",
        "Next action date",
    ]
    assert sheet.auto_filter.ref == "A1:J3" and sheet.column_dimensions["A"].width >= 30
    assert all(cell.value is None or cell.data_type == "s" for row in sheet.iter_rows(min_row=2) for cell in row)
    assert sheet["A2"].value.startswith("=HYPERLINK") or sheet["A3"].value.startswith("=HYPERLINK")  # shown as text
    text = browser.get("/reports/partners.csv").content.decode("utf-8-sig")
    assert text.splitlines()[0].startswith("Organisation,Country,Contact") and "'=HYPERLINK" in text


def test_the_same_actions_from_the_command_line(cli, uow, tmp_path, monkeypatch):
    queue(uow, tmp_path, count=1)
    monkeypatch.setattr("sys.stdin", io.StringIO("a long pass phrase\n"))
    assert cli("users", "add", "Jana@School.test", "--role", "admin").code == 0
    listed = cli("users", "list", "--json")
    assert '"email": "jana@school.test"' in listed.out and '"role": "admin"' in listed.out
    monkeypatch.setattr("sys.stdin", io.StringIO("short\n"))
    short = cli("users", "add", "x@school.test")
    assert short.code == 2 and "at least 10 characters" in short.err
    assert cli("users", "remove", "jana@school.test").code == 0
    assert "No account yet" in cli("users", "list").out

    letter = tmp_path / "letter.txt"
    letter.write_text("About your apprentices\nDear Person 0,\n\nthank you for the call.\n")
    assert cli("partners", "note", "1", "Called; they want a proposal.").code == 0
    mailed = cli("partners", "mail", "person0@partner0.test", "--text", letter)
    assert mailed.code == 0, mailed
    step_id = int(re.search(r"step (\d+)", mailed.out).group(1))
    listed = cli("steps", "list", "1", "--json")
    assert f'"id": {step_id}' in listed.out and '"template": "free_text"' in listed.out
    assert cli("steps", "hold", str(step_id)).code == 0 and cli("steps", "resume", str(step_id)).code == 0
    assert cli("steps", "skip", str(step_id)).code == 0
    uow.session.expire_all()
    step = uow.session.get(Step, step_id)
    assert (step.status, step.subject, step.body) == (
        StepStatus.CANCELLED,
        "About your apprentices",
        "Dear Person 0,\n\nthank you for the call.",
    )
    assert cli("partners", "mail", "1").code == 2  # neither a template nor a text


def test_a_meeting_outcome_from_the_partner_page_then_its_approval(web, tmp_path, uow):
    from outreach.services.meetings import invitations as meetings
    from tests.test_meeting_rules import accepted_meeting, next_steps

    meeting, _, _, _ = accepted_meeting(uow, tmp_path)
    browser = logged_in(web)
    page = browser.get(f"/partners/{meeting.partner_id}")
    assert "Record the outcome" in page.text
    csrf = token(browser, f"/partners/{meeting.partner_id}")
    bad = browser.post(
        f"/partners/{meeting.partner_id}/meeting/outcome",
        data={"csrf": csrf, "meeting": str(meeting.id), "takeaways": "", "actions": "Send it | us | tomorrow"},
    )
    assert bad.status_code == 400 and "takeaways" in bad.text and "actions[0].due" in bad.text
    saved = browser.post(
        f"/partners/{meeting.partner_id}/meeting/outcome",
        data={
            "csrf": csrf,
            "meeting": str(meeting.id),
            "takeaways": "A mobility partnership\nTwo learners in May",
            "actions": "Send the learning agreement | Riverside | 2027-04-15\nCheck the dates | Partner 0",
            "ours": "Jana Weber",
            "theirs": "Person 0, Anna Berg",
            "partnership_types": ["mobility", "training"],
        },
    )
    assert saved.status_code == 200 and "outcome recorded" in saved.text
    uow.session.expire_all()
    recorded = meetings.outcome_of(uow.session, meeting.id)
    assert recorded.content["takeaways"] == ["A mobility partnership", "Two learners in May"]
    assert recorded.content["actions"][1] == {"what": "Check the dates", "owner": "Partner 0", "due": None}
    assert (
        recorded.content["contacts"]["theirs"] == ["Person 0", "Anna Berg"]
        and recorded.recorded_by == "officer@school.test"
    )
    assert next_steps(uow)[0].status is StepStatus.HELD
    approved = browser.post(
        f"/partners/{meeting.partner_id}/meeting/approve", data={"csrf": csrf, "meeting": str(meeting.id)}
    )
    assert approved.status_code == 200 and "next-steps mail approved" in approved.text
    uow.session.expire_all()
    assert next_steps(uow)[0].status is StepStatus.SCHEDULED
    preview = browser.get(f"/steps/{next_steps(uow)[0].id}/preview")
    assert "Send the learning agreement (Riverside, by 15 April 2027)" in preview.text


def test_kpis_and_results_from_the_partner_page(web, tmp_path, uow):
    queue(uow, tmp_path, count=1)
    partner_id = uow.session.scalar(sa.select(Partner.id))
    browser = logged_in(web)
    csrf = token(browser, f"/partners/{partner_id}")
    added = browser.post(
        f"/partners/{partner_id}/kpi",
        data={"csrf": csrf, "name": "Learners on placement", "target": "10", "unit": "learners", "due": "2027-12-31"},
    )
    assert added.status_code == 200 and "KPI saved" in added.text
    updated = browser.post(
        f"/partners/{partner_id}/kpi", data={"csrf": csrf, "name": "Learners on placement", "value": "7"}
    )
    assert updated.status_code == 200 and "70%" in updated.text
    assert (
        browser.post(
            f"/partners/{partner_id}/kpi", data={"csrf": csrf, "name": "Learners on placement", "value": "many"}
        ).status_code
        == 400
    )
    logged = browser.post(
        f"/partners/{partner_id}/result", data={"csrf": csrf, "text": "A joint KA2 idea", "opportunity": "1"}
    )
    assert logged.status_code == 200 and "result logged" in logged.text
    assert "New opportunity with Partner 0: A joint KA2 idea" in browser.get("/").text


def test_an_unreachable_mail_server_shows_a_page_not_a_crash(web, tmp_path, uow, monkeypatch):
    from tests.support.campaigns import PASSWORD_ENV

    monkeypatch.setenv(PASSWORD_ENV, "x")
    queue(uow, tmp_path, count=1)  # its SMTP server is a port where nothing answers
    partner_id = uow.session.scalar(sa.select(Partner.id))
    browser = logged_in(web)
    answer = browser.post(
        f"/partners/{partner_id}/meeting",
        data={"csrf": token(browser, f"/partners/{partner_id}"), "at": "2027-03-09T10:00"},
    )
    assert answer.status_code in (400, 502), answer.text
    assert re.search(
        r'<p class="problem" role="alert">[^<]*(could not|refused|reach|nothing answers)', answer.text, re.I
    ), answer.text
    assert browser.get("/").status_code == 200  # the workspace goes on
