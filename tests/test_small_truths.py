"""Small truths a school checks on day one: times in the campaign's zone, `partners resume`
after `pause --until`, who did it (the OS user or OUTREACH_ACTOR), the weekly digest, one
meaning of "sent", `outreach report` at 80 columns, help texts that wrap cleanly, and README and
`init` texts that tell the truth."""

from __future__ import annotations

import inspect
import json
import os
import pwd
import re
from datetime import timedelta
from pathlib import Path

import sqlalchemy as sa
import typer

from outreach.db.models import Campaign, Meeting, Partner, Step, Todo
from outreach.db.types import utcnow
from outreach.domain.vocabulary import StepStatus
from outreach.services.workspace import digest, funnel, reports
from outreach.services.workspace.status import campaign_status
from tests.support.campaigns import campaign_settings, write_campaign

ROOT = Path(__file__).resolve().parent.parent
PARTNERS = [
    {
        "name": f"Firm {i}",
        "partnership_types": ["training"],
        "contacts": [{"name": f"Pat {i}", "email": f"p{i}@firm{i}.test"}],
    }
    for i in range(4)
]


def queued(cli, tmp_path, name="truths", **sending):
    settings = campaign_settings(name, 1, 1, PARTNERS, notify_staff="team@school.test")
    settings["sending"] = {**settings["sending"], **sending}
    assert cli("campaign", "queue", write_campaign(tmp_path, settings)).code == 0


def test_times_are_shown_in_the_campaigns_zone(cli, uow, tmp_path):
    today = utcnow().strftime("%a").lower()
    other = next(d for d in ("mon", "tue", "wed", "thu", "fri", "sat", "sun") if d != today)
    queued(cli, tmp_path, timezone="Europe/Berlin", days=[other], start="09:00", end="17:00")
    status = cli("campaign", "status", "truths").out
    assert "UTC" not in status and re.search(r"closed until \w{3} \d{4}-\d\d-\d\d 09:00 Europe/Berlin", status), status
    step = uow.session.scalar(sa.select(Step).limit(1))
    listed = cli("steps", "list", step.contact.email).out
    from zoneinfo import ZoneInfo

    assert "due (Europe/Berlin)" in listed and f"{step.due_at.astimezone(ZoneInfo('Europe/Berlin')):%H:%M}" in listed


def test_resume_after_pause_until_gives_back_the_dates_it_moved(cli, uow, tmp_path):
    queued(cli, tmp_path)
    step = uow.session.scalar(sa.select(Step).join(Step.contact).where(Step.contact.has(email="p1@firm1.test")))
    was = step.due_at
    later = (utcnow() + timedelta(days=30)).date()
    assert cli("partners", "pause", "p1@firm1.test", "--until", later.isoformat()).code == 0
    uow.session.expire_all()
    assert step.due_at.date() == later
    resumed = cli("partners", "resume", "p1@firm1.test")
    assert resumed.code == 0 and "1 held or paused message scheduled again" in resumed.out, resumed
    uow.session.expire_all()
    assert was <= step.due_at <= utcnow() and step.due_before_pause is None  # its own date (or now), not 30 days on


def test_cli_actions_are_recorded_with_the_os_user_or_outreach_actor(cli, tmp_path, monkeypatch):
    queued(cli, tmp_path)
    for name in ("USER", "LOGNAME", "LNAME", "USERNAME", "OUTREACH_ACTOR"):  # as under cron or in a container
        monkeypatch.delenv(name, raising=False)
    assert cli("partners", "note", "p0@firm0.test", "Called them.").code == 0
    monkeypatch.setenv("OUTREACH_ACTOR", "jana.weber")
    assert cli("partners", "note", "p0@firm0.test", "Called them again.").code == 0
    timeline = json.loads(cli("partners", "show", "p0@firm0.test", "--json").out)["timeline"]
    authors = [e["subject"] for e in timeline if e["event"] == "note"]
    assert authors == [f"note by cli:{pwd.getpwuid(os.getuid()).pw_name}", "note by jana.weber"]


def test_the_digest_lists_open_todos_last_weeks_meetings_and_next_weeks(cli, uow, tmp_path):
    queued(cli, tmp_path, timezone="Europe/Berlin")
    now = utcnow()
    partners = uow.session.scalars(sa.select(Partner).order_by(Partner.id)).all()
    campaign = uow.session.scalar(sa.select(Campaign))
    uow.session.add_all(
        [
            Todo(kind="reply", text="Answer Firm 0", created_at=now - timedelta(days=2)),
            Todo(
                kind="reply",
                text="Answered already",
                created_at=now - timedelta(days=3),
                done_at=now - timedelta(days=1),
            ),
            Todo(
                kind="reply",
                text="Closed after the digest",
                created_at=now - timedelta(days=3),
                done_at=now + timedelta(hours=1),
            ),
            Todo(kind="reply", text="Raised after the digest", created_at=now + timedelta(hours=1)),
        ]
    )
    for partner, days in ((partners[0], -3), (partners[1], 3), (partners[2], 20)):
        start = now + timedelta(days=days)
        uow.session.add(
            Meeting(
                partner_id=partner.id,
                campaign_id=campaign.id,
                uid=f"m{partner.id}@school.test",
                start_at=start,
                end_at=start + timedelta(minutes=45),
                timezone="Europe/Berlin",
                created_at=now - timedelta(days=1),
            )
        )
    uow.commit()
    text = digest.text(uow.session, [campaign], now)
    assert "Open to-dos: 2" in text and "Answer Firm 0" in text and "Closed after the digest" in text
    assert "Answered already" not in text and "Raised after the digest" not in text
    last_week = text.split("Meetings last week: ")[1].split("\n\n")[0]
    next_week = text.split("Meetings next week: ")[1].split("\n\n")[0]
    assert last_week.startswith("1") and "Firm 0" in last_week and "Europe/Berlin" in last_week
    assert next_week.startswith("1") and "Firm 1" in next_week and "Firm 2" not in text


def test_sent_means_the_same_on_the_campaigns_page_and_in_reports(cli, uow, tmp_path):
    queued(cli, tmp_path)
    first = uow.session.scalars(sa.select(Step)).all()
    for step in first:
        step.status, step.sent_at = StepStatus.SENT, utcnow()
    one = first[0]
    uow.session.add(
        Step(
            campaign_id=one.campaign_id,
            partner_id=one.partner_id,
            contact_id=one.contact_id,
            name="follow-up-1",
            template="follow_up",
            status=StepStatus.SENT,
            due_at=utcnow(),
            sent_at=utcnow(),
            message_id="<follow-up@school.test>",
        )
    )
    uow.commit()
    [status] = campaign_status(uow.session, "truths")
    total = next(row for row in funnel.funnel(uow.session, "truths") if row["phase"] == "all")
    assert status.counts["sent"] == total["sent"] == 5 and total["reached"] == 4
    [(_, chart)] = reports.overview(uow.session, utcnow()).funnels
    assert "sent 5" in chart and "partners reached 4" in chart
    shown = json.loads(cli("report", "truths", "--json").out)
    assert next(r for r in shown if r["phase"] == "all")["sent"] == 5


def test_the_report_reads_whole_at_80_columns(cli, uow, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # the move to collaboration setup writes its MoU draft here
    queued(cli, tmp_path, name="a-campaign-with-a-long-name-2027")
    for step in uow.session.scalars(sa.select(Step)):
        step.status, step.sent_at = StepStatus.SENT, utcnow()
    uow.commit()
    for email, phase in (
        ("p1@firm1.test", "proposal"),
        ("p2@firm2.test", "collaboration_setup"),
        ("p3@firm3.test", "maintenance"),
    ):
        assert cli("partners", "advance", email, phase, "--reason", "met them").code == 0
    monkeypatch.setenv("COLUMNS", "80")
    out = cli("report").out
    assert out and max(len(line) for line in out.splitlines()) <= 80 and "…" not in out, out
    words = " ".join(out.split())
    for label in (
        "all",
        "Scouting",
        "Proposal",
        "Collaboration setup",
        "Maintenance and growth",
        "reply rate",
        "messages sent",
        "partners reached",
        "meetings accepted",
    ):
        assert all(word in words for word in label.split()), label


def test_help_texts_wrap_where_the_terminal_ends_not_where_the_source_did(cli_no_db, monkeypatch):
    from outreach.cli import app

    monkeypatch.setenv("COLUMNS", "400")
    broken = []

    def check(command, words):
        if command.help:
            lines = cli_no_db(*words, "--help").out.splitlines()
            for paragraph in inspect.cleandoc(command.help).split("\n\n"):
                text = " ".join(paragraph.split())
                if len(text) < 380 and not any(text in line for line in lines):
                    broken.append(f"{' '.join(words)}: {text[:60]}")
        for name, sub in getattr(command, "commands", {}).items():
            check(sub, [*words, name])

    check(typer.main.get_command(app), [])
    assert broken == []


def test_init_and_the_readme_tell_the_truth(cli_no_db, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert cli_no_db("init", "starter").code == 0
    written = (tmp_path / "starter" / "campaign.yaml").read_text(encoding="utf-8")
    assert "config/campaign.example.yaml" not in written
    assert f"outreach campaign validate {Path('starter') / 'campaign.yaml'}" in written
    required = set(re.findall(r"\$\{(\w+):\?", (ROOT / "docker-compose.yml").read_text()))
    compose = (ROOT / "README.md").read_text().split("## Running it with docker-compose")[1].split("\n## ")[0]
    assert required and {name for name in required if name not in compose} == set()
