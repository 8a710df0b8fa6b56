"""`outreach sandbox`: the sandbox mail server on its own (docker-compose's sandbox profile),
driven over real SMTP and IMAP as the worker and the watcher drive it."""

import os
import signal
import smtplib
import socket
import subprocess
import sys
from email.message import EmailMessage
from pathlib import Path

import pytest
from imapclient import IMAPClient
from imapclient.exceptions import LoginError

from tests.support.mailboxes import wait_for
from tests.support.services import free_port

ROOT = Path(__file__).resolve().parents[1]
MAILBOX = "partnerships@riverside.example"


def listening(port: int) -> bool:
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) == 0


@pytest.fixture
def sandbox(tmp_path):
    smtp_port, imap_port = free_port(), free_port()
    env = {**os.environ, "OUTREACH_MAIL_PASSWORD": "sandbox-secret"}
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "outreach",
            "sandbox",
            "config/campaign.sandbox.yaml",
            "--smtp-port",
            str(smtp_port),
            "--imap-port",
            str(imap_port),
            "--folder",
            str(tmp_path),
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    wait_for(lambda: listening(smtp_port) and listening(imap_port), timeout=30, what="the sandbox's ports")
    yield process, smtp_port, imap_port, tmp_path
    if process.poll() is None:
        process.kill()


def test_a_partner_answers_into_the_campaigns_inbox_and_the_server_stops_on_sigterm(sandbox):
    process, smtp_port, imap_port, folder = sandbox
    message = EmailMessage()
    message["From"], message["To"] = MAILBOX, "Maren Voss <m.voss@werft-elbe.example>"
    message["Subject"], message["Message-ID"] = "Partnership", "<first-1@riverside.example>"
    message.set_content("Dear Maren Voss, ...")
    with smtplib.SMTP("127.0.0.1", smtp_port, timeout=10) as smtp:
        smtp.login(MAILBOX, "sandbox-secret")
        smtp.send_message(message)

    with IMAPClient("127.0.0.1", port=imap_port, ssl=False, timeout=10) as imap:
        imap.login(MAILBOX, "sandbox-secret")
        imap.select_folder("INBOX")
        wait_for(lambda: (imap.noop(), imap.search(["ALL"]))[1], timeout=20, what="the partner's answer")
        [uid] = imap.search(["ALL"])
        raw = imap.fetch([uid], ["BODY[]"])[uid][b"BODY[]"]
    assert b"In-Reply-To: <first-1@riverside.example>" in raw
    assert b"From: Maren Voss <m.voss@werft-elbe.example>" in raw
    assert len(list((folder / "mail").glob("*.eml"))) == 2  # ours and the answer

    with pytest.raises(LoginError), IMAPClient("127.0.0.1", port=imap_port, ssl=False, timeout=10) as imap:
        imap.login(MAILBOX, "wrong")

    process.send_signal(signal.SIGTERM)
    assert process.wait(timeout=20) == 0
    assert "m.voss@werft-elbe.example replies, then accepts the meeting" in process.stdout.read()
