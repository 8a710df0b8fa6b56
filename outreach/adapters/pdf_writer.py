"""A page of ours as PDF (the one-pager): the HTML we render, its headings, paragraphs and lists
laid out on one A4 page with fpdf2 (pure Python, no system libraries), in DejaVu Sans (the font
matplotlib ships, which has every letter of our eight languages), with the document's language
(/Lang) and title set so readers and screen readers know what they open."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import TYPE_CHECKING

import lxml.html

if TYPE_CHECKING:
    from fpdf import FPDF

_BLUE = (9, 105, 218)
_GREY = (87, 96, 106)
_INK = (31, 35, 40)


def html_as_pdf(html: str, language: str, title: str) -> bytes:
    """The page's body as PDF: h1 a title, h2 a section heading, p a paragraph, ul/ol a list."""
    pdf = _document(language, title)
    body = lxml.html.document_fromstring(html).body
    for element in body:
        _write(pdf, element)
    return bytes(pdf.output())


def _document(language: str, title: str) -> FPDF:
    from fpdf import FPDF  # only where a PDF is made: with what it loads, some 40 MiB per process

    pdf = FPDF(format="A4")
    pdf.set_lang(language)
    pdf.set_title(title)
    pdf.set_creator("vet-outreach")
    pdf.set_margins(18, 18, 18)
    pdf.set_auto_page_break(True, margin=15)
    fonts = _font_folder()
    pdf.add_font("DejaVu", "", str(fonts / "DejaVuSans.ttf"))
    pdf.add_font("DejaVu", "B", str(fonts / "DejaVuSans-Bold.ttf"))
    pdf.add_page()
    return pdf


def _font_folder() -> Path:
    """matplotlib's fonts, found without importing it (its import alone takes a third of a second)."""
    spec = importlib.util.find_spec("matplotlib")
    assert spec is not None and spec.origin is not None, "matplotlib is a dependency"
    return Path(spec.origin).with_name("mpl-data") / "fonts" / "ttf"


def _write(pdf: FPDF, element) -> None:
    tag = element.tag if isinstance(element.tag, str) else ""
    if tag == "h1":
        _line(pdf, _text(element), size=18, bold=True, after=1)
    elif tag == "h2":
        pdf.ln(3)
        _line(pdf, _text(element), size=12.5, bold=True, color=_BLUE)
        pdf.set_draw_color(*_BLUE)
        pdf.line(pdf.l_margin, pdf.get_y(), pdf.w - pdf.r_margin, pdf.get_y())
        pdf.ln(2)
    elif tag in ("ul", "ol"):
        for number, item in enumerate(element.findall("li"), start=1):
            mark = "•" if tag == "ul" else f"{number}."
            _line(pdf, f"{mark} {_text(item)}", indent=4)
    elif tag in ("p", "div"):
        grey = "where" in (element.get("class") or "").split()
        _line(pdf, _text(element), color=_GREY if grey else _INK, after=1.5)


def _line(
    pdf: FPDF,
    text: str,
    size: float = 10.5,
    bold: bool = False,
    color: tuple[int, int, int] = _INK,
    indent: float = 0,
    after: float = 0.5,
) -> None:
    if not text:
        return
    pdf.set_font("DejaVu", "B" if bold else "", size)
    pdf.set_text_color(*color)
    pdf.set_x(pdf.l_margin + indent)
    pdf.multi_cell(pdf.epw - indent, size * 0.5, text, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(after)


def _text(element) -> str:
    """The element's text with a line break for each <br>, each line's spaces collapsed."""
    for br in element.iter("br"):
        br.tail = "\n" + (br.tail or "")
    lines = element.text_content().split("\n")
    return "\n".join(" ".join(line.split()) for line in lines if line.strip())
