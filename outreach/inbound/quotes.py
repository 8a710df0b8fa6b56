"""The new part of a reply: what the sender wrote, apart from the earlier message quoted or
forwarded below it and apart from their signature.

Top-posted, bottom-posted and inline answers all keep what the sender wrote: lines quoted
with `>` are dropped wherever they are; an attribution line ("On ... wrote:", "Am ...
schrieb ...:", "... 写道：", in any date format, split over up to three lines or not) is
dropped when a quote follows it; an unprefixed copy of the earlier message (an attribution
followed by text, an "Original Message" divider, a copied From:/Sent:/To:/Subject: header
block) is cut with everything after it. A forward divider ("---------- Forwarded message
---------", "Begin forwarded message:") makes what follows the forwarded message, kept as
context; the note above it is the new text. Words in the languages of `quote_words`.

Each line is looked at a bounded number of times, so the work is linear in the text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from outreach.inbound import quote_words as words
from outreach.inbound.signatures import cut_signature

TEXT_CAP = 64 * 1024
ATTRIBUTION_CAP = 400
# A line made of this character and a number stands for a block of HTML taken out before
# the text was made (see `outreach.inbound.html_quotes`).
PLACEHOLDER = "\u2063"
BLOCK_LINE = re.compile(rf"^>? ?{PLACEHOLDER}([QS])(\d+){PLACEHOLDER}$")


class _Block:
    """The placeholder line of a block of HTML; a plain test for the mark first, so an ordinary
    line costs nothing."""

    @staticmethod
    def match(line: str) -> re.Match[str] | None:
        return BLOCK_LINE.match(line.strip()) if PLACEHOLDER in line else None


BLOCK = _Block()


@dataclass(frozen=True)
class Forwarded:
    """A message forwarded below the sender's note: context (a hand-over names someone in it)."""

    sender: str = ""
    date: str = ""
    subject: str = ""
    to: str = ""
    text: str = ""

    @property
    def sender_address(self) -> str | None:
        found = words.ADDRESS.search(self.sender)
        return found.group(0).lower() if found else None


@dataclass(frozen=True)
class Reply:
    """A reply taken apart. `new_text` is what the sender wrote now, without signature;
    `unquoted` is the same with the signature; `quoted` the earlier message(s) quoted;
    `forwarded` a message forwarded below the note."""

    new_text: str
    quoted: str = ""
    forwarded: Forwarded | None = None
    signature: str = ""
    unquoted: str = ""

    @property
    def logged_text(self) -> str:
        """What the logbook keeps as the partner's words: the new text; a reply with none
        (only a quote, a bare forward) keeps what it has, so it still reaches a person."""
        if self.new_text:
            return self.new_text
        if self.forwarded is not None:
            return _forward_as_text(self.forwarded)
        return self.unquoted or self.quoted


@dataclass
class Lines:
    kept: list[str] = field(default_factory=list)
    quoted: list[str] = field(default_factory=list)
    forwarded: list[str] | None = None


def new_text(text: str) -> str:
    """The new text; where nothing is left after stripping, the whole text (never empty when
    the message has text: a reply whose shape we misread still reaches the logbook)."""
    found = split_text(text).new_text
    return found if found else text[:TEXT_CAP].strip()


def split_text(text: str, forward_hint: bool = False) -> Reply:
    """A plain-text reply taken apart. `forward_hint`: the subject says it is a forward, so an
    unprefixed copy below the note is the forwarded message rather than a quote."""
    return reply_from(split_lines(lines_of(text), forward_hint))


def lines_of(text: str) -> list[str]:
    return text[:TEXT_CAP].replace("\r\n", "\n").replace("\r", "\n").split("\n")


def reply_from(split: Lines, blocks: dict[str, str] | None = None) -> Reply:
    """The Reply of split lines; `blocks` gives the text of the HTML blocks the lines stand for."""
    blocks = blocks or {}
    kept: list[str] = []
    signature_from = None
    for line in split.kept:
        found = BLOCK.match(line)
        if found and found.group(1) == "S":
            signature_from = len(kept) if signature_from is None else signature_from
            kept.extend(blocks.get(found.group(1) + found.group(2), "").split("\n"))
        elif not found:
            kept.append(line.rstrip())
    if signature_from is not None:
        body, signature = cut_signature(kept[:signature_from])
        signature += kept[signature_from:]
    else:
        body, signature = cut_signature(kept)
    forwarded = None
    if split.forwarded is not None:
        forwarded = read_forward(_expanded(split.forwarded, blocks))
    return Reply(
        new_text=_tidy(body),
        quoted=_tidy(_expanded(split.quoted, blocks)),
        forwarded=forwarded,
        signature=_tidy(signature),
        unquoted=_tidy(kept),
    )


def _expanded(lines: list[str], blocks: dict[str, str]) -> list[str]:
    out: list[str] = []
    for line in lines:
        found = BLOCK.match(line)
        out.extend(blocks.get(found.group(1) + found.group(2), "").split("\n") if found else [line])
    return out


def _tidy(lines: list[str]) -> str:
    """Lines joined, trailing spaces and runs of blank lines gone."""
    out: list[str] = []
    for line in lines:
        line = line.rstrip()
        if line or (out and out[-1]):
            out.append(line)
    return "\n".join(out).strip()


# --- the lines ---------------------------------------------------------------------------


def split_lines(lines: list[str], forward_hint: bool = False) -> Lines:
    split = Lines()
    index, count = 0, len(lines)
    while index < count:
        line = lines[index]
        if _is_quoted(line) or _inside_quote(lines, index):
            end = _quoted_forward_end(lines, index) if split.forwarded is None else None
            if end:  # "> Begin forwarded message:" - a forward quoted as a whole
                split.forwarded = [_dequoted(other) for other in lines[index:end]]
                index = end
                continue
            split.quoted.append(line)
            index += 1
            continue
        stripped = line.strip()
        if not stripped:
            split.kept.append("")
            index += 1
            continue
        if is_forward_divider(stripped):
            end = _quote_block_end(lines, index + 1)
            if end:
                split.forwarded = [_dequoted(other) for other in lines[index + 1 : end]]
                index = end
                continue
            split.forwarded = lines[index + 1 :]
            break
        if _is_original_divider(stripped):
            _rest(split, lines[index:], forward_hint)
            break
        attribution = _attribution(lines, index)
        if attribution is not None:
            length, strong, before = attribution
            if _quote_follows(lines, index + length):
                if before:
                    split.kept.append(before)
                split.quoted.extend(lines[index : index + length])
                index += length
                continue
            if strong:
                if before:
                    split.kept.append(before)
                _rest(split, lines[index:], forward_hint)
                break
        if _header_block_starts(lines, index):
            _rest(split, lines[index:], forward_hint or _block_is_forward(lines, index))
            break
        split.kept.append(line)
        index += 1
    return split


def _rest(split: Lines, rest: list[str], forward: bool) -> None:
    """An unprefixed copy of the earlier message: quoted, or forwarded when it is a forward."""
    if forward:
        split.forwarded = rest
    else:
        split.quoted.extend(rest)


def _is_quoted(line: str) -> bool:
    stripped = line.lstrip()
    if not stripped.startswith(">"):
        return False
    return not stripped.rstrip().endswith("<<<")  # ">>> http://example.test <<<" is an arrow, not a quote


LINK_FRAGMENT = re.compile(
    r"^\(?\s*(?:https?://|www\.|mailto:)\S*\s*\)?\s*>?$|^[^\s()<>]{1,200}\)\s*>?$", re.IGNORECASE
)


def _inside_quote(lines: list[str], index: int) -> bool:
    """A wrapped link between quoted lines belongs to the quote."""
    if not LINK_FRAGMENT.match(lines[index].strip()):
        return False
    before = next((other for other in reversed(lines[max(0, index - 2) : index]) if other.strip()), "")
    after = next((other for other in lines[index + 1 : index + 3] if other.strip()), "")
    return _is_quoted(before) and _is_quoted(after)


def _dequoted(line: str) -> str:
    stripped = line.lstrip()
    if stripped.startswith(">"):
        stripped = stripped[1:]
        return stripped[1:] if stripped.startswith(" ") else stripped
    return line


def is_forward_divider(stripped: str) -> bool:
    if words.APPLE_FORWARD.match(stripped):
        return True
    found = words.DIVIDER.match(stripped)
    return bool(found and found.group("forward") and words.HAS_DASHES.search(stripped))


def _is_original_divider(stripped: str) -> bool:
    found = words.DIVIDER.match(stripped)
    return bool(found and found.group("original") and words.HAS_DASHES.search(stripped))


def _quote_block_end(lines: list[str], index: int) -> int | None:
    """Where the `>` block that starts (after blank lines) at `index` ends, or None."""
    while index < len(lines) and not lines[index].strip():
        index += 1
    if index >= len(lines) or not _is_quoted(lines[index]):
        return None
    while index < len(lines) and (_is_quoted(lines[index]) or not lines[index].strip()):
        index += 1
    return index


def _quoted_forward_end(lines: list[str], index: int) -> int | None:
    """Where a `>` block that opens with a forward divider ends; None for any other block."""
    if index > 0 and _is_quoted(lines[index - 1]):
        return None
    first = _dequoted(lines[index]).strip()
    if not is_forward_divider(first):
        return None
    return _quote_block_end(lines, index)


def _quote_follows(lines: list[str], index: int) -> bool:
    for line in lines[index : index + 4]:
        if line.strip():
            return _is_quoted(line)
    return not any(line.strip() for line in lines[index:])  # nothing follows: the attribution alone goes


# --- attribution lines ----------------------------------------------------------------------

MIDLINE_START = re.compile(r"(?:^|(?<=\s)|(?<=-))(?:on|am|le|el|il|op|w dniu|em|den)\s", re.IGNORECASE)


def _attribution(lines: list[str], index: int) -> tuple[int, bool, str] | None:
    """(lines it spans, strong, text before it on its first line) where an attribution starts
    here. Strong: it names an address or a date, so an unprefixed copy may follow it."""
    first = lines[index].strip()
    if len(first) > ATTRIBUTION_CAP:
        return None
    if words.DASHED_ATTRIBUTION.match(first):
        return 1, True, ""
    joined, candidate = first, None
    for extra in range(3):
        if extra:
            if index + extra >= len(lines) or not lines[index + extra].strip() or len(joined) > ATTRIBUTION_CAP:
                break
            joined += " " + lines[index + extra].strip()
        if extra == 0 and not words.START.match(first):
            split = _midline(first)
            if split is not None:
                return split
        found = _reads_as_attribution(joined, continued=extra > 0)
        if found is not None:
            if found or _quote_follows(lines, index + extra + 1):
                return extra + 1, found, ""
            candidate = candidate or (extra + 1, found, "")
        if not (words.START.match(first) or words.ADDRESS.search(joined) or words.DIGIT.search(first)):
            break
    return candidate


def _reads_as_attribution(text: str, continued: bool) -> bool | None:
    """None when `text` is no attribution; else whether it is strong: it starts as attributions
    do or names a date or an address before its verb, so an unprefixed copy may follow it."""
    body = text.rstrip(" -")
    if not body.endswith((":", "：", ">", ")", "]")):
        return None
    starts = bool(words.START.match(body))
    has_address = bool(words.ADDRESS.search(body))
    has_date = bool(words.DIGIT.search(body) and words.TIME.search(body))
    if continued and not (starts or has_address or has_date):
        return None
    ends_with_colon = body.endswith((":", "："))
    verb = words.VERB.search(body)
    if ends_with_colon and verb and len(body) - verb.end() <= 160:
        before = body[: verb.start()]
        return (
            (starts and (has_date or has_address))
            or bool(words.ADDRESS.search(before))
            or bool(words.DIGIT.search(before) and words.TIME.search(before))
        )
    if ends_with_colon and has_address and words.SENT_VERB.search(body):
        return True
    # "2014-10-17 11:28 GMT+03:00 Postmaster <postmaster@x.test>:", Gmail's Russian and Japanese form:
    # no verb, so only when a quote follows it
    if (
        has_address
        and has_date
        and len(body) <= 240
        and (starts or body[:1].isdigit())
        and re.search(r"(?:[>)\]]\s*[:：]?|@[\w.-]+\s*[:：])$", body)
    ):
        return False
    return None


def _midline(line: str) -> tuple[int, bool, str] | None:
    """An attribution that starts after the sender's words on the same line ("reply On Wed, ...
    wrote:"); a capitalised start word first ("see you on Monday. On Mon, 1 Mar ... wrote:")."""
    qualifying = []
    for found in MIDLINE_START.finditer(line):
        if found.start() == 0:
            continue
        rest = line[found.start() :]
        strong = _reads_as_attribution(rest, continued=False)
        if strong is not None and words.VERB.search(rest):
            qualifying.append((not rest[:1].isupper(), found.start(), strong))
    if not qualifying:
        return None
    _, start, strong = min(qualifying)
    return 1, strong, line[:start].rstrip(" -")


# --- header blocks --------------------------------------------------------------------------


def _header_block_starts(lines: list[str], index: int) -> bool:
    """A copied header block: a From:/Date: field and another field within the next lines
    (blank lines between them allowed), or a rule of underscores or dashes above one."""
    line = lines[index]
    if words.RULE.match(line):
        following = [other for other in lines[index + 1 : index + 4] if other.strip()]
        return bool(following) and bool(words.HEADER_FROM.match(following[0]) or words.HEADER_DATE.match(following[0]))
    if not (words.HEADER_FROM.match(line) or words.HEADER_DATE.match(line)):
        return False
    fields = 0
    for next_line in lines[index + 1 : index + 8]:
        if words.HEADER_FIELD.match(next_line):
            fields += 1
    return fields >= 1 and _next_field_close(lines, index)


def _next_field_close(lines: list[str], index: int) -> bool:
    """The next field follows within two non-blank lines (a long From: value wraps once)."""
    seen = 0
    for next_line in lines[index + 1 : index + 8]:
        if not next_line.strip():
            continue
        if words.HEADER_FIELD.match(next_line):
            return True
        seen += 1
        if seen > 1:
            return False
    return False


def _block_is_forward(lines: list[str], index: int) -> bool:
    for line in lines[index : index + 8]:
        found = words.HEADER_NAME.match(line.strip())
        if found and words.SUBJECT_NAME.match(found.group("name").strip()):
            return bool(words.FORWARD_SUBJECT.match(found.group("value")))
    return False


# --- forwarded messages ---------------------------------------------------------------------


def read_forward(lines: list[str]) -> Forwarded:
    """The header fields and text of a forwarded message (the lines below its divider)."""
    index, count = 0, len(lines)
    while index < count and (
        not lines[index].strip()
        or is_forward_divider(lines[index].strip())
        or _is_original_divider(lines[index].strip())
        or words.RULE.match(lines[index])
    ):
        index += 1
    fields: dict[str, str] = {}
    last = None
    while index < count:
        stripped = lines[index].strip()
        found = words.HEADER_NAME.match(stripped) if stripped else None
        if found:
            last = _field_kind(found.group("name").strip())
            if last and last not in fields:
                fields[last] = found.group("value").strip().strip("*").strip()
            index += 1
            continue
        if not stripped:
            if not fields:
                index += 1
                continue
            later = [other for other in lines[index + 1 : index + 4] if other.strip()]
            if later and words.HEADER_NAME.match(later[0].strip()):  # blank lines between fields (BlackBerry)
                index += 1
                continue
            break
        if last == "subject" and fields and _next_is_field(lines, index + 1):  # a subject wrapped over lines
            fields["subject"] = f"{fields['subject']} {stripped}"
            index += 1
            continue
        break
    text = _tidy(lines[index:])
    return Forwarded(
        sender=fields.get("from", ""),
        date=fields.get("date", ""),
        subject=fields.get("subject", ""),
        to=fields.get("to", ""),
        text=text,
    )


def _next_is_field(lines: list[str], index: int) -> bool:
    return index < len(lines) and bool(words.HEADER_NAME.match(lines[index].strip()))


def _field_kind(name: str) -> str | None:
    if words.FROM_NAME.match(name):
        return "from"
    if words.SUBJECT_NAME.match(name):
        return "subject"
    if words.SENT_NAME.match(name):
        return "date"
    if words.TO_NAME.match(name):
        return "to"
    return None


def _forward_as_text(forwarded: Forwarded) -> str:
    head = [
        f"{name}: {value}"
        for name, value in (
            ("From", forwarded.sender),
            ("Date", forwarded.date),
            ("Subject", forwarded.subject),
            ("To", forwarded.to),
        )
        if value
    ]
    return "\n".join(["---------- Forwarded message ----------", *head, "", forwarded.text]).strip()
