"""CI that does not depend on luck: no test assumes a port is free, or that nothing listens on
one that any process could take. Ports come from `free_port()` (a server of the test's own)
or `closed_port()` (a port held so that nothing answers there); only the shared services'
addresses (PostgreSQL 5432, Redis 6379, overridable by environment) and privileged ports
(below 1024: no test or sandbox can listen there, e.g. a mailbox at port 1 never reached)
are named."""

import re
from pathlib import Path

TESTS = Path(__file__).resolve().parent
SERVICE_PORTS = {"5432", "6379"}
FIXED_PORT = re.compile(
    r"""port["']?\s*[:=]\s*(\d{4,5})\b"""  # port: 2525, "port": 1143, port=8025
    r"""|(?:127\.0\.0\.1|localhost):(\d{4,5})\b"""  # 127.0.0.1:8000
    r"""|campaign_settings\([^,()]+,\s*(\d+)\s*,\s*(\d+)"""
)  # campaign_settings(name, 2525, 1143, ...)


def fixed_ports(text: str) -> list[str]:
    return [
        port
        for match in FIXED_PORT.finditer(text)
        for port in match.groups()
        if port and port not in SERVICE_PORTS and int(port) >= 1024
    ]


def test_the_pattern_finds_the_fixed_ports_it_is_for():
    assert fixed_ports('campaign_settings("rules", 2525, 1143, partners)') == ["2525", "1143"]
    assert fixed_ports('{"host": "127.0.0.1", "port": 1143}') == ["1143"]
    assert fixed_ports("smtp: {host: 127.0.0.1, port: 2525}") == ["2525"]
    assert fixed_ports("postgresql://postgres@127.0.0.1:5432/postgres") == []
    assert fixed_ports("campaign_settings(name, relay.port, dovecot.imap_port, partners)") == []
    assert fixed_ports('campaign_settings("x", 1, 1, partners)') == []


def test_no_test_names_a_fixed_port():
    found = {
        f"{path.relative_to(TESTS)}: {port}"
        for path in TESTS.rglob("*.py")
        if path.name != Path(__file__).name
        for port in fixed_ports(path.read_text(encoding="utf-8"))
    }
    assert not found, f"take a port from free_port() or closed_port() (tests/support/services.py): {sorted(found)}"
