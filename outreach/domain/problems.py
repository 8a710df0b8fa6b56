"""Turning pydantic's validation errors into `Problem`s that name file, line and field."""

from __future__ import annotations

import difflib
from typing import Any, Callable, Iterable, Mapping

from pydantic import ValidationError

from outreach.errors import Problem

Loc = tuple[str | int, ...]


def field_path(loc: Loc) -> str:
    """('partners', 0, 'contacts', 1, 'email') -> 'partners[0].contacts[1].email'."""
    text = ""
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text or "(top level)"


def message_for(error: Mapping[str, Any], known_keys: Callable[[Loc], Iterable[str]] | None = None) -> str:
    kind = error["type"]
    if kind == "extra_forbidden":
        key = str(error["loc"][-1])
        hint = ""
        if known_keys is not None:
            close = difflib.get_close_matches(key, list(known_keys(error["loc"][:-1])), n=1)
            hint = f"; did you mean '{close[0]}'?" if close else ""
        return f"unknown key '{key}'{hint}"
    if kind == "missing":
        return "required field is missing"
    return str(error["msg"]).removeprefix("Value error, ").removeprefix("Assertion failed, ")


def problems_from(
    error: ValidationError,
    source: str,
    line_for: Callable[[Loc], int | None],
    known_keys: Callable[[Loc], Iterable[str]] | None = None,
    loc_prefix: Loc = (),
) -> list[Problem]:
    problems = []
    for item in error.errors():
        loc = tuple(part for part in item["loc"] if not _is_internal(part))
        item = {**item, "loc": loc}
        problems.append(
            Problem(source, line_for(loc), field_path(loc_prefix + loc), message_for(item, known_keys))
        )
    return problems


def _is_internal(part: object) -> bool:
    """pydantic adds validator names ('function-after[...]') to some locations."""
    return isinstance(part, str) and ("[" in part or part.startswith("function-"))
