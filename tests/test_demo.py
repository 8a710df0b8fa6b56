"""`outreach demo`, the README's first command, run as a user runs it: a fresh process, the
sandbox mail server on loopback, the example campaign played to the end."""

import re
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    folder = tmp_path_factory.mktemp("demo") / "outreach-demo"
    run = subprocess.run(
        [sys.executable, "-m", "outreach", "demo", "--folder", str(folder)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=180,
        env={"COLUMNS": "200", "PATH": "/usr/bin:/bin", "HOME": str(folder.parent)},
    )
    return run, folder


def test_the_demo_plays_every_outcome_and_ends_with_the_pipeline(demo):
    run, folder = demo
    assert run.returncode == 0, run.stdout + run.stderr
    out = run.stdout
    for outcome in ("replied", "bounced", "out of office", "opted out", "accepted", "declined"):
        assert re.search(rf"^\s+{outcome}\s", out, re.M), f"{outcome} not shown:\n{out}"
    assert "The pipeline" in out and "Fast forward" in out
    assert re.search(r"Nordhafen Logistik GmbH.*first_contact -> proposal", out)
    pipeline = out[out.index("The pipeline") :]
    assert "(later until" in pipeline and "(declined)" in pipeline and "(opted out)" in pipeline
    assert "Traceback" not in run.stderr


def test_the_logbook_holds_what_the_demo_showed(demo):
    run, folder = demo
    db = sqlite3.connect(folder / "outreach.db")
    phases = dict(db.execute("select name, phase from partners"))
    assert phases["Nordhafen Logistik GmbH"] == "proposal"
    assert phases["Harbourside Care Trust"] == "first_contact"
    statuses = dict(db.execute("select email, status from contacts"))
    assert statuses["e.fournier@cma-lyon.example"] == "unreachable"
    assert statuses["j.schaefer@stadtwerke-suedheide.example"] == "opted_out"
    # the partner's status apart from its phase: a "not now" waits in first contact, a "no" and an
    # opt-out of the only contact leave the active board
    partners = {
        name: (phase, status, later)
        for name, phase, status, later in db.execute("select name, phase, status, later_until from partners")
    }
    assert (
        partners["Brightwater Hotel School"][:2] == ("first_contact", "paused")
        and partners["Brightwater Hotel School"][2]
    )
    assert partners["Meridian Freight Ltd"] == ("first_contact", "declined", None)
    assert partners["Eastgate Retail Group"] == ("first_contact", "opted_out", None)
    assert partners["Stadtwerke Südheide"][1] == "active"  # one contact opted out, the other is still written to
    answers = dict(
        db.execute(
            "select c.email, a.partstat from meeting_attendees a join contacts c on c.id = a.contact_id "
            "where a.answered_sequence is not null"
        )
    )
    assert answers["k.becker@nordhafen-logistik.example"] == "ACCEPTED"
    # the silent contact got the follow-up; those who answered, bounced or opted out did not
    followed = {
        email
        for (email,) in db.execute(
            "select c.email from steps s join contacts c on c.id = s.contact_id "
            "where s.name = 'follow-up-1' and s.status = 'sent'"
        )
    }
    assert followed == {"a.demir@stadtwerke-suedheide.example"}


def test_the_demo_keeps_its_mail_and_calendar_files(demo):
    run, folder = demo
    mail = list((folder / "sandbox" / "mail").glob("*.eml"))
    calendars = sorted(p.name for p in (folder / "sandbox" / "calendar").glob("*.ics"))
    assert len(mail) >= 7 + 6
    assert any("-request-" in name for name in calendars) and any("-reply-" in name for name in calendars)
    assert str(folder) in run.stdout
    secret = (folder / "sandbox" / "mailbox-password").read_text()
    assert secret and secret not in (folder / "campaign.demo.yaml").read_text()  # the file names it, never holds it


def test_a_folder_that_is_not_a_demo_folder_is_left_alone(tmp_path):
    (tmp_path / "notes.txt").write_text("mine")
    run = subprocess.run(
        [sys.executable, "-m", "outreach", "demo", "--folder", str(tmp_path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert run.returncode == 2
    assert "not a demo folder" in run.stderr
    assert (tmp_path / "notes.txt").read_text() == "mine"


def test_the_readme_starts_with_the_demo():
    first_block = ROOT.joinpath("README.md").read_text().split("```")[1]
    assert "outreach demo" in first_block
