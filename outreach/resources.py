"""What ships inside the package (templates, the example campaign, migrations), found with
importlib.resources, so an installed wheel works from any folder."""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path


def packaged(name: str) -> Path:
    """A folder or file inside the `outreach` package, as a path on disk (the package is
    installed as files, never zipped: Jinja and Alembic read folders)."""
    return Path(str(files("outreach").joinpath(name)))


EXAMPLE_CAMPAIGN = "examples/campaign.example.yaml"
EXAMPLE_PARTNERS = "examples/partners.example.csv"
