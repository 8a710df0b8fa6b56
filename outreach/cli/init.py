"""`outreach init [FOLDER]`: a starting point for a new partnership officer."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import typer

from outreach.cli.common import console
from outreach.errors import InvalidInput, Problem
from outreach.resources import EXAMPLE_CAMPAIGN, EXAMPLE_PARTNERS, packaged

CAMPAIGN, PARTNERS_CSV, PARTNERS_XLSX, TEMPLATES = "campaign.yaml", "partners.csv", "partners.xlsx", "templates"


def init(folder: Path = typer.Argument(Path("."), help="Where to write the starting point (default: here).")) -> None:
    """Write a commented campaign file, the partners spreadsheet (CSV and XLSX, with the
    right column headers and example rows) and a copy of the templates to edit."""
    taken = [name for name in (CAMPAIGN, PARTNERS_CSV, PARTNERS_XLSX, TEMPLATES) if (folder / name).exists()]
    if taken:
        raise InvalidInput(
            [
                Problem(
                    str(folder / name),
                    None,
                    "(file)",
                    "exists already; nothing was written: choose an empty folder, e.g. `outreach init my-campaign`",
                )
                for name in taken
            ]
        )
    folder.mkdir(parents=True, exist_ok=True)
    text = packaged(EXAMPLE_CAMPAIGN).read_text(encoding="utf-8")
    text = text.replace("path: partners.example.csv ", f"path: {PARTNERS_CSV}{' ' * 12}")
    text = text.replace("  template_dir:              ", f"  template_dir: {TEMPLATES}{' ' * 5}")
    text = text.replace(
        "outreach campaign validate config/campaign.example.yaml", f"outreach campaign validate {folder / CAMPAIGN}"
    )
    (folder / CAMPAIGN).write_text(text, encoding="utf-8")
    shutil.copyfile(packaged(EXAMPLE_PARTNERS), folder / PARTNERS_CSV)
    _as_xlsx(folder / PARTNERS_CSV, folder / PARTNERS_XLSX)
    shutil.copytree(packaged("templates"), folder / TEMPLATES)
    console.print(f"Written to {folder.resolve()}:", markup=False)
    for name, what in (
        (CAMPAIGN, "the campaign: who you are, your mailbox, partners, follow-ups (commented)"),
        (PARTNERS_CSV, "partners, one contact a row (the campaign reads this one)"),
        (PARTNERS_XLSX, "the same as a spreadsheet: save as CSV, or point partners_file.path at it"),
        (TEMPLATES, "the messages, formal and informal, to edit (searched before the built-in ones)"),
    ):
        console.print(f"  {name:15} {what}", markup=False)
    console.print(f"Next: edit them, then `outreach campaign validate {folder / CAMPAIGN}`.", markup=False)


def _as_xlsx(csv_path: Path, xlsx_path: Path) -> None:
    from openpyxl import Workbook

    with csv_path.open(encoding="utf-8-sig", newline="") as source:
        rows = list(csv.reader(source, delimiter=";"))
    book = Workbook()
    sheet = book.active
    sheet.title = "partners"
    for row in rows:
        sheet.append(row)
    book.save(xlsx_path)
