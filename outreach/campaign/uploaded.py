"""What a campaign file uploaded through the workspace may hold.

Whoever uploads it holds an officer's account, not the server's shell. So the file names its
mailbox by address alone (the administrator's registry supplies servers and secret), and it
names nothing the server would run, read or log in with on its behalf: no secret source, no
token command, no file on the server. Pure: the YAML document's data in, problems out.
"""

from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum
from typing import Any

from outreach.campaign.model import SECRET_SOURCES
from outreach.errors import Problem

MAILBOX_BY_ADDRESS = (
    "campaigns uploaded here may only name a registered mailbox by its address; "
    "the administrator registers mailboxes with `outreach mailboxes add`"
)
NO_SECRETS = (
    "campaigns uploaded here may not name secret sources or commands; the administrator sets "
    "them up on the server (`outreach mailboxes add`, or a campaign queued with `outreach campaign queue`)"
)
NO_FILES = (
    "campaigns uploaded here cannot name files on the server; list the partners, criteria and "
    "templates in the file itself, or ask the administrator to queue it with `outreach campaign queue`"
)


class Origin(StrEnum):
    """Where a queued campaign came from; kept with it, so that the worker knows at run time."""

    CLI = "cli"  # the command line: whoever runs it already has the server's shell
    WEB = "web"  # uploaded through the workspace: an officer's account, nothing more


# Keys whose value the server would read from its own disk.
FILE_KEYS = {("partners_file",), ("message", "template_dir"), ("selection", "criteria_file")}


def upload_problems(data: object, source: str, line_for: Callable[[tuple], int | None]) -> list[Problem]:
    """Everything an uploaded campaign file names that only the administrator may name."""
    if not isinstance(data, dict):
        return []  # not a mapping: the ordinary validation says so
    problems = []
    mailbox = data.get("mailbox")
    if isinstance(mailbox, dict) and set(mailbox) - {"address"}:
        more = ", ".join(sorted(str(key) for key in set(mailbox) - {"address"}))
        problems.append(
            Problem(source, line_for(("mailbox",)), "mailbox", f"{MAILBOX_BY_ADDRESS} (this file also names {more})")
        )
    for loc in _secret_keys(data, ()):
        if loc[0] != "mailbox":  # the mailbox's own are told above
            problems.append(Problem(source, line_for(loc), ".".join(map(str, loc)), NO_SECRETS))
    for loc in sorted(FILE_KEYS):
        if _get(data, loc) is not None:
            problems.append(Problem(source, line_for(loc), ".".join(loc), NO_FILES))
    return problems


def _secret_keys(value: object, loc: tuple) -> list[tuple]:
    """Where a secret source or a login (`auth`) is named, at any depth."""
    found = []
    if isinstance(value, dict):
        for key, item in value.items():
            if key in SECRET_SOURCES or key == "auth":
                found.append(loc + (key,))
            else:
                found += _secret_keys(item, loc + (key,))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found += _secret_keys(item, loc + (index,))
    return found


def _get(data: Any, loc: tuple[Any, ...]) -> Any:
    for key in loc:
        if not isinstance(data, dict):
            return None
        data = data.get(key)
    return data
