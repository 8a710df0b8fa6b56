"""Reaching the real services the integration tests use.

Outside CI a missing service skips its tests; in CI (CI=true) it fails them, so a green
CI run can never hide a service that was not there.
"""

from __future__ import annotations

import os
import socket

import pytest

IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
POSTGRES_ADMIN_URL = os.environ.get("TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
REDIS_TEST_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


def missing(service: str, why: str):
    message = f"{service} is not available: {why}"
    if IN_CI:
        pytest.fail(message + " (CI must start it: see .ci/run)")
    pytest.skip(message)


def port_open(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=1):
            return True
    except OSError:
        return False


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


_HELD: list[socket.socket] = []


def closed_port() -> int:
    """A loopback port where nothing answers, for as long as the test process runs: bound and
    never listening, so a connection is refused at once and no other process (a sandbox, another
    test run) can take it. For mailboxes a test never reaches, or must fail to reach."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    _HELD.append(sock)
    return sock.getsockname()[1]
