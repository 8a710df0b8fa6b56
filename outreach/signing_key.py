"""The web workspace's signing key: where it lives, how it is made and rotated, and the rule
that no campaign file may name it (as a secret file, a partners file, a template folder or an
environment variable). The key is `OUTREACH_WEB_SECRET` when set, else a file made once in
the data folder (owner-only, never in a folder the workspace serves)."""

from __future__ import annotations

import hmac
import os
import secrets
import stat
import threading
from hashlib import sha256
from pathlib import Path

from outreach.errors import OutreachError

KEY_FILE = "outreach-web.secret"
KEY_ENV = "OUTREACH_WEB_SECRET"
_known: set[Path] = set()  # key files this process uses (checked by what a campaign names)
_lock = threading.Lock()


class SigningKeyError(OutreachError):
    exit_code = 2


def key_path(folder: Path) -> Path:
    return Path(folder) / KEY_FILE


def register(folder: Path) -> Path:
    """Remember where this process keeps its key, so a campaign naming it is refused."""
    path = key_path(folder).absolute()
    with _lock:
        _known.add(path)
    return path


def names_key_file(path: Path) -> bool:
    """Whether a path a campaign names is (or, for a folder, holds) the workspace's key."""
    try:
        target = Path(path).resolve()
    except (OSError, RuntimeError):
        return True  # a loop of links: refused rather than followed
    if target.name == KEY_FILE:
        return True
    for known in _known_keys():
        if target == known or known.is_relative_to(target) or _same_file(target, known):
            return True
    return (target / KEY_FILE).exists() if target.is_dir() else False


def names_key_env(name: str | None) -> bool:
    return name is not None and name.strip() == KEY_ENV


def _known_keys() -> list[Path]:
    default = key_path(Path(os.environ.get("OUTREACH_DATA") or "outreach-data"))
    with _lock:
        found = {p.resolve() for p in _known} | {default.resolve()}
    return sorted(found)


def _same_file(a: Path, b: Path) -> bool:
    try:
        return a.samefile(b)
    except OSError:
        return False


class SigningKey:
    """The key, read again when the file changes (after `outreach web rotate-secret` in
    another process). Keys are derived per purpose; the key itself never leaves here."""

    def __init__(self, folder: Path | None = None, given: str | None = None):
        self.given = given or os.environ.get(KEY_ENV) or None
        self.path = register(folder) if folder is not None and not self.given else None
        self._stamp: tuple | None = None
        self._value = b""

    def derive(self, purpose: str, value: str) -> str:
        return hmac.new(self._current(), f"{purpose}\0{value}".encode(), sha256).hexdigest()

    def _current(self) -> bytes:
        if self.given:
            return self.given.encode()
        assert self.path is not None, "a signing key needs a folder or a given key"
        stamp = _stamp(self.path)
        if stamp is None or stamp != self._stamp:
            self._value = make(self.path).encode()
            self._stamp = _stamp(self.path)
        return self._value


def _stamp(path: Path) -> tuple | None:
    try:
        info = path.stat()
    except OSError:
        return None
    return info.st_ino, info.st_mtime_ns, info.st_size


def make(path: Path) -> str:
    """The key in the file, made when missing; the file kept owner-only (0600)."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    if not path.exists():
        write(path)
    info = path.stat()
    if stat.S_IMODE(info.st_mode) & 0o077:
        path.chmod(0o600)  # readable by others: made owner-only again
    value = path.read_text(encoding="utf-8").strip()
    if len(value) < 32:
        raise SigningKeyError(f"the workspace key {path} is too short: run `outreach web rotate-secret`")
    return value


def write(path: Path) -> None:
    """A new key, written beside the file and moved over it (never half-written)."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    fresh = path.with_name(f".{path.name}.{secrets.token_hex(4)}")
    descriptor = os.open(fresh, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as file:
        file.write(secrets.token_urlsafe(48))
    os.replace(fresh, path)
