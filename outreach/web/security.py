"""The workspace's rules for strangers: CSRF tokens bound to the session, addresses a form may
send the browser back to, and the login throttle."""

from __future__ import annotations

import hmac
import ipaddress
import threading
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

from outreach.signing_key import SigningKey

# --- CSRF ----------------------------------------------------------------------------------


def csrf_token(key: SigningKey, token: str) -> str:
    """The form token of a browser's session: derived from its cookie's token with the key,
    so it is per session, changes at login and logout, and is stored nowhere."""
    return key.derive("csrf", token)


def csrf_ok(key: SigningKey, token: str | None, sent: str | None) -> bool:
    if not token or not sent:
        return False
    return hmac.compare_digest(csrf_token(key, token), str(sent))


# --- where a form may send the browser -----------------------------------------------------


def local_path(value: object, default: str = "/") -> str:
    """`value` when it is a path of this site, else `default`. Refused: another host (`//x`,
    `/\\x`, `https://...`), any scheme, control characters, backslashes."""
    text = str(value or "")
    if (
        not text.startswith("/")
        or text.startswith("//")
        or "\\" in text
        or len(text) > 2000
        or any(ord(c) < 32 or ord(c) == 127 for c in text)
    ):
        return default
    parts = urlsplit(text)
    if parts.scheme or parts.netloc:
        return default
    return text


# --- the login throttle --------------------------------------------------------------------


def client_key(host: str | None) -> str:
    """The client as the throttle counts it: an IPv4 address, or an IPv6 /64 (one machine
    gets a whole /64; counting single IPv6 addresses would count nothing)."""
    try:
        address = ipaddress.ip_address(host or "")
    except ValueError:
        return f"client:{host or '?'}"
    if address.version == 6:
        if address.ipv4_mapped is not None:
            return f"ip:{address.ipv4_mapped}"
        return f"net:{ipaddress.ip_network(f'{address}/64', strict=False)}"
    return f"ip:{address}"


@dataclass(frozen=True)
class Rule:
    """`free` failures cost nothing; then each one doubles the wait, from `first` seconds up to `cap`."""

    free: int
    first: float
    cap: float

    def delay(self, failures: int) -> float:
        if failures < self.free:
            return 0.0
        return min(self.cap, self.first * 2 ** min(failures - self.free, 30))


PAIR = Rule(free=3, first=2.0, cap=15 * 60)  # one client trying one account
CLIENT = Rule(free=10, first=2.0, cap=5 * 60)  # one client trying many accounts
FORGET_AFTER = 60 * 60  # seconds without a failure: the count starts again
MOST_ENTRIES = 100_000  # memory stays bounded whoever knocks


class LoginThrottle:
    """Growing delays after failed logins, per (client, account) and per client. Never per
    account alone: failures from one address never slow the account's owner at another.
    Each attempt is counted as a failure when it starts (a burst of parallel guesses is
    counted before any is checked); a correct password takes its count back and clears the
    (client, account) pair; the client's own failures only fade."""

    def __init__(self, clock=time.monotonic, pair: Rule = PAIR, client: Rule = CLIENT):
        self.clock, self.rules = clock, {"pair": pair, "client": client}
        self._failures: dict[tuple, tuple[int, float]] = {}
        self._lock = threading.Lock()

    def wait(self, client: str, account: str) -> float:
        """Seconds before this client may try this account again (0: now)."""
        now = self.clock()
        with self._lock:
            return max(self._left(key, now) for key in self._keys(client, account))

    def attempt(self, client: str, account: str) -> None:
        """An attempt begins: counted as failed until `succeeded` says otherwise."""
        now = self.clock()
        with self._lock:
            for key in self._keys(client, account):
                count, last = self._failures.get(key, (0, now))
                self._failures[key] = (0 if now - last > FORGET_AFTER else count) + 1, now
            if len(self._failures) > MOST_ENTRIES:
                self._forget_oldest()

    def succeeded(self, client: str, account: str) -> None:
        with self._lock:
            self._failures.pop(("pair", client, account), None)
            count, last = self._failures.get(("client", client), (0, 0.0))
            if count > 1:
                self._failures[("client", client)] = (count - 1, last)
            else:
                self._failures.pop(("client", client), None)

    def _keys(self, client: str, account: str) -> list[tuple]:
        return [("pair", client, account), ("client", client)]

    def _left(self, key: tuple, now: float) -> float:
        count, last = self._failures.get(key, (0, now))
        if now - last > FORGET_AFTER:
            return 0.0
        return max(0.0, last + self.rules[key[0]].delay(count) - now)

    def _forget_oldest(self) -> None:
        oldest = sorted(self._failures.items(), key=lambda item: item[1][1])[: len(self._failures) // 2]
        for key, _ in oldest:
            del self._failures[key]
