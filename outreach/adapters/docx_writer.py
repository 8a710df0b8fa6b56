"""A document for partners to edit and sign, as Word (.docx): the plain text our document
templates write (the MoU / Letter of Intent) turned into a title, headings, paragraphs and
bullet lists with python-docx."""

from __future__ import annotations

import io

from docx import Document
from docx.shared import Pt


def as_docx(text: str, title: str | None = None) -> bytes:
    """The first line is the title; a line ending with ':' (and short) a heading; '- ' a bullet."""
    document = Document()
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


def _saved(document) -> bytes:
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()
