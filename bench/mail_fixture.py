"""Shared by the inbox benchmarks: a private Dovecot, a database with a sent campaign."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import uuid
from datetime import UTC, datetime
from email.message import EmailMessage
from email.policy import SMTP
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from outreach.campaign import load_campaign
from outreach.db.engine import UnitOfWork, make_engine
from outreach.db.migrate import upgrade
from outreach.db.models import Step
from outreach.db.types import utcnow
from outreach.domain.vocabulary import StepStatus
from outreach.rendering import Renderer
from outreach.services.outbound import campaigns
from tests.support.campaigns import PASSWORD_ENV, campaign_settings, write_campaign
from tests.support.dovecot import PASSWORD, Dovecot

SENDER = "bench@school.test"


def start_dovecot() -> Dovecot:
    server = Dovecot()
    server.start()
    return server


def sent_campaign(database: str | None, partners: int, imap_port: int) -> tuple[str, list[tuple[str, str]], Path]:
    """A database where a campaign to `partners` contacts has been sent: its URL, each
    contact's (email, Message-ID of our message) and a data folder."""
    folder = Path(tempfile.mkdtemp(prefix="outreach-inbox-bench-"))
    url = database or f"sqlite:///{folder / 'bench.db'}"
    engine = make_engine(url)
    upgrade(engine)
    os.environ[PASSWORD_ENV] = PASSWORD
    people = [
        {
            "name": f"Firm {i}",
            "partnership_types": ["training"],
            "contacts": [{"name": f"Person {i}", "email": f"person{i}@firm{i}.test"}],
        }
        for i in range(partners)
    ]
    campaign = load_campaign(write_campaign(folder, campaign_settings("bench", 1, imap_port, people, sender=SENDER)))
    with UnitOfWork(engine) as uow:
        campaigns.queue(uow.session, campaign, Renderer(), utcnow())
        uow.session.execute(Step.__table__.update().values(status=StepStatus.SENT, sent_at=utcnow()))
        uow.commit()
        steps = [(step.contact.email, step.message_id) for step in uow.session.query(Step).all()]
    engine.dispose()
    return url, steps, folder


def mail(sender: str, subject: str, text: str, in_reply_to: str | None = None) -> bytes:
    message = EmailMessage(policy=SMTP)
    message["From"], message["To"], message["Subject"] = sender, SENDER, subject
    message["Message-ID"] = f"<{uuid.uuid4().hex}@partner.test>"
    message["Date"] = datetime.now(UTC).strftime("%a, %d %b %Y %H:%M:%S +0000")
    if in_reply_to:
        message["In-Reply-To"] = in_reply_to
    message.set_content(text)
    return message.as_bytes()


def fill_maildir(dovecot: Dovecot, user: str, messages: list[bytes]) -> None:
    """Put messages straight into the user's Maildir (Dovecot indexes them on first look)."""
    new = dovecot.tmp / "mail" / user / "Maildir" / "new"
    for sub in ("new", "cur", "tmp"):
        (new.parent / sub).mkdir(parents=True, exist_ok=True)
    for number, raw in enumerate(messages):
        (new / f"{1_700_000_000 + number}.M{number}P1.bench").write_bytes(raw)
    subprocess.run(["chown", "-R", "mail:mail", str(dovecot.tmp / "mail" / user)], check=True)
