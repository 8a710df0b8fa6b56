"""A real Dovecot IMAP server (with LMTP delivery) from a config of its own, on free ports.

The recipe of ../shared/testing.md, with one change: every address is a mailbox with the
password PASSWORD (a static passdb and userdb), so tests make as many partners as they
like without editing a users file (Dovecot re-reads that file only every other second).
Mail is stored as the `mail` user; plain-text auth on loopback only; IDLE, CONDSTORE,
UIDPLUS and MOVE available. Unknown recipients are simulated by the SMTP relay.
"""

from __future__ import annotations

import os
import shutil
import smtplib
import subprocess
import tempfile
import time
from pathlib import Path

from tests.support.services import free_port, missing, port_open

# What every test Dovecot shares: its own folders, loopback, plain text, mail stored as `mail`.
BASE = """\
base_dir = {tmp}/run
state_dir = {tmp}/state
log_path = {tmp}/dovecot.log
protocols = imap lmtp
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
default_internal_user = dovecot
default_internal_group = dovecot
default_login_user = dovenull
mail_location = maildir:~/Maildir
mail_uid = mail
mail_gid = mail
first_valid_uid = 8
"""

# IMAP and LMTP on loopback, on the ports a test picks.
LISTENERS = """\
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {imap_port}
  }}
}}
service lmtp {{
  inet_listener lmtp {{
    address = 127.0.0.1
    port = {lmtp_port}
  }}
}}
"""

CONFIG = (
    BASE
    + """\
passdb {{
  driver = static
  args = password={password}
}}
userdb {{
  driver = static
  args = uid=mail gid=mail home={tmp}/mail/%u
}}
"""
    + LISTENERS
    + """\
protocol lmtp {{
  postmaster_address = postmaster@school.test
}}
"""
)

PASSWORD = "secret"


class Dovecot:
    def __init__(self):
        binary = shutil.which("dovecot") or ("/usr/sbin/dovecot" if os.path.exists("/usr/sbin/dovecot") else None)
        if binary is None:
            missing("Dovecot", "install dovecot-imapd and dovecot-lmtpd (see .ci/run)")
        self.binary = binary
        self.tmp = Path(tempfile.mkdtemp(prefix="outreach-dovecot-"))
        self.tmp.chmod(0o755)
        self.imap_port, self.lmtp_port = free_port(), free_port()
        (self.tmp / "mail").mkdir()
        subprocess.run(["chown", "mail:mail", str(self.tmp / "mail")], check=True)
        (self.tmp / "dovecot.conf").write_text(
            CONFIG.format(tmp=self.tmp, imap_port=self.imap_port, lmtp_port=self.lmtp_port, password=PASSWORD)
        )

    def start(self) -> None:
        subprocess.run([self.binary, "-c", str(self.tmp / "dovecot.conf")], check=True)
        deadline = time.monotonic() + 15
        while not (port_open("127.0.0.1", self.imap_port) and port_open("127.0.0.1", self.lmtp_port)):
            if time.monotonic() > deadline:
                raise RuntimeError(f"Dovecot did not start; see {self.tmp / 'dovecot.log'}")
            time.sleep(0.05)

    def stop(self) -> None:
        stop_dovecot(self.tmp)

    def restart(self) -> None:
        self.stop()
        self.start()

    def deliver(self, recipient: str, message: bytes, sender: str = "sender@partner.test") -> None:
        with smtplib.LMTP("127.0.0.1", self.lmtp_port) as lmtp:
            lmtp.sendmail(sender, [recipient], message)

    def cleanup(self) -> None:
        self.stop()
        shutil.rmtree(self.tmp, ignore_errors=True)


def stop_dovecot(tmp: Path, wait: float = 15) -> None:
    """Stop the Dovecot whose base_dir is under `tmp` and wait until it has exited."""
    pid_file = tmp / "run" / "master.pid"
    if not pid_file.exists():
        return
    pid = int(pid_file.read_text().strip())
    try:
        os.kill(pid, 15)
    except ProcessLookupError:
        return
    deadline = time.monotonic() + wait
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return
        time.sleep(0.05)
