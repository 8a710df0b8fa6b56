"""Real DKIM and DMARC on loopback: Debian's OpenDKIM and OpenDMARC as milters of the
test's Postfix (tests/support/mailworld.py), from folders of the test's own.

    partner's server (a second smtpd)  --OpenDKIM signs-->  the school's MX (a third smtpd)
    the school's MX  --OpenDKIM verifies, OpenDMARC evaluates, both write Authentication-Results
                      as `mx.school.test`-->  Dovecot (LMTP)

Forged mail is handed straight to the school's MX, unsigned, as an attacker's own server would.

The partner domain's records come from files the test writes: the DKIM key pair from
`opendkim-genkey`; OpenDKIM signs with it (KeyTable, SigningTable) and verifies against its
public half read from a data set (`TestDNSData`), never from DNS. OpenDMARC has no such option:
it asks the resolver in /etc/resolv.conf for `_dmarc.partner.example` (and SPF), so it runs in
a mount namespace of its own (`unshare --mount`) where /etc/resolv.conf names a DNS server the
test runs on a loopback address of its own (dnslib, answering from the zone file), and its
Public Suffix List is a local file. Nothing is asked of any other resolver.

SPF is left out of DMARC here: every client is on loopback, and SPF libraries pass loopback
clients whatever the record says ("localhost is always allowed"), so forged mail would pass.
DMARC decides on DKIM alone, as it does for mail whose SPF breaks on forwarding.
"""

from __future__ import annotations

import os
import random
import shutil
import subprocess
import time
from pathlib import Path

from tests.support.services import free_port, missing, port_open

AUTHSERV_ID = "mx.school.test"
SELECTOR = "test"
NOWHERE = "192.0.2.255"  # a documentation address: no client is "internal", no host is ignored

SIGNER = """\
Mode s
Socket inet:{port}@127.0.0.1
KeyTable file:{tmp}/KeyTable
SigningTable refile:{tmp}/SigningTable
Canonicalization relaxed/simple
Background no
Syslog no
PidFile {tmp}/signer.pid
RequireSafeKeys no
"""

VERIFIER = """\
Mode v
Socket inet:{port}@127.0.0.1
AuthservID {authserv_id}
AlwaysAddARHeader yes
RemoveARAll yes
RemoveARFrom {authserv_id}
InternalHosts {tmp}/nobody
TestDNSData file:{tmp}/dkim-records
Background no
Syslog no
PidFile {tmp}/verifier.pid
"""

DMARC = """\
Socket inet:{port}@127.0.0.1
AuthservID {authserv_id}
TrustedAuthservIDs {authserv_id}
PublicSuffixList {tmp}/public_suffix_list.dat
IgnoreHosts {tmp}/nobody
SPFSelfValidate false
SPFIgnoreResults true
RejectFailures false
FailureReports false
RequiredHeaders false
Background false
Syslog false
PidFile {tmp}/opendmarc.pid
"""


class MailAuthentication:
    """DKIM signing for `domain` on its own SMTP port, and DKIM and DMARC checks on the
    school's MX port, added to a MailWorld before it starts."""

    def __init__(self, world, domain: str, dmarc: str = "v=DMARC1; p=reject"):
        for binary in ("opendkim", "opendmarc", "opendkim-genkey", "unshare"):
            if not shutil.which(binary):
                missing("OpenDKIM and OpenDMARC", "install opendkim, opendkim-tools, opendmarc (.ci/run)")
        if os.geteuid() != 0:
            missing(
                "OpenDMARC's own resolver",
                "the test's DNS server listens on port 53 and OpenDMARC runs in a mount namespace: both need root",
            )
        try:
            import dnslib  # noqa: F401
        except ImportError:
            missing("dnslib", "install the test extras: pip install -e '.[test]'")
        self.world, self.domain = world, domain
        self.tmp = world.tmp / "auth"
        self.tmp.mkdir()
        self.sign_port, self.verify_port, self.dmarc_port = free_port(), free_port(), free_port()
        self.outbound_port, self.mx_port = free_port(), free_port()
        self.dns_address = f"127.{random.randint(1, 254)}.{random.randint(1, 254)}.{random.randint(2, 254)}"
        self.records = {f"_dmarc.{domain}": dmarc}
        self.processes: list[subprocess.Popen] = []
        self.dns = None
        self.asked: list[str] = []
        world.add_service(f"""\
127.0.0.1:{self.outbound_port} inet n - n - - smtpd
  -o myhostname=mail.{domain}
  -o smtpd_sasl_auth_enable=no
  -o smtpd_milters=inet:127.0.0.1:{self.sign_port}
  -o content_filter=smtp:[127.0.0.1]:{self.mx_port}
""")
        world.add_service(f"""\
127.0.0.1:{self.mx_port} inet n - n - - smtpd
  -o myhostname={AUTHSERV_ID}
  -o smtpd_sasl_auth_enable=no
  -o smtpd_milters=inet:127.0.0.1:{self.verify_port},inet:127.0.0.1:{self.dmarc_port}
""")
        world.before_start(self.start)

    def start(self) -> None:
        self._keys()
        (self.tmp / "nobody").write_text(f"{NOWHERE}\n")
        psl = Path(__import__("publicsuffixlist").__file__).with_name("public_suffix_list.dat")
        shutil.copyfile(psl, self.tmp / "public_suffix_list.dat")
        (self.tmp / "zone").write_text(
            "".join(f'{name}. 60 IN TXT "{value}"\n' for name, value in self.records.items())
        )
        (self.tmp / "resolv.conf").write_text(f"nameserver {self.dns_address}\noptions timeout:2 attempts:1\n")
        self._start_dns()
        settings = {"tmp": self.tmp, "authserv_id": AUTHSERV_ID}
        for name, template, port in (("signer", SIGNER, self.sign_port), ("verifier", VERIFIER, self.verify_port)):
            (self.tmp / f"{name}.conf").write_text(template.format(port=port, **settings))
            self._run(name, ["opendkim", "-f", "-x", str(self.tmp / f"{name}.conf")], port)
        (self.tmp / "opendmarc.conf").write_text(DMARC.format(port=self.dmarc_port, **settings))
        self._run("opendmarc", ["opendmarc", "-f", "-c", str(self.tmp / "opendmarc.conf")], self.dmarc_port)

    def _keys(self) -> None:
        """A key pair for the partner domain: the private half for signing, the public half as
        its DNS TXT record would read."""
        subprocess.run(
            ["opendkim-genkey", "-b", "1024", "-d", self.domain, "-s", SELECTOR, "-D", str(self.tmp)],
            check=True,
            capture_output=True,
        )
        name = f"{SELECTOR}._domainkey.{self.domain}"
        text = (self.tmp / f"{SELECTOR}.txt").read_text()
        record = "".join(part for index, part in enumerate(text.split('"')) if index % 2)  # the quoted strings
        self.records[name] = record
        (self.tmp / "dkim-records").write_text(f"{name} {record}\n")
        (self.tmp / "KeyTable").write_text(f"{name} {self.domain}:{SELECTOR}:{self.tmp}/{SELECTOR}.private\n")
        (self.tmp / "SigningTable").write_text(f"*@{self.domain} {name}\n")

    def _start_dns(self) -> None:
        from dnslib import QTYPE
        from dnslib.server import DNSLogger, DNSServer
        from dnslib.zoneresolver import ZoneResolver

        asked = self.asked = []

        class Recorded(ZoneResolver):
            """Keeps the names asked for: a failing test shows them."""

            def resolve(self, request, handler):
                asked.append(f"{request.q.qname} {QTYPE[request.q.qtype]}")
                return super().resolve(request, handler)

        resolver = Recorded((self.tmp / "zone").read_text())
        quiet = DNSLogger("-request,-reply,-truncated,-error,-recv,-send,-data")
        try:
            self.dns = DNSServer(resolver, address=self.dns_address, port=53, logger=quiet)
        except OSError as error:
            raise RuntimeError(f"the test's DNS server could not listen on {self.dns_address}:53: {error}") from error
        self.dns.start_thread()

    def _run(self, name: str, command: list[str], port: int) -> None:
        """The daemon in a mount namespace of its own, where /etc/resolv.conf is the test's."""
        script = 'mount --bind "$0" /etc/resolv.conf && exec "$@"'
        log = open(self.tmp / f"{name}.log", "wb")
        process = subprocess.Popen(
            [
                "unshare",
                "--mount",
                "--propagation",
                "private",
                "sh",
                "-c",
                script,
                str(self.tmp / "resolv.conf"),
                *command,
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        self.processes.append(process)
        deadline = time.monotonic() + 15
        while not port_open("127.0.0.1", port):
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"{name} did not start: {(self.tmp / f'{name}.log').read_text(errors='replace')}")
            time.sleep(0.05)

    def log(self) -> str:
        logs = "".join(f"--- {p.name}\n{p.read_text(errors='replace')}" for p in sorted(self.tmp.glob("*.log")))
        return f"{logs}--- DNS names asked: {', '.join(self.asked) or 'none'}\n"

    def stop(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                process.terminate()
        for process in self.processes:
            try:
                process.wait(10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(5)
        if self.dns is not None:
            self.dns.stop()
            self.dns = None
