"""Quote stripping, measured: our stripper against the well-kept libraries on the package
index (quotequail, mail-parser-reply) on a labelled set of replies as real clients write
them. The scores are printed; ours must be right on nearly all and no worse than either."""

from __future__ import annotations

from outreach.inbound.quotes import new_text
from tests.samples.replies import REPLIES, normalised


def quotequail_text(text: str) -> str:
    import quotequail

    unwrapped = quotequail.unwrap(text)
    if unwrapped:
        return "\n\n".join(p for p in (unwrapped.get("text_top", ""), unwrapped.get("text_bottom", "")) if p)
    return "\n".join(part for mine, part in quotequail.quote(text) if mine)


def mail_parser_reply_text(text: str) -> str:
    from mailparser_reply import EmailReplyParser

    return EmailReplyParser(languages=["en", "de", "fr", "es", "it", "nl", "pl"]).parse_reply(text=text)


def score(strip) -> tuple[int, list[str]]:
    right, wrong = 0, []
    for name, text, expected in REPLIES:
        try:
            got = strip(text)
        except Exception as error:  # a library that raises scores nothing on that sample
            got = f"{type(error).__name__}"
        if normalised(got) == normalised(expected):
            right += 1
        else:
            wrong.append(name)
    return right, wrong


def test_the_labelled_set_covers_clients_languages_and_postings():
    names = " ".join(name for name, _, _ in REPLIES)
    assert len(REPLIES) >= 40
    for word in ("gmail", "outlook-web", "outlook-desktop", "apple", "thunderbird", "iphone", "android", "bottom", "inline"):
        assert word in names
    for language in ("en", "de", "fr", "es", "it", "nl", "pl", "pt"):
        assert f"-{language}" in names


def test_ours_measures_best_and_the_scores_are_printed(capsys):
    ours, missed = score(new_text)
    theirs = {"quotequail": score(quotequail_text)[0], "mail-parser-reply": score(mail_parser_reply_text)[0]}
    with capsys.disabled():
        print(f"\nquote stripping, {len(REPLIES)} labelled replies: ours {ours}, "
              + ", ".join(f"{name} {right}" for name, right in theirs.items()))
    assert ours >= 0.95 * len(REPLIES), missed
    assert all(ours >= right for right in theirs.values())


def test_a_reply_never_comes_out_empty():
    only_quote = "> Dear partner,\n> would you be available?\n"
    assert new_text(only_quote) == only_quote.strip()
    for _, text, _ in REPLIES:
        assert new_text(text)
