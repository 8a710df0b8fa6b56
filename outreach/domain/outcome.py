"""The outcome of an exploration meeting, as staff record it (the guide's agenda item 5): the
key takeaways, the agreed next actions with owner and date, the contact persons on each side,
and the partnership types now in view. The next-steps mail is drafted from it."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from pydantic import BeforeValidator, Field

from outreach.domain.records import Maybe, PartnershipTypeField, SingleLine, Strict, _list_of_words

Line = Annotated[str, Field(min_length=1, max_length=1000)]


class Action(Strict):
    what: Line
    owner: SingleLine = Field(min_length=1, max_length=200)
    due: Maybe[date] = None


class ContactPersons(Strict):
    ours: list[SingleLine] = []
    theirs: list[SingleLine] = []


class Outcome(Strict):
    takeaways: list[Line] = Field(min_length=1, max_length=30)
    actions: list[Action] = Field(default=[], max_length=30)
    contacts: ContactPersons = ContactPersons()
    partnership_types: Annotated[list[PartnershipTypeField], BeforeValidator(_list_of_words)] = []
    notes: Maybe[str] = Field(default=None, max_length=20_000)  # for staff; never sent
