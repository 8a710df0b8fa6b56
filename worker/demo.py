"""`outreach demo`: the whole product on this machine, with nothing to set up.

A sandbox mail server on loopback (real SMTP and IMAP, in this process), SQLite and the
in-process broker in a folder of its own. The example campaign is queued with its mailbox
pointed at the sandbox; scripted partners answer what they receive (reply, bounce, out of
office, opt-out, meeting accepted and declined); then the clock jumps to the first
follow-up, which goes only to those who have not answered.
"""

from __future__ import annotations

import shutil
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

import sqlalchemy as sa
import yaml
from rich.console import Console
from rich.markup import escape

from outreach.adapters.yaml_source import load_yaml
from outreach.campaign import load_campaign
from outreach.campaign.load import LoadedCampaign
from outreach.db.models import InboundMail, Step
from outreach.db.types import utcnow
from outreach.domain.vocabulary import StepStatus
from outreach.errors import InvalidInput, NotFound, Problem
from outreach.logs import configure
from outreach.messages.render import renderer_for
from outreach.sandbox.server import Sandbox, for_campaign
from outreach.services.outbound import campaigns, scheduler
from outreach.services.workspace.funnel import funnel
from worker.demo_story import Narrator, funnel_line, pipeline_table

MARKER = ".outreach-demo"
OUTCOME_WORDS = {  # what the demo's staff record after the accepted meeting
    "en": {
        "takeaways": [
            "Both sides want a training partnership for apprentices in warehouse logistics",
            "Two apprentices could start in September",
        ],
        "actions": ["Send the module descriptions", "Check the supervisors' availability"],
    },
    "de": {
        "takeaways": [
            "Beide Seiten wollen eine Ausbildungspartnerschaft in der Lagerlogistik",
            "Zwei Auszubildende könnten im September beginnen",
        ],
        "actions": ["Modulbeschreibungen schicken", "Verfügbarkeit der Ausbilder klären"],
    },
}
SETTLE_TIMEOUT = 60.0


class Clock:
    """The demo's clock: real time, plus the days it has jumped forward."""

    def __init__(self):
        self.ahead = timedelta(0)

    def __call__(self) -> datetime:
        return utcnow() + self.ahead


@dataclass
class Demo:
    campaign_file: Path
    folder: Path
    console: Console
    clock: Clock = field(default_factory=Clock)

    def run(self) -> bool:
        """Play the campaign to its end; True when every scripted outcome was seen."""
        started = time.monotonic()
        prepare_folder(self.folder)
        configure(file=self.folder / "outreach.log")
        source = load_campaign(self.campaign_file)
        sandbox = for_campaign(source, self.folder / "sandbox", today=lambda: self.clock().date()).start()
        try:
            campaign = load_campaign(write_demo_campaign(self.campaign_file, self.folder, sandbox))
            return self._play(campaign, sandbox, started)
        finally:
            sandbox.stop()

    def _play(self, campaign: LoadedCampaign, sandbox: Sandbox, started: float) -> bool:
        from worker.app import App
        from worker.processes import Stopper, run_all

        say = self.console.print
        say(
            f"[bold]Sandbox mail server[/] on loopback: SMTP 127.0.0.1:{sandbox.smtp.port}, IMAP "
            f"127.0.0.1:{sandbox.imap.port} (in this process; nothing leaves the machine)"
        )
        app = App(
            database_url=f"sqlite:///{self.folder / 'outreach.db'}", broker=None, data_dir=self.folder, now=self.clock
        )
        narrator = Narrator(app.uow, self.console)
        try:
            with app.uow() as uow:
                summary = campaigns.queue(uow.session, campaign, renderer_for(campaign.settings), self.clock())
                uow.commit()
            say(
                f"[bold]Queued[/] campaign {campaign.settings.name}: {summary.scheduled} first-contact emails "
                f"to {summary.partners.partners_created} partners, one a second from "
                f"{campaign.settings.mailbox.address}"
            )
            self._show_cast(campaign, sandbox)
            stopper = Stopper()
            runner = threading.Thread(
                target=run_all,
                args=(app, 1, 1.0, stopper),
                kwargs={"watch_options": {"idle_check_seconds": 1}},
                daemon=True,
            )
            runner.start()
            settled = narrator.follow(lambda: self._settled(app, sandbox), SETTLE_TIMEOUT)
            if settled:
                settled = self._jump_to_follow_up(app, sandbox, narrator)
            stopper.event.set()
            runner.join(timeout=30)
            narrator.catch_up()
            with app.uow() as uow:
                say(pipeline_table(uow.session))
                say(funnel_line(funnel(uow.session)))
            missing = narrator.missing()
        finally:
            app.close()
        self._show_files(time.monotonic() - started)
        if missing or not settled:
            say(f"[red]The demo did not see everything it expected: {', '.join(missing) or 'it did not settle'}[/]")
            return False
        return True

    def _show_cast(self, campaign: LoadedCampaign, sandbox: Sandbox) -> None:
        for partner in campaign.partners:
            for contact in partner.contacts:
                self.console.print(
                    f"  {escape(contact.name or contact.email)} ({escape(partner.name)}) "
                    f"[dim]{sandbox.cast[contact.email].value}[/]"
                )

    def _settled(self, app, sandbox: Sandbox) -> bool:
        """Nothing due, nothing in flight, every answer delivered and processed."""
        if sandbox.answering:
            return False
        now = self.clock()
        with app.uow() as uow:
            session = uow.session
            busy = scheduler.unfinished(session, now)
            stored = session.scalar(sa.select(sa.func.count()).select_from(InboundMail))
            unprocessed = session.scalar(
                sa.select(sa.func.count()).select_from(InboundMail).where(InboundMail.status == "new")
            )
        watched = sum(sandbox.delivered.get(m.address, 0) for m in app.watched_mailboxes())
        return busy == 0 and unprocessed == 0 and stored >= watched

    def _jump_to_follow_up(self, app, sandbox: Sandbox, narrator: Narrator) -> bool:
        self._record_outcomes(app)
        with app.uow() as uow:
            due = uow.session.scalar(
                sa.select(sa.func.min(Step.due_at)).where(
                    Step.status == StepStatus.SCHEDULED,
                    Step.name.not_like("next-steps%"),
                    Step.name.not_like("check-in%"),
                )
            )
        if due is None:
            return True
        self.clock.ahead += due - self.clock() + timedelta(minutes=1)
        self.console.print(
            f"\n[bold]Fast forward[/] to {self.clock():%a %d %b %Y %H:%M} UTC: the first "
            f"follow-up is due; it goes only to those who have not answered"
        )
        return narrator.follow(lambda: self._settled(app, sandbox), SETTLE_TIMEOUT)

    def _record_outcomes(self, app) -> None:
        """Staff record what each accepted meeting agreed and approve the next-steps mail drafted
        from it (without a record, no content-free mail goes out)."""
        from outreach.db.models import Meeting, MeetingAttendee
        from outreach.domain.outcome import Outcome
        from outreach.services.meetings import invitations as meetings

        with app.uow() as uow:
            accepted = uow.session.scalars(
                sa.select(Meeting).where(
                    Meeting.id.in_(sa.select(MeetingAttendee.meeting_id).where(MeetingAttendee.partstat == "ACCEPTED"))
                )
            ).all()
            for meeting in accepted:
                day = (meeting.start_at + timedelta(days=14)).date()
                german = any(c.language == "de" for c in meeting.partner.contacts)  # staff write in their language
                said = OUTCOME_WORDS["de" if german else "en"]
                outcome = Outcome.model_validate(
                    {  # validated from plain values, as a form's are
                        "takeaways": said["takeaways"],
                        "actions": [
                            {"what": said["actions"][0], "owner": "Riverside Vocational College", "due": day},
                            {"what": said["actions"][1], "owner": meeting.partner.name, "due": day},
                        ],
                        "contacts": {"ours": ["Jana Weber"], "theirs": [a.name or a.email for a in meeting.attendees]},
                        "partnership_types": ["training", "hr_talent"],
                    }
                )
                meetings.record_outcome(uow.session, meeting, outcome, "demo", self.clock())
                meetings.approve_next_steps(uow.session, meeting, "demo", self.clock())
                self.console.print(
                    f"\n[bold]Staff record[/] the outcome of the meeting with {escape(meeting.partner.name)} "
                    "and approve the next-steps mail drafted from it"
                )
            uow.commit()

    def _show_files(self, seconds: float) -> None:
        say = self.console.print
        say(f"\nFinished in {seconds:.0f} s. Everything is kept in [bold]{self.folder}[/]:")
        say(
            f"  {self.folder / 'outreach.db'}  the logbook (try: outreach --database "
            f"sqlite:///{self.folder / 'outreach.db'} partners list)"
        )
        say(f"  {self.folder / 'sandbox' / 'mail'}  every message as an .eml file (open it in a mail client)")
        say(f"  {self.folder / 'sandbox' / 'calendar'}  the invitations and answers as .ics files")
        say(f"  {self.folder / 'campaign.demo.yaml'}  the example campaign as the demo queued it")
        say(f"  {self.folder / 'outreach.log'}  what the worker, scheduler and watcher logged")


def prepare_folder(folder: Path) -> None:
    """An empty folder; a previous demo's folder is replaced, anything else is left alone."""
    if folder.exists() and any(folder.iterdir()):
        if not (folder / MARKER).exists():
            raise InvalidInput(
                [
                    Problem(
                        str(folder),
                        None,
                        "--folder",
                        "the folder exists and is not a demo folder; name another with --folder",
                    )
                ]
            )
        shutil.rmtree(folder)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / MARKER).write_text("made by `outreach demo`; the next demo run replaces this folder\n")


def write_demo_campaign(source: Path, folder: Path, sandbox: Sandbox) -> Path:
    """The campaign file with its mailbox pointed at the sandbox and an always-open, faster pace."""
    if not source.exists():
        raise NotFound(f"{source} not found: run the demo from the project's folder or name a campaign file")
    data = load_yaml(source).data
    if not isinstance(data, dict):
        raise InvalidInput([Problem(str(source), None, "(file)", "a campaign file is a mapping of sections")])
    mailbox = data["mailbox"]
    password_file = folder / "sandbox" / "mailbox-password"
    password_file.write_text(sandbox.password(mailbox["address"]))
    password_file.chmod(0o600)
    loopback = {"host": "127.0.0.1", "security": "none", "verify_certificates": False}
    mailbox["smtp"] = {**loopback, "port": sandbox.smtp.port}
    mailbox["imap"] = {**mailbox.get("imap", {}), **loopback, "port": sandbox.imap.port}
    mailbox["auth"] = {"username": mailbox["address"], "password_file": str(password_file)}
    mailbox.pop("authserv_id", None)  # the sandbox writes no Authentication-Results: its partners are scripted
    data["sending"] = {
        **data.get("sending", {}),
        "days": ["mon", "tue", "wed", "thu", "fri", "sat", "sun"],
        "start": "00:00",
        "end": "23:59",
        "seconds_between_messages": 1,
    }
    from outreach.sandbox.partners import DEMO_PARTNERS

    data["partners"] = [
        *(data.get("partners") or []),
        *({k: v for k, v in p.items() if k != "behaviour"} for p in DEMO_PARTNERS),
    ]
    if data.get("partners_file"):
        data["partners_file"]["path"] = str((source.parent / data["partners_file"]["path"]).resolve())
    if (data.get("message") or {}).get("template_dir"):
        data["message"]["template_dir"] = str((source.parent / data["message"]["template_dir"]).resolve())
    target = folder / "campaign.demo.yaml"
    target.write_text(
        f"# {source} as `outreach demo` queued it: the mailbox is the sandbox on loopback,\n"
        "# sending is open every day at one message a second.\n"
        + yaml.safe_dump(data, sort_keys=False, allow_unicode=True)
    )
    return target
