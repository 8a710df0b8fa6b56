"""Personalised messages from Jinja2 templates; a missing value stops the message.

Templates live in `templates/NAME/REGISTER.LANGUAGE.j2` with a `subject` and a `text`
block; the HTML part is made from the text (paragraphs, escaped) by `_message.html.j2`, so
each message is written once. A campaign's own template folder is searched first.

Templates are read once per renderer: outside development Jinja does not look at the files
again for each message (no `stat` per render). `OUTREACH_DEVELOPMENT=1` (or `development=True`)
reloads a template whose file changed, as one wants while writing templates.
"""

from __future__ import annotations

import hashlib
import os
import re
from dataclasses import dataclass
from pathlib import Path

from jinja2 import FileSystemLoader, StrictUndefined, TemplateNotFound, TemplateSyntaxError, meta
from jinja2.exceptions import SecurityError, UndefinedError
from jinja2.sandbox import SandboxedEnvironment
from markupsafe import Markup, escape

from outreach.errors import OutreachError
from outreach.resources import packaged

BUILTIN_TEMPLATES = Path(os.environ.get("OUTREACH_TEMPLATES") or packaged("templates"))


class TemplateError(OutreachError):
    """A template that is missing, broken, or needs a value the partner does not have."""

    exit_code = 2


class Fields(dict):
    """Template variables under a name (contact, organisation, ...), for error messages."""

    def __init__(self, path: str, values: dict):
        super().__init__(values)
        self.path = path


class MissingValue(StrictUndefined):
    """Fails on output, naming the variable; false in `{% if %}` so optional parts work."""

    __slots__ = ()

    @property
    def _undefined_message(self) -> str:
        owner = self._undefined_obj
        if isinstance(owner, Fields):
            return f"{owner.path}.{self._undefined_name}"
        return str(self._undefined_name)

    def __bool__(self) -> bool:  # type: ignore[override]  # false, where StrictUndefined raises: optional parts
        return False


class _Environment(SandboxedEnvironment):
    """Templates are data: they run sandboxed (no reaching for attributes that lead out of the
    template). A value that is None counts as missing, exactly like an absent one."""

    def getattr(self, obj, attribute):
        if isinstance(attribute, str) and attribute.startswith("_"):
            self.unsafe_undefined(obj, attribute)
        if isinstance(obj, Fields) and obj.get(attribute) is None:
            return self.undefined(obj=obj, name=attribute)
        return super().getattr(obj, attribute)

    def unsafe_undefined(self, obj, attribute):
        raise SecurityError(f"{attribute!r} of {type(obj).__name__} may not be used in a template")

    def getitem(self, obj, argument):
        if isinstance(obj, Fields) and obj.get(argument) is None:
            return self.undefined(obj=obj, name=argument)
        return super().getitem(obj, argument)


@dataclass(frozen=True)
class Rendered:
    subject: str
    text: str
    html: str
    template: str
    language: str
    register: str
    summary: str | None = None

    @property
    def written_in(self) -> str:
        """The language of the template used (the contact's own, or the fallback)."""
        parts = self.template.rsplit(".", 2)
        return parts[-2] if len(parts) == 3 else self.language


def agree(person: object, feminine: str, masculine: str, neutral: str) -> str:
    """The words that agree with a person's grammatical gender (`sender` or `contact`): the
    feminine or masculine form, or a construction that needs none when it is not known
    ({{ sender | agree("Obrigada", "Obrigado", "Agradeço") }}). Never a slash form."""
    value = person.get("feminine") if isinstance(person, dict) else None
    return feminine if value is True else masculine if value is False else neutral


_ELIDING = frozenset("aeiouyhàâäéèêëîïôöùûüœæ")


def elided(name: object, word: str = "de") -> str:
    """A French word that elides before a name starting with a vowel or a mute h ("de", "que",
    "le"), joined to the name: "d'Élodie", "d'Hélène", "de Jean" ({{ introducer.name | elided }})."""
    text = str(name or "").strip()
    if text[:1].casefold() in _ELIDING and word.endswith(("e", "a")):
        return f"{word[:-1]}'{text}"
    return f"{word} {text}"


def in_development() -> bool:
    """Whether templates are being written here (`OUTREACH_DEVELOPMENT`): then they are reloaded
    when their files change."""
    return os.environ.get("OUTREACH_DEVELOPMENT", "").strip().lower() in ("1", "true", "yes", "on")


# What the rendering code itself does to a template's output (typography, tidying): part of every
# fingerprint, so a message kept from before a change of these rules is rendered again.
RENDERING_VERSION = "1"


class Renderer:
    def __init__(self, own_folder: Path | None = None, development: bool | None = None):
        folders = [own_folder] if own_folder else []
        self.env = _Environment(
            loader=FileSystemLoader([str(f) for f in folders + [BUILTIN_TEMPLATES]]),
            undefined=MissingValue,
            autoescape=lambda name: bool(name) and name.endswith(".html.j2"),
            keep_trailing_newline=False,
            auto_reload=in_development() if development is None else development,
        )
        self.env.filters["agree"] = agree
        self.env.filters["elided"] = elided
        self._variants: dict[tuple[str, str, str, str], str] = {}
        self._digests: dict[str, str] = {}

    def variant(self, template: str, register: str, language: str, fallback_language: str) -> str:
        """The file for a template in a register and language; the campaign's language when
        the contact's own has no template (found once per renderer, outside development)."""
        key = (template, register, language, fallback_language)
        found = self._variants.get(key)
        if found is None or self.env.auto_reload:
            found = self._variants[key] = self._find_variant(*key)
        return found

    def source_digest(self, name: str) -> str:
        """A digest of the template's source and of every template it includes, with the page
        the HTML part is made from: what a message rendered from `name` was made of."""
        found = self._digests.get(name)
        if found is None or self.env.auto_reload:
            digest = hashlib.sha256(RENDERING_VERSION.encode())
            for source in self._sources([name, "_message.html.j2"]):
                digest.update(hashlib.sha256(source.encode()).digest())
            found = self._digests[name] = digest.hexdigest()
        return found

    def _sources(self, names: list[str]) -> list[str]:
        """The sources of these templates and of those they include, each once, in order."""
        sources, seen, waiting = [], set(), list(names)
        while waiting:
            name = waiting.pop(0)
            if name in seen:
                continue
            seen.add(name)
            source = self.env.loader.get_source(self.env, name)[0]  # type: ignore[union-attr]  # set above
            sources.append(source)
            waiting += [n for n in meta.find_referenced_templates(self.env.parse(source)) if n is not None]
        return sources

    def _find_variant(self, template: str, register: str, language: str, fallback_language: str) -> str:
        names = [
            f"{template}/{register}.{lang}.j2"
            for lang in dict.fromkeys([language, language.split("-")[0], fallback_language])
        ]
        for name in names:
            try:
                self._template(name)
                return name
            except TemplateNotFound:
                continue
        raise TemplateError(
            f"no template {template!r} for register {register} in {language} or "
            f"{fallback_language}: add {names[0]} to the campaign's template_dir"
        )

    def render(self, name: str, context: dict, where: str) -> Rendered:
        """A message's subject and text (and a `summary` block where the template has one: a
        calendar event's title, which the subject may use as {{ summary }})."""
        present = {key: value for key, value in context.items() if value is not None}
        template = self._template(name)
        written_in = _language_of(name)
        try:
            summary = None
            if "summary" in template.blocks:
                summary = polished(_one_line(template.blocks["summary"](template.new_context(present))), written_in)
                present["summary"] = summary
            block = template.new_context(present)
            subject = polished(_one_line(template.blocks["subject"](block)), written_in)
            text = polished(_tidy("".join(template.blocks["text"](block))), written_in)
        except UndefinedError as error:
            raise TemplateError(f"{where}: template {name} needs {error.message}, which is missing") from None
        except KeyError as error:
            raise TemplateError(f"template {name} has no {{% block {error.args[0]} %}}") from None
        except SecurityError as error:
            raise TemplateError(f"template {_where_in(error, template)}: refused: {error}") from None
        return Rendered(
            subject,
            text,
            self._html(subject, text, written_in),
            name,
            context["language"],
            context["register"],
            summary,
        )

    def free_text(self, subject: str, body: str, context: dict) -> Rendered:
        """A message staff wrote themselves (no template), with the signature."""
        present = {key: value for key, value in context.items() if value is not None}
        signature = self._template("_signature.j2").render(present)
        text = polished(_tidy(body + "\n\n" + signature), context["written_in"])
        subject = polished(" ".join(subject.split()), context["written_in"])
        html = self._html(subject, text, context["written_in"])
        return Rendered(subject, text, html, "free_text", context["language"], context["register"])

    def _html(self, subject: str, text: str, language: str) -> str:
        """The HTML part, made from the text: its paragraphs, escaped."""
        return self._template("_message.html.j2").render(
            subject=subject, paragraphs=_paragraphs(text), language=language
        )

    def _template(self, name: str):
        """A template by name; broken syntax is a TemplateError naming file and line."""
        try:
            return self.env.get_template(name)
        except TemplateSyntaxError as error:
            raise TemplateError(f"template {error.filename or name}:{error.lineno}: {error.message}") from None

    def agenda(self, language: str, **values) -> str:
        """The guide's first exploration meeting agenda, with names, date, time and link filled in."""
        return self.document(self.in_language("meeting/agenda", language), values, "the meeting agenda")

    def in_language(self, stem: str, language: str) -> str:
        """`stem.LANG.j2` for the language, else its base language, else English."""
        for candidate in dict.fromkeys([language, language.split("-")[0], "en"]):
            name = f"{stem}.{candidate}.j2"
            try:
                self._template(name)
                return name
            except TemplateNotFound:
                continue
        raise TemplateError(f"no template {stem}.en.j2")

    def document(self, name: str, context: dict, what: str | None = None) -> str:
        """A document (the agenda, the MoU draft): what staff leave open shows as the guide's [brackets]."""
        present = {key: value for key, value in context.items() if value is not None}
        try:
            return polished(_tidy(self._template(name).render(present)), _language_of(name))
        except UndefinedError as error:
            raise TemplateError(f"{what or name} needs {error.message}, which is missing") from None

    def one_pager(self, context: dict) -> str:
        html = self.env.get_template("one_pager.html.j2").render(context)
        return polished_html(html, context.get("written_in") or "en")


def _language_of(name: str) -> str:
    """first_contact/formal.de.j2 -> de; a name without a language -> en."""
    parts = name.rsplit(".", 2)
    return parts[-2] if len(parts) == 3 else "en"


# --- typography: what every text we write goes through, in its language -------------------

NBSP = "\u00a0"
# French puts a no-break space before : ; ? ! (as Word's French autocorrect does: U+00A0, which
# every mail client's font has). Only where the mark ends a word and is followed by a space, the
# line's end or closing punctuation: never in 10:00, https://, mailto:, ?query=, &amp;.
_FRENCH_MARK = re.compile(r"(?<=[^\s:;?!(«\[/])[ \u00a0\u202f]?([:;?!]+)(?=\s|$|[)\]»\"'.,])", re.M)
_OPENING_GUILLEMET = re.compile(r"«[ \u00a0\u202f]*")
_CLOSING_GUILLEMET = re.compile(r"[ \u00a0\u202f]*»")
# A sentence's full stop after a name that ends in one ("Lda." + "." -> "Lda."); an ellipsis stays.
_DOUBLE_STOP = re.compile(r"(?<=\w\.)\.(?![.\w/])")


def french_spacing(text: str) -> str:
    """ "Signataire: X" -> "Signataire\u00a0: X", "« oui »" with no-break spaces inside."""
    text = _FRENCH_MARK.sub(lambda match: NBSP + match.group(1), text)
    text = _OPENING_GUILLEMET.sub("«" + NBSP, text)
    return _CLOSING_GUILLEMET.sub(NBSP + "»", text)


def single_full_stop(text: str) -> str:
    """ "Logística Atlântica, Lda.." -> "Logística Atlântica, Lda."."""
    return _DOUBLE_STOP.sub("", text) if ".." in text else text


# Italian elides the article before a day said with a vowel: "l'8 marzo", "dell'11 marzo", "all'8".
_ITALIAN_ELISION = re.compile(r"\b([Ii]l|[Dd]el|[Aa]l|[Dd]al|[Nn]el|[Ss]ul) (8|11)(?= )")
_ELIDED = {"il": "l'", "del": "dell'", "al": "all'", "dal": "dall'", "nel": "nell'", "sul": "sull'"}


def italian_elision(text: str) -> str:
    """ "entro il 8 marzo" -> "entro l'8 marzo", "del 11 marzo" -> "dell'11 marzo"."""

    def elided(match: re.Match[str]) -> str:
        article = _ELIDED[match.group(1).lower()]
        article = article[0].upper() + article[1:] if match.group(1)[0].isupper() else article
        return article + match.group(2)

    return _ITALIAN_ELISION.sub(elided, text)


_BY_LANGUAGE = {"fr": french_spacing, "it": italian_elision}


def polished(text: str, language: str) -> str:
    """Plain text (a subject, a mail's text, a document) as the language's typography has it."""
    text = single_full_stop(text)
    rule = _BY_LANGUAGE.get(language.split("-")[0].lower())
    return rule(text) if rule else text


# What polishing leaves alone in a page: the style sheet, scripts, tags and character references.
_MARKUP = re.compile(r"(<style\b.*?</style>|<script\b.*?</script>|<[^>]*>|&#?\w+;)", re.S | re.I)


def polished_html(html: str, language: str) -> str:
    """The same for an HTML page: only its text, never its tags, attributes or style sheet."""
    parts = _MARKUP.split(html)
    for i in range(0, len(parts), 2):  # even places are the text between markup
        parts[i] = polished(parts[i], language)
    return "".join(parts)


def _where_in(error: Exception, template) -> str:
    """file:line of the template frame where a sandbox refusal happened."""
    line = None
    trace = error.__traceback__
    while trace is not None:  # the compiled template's frame, its line mapped back to the source
        if trace.tb_frame.f_code.co_filename == template.filename:
            line = template.get_corresponding_lineno(trace.tb_lineno)
        trace = trace.tb_next
    return f"{template.filename}:{line}" if line else str(template.filename)


def _one_line(parts) -> str:
    return " ".join("".join(parts).split())


def _tidy(text: str) -> str:
    text = "\n".join(line.rstrip() for line in text.strip().splitlines())
    return (_BLANK_LINES.sub("\n\n", text) if "\n\n\n" in text else text) + "\n"


_BLANK_LINES = re.compile(r"\n{3,}")


class Paragraph(list):
    """A paragraph's lines; in a page, the lines escaped and joined by line breaks."""

    def __init__(self, block: str):
        super().__init__(block.splitlines())
        self.block = block

    def __html__(self) -> Markup:
        return Markup(str(escape(self.block)).replace("\n", "<br>\n"))


def _paragraphs(text: str) -> list[Paragraph]:
    return [Paragraph(block) for block in text.strip().split("\n\n") if block.strip()]
