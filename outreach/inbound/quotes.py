"""The new part of a reply: quoted text, the quoted header block and the signature removed.

Top-posted, bottom-posted and inline answers all keep what the sender wrote: lines quoted
with `>` are dropped wherever they are, an attribution line ("On ... wrote:", "Am ...
schrieb ...:", split over lines or not) is dropped when a `>` quote follows it, and
everything from an unprefixed copy of the earlier message (Outlook's From/Sent block, an
"Original Message" line, a forwarded message) on is cut. A mobile client's one-line
signature ("Sent from my iPhone") is dropped; a standard `-- ` delimiter ends the text.
Each line is looked at a bounded number of times, so the work is linear in the text.
"""

from __future__ import annotations

import re

TEXT_CAP = 64 * 1024

ATTRIBUTION_END = re.compile(
    r"(?:wrote|writes|schrieb|schreibt|a écrit|a ecrit|escribió|escribio|ha scritto|scrisse|schreef|"
    r"pisze|napisał\w{0,2}|napisal\w{0,2}|escreveu|skrev|kirjoitti)\b[^:\n]{0,160}:\s*$", re.IGNORECASE)
ATTRIBUTION_START = re.compile(
    r"^\s*(?:on|am|le|el|il|il giorno|op|w dniu|dnia|em|den|quoting|zitat von|citando)\b", re.IGNORECASE)
DIVIDER = re.compile(
    r"^\s*(?:-{2,}\s*(?:original message|ursprüngliche nachricht|originalnachricht|message d'origine|"
    r"message original|mensaje original|messaggio originale|oorspronkelijk bericht|oryginalna wiadomość|"
    r"mensagem original|ursprungligt meddelande|forwarded message|weitergeleitete nachricht|"
    r"message transféré|mensaje reenviado|messaggio inoltrato|doorgestuurd bericht|"
    r"wiadomość przekazana|mensagem encaminhada|vidarebefordrat meddelande)\s*-{2,}|"
    r"begin forwarded message:|anfang der weitergeleiteten nachricht:|début du message réexpédié :?)\s*$",
    re.IGNORECASE,
)
RULE = re.compile(r"^\s*(?:_{8,}|-{8,}|={8,})\s*$")
HEADER_FROM = re.compile(r"^\s*\*?(?:from|von|de|da|van|od|från|fra|lähettäjä)\s*:\*?\s*\S", re.IGNORECASE)
HEADER_NEXT = re.compile(
    r"^\s*\*?(?:sent|date|to|subject|cc|gesendet|datum|an|betreff|envoyé|envoye|date|à|objet|enviado|fecha|para|"
    r"asunto|inviato|data|a|oggetto|verzonden|verstuurd|aan|onderwerp|wysłano|wyslano|do|temat|enviada|assunto|"
    r"skickat|till|ämne)\s*:", re.IGNORECASE)
MOBILE_SIGNATURE = re.compile(
    r"^\s*(?:sent from|sent via|get|von meinem|gesendet von|envoyé de|envoyé depuis|enviado desde|enviado do|"
    r"enviado de|inviato da|verzonden (?:met|vanaf|van)|wysłane z|wyslane z|skickat från)\b.{0,40}"
    r"\b(?:iphone|ipad|android|samsung|galaxy|mobile|mobil|handy|smartphone|blackberry|outlook|gmail|huawei|"
    r"pixel|xiaomi|phone|telefon|téléphone|teléfono|telefono|tablet|windows mail|mail for windows|yahoo mail|"
    r"proton ?mail|aol)\b.{0,30}$",
    re.IGNORECASE,
)


def new_text(text: str) -> str:
    """The new text; where nothing is left after stripping, the whole text (never empty when
    the message has text: a reply whose shape we misread still reaches the logbook)."""
    found = _strip(text)
    return found if found else text[:TEXT_CAP].strip()


def _strip(text: str) -> str:
    lines = text[:TEXT_CAP].replace("\r\n", "\n").replace("\r", "\n").split("\n")
    kept: list[str] = []
    index = 0
    while index < len(lines):
        line = lines[index]
        if _is_quoted(line):
            index += 1
            continue
        attribution = _attribution_length(lines, index)
        if attribution:
            if _quote_follows(lines, index + attribution):
                index += attribution
                continue
            break  # an unprefixed copy of the earlier message follows
        if DIVIDER.match(line) or _header_block_starts(lines, index) or line.rstrip() == "--":
            break
        if not MOBILE_SIGNATURE.match(line):
            kept.append(line.rstrip())
        index += 1
    return "\n".join(kept).strip()


def _is_quoted(line: str) -> bool:
    return line.lstrip().startswith(">")


def _attribution_length(lines: list[str], index: int) -> int:
    """1, 2 or 3 when an attribution line ("On ... wrote:") starts here, over that many lines."""
    first = lines[index]
    if len(first) > 300:
        return 0
    if ATTRIBUTION_END.search(first) and (ATTRIBUTION_START.match(first) or _has_date_or_address(first)):
        return 1
    if not ATTRIBUTION_START.match(first):
        return 0
    joined = first
    for extra in (1, 2):
        if index + extra >= len(lines) or len(joined) > 400:
            return 0
        joined += " " + lines[index + extra].strip()
        if ATTRIBUTION_END.search(joined):
            return extra + 1 if _has_date_or_address(joined) else 0
    return 0


def _has_date_or_address(text: str) -> bool:
    return "@" in text or bool(re.search(r"\d", text))


def _quote_follows(lines: list[str], index: int) -> bool:
    for line in lines[index:index + 3]:
        if line.strip():
            return _is_quoted(line)
    return True  # nothing follows: the attribution line alone is dropped


def _header_block_starts(lines: list[str], index: int) -> bool:
    """Outlook's copy of the earlier message: From: ... followed by Sent:/To:/Subject: lines,
    or a rule of underscores or dashes followed by such a From: line."""
    line = lines[index]
    if RULE.match(line):
        following = [l for l in lines[index + 1:index + 4] if l.strip()]
        return bool(following) and bool(HEADER_FROM.match(following[0]))
    if not HEADER_FROM.match(line):
        return False
    return any(HEADER_NEXT.match(l) for l in lines[index + 1:index + 5])
