"""One root exception for the package; narrow subclasses for what callers handle.

Library errors (SQLAlchemy, pydantic, openpyxl, YAML) are translated into these at the
adapter boundary, so the command line and the actors deal with one family only.
"""

from __future__ import annotations

from dataclasses import dataclass


class OutreachError(Exception):
    """Root of every error this package raises on purpose."""

    exit_code = 1


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input: where it is, which field, and what to do."""

    source: str
    line: int | None
    field: str
    message: str

    def __str__(self) -> str:
        where = f"{self.source}:{self.line}" if self.line is not None else self.source
        return f"{where}: {self.field}: {self.message}"


class InvalidInput(OutreachError):
    """A file (campaign, logbook) or argument that does not validate. Lists every problem."""

    exit_code = 2

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


class NotFound(OutreachError):
    exit_code = 3


class PhaseError(OutreachError):
    """A phase move that the phase model does not allow."""

    exit_code = 2


class DatabaseNotReady(OutreachError):
    """The database schema is missing or behind the code."""

    exit_code = 4
