"""`email` policies with a header registry that keeps the classes it makes.

The standard registry builds a new class for every header it parses; making and parsing
thousands of messages, that is most of the time spent. These policies behave the same.
"""

from __future__ import annotations

from email.headerregistry import HeaderRegistry
from email.policy import SMTP, default


class _HeaderClasses(HeaderRegistry):
    def __init__(self):
        super().__init__()
        self._made: dict[str, type] = {}

    def __getitem__(self, name):
        key = name.lower()
        made = self._made.get(key)
        if made is None:
            made = self._made[key] = super().__getitem__(name)
        return made


READING = default.clone(header_factory=_HeaderClasses())
SENDING = SMTP.clone(header_factory=_HeaderClasses())
