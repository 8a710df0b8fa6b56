"""Sessions, CSRF tokens, roles and the login rate limit of the web workspace."""

from __future__ import annotations

import hmac
import os
import secrets
import threading
import time
from collections import defaultdict, deque
from pathlib import Path

from outreach.services.accounts.users import Role

SESSION_HOURS = 12
ATTEMPTS, WINDOW_SECONDS = 5, 15 * 60


def secret_key(folder: Path) -> str:
    """OUTREACH_WEB_SECRET, else a key kept in a file beside the logbook (0600), made once."""
    given = os.environ.get("OUTREACH_WEB_SECRET")
    if given:
        return given
    path = folder / "outreach-web.secret"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(48))
        path.chmod(0o600)
    return path.read_text().strip()


def csrf_token(session: dict) -> str:
    if "csrf" not in session:
        session["csrf"] = secrets.token_urlsafe(32)
    return session["csrf"]


def csrf_ok(session: dict, sent: str | None) -> bool:
    return bool(sent) and "csrf" in session and hmac.compare_digest(session["csrf"], sent)


def role_of(session: dict) -> Role | None:
    try:
        return Role(session["role"]) if session.get("user") else None
    except (KeyError, ValueError):
        return None


class LoginLimit:
    """At most ATTEMPTS failed logins per address and per client in WINDOW_SECONDS."""

    def __init__(self, attempts: int = ATTEMPTS, window: float = WINDOW_SECONDS, clock=time.monotonic):
        self.attempts, self.window, self.clock = attempts, window, clock
        self._failures: dict[str, deque] = defaultdict(deque)
        self._lock = threading.Lock()

    def blocked(self, *keys: str) -> bool:
        with self._lock:
            return any(len(self._recent(key)) >= self.attempts for key in keys)

    def failed(self, *keys: str) -> None:
        with self._lock:
            for key in keys:
                self._recent(key).append(self.clock())

    def cleared(self, *keys: str) -> None:
        with self._lock:
            for key in keys:
                self._failures.pop(key, None)

    def _recent(self, key: str) -> deque:
        failures = self._failures[key]
        while failures and failures[0] < self.clock() - self.window:
            failures.popleft()
        return failures
