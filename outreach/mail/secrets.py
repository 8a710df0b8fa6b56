"""Mailbox secrets: from an environment variable, a file or a command; never from the campaign file."""

from __future__ import annotations

import os
import shlex
import subprocess
from dataclasses import dataclass
from pathlib import Path

from outreach.campaign.model import Credentials
from outreach.errors import OutreachError


class SecretError(OutreachError):
    exit_code = 2


@dataclass(frozen=True, repr=False)
class Secret:
    kind: str  # "password" or "oauth2"
    value: str

    def __repr__(self) -> str:  # never printed, never logged
        return f"Secret({self.kind}, ***)"


def resolve(credentials: Credentials) -> Secret:
    if credentials.password_env:
        return Secret("password", _env(credentials.password_env))
    if credentials.password_file:
        return Secret("password", _file(credentials.password_file))
    if credentials.oauth2_token_env:
        return Secret("oauth2", _env(credentials.oauth2_token_env))
    if credentials.oauth2_token_file:
        return Secret("oauth2", _file(credentials.oauth2_token_file))
    return Secret("oauth2", _command(credentials.oauth2_token_command))


def _env(name: str) -> str:
    value = os.environ.get(name)
    if not value:
        raise SecretError(f"the environment variable {name} is not set: export {name}=... "
                          "(or name a file with password_file)")
    return value


def _file(path: Path) -> str:
    try:
        value = path.read_text(encoding="utf-8").strip()
    except OSError as error:
        raise SecretError(f"cannot read the secret file {path}: {error.strerror}") from None
    if not value:
        raise SecretError(f"the secret file {path} is empty")
    return value


def _command(command: str) -> str:
    try:
        done = subprocess.run(shlex.split(command), capture_output=True, text=True, timeout=60)
    except (OSError, subprocess.TimeoutExpired) as error:
        raise SecretError(f"the token command {command.split()[0]!r} failed: {error}") from None
    if done.returncode != 0 or not done.stdout.strip():
        raise SecretError(f"the token command {command.split()[0]!r} exited {done.returncode} "
                          "without printing a token")
    return done.stdout.strip()


def xoauth2(username: str, token: str) -> str:
    """The SASL XOAUTH2 initial response (before base64), as Gmail and Microsoft 365 expect."""
    return f"user={username}\x01auth=Bearer {token}\x01\x01"
