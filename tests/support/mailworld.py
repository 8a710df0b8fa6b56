"""Real mail servers on loopback, from folders of the test's own: Postfix (SMTP with SASL
through Dovecot, delivery over LMTP) and Dovecot (IMAP, LMTP with Sieve and quota).

What real servers write comes back for real: Postfix turns a refusal at delivery into a
delivery status notification to the envelope sender; Dovecot's LMTP refuses an unknown
user (550 5.1.1) and a full mailbox (552 5.2.2); a filtering hop (a second smtpd with a
recipient access table) refuses content (550 5.7.1);
Pigeonhole's `vacation` answers as an out-of-office responder, through Postfix. Nothing
leaves the machine: every other destination is an error transport.

The recipe of ../shared/testing.md; Debian's postfix and dovecot-sieve.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

from tests.support.dovecot import BASE, LISTENERS, stop_dovecot
from tests.support.services import free_port, missing, port_open

PASSWORD = "secret"

DOVECOT = (
    BASE
    + """\
submission_host = 127.0.0.1:{smtp_port}
lmtp_rcpt_check_quota = yes
recipient_delimiter = +
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {tmp}/users
}}
userdb {{
  driver = passwd-file
  args = username_format=%u {tmp}/users
  default_fields = uid=mail gid=mail
}}
"""
    + LISTENERS
    + """\
service auth {{
  unix_listener auth-postfix {{
    mode = 0666
  }}
}}
mail_plugins = $mail_plugins quota
protocol lmtp {{
  postmaster_address = postmaster@school.test
  mail_plugins = $mail_plugins sieve
}}
plugin {{
  sieve = file:~/sieve;active=~/.dovecot.sieve
  quota = maildir:User quota
  quota_rule = *:storage=100M
}}
"""
)

MAIN_CF = """\
compatibility_level = 3.6
queue_directory = {tmp}/spool
data_directory = {tmp}/data
command_directory = /usr/sbin
daemon_directory = /usr/lib/postfix/sbin
meta_directory = /etc/postfix
shlib_directory = /usr/lib/postfix
mail_owner = postfix
setgid_group = postdrop
maillog_file_prefixes = /var, /dev/stdout, {tmp}
maillog_file = {tmp}/postfix.log
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
myhostname = mx.school.test
mydomain = school.test
myorigin = school.test
mydestination =
mynetworks = 127.0.0.0/8
virtual_mailbox_domains = {domains}
virtual_transport = lmtp:inet:127.0.0.1:{lmtp_port}
smtpd_reject_unlisted_recipient = no
relayhost =
default_transport = error:nothing leaves this machine
relay_transport = error:nothing leaves this machine
smtp_dns_support_level = disabled
queue_run_delay = 5s
minimal_backoff_time = 5s
maximal_backoff_time = 10s
bounce_queue_lifetime = 0
smtpd_sasl_auth_enable = yes
smtpd_sasl_type = dovecot
smtpd_sasl_path = {tmp}/run/auth-postfix
smtpd_relay_restrictions = permit_mynetworks, permit_sasl_authenticated, reject_unauth_destination
smtputf8_enable = no
transport_maps = texthash:{tmp}/etc/transport
"""

MASTER_CF = """\
127.0.0.1:{smtp_port} inet n - n - - smtpd
127.0.0.1:{filter_port} inet n - n - - smtpd
  -o myhostname=filter.partner.test
  -o smtpd_sasl_auth_enable=no
  -o smtpd_recipient_restrictions=check_recipient_access,texthash:{tmp}/etc/refused,permit
pickup    unix  n       -       n       60      1       pickup
cleanup   unix  n       -       n       -       0       cleanup
qmgr      unix  n       -       n       300     1       qmgr
tlsmgr    unix  -       -       n       1000?   1       tlsmgr
rewrite   unix  -       -       n       -       -       trivial-rewrite
bounce    unix  -       -       n       -       0       bounce
defer     unix  -       -       n       -       0       bounce
trace     unix  -       -       n       -       0       bounce
verify    unix  -       -       n       -       1       verify
flush     unix  n       -       n       1000?   0       flush
proxymap  unix  -       -       n       -       -       proxymap
smtp      unix  -       -       n       -       -       smtp
relay     unix  -       -       n       -       -       smtp
showq     unix  n       -       n       -       -       showq
error     unix  -       -       n       -       -       error
retry     unix  -       -       n       -       -       error
discard   unix  -       -       n       -       -       discard
lmtp      unix  -       -       n       -       -       lmtp
anvil     unix  -       -       n       -       1       anvil
scache    unix  -       -       n       -       1       scache
postlog   unix-dgram n  -       n       -       1       postlogd
"""


class MailWorld:
    """Postfix and Dovecot for the given domains; `add_user` before `start`."""

    def __init__(self, domains: list[str]):
        for binary in ("postfix", "dovecot"):
            if not (shutil.which(binary) or os.path.exists(f"/usr/sbin/{binary}")):
                missing("Postfix and Dovecot", "install postfix, dovecot-imapd, dovecot-lmtpd, dovecot-sieve (.ci/run)")
        if not os.path.exists("/usr/lib/dovecot/modules/lib90_sieve_plugin.so"):
            missing("Dovecot Sieve", "install dovecot-sieve (.ci/run)")
        self.tmp = Path(tempfile.mkdtemp(prefix="outreach-mailworld-"))
        self.tmp.chmod(0o755)
        self.smtp_port, self.imap_port, self.lmtp_port = free_port(), free_port(), free_port()
        self.domains = domains
        self.users: list[str] = []
        self.refused: dict[str, str] = {}
        self.filter_port = free_port()
        self.services: list[str] = []  # more master.cf entries (an smtpd with milters)
        self.starting: list = []  # called before Postfix starts (the milters it uses)
        (self.tmp / "mail").mkdir()
        (self.tmp / "etc").mkdir()

    def add_user(self, address: str, quota: str | None = None, sieve: str | None = None) -> None:
        home = self.tmp / "mail" / address
        home.mkdir(parents=True, exist_ok=True)
        extra = f"userdb_quota_rule=*:storage={quota}" if quota else ""
        self.users.append(f"{address}:{{PLAIN}}{PASSWORD}::::{home}::{extra}")
        if sieve:
            (home / ".dovecot.sieve").write_text(sieve)

    def refuse(self, address: str, reply: str) -> None:
        """Mail to `address` goes through a second SMTP hop that refuses it with `reply`
        ("550 5.7.1 ..."); Postfix then writes the DSN, as a partner's filtering gateway would."""
        self.refused[address] = reply

    def add_service(self, entry: str) -> None:
        """A master.cf entry, e.g. another smtpd on its own port with its own `-o` options."""
        self.services.append(entry)

    def before_start(self, call) -> None:
        self.starting.append(call)

    def start(self) -> None:
        for call in self.starting:
            call()
        previous = os.umask(0o022)  # the servers' own users read what is made here
        try:
            self._start()
        finally:
            os.umask(previous)

    def _start(self) -> None:
        for folder in self.tmp.rglob("*"):
            folder.chmod(0o755 if folder.is_dir() else 0o644)
        (self.tmp / "users").write_text("\n".join(self.users) + "\n")
        subprocess.run(["chown", "-R", "mail:mail", str(self.tmp / "mail")], check=True)
        (self.tmp / "dovecot.conf").write_text(
            DOVECOT.format(tmp=self.tmp, imap_port=self.imap_port, lmtp_port=self.lmtp_port, smtp_port=self.smtp_port)
        )
        subprocess.run(["dovecot", "-c", str(self.tmp / "dovecot.conf")], check=True)
        for folder in ("spool", "data"):
            (self.tmp / folder).mkdir(exist_ok=True)
        subprocess.run(["chown", "postfix:postfix", str(self.tmp / "data")], check=True)
        (self.tmp / "etc" / "main.cf").write_text(
            MAIN_CF.format(tmp=self.tmp, lmtp_port=self.lmtp_port, domains=", ".join(self.domains))
        )
        (self.tmp / "etc" / "master.cf").write_text(
            MASTER_CF.format(smtp_port=self.smtp_port, filter_port=self.filter_port, tmp=self.tmp)
            + "".join(self.services)
        )
        (self.tmp / "etc" / "refused").write_text("".join(f"{a} {r}\n" for a, r in self.refused.items()))
        (self.tmp / "etc" / "transport").write_text(
            "".join(f"{a} smtp:[127.0.0.1]:{self.filter_port}\n" for a in self.refused)
        )
        etc = str(self.tmp / "etc")
        subprocess.run(["postfix", "-c", etc, "check"], check=True, capture_output=True)
        started = subprocess.run(
            ["script", "-qec", f"postfix -c {etc} start", "/dev/null"], capture_output=True, text=True
        )
        deadline = time.monotonic() + 20
        while not (port_open("127.0.0.1", self.smtp_port) and port_open("127.0.0.1", self.imap_port)):
            if time.monotonic() > deadline:
                raise RuntimeError(
                    f"Postfix or Dovecot did not start: {started.stdout} {started.stderr}; "
                    f"see {self.tmp}/postfix.log and {self.tmp}/dovecot.log"
                )
            time.sleep(0.1)

    def log(self) -> str:
        return "".join(
            p.read_text(errors="replace") for p in (self.tmp / "postfix.log", self.tmp / "dovecot.log") if p.exists()
        )

    def stop(self) -> None:
        subprocess.run(["postfix", "-c", str(self.tmp / "etc"), "stop"], capture_output=True)
        stop_dovecot(self.tmp)

    def cleanup(self) -> None:
        self.stop()
        shutil.rmtree(self.tmp, ignore_errors=True)
