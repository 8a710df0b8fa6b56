"""Turning pydantic's validation errors into `Problem`s that name file, line and field."""

from __future__ import annotations

import difflib
from collections.abc import Callable, Iterable, Mapping
from typing import Any

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
    """What is wrong, in plain words: the value given and the form to use (never the validator's
    own wording, such as "Input should be a valid date or datetime, invalid character in year")."""
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
    if kind in ("value_error", "assertion_error"):  # our own validators speak plainly already
        return str(error["msg"]).removeprefix("Value error, ").removeprefix("Assertion failed, ")
    value, context = _shown(error.get("input")), error.get("ctx") or {}
    for kinds, say in PLAIN:
        if kind in kinds:
            return say(value, context)
    return f"{value} is not accepted here ({str(error['msg']).lower()})"


def _shown(value: object) -> str:
    """The value as the file gave it, shortened."""
    if value is None:
        return "an empty value"
    text = repr(value) if isinstance(value, str) else str(value)
    return text if len(text) <= 80 else text[:77] + "..."


PLAIN: tuple[tuple[tuple[str, ...], Callable[[str, Mapping[str, Any]], str]], ...] = (
    (
        (
            "date_parsing",
            "date_from_datetime_parsing",
            "date_from_datetime_inexact",
            "date_type",
            "date_past",
            "date_future",
        ),
        lambda v, c: f"{v} is not a date; write it as YYYY-MM-DD (e.g. 2027-04-02 for 2 April 2027)",
    ),
    (
        ("time_parsing", "time_type"),
        lambda v, c: f"{v} is not a time of day; write it as HH:MM on the 24-hour clock (e.g. 09:00 or 17:30)",
    ),
    (
        ("datetime_parsing", "datetime_from_date_parsing", "datetime_type", "datetime_object_invalid"),
        lambda v, c: f"{v} is not a date and time; write it as YYYY-MM-DD HH:MM (e.g. 2027-04-02 09:30)",
    ),
    (
        ("int_parsing", "int_type", "int_from_float", "int_parsing_size"),
        lambda v, c: f"{v} is not a whole number; write digits only (e.g. 30)",
    ),
    (
        ("float_parsing", "float_type", "decimal_parsing", "decimal_type"),
        lambda v, c: f"{v} is not a number; write it like 5 or 2.5",
    ),
    (("bool_parsing", "bool_type"), lambda v, c: f"{v} is neither true nor false; write true or false"),
    (("greater_than_equal",), lambda v, c: f"{v} is too small; use {c.get('ge')} or more"),
    (("greater_than",), lambda v, c: f"{v} is too small; use more than {c.get('gt')}"),
    (("less_than_equal",), lambda v, c: f"{v} is too large; use at most {c.get('le')}"),
    (("less_than",), lambda v, c: f"{v} is too large; use less than {c.get('lt')}"),
    (
        ("string_too_short",),
        lambda v, c: (
            "is empty; write something here"
            if c.get("min_length") == 1
            else f"{v} is too short; write at least {c.get('min_length')} characters"
        ),
    ),
    (("string_too_long",), lambda v, c: f"{v} is too long; write at most {c.get('max_length')} characters"),
    (("too_short",), lambda v, c: f"needs at least {c.get('min_length')} item(s); it has {c.get('actual_length')}"),
    (("too_long",), lambda v, c: f"has {c.get('actual_length')} items; at most {c.get('max_length')} are allowed"),
    (
        ("url_parsing", "url_type", "url_syntax_violation"),
        lambda v, c: f"{v} is not a web address; write it in full, e.g. https://www.school.example/",
    ),
    (("url_scheme",), lambda v, c: f"{v} is not a web address; begin it with https:// (or http://)"),
    (("literal_error", "enum"), lambda v, c: f"{v} is not one of the choices; use {c.get('expected')}"),
    (
        ("list_type", "tuple_type", "set_type"),
        lambda v, c: f"{v} is not a list; write it as [first, second] or one '- item' per line",
    ),
    (
        ("dict_type", "model_type", "model_attributes_type", "dataclass_type"),
        lambda v, c: f"{v} is not a section; write its keys on the lines below it, indented",
    ),
    (
        ("string_type", "string_sub_type"),
        lambda v, c: f"{v} is not text; write text here (in quotes if it looks like a number, date or true/false)",
    ),
)


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
        problems.append(Problem(source, line_for(loc), field_path(loc_prefix + loc), message_for(item, known_keys)))
    return problems


def _is_internal(part: object) -> bool:
    """pydantic adds validator names ('function-after[...]') to some locations."""
    return isinstance(part, str) and ("[" in part or part.startswith("function-"))
