"""The reply's text made ready for reading: folded (lower case, accents off, one character
for one, so a position in the folded text is the same position in the original), the
greeting-to-sign-off body without the signature block, and word tokens with their places."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

TEXT_CAP = 4000

_EXTRA = str.maketrans(
    {
        "ł": "l",
        "ø": "o",
        "đ": "d",
        "ß": "ß",
        "\u2019": "'",
        "\u2018": "'",
        "`": "'",
        "\u00a0": " ",
        "\u2013": "-",
        "\u2014": "-",
    }
)


class _FoldTable(dict[int, str]):
    """Each character's folded form, worked out once (for `str.translate`)."""

    def __missing__(self, code: int) -> str:
        char = chr(code)
        low = char.lower()[:1].translate(_EXTRA)
        self[code] = folded = unicodedata.normalize("NFKD", low)[:1] or char
        return folded


_FOLD = _FoldTable()


def fold(text: str) -> str:
    """Lower case without accents, same length as `text` (each character folds to one)."""
    return text.translate(_FOLD)


# A closing line: the sign-off starts here; what follows is name, title, phone, disclaimer.
CLOSING = re.compile(
    r"^\s*(?:(?:kind|best|warm|many|with best|yours)?\s*(?:regards|wishes|thanks|sincerely|faithfully)|cheers|"
    r"best|thanks|"
    r"thank you|ta|rgds|br|mfg|"
    r"(?:mit )?(?:freundlichen|besten|herzlichen|viele|liebe|beste|schone)\s+gru(?:ß|ss)\w*|gru(?:ß|ss)\w*|lg|vg|danke|"
    r"cordialement|bien (?:cordialement|a vous)|bonne (?:journee|continuation)|a bientot|merci|salutations|cdt|"
    r"(?:un )?(?:cordial )?saludos?(?: cordiales)?|atentamente|un abrazo|gracias|"
    r"(?:cordiali |distinti )?saluti|cordialita|un caro saluto|grazie|buona giornata|"
    r"(?:met )?(?:vriendelijke )?groet(?:en|jes)?|hartelijke groet|mvg|bedankt|"
    r"(?:z )?(?:powazaniem|pozdrawiam|pozdrowieniami)|serdecznie|pozdro|dziekuje|"
    r"(?:com os )?(?:melhores )?cumprimentos|atenciosamente|abraco|abs|obrigad[oa]|beijinhos|att\.?)"
    r"[\s,.!-]*$",
    re.IGNORECASE,
)
# A short line ending with a comma ("All the best,", "Take care,"): a closing, unless it greets.
SHORT_CLOSING = re.compile(r"^\s*[^\W\d_]+(?:['\s-]+[^\W\d_]+){0,3}\s*,\s*$")
GREETING = re.compile(
    r"^\s*(?:dear|hi|hello|hey|good (?:morning|afternoon)|hallo|guten (?:tag|morgen)|sehr geehrte\w*|"
    r"liebe\w*|gruezi|servus|moin|bonjour|madame|monsieur|salut|cher|chere|hola|estimad\w+|"
    r"buen\w+ dias?|"
    r"buongiorno|buonasera|gentil\w*|egregi\w+|ciao|geachte|beste|dag|hoi|goede\w+|goeie\w+|"
    r"dzien dobry|szanown\w+|czesc|witam|bom dia|boa tarde|caro|cara|ola|exm\w+)\b"
)
SENT_FROM = re.compile(
    r"^\s*(?:sent from|von meinem|envoye de|enviado desde|inviato da|verzonden (?:vanaf|met)|"
    r"wyslane z|enviado do)\b",
    re.IGNORECASE,
)


# A copy of the earlier mail that got through (an HTML quote made text loses its markers):
# an attribution ("On ... wrote:") or a header block ("From: ... Sent: ...") anywhere.
QUOTE_START = re.compile(
    r"(?:^|(?<=\s))(?:on|am|le|el|il giorno|il|op|w dniu|dnia|em)\s(?:(?!\n\s*\n).){5,240}?(?:wrote|schrieb|a ecrit|"
    r"escribio|ha scritto|schreef|napisal\(?a?\)?|escreveu)\s*:|"
    r"(?:^|(?<=\s))(?:from|von|de|da|van|od)\s*:(?:(?!\n\s*\n).){1,240}?(?:sent|gesendet|envoye|enviado|inviato|"
    r"verzonden|wyslano|enviada|date|datum|fecha|data)\s*:|"
    r"-{2,}\s*(?:original message|ursprungliche nachricht|message d'origine|mensaje original|messaggio originale|"
    r"oorspronkelijk bericht|oryginalna wiadomosc|mensagem original|forwarded message)",
    re.DOTALL,
)


def body(text: str) -> str:
    """The reply without its sign-off block (the closing line and what follows), when the
    closing stands on a line of its own after some text; else the text as it is. A copy of
    our own mail that the new text still holds is cut first: the reader reads only the
    partner's words."""
    text = text[:TEXT_CAP]
    quoted = QUOTE_START.search(fold(text))
    if quoted and quoted.start() > 0:
        text = text[: quoted.start()]
    lines = text.split("\n")
    folded = fold(text).split("\n")
    seen_words = 0
    for index, line in enumerate(folded):
        if SENT_FROM.match(line):
            return "\n".join(lines[:index]).strip() or text.strip()
        greets = GREETING.match(line) is not None
        if seen_words >= 3 and (CLOSING.match(line) or (SHORT_CLOSING.match(line) and not greets) or greets):
            return "\n".join(lines[:index]).strip()  # a sign-off, or a second letter (our quoted mail)
        seen_words += len(line.split())
    return text.strip()


@dataclass(frozen=True)
class Token:
    text: str  # folded
    start: int  # place in the text
    end: int


WORD = re.compile(r"[^\W_]+(?:'[^\W\d_]+)?|[?!]")


def tokens(folded: str) -> list[Token]:
    """Words (and the marks ? and !) of a folded text; numbers read as `#`."""
    out = []
    for found in WORD.finditer(folded):
        word = found.group()
        out.append(Token("#" if word.isdigit() else word, found.start(), found.end()))
    return out
