"""HTML mail as plain text, in one pass: each `<` and `>` is looked at once, so the time is
linear in the input whatever its shape (no regular expression that backtracks). As a browser
shows it: line breaks come from the elements (`<br>`, `<p>`, `<div>`, ...), a line break in
the markup is a space (except in `<pre>`), inline elements add no space of their own."""

from __future__ import annotations

from html import unescape

HTML_CAP = 256 * 1024
BREAKS = {
    "br",
    "p",
    "/p",
    "div",
    "/div",
    "li",
    "/li",
    "tr",
    "/tr",
    "h1",
    "h2",
    "h3",
    "h4",
    "/h1",
    "/h2",
    "/h3",
    "/h4",
    "h5",
    "h6",
    "/h5",
    "/h6",
    "blockquote",
    "/blockquote",
    "hr",
    "table",
    "/table",
    "ul",
    "/ul",
    "ol",
    "/ol",
    "dl",
    "/dl",
    "dt",
    "dd",
    "center",
    "/center",
    "address",
    "/address",
    "section",
    "/section",
    "article",
    "/article",
    "header",
    "/header",
    "footer",
    "/footer",
    "pre",
    "/pre",
}
SKIPPED = ("script", "style", "head")
# Inline elements add no space of their own: "<b>From:</b> Jana <span>&lt;jana@x.test&gt;</span>" reads as written.
INLINE = {
    name
    for tag in (
        "a",
        "span",
        "b",
        "strong",
        "i",
        "em",
        "font",
        "u",
        "s",
        "small",
        "big",
        "sub",
        "sup",
        "code",
        "abbr",
        "mark",
        "o:p",
        "tt",
        "q",
        "cite",
        "time",
        "bdi",
        "bdo",
        "wbr",
        "ins",
        "del",
        "label",
    )
    for name in (tag, "/" + tag)
}


def html_to_text(html: str) -> str:
    html = html[:HTML_CAP]
    lower = html.lower()
    out: list[str] = []
    position, end, in_pre = 0, len(html), 0
    while position < end:
        opening = html.find("<", position)
        if opening < 0:
            out.append(_text(html[position:], in_pre))
            break
        out.append(_text(html[position:opening], in_pre))
        if lower.startswith("<!--", opening):
            closing = lower.find("-->", opening + 4)
            position = end if closing < 0 else closing + 3
            continue
        closing = html.find(">", opening + 1)
        if closing < 0:
            break  # an unclosed tag to the end: nothing readable follows
        name = _tag_name(lower, opening + 1, closing)
        position = closing + 1
        if name in SKIPPED:
            stop = lower.find(f"</{name}", position)
            position = end if stop < 0 else stop
        elif name in BREAKS:
            out.append("\n")
            in_pre = in_pre + 1 if name == "pre" else max(0, in_pre - 1) if name == "/pre" else in_pre
        elif name in INLINE:
            continue
        else:
            out.append(" ")
    text = unescape("".join(out))
    return "\n".join(" ".join(line.split()) for line in text.splitlines()).strip()


def _text(segment: str, in_pre: int) -> str:
    return segment if in_pre else segment.replace("\r", " ").replace("\n", " ")


def _tag_name(lower: str, start: int, stop: int) -> str:
    stop = min(stop, start + 20)
    name = lower[start:stop].strip()
    for separator in (" ", "\t", "\n", "\r"):
        name = name.split(separator, 1)[0]
    return name.rstrip("/")
