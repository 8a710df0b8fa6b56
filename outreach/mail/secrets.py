"""Mailbox secrets: from an environment variable, a file or a command; never from the campaign file.
Credentials that came from where they may not (a campaign uploaded through the workspace) are
refused here, at the one place every secret is read."""

from __future__ import annotations

import logging
import os
import shlex
import stat
import subprocess
from dataclasses import dataclass
from pathlib import Path

from outreach.campaign.model import Credentials
from outreach.errors import OutreachError
from outreach.signing_key import names_key_env, names_key_file

log = logging.getLogger("outreach.secrets")


class SecretError(OutreachError):
    exit_code = 2


@dataclass(frozen=True, repr=False)
class Secret:
    kind: str  # "password" or "oauth2"
    value: str

    def __repr__(self) -> str:  # never printed, never logged
        return f"Secret({self.kind}, ***)"


def resolve(credentials: Credentials) -> Secret:
    if credentials._refused:  # before anything is read or run
        raise SecretError(credentials._refused)
    if credentials.password_env:
        return Secret("password", _env(credentials.password_env))
    if credentials.password_file:
        return Secret("password", _file(credentials.password_file))
    if credentials.oauth2_token_env:
        return Secret("oauth2", _env(credentials.oauth2_token_env))
    if credentials.oauth2_token_file:
        return Secret("oauth2", _file(credentials.oauth2_token_file))
    assert credentials.oauth2_token_command is not None  # the model asks for exactly one source
    return Secret("oauth2", _command(credentials.oauth2_token_command))


def refuse(credentials: Credentials, why: str) -> Credentials:
    """The same credentials, that never give their secret: resolving them raises `why` before
    any variable, file or command is touched (and before any connection is opened)."""
    copy = credentials.model_copy()
    copy._refused = why
    return copy


def is_refused(credentials: Credentials) -> bool:
    return credentials._refused is not None


def _env(name: str) -> str:
    if names_key_env(name):
        raise SecretError(f"{name} is the web workspace's signing key, never a mailbox secret")
    value = os.environ.get(name)
    if not value:
        raise SecretError(
            f"the environment variable {name} is not set: export {name}=... (or name a file with password_file)"
        )
    return value


def _file(path: Path) -> str:
    if names_key_file(path):
        raise SecretError(f"{path} is the web workspace's signing key, never a mailbox secret")
    try:
        mode = path.stat().st_mode
        value = path.read_text(encoding="utf-8").strip()
    except OSError as error:
        raise SecretError(f"cannot read the secret file {path}: {error.strerror}") from None
    if mode & stat.S_IWOTH:
        raise SecretError(
            f"the secret file {path} is writable by everyone: anyone could change it; run `chmod 600 {path}`"
        )
    if mode & (stat.S_IRGRP | stat.S_IROTH):
        log.warning("the secret file %s is readable by others: run `chmod 600 %s`", path, path)
    if not value:
        raise SecretError(f"the secret file {path} is empty")
    return value


def _command(command: str) -> str:
    try:
        done = subprocess.run(shlex.split(command), capture_output=True, text=True, timeout=60)
    except subprocess.TimeoutExpired:  # its message would show the whole command line
        raise SecretError(f"the token command {_program(command)!r} did not answer within 60 s") from None
    except OSError as error:
        raise SecretError(f"the token command {_program(command)!r} could not start: {error.strerror}") from None
    if done.returncode != 0 or not done.stdout.strip():
        raise SecretError(f"the token command {_program(command)!r} exited {done.returncode} without printing a token")
    return done.stdout.strip()


def _program(command: str) -> str:
    """The program's name only: its arguments may hold secrets."""
    words = command.split()
    return Path(words[0]).name if words else "(empty)"


def xoauth2(username: str, token: str) -> str:
    """The SASL XOAUTH2 initial response (before base64), as Gmail and Microsoft 365 expect."""
    return f"user={username}\x01auth=Bearer {token}\x01\x01"
