"""The parts of a reply message: the partner's new text, the quoted earlier message, a
forwarded message kept as context, and the signature.

The plain-text part is read first (its `>` quotes and header blocks are the clearest marks);
where it shows no quote but the HTML part marks one, or where there is only HTML, the HTML
is taken apart before it is made text (`outreach.inbound.html_quotes`)."""

from __future__ import annotations

from outreach.inbound import quote_words as words
from outreach.inbound.html_quotes import split_html
from outreach.inbound.message import InboundMessage
from outreach.inbound.quotes import Forwarded, Reply, split_text

__all__ = ["Forwarded", "Reply", "answer_comment", "split_reply"]


def split_reply(message: InboundMessage) -> Reply:
    """The reply's parts, worked out once per message."""
    cache: list[Reply] = message.__dict__.setdefault("_reply", [])
    if not cache:
        cache.append(_split(message))
    return cache[0]


def _split(message: InboundMessage) -> Reply:
    forward_hint = bool(words.FORWARD_SUBJECT.match(message.subject))
    plain, html = message.plain_text(), message.html_text()
    if plain.strip():
        reply = split_text(plain, forward_hint)
        if html and not (reply.quoted or reply.forwarded):
            from_html = split_html(html, forward_hint)
            if from_html.quoted or from_html.forwarded:
                return from_html
        return reply
    if html:
        return split_html(html, forward_hint)
    return Reply(new_text="")


def answer_comment(comment: str | None) -> str | None:
    """A calendar answer's COMMENT as the person wrote it: without the signature and the
    disclaimer some servers copy into it (Exchange 2010 puts the whole mail there), and None
    when nothing is left (Exchange sends an empty COMMENT, read back as a line break)."""
    if comment is None:
        return None
    return split_text(comment).new_text or None
