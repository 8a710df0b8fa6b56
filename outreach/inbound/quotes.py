"""The new part of a reply: quoted text, the quoted header block and the signature removed."""

from __future__ import annotations

import re

# Where the quoted earlier message starts, as mail programs write it in our languages.
QUOTE_STARTS = re.compile(
    r"^\s*(?:"
    r"On .{3,200}wrote:|Am .{3,200}schrieb.{0,60}:|Le .{3,200}a écrit\s*:|El .{3,200}escribió:|"
    r"Il .{3,200}ha scritto:|Op .{3,200}schreef.{0,60}:|W dniu .{3,200}pisze:|Den .{3,200}skrev.{0,60}:|"
    r"-{2,}\s*(?:Original Message|Ursprüngliche Nachricht|Message d'origine|Mensaje original|"
    r"Messaggio originale|Oorspronkelijk bericht|Oryginalna wiadomość|Ursprungligt meddelande)\s*-{2,}|"
    r"_{10,}|"
    r"(?:From|Von|De|Da|Van|Od|Från)\s*:\s*.+@.+"
    r")\s*$",
    re.IGNORECASE,
)
SIGNATURE = re.compile(r"^(?:-- ?|Sent from my \w+.*|Von meinem \w+ gesendet.*|Envoyé de mon \w+.*)$")


def new_text(text: str) -> str:
    kept = []
    for line in text.replace("\r\n", "\n").split("\n"):
        if QUOTE_STARTS.match(line) or SIGNATURE.match(line.rstrip()):
            break
        if line.lstrip().startswith(">"):
            continue
        kept.append(line.rstrip())
    return "\n".join(kept).strip()
