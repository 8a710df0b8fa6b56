"""Quotes cut from HTML mail before it is made text, where mail programs mark them: made text,
Gmail's quote block loses its `>` markers and would read as the partner's own words.

Marked blocks, by mail program:
- Gmail: `div.gmail_quote` (with `div.gmail_attr`, the attribution) and `blockquote.gmail_quote`;
  `div.gmail_signature`.
- Outlook desktop: the border-top block with From:/Sent:/To:/Subject: (in any language),
  `<hr>` followed by such fields; Outlook web and new Outlook: `#divRplyFwdMsg`, `#appendonsend`;
  Outlook for Mac: `#OLK_SRC_BODY_SECTION`, `#mail-editor-reference-message-container`.
- Apple Mail and iOS: `blockquote[type=cite]` (the attribution above it is read as text).
- Thunderbird: `.moz-cite-prefix` and `blockquote[type=cite]`, `.moz-forward-container`,
  `.moz-signature`.
- Yahoo: `.yahoo_quoted`; Zimbra `hr#zwchr`, Hotmail `hr#stopSpelling`, ProtonMail, Zoho.

A quote block ("this element is the earlier message") is taken out where it stands, so text
below it (a bottom-posted or inline answer) stays; a reply-header block ("the earlier message
starts here") is taken out with everything after it. Each stands as one placeholder line in
the text, which the text rules of `outreach.inbound.quotes` then read as a quote, so the
attribution line above a block goes too. A block that starts with a forward divider is the
forwarded message. What is left, HTML made text, gets the text rules as well.
"""

from __future__ import annotations

import re

from lxml import etree
from lxml import html as lxml_html

from outreach.inbound import quote_words as words
from outreach.inbound.html import HTML_CAP, html_to_text
from outreach.inbound.quotes import (
    PLACEHOLDER,
    Reply,
    is_forward_divider,
    lines_of,
    reply_from,
    split_lines,
    split_text,
)

LOOKS_CHECKED = 40
OUTLOOK_PREFIX = re.compile(r"^(?:x_){1,10}")
XML_DECLARATION = re.compile(r"^\s{0,100}<\?xml[^>]{0,200}\?>")
HEADER_TEXT_CAP = 600
FIELD_ANYWHERE = re.compile(rf"(?:^|[\s>*|])(?:{words.FIELD_NAMES})\s*\*{{0,2}}\s*[:：]", re.IGNORECASE)

SIGNATURE_IDS = {"signature", "applemailsignature", "ms-outlook-mobile-signature"}
SIGNATURE_CLASSES = ("gmail_signature", "moz-signature")
CUT_IDS = (
    "divrplyfwdmsg",
    "appendonsend",
    "olk_src_body_section",
    "mail-editor-reference-message-container",
    "zwchr",
    "stopspelling",
)
CUT_CLASSES = ("moz-forward-container", "ms-outlook-mobile-reference-message", "outlook-mobile-reference-message")
QUOTE_CLASSES = (
    "gmail_quote",
    "gmail_attr",
    "yahoo_quoted",
    "protonmail_quote",
    "moz-cite-prefix",
    "zmail_extra",
    "tutanota_quote",
    "airmailquote",
    "sparkquote",
)


def split_html(markup: str, forward_hint: bool = False) -> Reply:
    """An HTML reply taken apart: marked quotes cut from the document, then the text rules."""
    markup = XML_DECLARATION.sub("", markup[:HTML_CAP], count=1)  # lxml takes no declaration in a str
    try:
        root = lxml_html.document_fromstring(markup)
    except (etree.ParserError, ValueError, TypeError):
        return split_text(html_to_text(markup), forward_hint)
    blocks: dict[str, str] = {}
    _take_out_blocks(root, blocks, forward_hint)
    text = html_to_text(lxml_html.tostring(root, encoding="unicode"))
    return reply_from(split_lines(lines_of(text), forward_hint), blocks)


def _take_out_blocks(root: etree._Element, blocks: dict[str, str], forward_hint: bool) -> None:
    """Walks the document in order: signatures and quotes are replaced where they stand; the
    first reply-header block is cut with all that follows, and the walk ends there."""
    budget = [LOOKS_CHECKED]  # reading the text around a rule or a bordered block costs; a few are looked at
    stack = [iter(root)]
    while stack:
        element = next(stack[-1], None)
        if element is None:
            stack.pop()
            continue
        if not isinstance(element.tag, str):
            continue
        kind = _kind(element, budget)
        if kind == "cut":
            _cut_from(element, blocks, forward_hint)
            return
        if kind in ("quote", "signature"):
            _replace(element, blocks, "S" if kind == "signature" else "Q", forward_hint)
            continue
        stack.append(iter(element))


def _kind(element: etree._Element, budget: list[int]) -> str | None:
    ident = OUTLOOK_PREFIX.sub("", (element.get("id") or "").lower())  # Outlook prefixes quoted ids: x_divRplyFwdMsg
    classes = (element.get("class") or "").lower()
    if (
        ident in SIGNATURE_IDS
        or any(name in classes for name in SIGNATURE_CLASSES)
        or (element.get("data-smartmail") == "gmail_signature")
    ):
        return "signature"
    if ident.startswith(CUT_IDS) or any(name in classes for name in CUT_CLASSES):
        return "cut"
    if element.tag == "blockquote" or any(name in classes for name in QUOTE_CLASSES):
        return "quote"
    if element.tag == "div" and "border-top" in (element.get("style") or "").replace(" ", "").lower() and budget[0] > 0:
        budget[0] -= 1
        text = _text_of(element)
        return "cut" if _header_fields_start(text) or _reads_as_fields(text) else None
    if element.tag == "hr" and budget[0] > 0:
        budget[0] -= 1
        return "cut" if _header_fields_start(_text_after(element)) else None
    return None


def _header_fields_start(text: str) -> bool:
    """Copied header fields: the text starts with From:/Date: and names another field."""
    text = text.strip()[:HEADER_TEXT_CAP]
    if not (words.HEADER_FROM.match(text) or words.HEADER_DATE.match(text)):
        return False
    return len(FIELD_ANYWHERE.findall(text[:HEADER_TEXT_CAP])) >= 2


GENERIC_FIELD = re.compile(r"^[^\W\d][^\W\d_]{0,20}(?: [^\W\d_]{1,20}){0,2}\s*[:：]\s*\S")


def _reads_as_fields(text: str) -> bool:
    """Outlook's bordered header block in a language we do not know: its first lines are
    three or four "Name: value" fields."""
    lines = [line for line in text.split("\n") if line.strip()][:4]
    return len(lines) >= 3 and sum(1 for line in lines if GENERIC_FIELD.match(line.strip()[:200])) >= 3


def _text_of(element: etree._Element) -> str:
    return html_to_text(lxml_html.tostring(element, encoding="unicode", with_tail=False)[: HEADER_TEXT_CAP * 8])


def _text_after(element: etree._Element) -> str:
    """The text that follows `element` in the document, up to HEADER_TEXT_CAP characters: its
    tail, its following siblings, then those of its parents (an `<hr>` inside a `<font>`)."""
    markup: list[str] = []
    size, current = 0, element
    for _ in range(4):
        if current is None or size > HEADER_TEXT_CAP:
            break
        markup.append(current.tail or "")
        size += len(current.tail or "")
        for sibling in current.itersiblings():
            if size > HEADER_TEXT_CAP:
                break
            piece = (
                lxml_html.tostring(sibling, encoding="unicode", with_tail=True)
                if isinstance(sibling.tag, str)
                else (sibling.tail or "")
            )
            markup.append(piece[: HEADER_TEXT_CAP * 8])
            size += len(piece)
        current = current.getparent()
    return html_to_text("".join(markup))


def _replace(element: etree._Element, blocks: dict[str, str], kind: str, forward_hint: bool) -> None:
    text = html_to_text(lxml_html.tostring(element, encoding="unicode", with_tail=False))
    placeholder = _placeholder(blocks, kind, text, forward_hint)
    parent = element.getparent()
    if parent is None:
        return
    stand_in = _stand_in(placeholder)
    stand_in.tail = element.tail
    parent.replace(element, stand_in)


def _cut_from(element: etree._Element, blocks: dict[str, str], forward_hint: bool) -> None:
    """Takes out `element` and everything after it in document order."""
    removed: list[str] = []
    current = element
    first = True
    while current is not None and current.getparent() is not None:
        parent = current.getparent()
        following = list(current.itersiblings())
        if first:
            removed.append(lxml_html.tostring(current, encoding="unicode", with_tail=True))
            parent.remove(current)
            first = False
        for sibling in following:
            removed.append(
                lxml_html.tostring(sibling, encoding="unicode", with_tail=True)
                if isinstance(sibling.tag, str)
                else (sibling.tail or "")
            )
            parent.remove(sibling)
        current = parent
    text = html_to_text("".join(removed))
    _body(current).append(_stand_in(_placeholder(blocks, "Q", text, forward_hint)))


def _stand_in(lines: list[str]) -> etree._Element:
    """A `<div>` with the placeholder lines, separated by `<br>`."""
    stand_in = etree.Element("div")
    stand_in.text = lines[0]
    for line in lines[1:]:
        etree.SubElement(stand_in, "br").tail = line
    return stand_in


def _body(root: etree._Element) -> etree._Element:
    body = root.find("body") if root is not None else None
    return body if body is not None else root


def _placeholder(blocks: dict[str, str], kind: str, text: str, forward_hint: bool) -> list[str]:
    """The lines that stand for a block: `> ⁣Q1⁣` for a quote, a forward divider above it for a
    forwarded message, `⁣S2⁣` for a signature."""
    key = f"{kind}{len(blocks)}"
    blocks[key] = text
    marker = f"{PLACEHOLDER}{key}{PLACEHOLDER}"
    if kind == "S":
        return [marker]
    first = next((line.strip() for line in text.split("\n") if line.strip()), "")
    headers_first = bool(words.HEADER_FROM.match(first) or words.HEADER_DATE.match(first))
    if is_forward_divider(first) or (forward_hint and headers_first):
        return ["---------- Forwarded message ----------", f"> {marker}"]
    return [f"> {marker}"]
