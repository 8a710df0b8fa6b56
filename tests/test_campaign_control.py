"""After queuing: a changed campaign file updates the pending steps and says what changed;
a campaign is paused, resumed and cancelled; a partner is held; `campaign status` says when
the next message goes and why nothing goes now."""

from __future__ import annotations

import json
from datetime import timedelta

import sqlalchemy as sa

from outreach.db.models import Step
from outreach.db.types import utcnow
from outreach.domain.vocabulary import StepStatus
from tests.support.campaigns import campaign_settings, write_campaign

PARTNERS = [
    {
        "name": f"Firm {i}",
        "partnership_types": ["training"],
        "contacts": [{"name": f"Pat {i}", "email": f"p{i}@firm{i}.test"}],
    }
    for i in range(2)
]


def closed_window(settings: dict) -> dict:
    """A window that is closed now: one day a week, not today."""
    today = utcnow().strftime("%a").lower()
    other = next(d for d in ("mon", "tue", "wed", "thu", "fri", "sat", "sun") if d != today)
    settings["sending"] = {**settings["sending"], "days": [other]}
    return settings


def test_a_changed_file_updates_pending_steps_and_says_what_changed(cli, uow, tmp_path):
    settings = closed_window(campaign_settings("change", 1, 1, PARTNERS))
    path = write_campaign(tmp_path, settings)
    assert cli("campaign", "queue", path).code == 0
    from worker.app import App

    app = App(database_url=cli.url, data_dir=tmp_path)
    try:
        assert app.tick().deferred == 2
    finally:
        app.close()
    uow.session.expire_all()
    assert all(s.due_at > utcnow() for s in uow.session.scalars(sa.select(Step)))
    status = json.loads(cli("campaign", "status", "change", "--json").out)[0]
    assert status["next_message"]["why"] == "scheduled"

    settings["sending"]["days"] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]  # the officer fixes the window
    settings["message"] = {"register": "informal"}
    again = cli("campaign", "queue", write_campaign(tmp_path, settings))
    assert again.code == 0 and "2 pending steps updated" in again.out
    assert "sending.days:" in again.out and "message.register: formal -> informal" in again.out
    uow.session.expire_all()
    assert all(s.due_at <= utcnow() for s in uow.session.scalars(sa.select(Step)))
    status = json.loads(cli("campaign", "status", "change", "--json").out)[0]
    assert status["next_message"]["why"].startswith("due now")


def test_pause_resume_cancel_and_hold(cli, uow, tmp_path):
    path = write_campaign(tmp_path, campaign_settings("control", 1, 1, PARTNERS))
    assert cli("campaign", "queue", path).code == 0
    assert cli("campaign", "pause", "control").code == 0
    status = json.loads(cli("campaign", "status", "control", "--json").out)[0]
    assert status["next_message"]["why"].startswith("paused since")
    from worker.app import App

    app = App(database_url=cli.url, data_dir=tmp_path)
    try:
        assert app.tick().queued == []  # paused: nothing queued
        assert cli("campaign", "resume", "control").code == 0
        assert cli("partners", "pause", "p1@firm1.test").code == 0  # staff hold one partner
        assert [q.step_id for q in app.tick().queued] == [
            uow.session.scalar(sa.select(Step.id).join(Step.contact).where(Step.contact.has(email="p0@firm0.test")))
        ]
    finally:
        app.close()
    uow.session.expire_all()
    held = uow.session.scalar(sa.select(Step).join(Step.contact).where(Step.contact.has(email="p1@firm1.test")))
    assert held.status is StepStatus.HELD
    later = (utcnow() + timedelta(days=30)).date().isoformat()
    assert cli("partners", "resume", "p1@firm1.test").code == 0
    assert cli("partners", "pause", "p1@firm1.test", "--until", later).code == 0
    uow.session.expire_all()
    assert held.status is StepStatus.SCHEDULED and held.due_at.date().isoformat() == later
    done = cli("campaign", "cancel", "control", "--reason", "the school year ended")
    assert done.code == 0 and "2 pending messages cancelled" in done.out  # the queued one too
    uow.session.expire_all()
    assert held.status is StepStatus.CANCELLED and "the school year ended" in held.last_error
    missing = cli("campaign", "pause", "nope")
    assert missing.code != 0 and "no campaign" in missing.err


def test_a_note_joins_the_timeline_with_who_wrote_it(cli, tmp_path, monkeypatch):
    path = write_campaign(tmp_path, campaign_settings("notes", 1, 1, PARTNERS))
    assert cli("campaign", "queue", path).code == 0
    monkeypatch.setenv("OUTREACH_ACTOR", "staff:jana")
    assert cli("partners", "note", "p0@firm0.test", "Met them at the skills fair; call in January.").code == 0
    shown = json.loads(cli("partners", "show", "p0@firm0.test", "--json").out)
    notes = [e for e in shown["timeline"] if e["event"] == "note"]
    assert len(notes) == 1 and notes[0]["subject"] == "note by staff:jana"
    assert cli("partners", "note", "p0@firm0.test", "  ").code == 2
