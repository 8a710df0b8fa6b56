"""A document for partners to edit and sign, as Word (.docx): the plain text our document
templates write (the MoU / Letter of Intent) turned into a title, headings, paragraphs and
bullet lists with python-docx."""

from __future__ import annotations

import io

from docx import Document
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Pt


def as_docx(text: str, title: str | None = None, language: str | None = None) -> bytes:
    """The first line is the title; a line ending with ':' (and short) a heading; '- ' a bullet.
    `language` (BCP 47, "de-DE") is the document's: Word checks its spelling in that language."""
    document = Document()
    if language:
        _speaks(document, language)
    document.styles["Normal"].font.name = "Arial"
    document.styles["Normal"].font.size = Pt(11)
    lines = [line.rstrip() for line in text.splitlines()]
    first = next((i for i, line in enumerate(lines) if line.strip()), None)
    if first is None:
        return _saved(document)
    document.add_heading(lines[first].strip(), level=0)
    if title:
        document.core_properties.title = title
    for line in lines[first + 1 :]:
        stripped = line.strip()
        if not stripped:
            continue
        if stripped.startswith("- "):
            document.add_paragraph(stripped[2:], style="List Bullet")
        elif stripped.endswith(":") and len(stripped) < 80:
            document.add_heading(stripped.rstrip(":").rstrip(), level=2)
        else:
            document.add_paragraph(stripped)
    return _saved(document)


def _speaks(document, language: str) -> None:
    """The language of every run that says none (the default run properties' w:lang, which the
    python-docx template sets to en-US), and of the file's properties."""
    styles = document.styles.element
    defaults = styles.find(qn("w:docDefaults"))
    if defaults is None:
        defaults = styles.insert(0, OxmlElement("w:docDefaults"))
    properties = _child(_child(defaults, "w:rPrDefault"), "w:rPr")
    _child(properties, "w:lang").set(qn("w:val"), language)
    document.core_properties.language = language


def _child(parent, tag: str):
    found = parent.find(qn(tag))
    if found is None:
        found = OxmlElement(tag)
        parent.append(found)
    return found


def _saved(document) -> bytes:
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()
