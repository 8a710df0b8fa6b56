"""A campaign file uploaded through the workspace arrives alone: it may not name files or
folders on the server (a partners file, a template folder, a criteria file). Whoever has the
server's shell queues such campaigns with `outreach campaign queue`."""

from __future__ import annotations

from pathlib import Path

from outreach.adapters.yaml_source import load_yaml
from outreach.errors import InvalidInput, Problem

SERVER_PATHS = (("partners_file",), ("message", "template_dir"), ("selection", "criteria_file"))


def server_files_named(path: Path) -> None:
    """InvalidInput naming each key of the file that points at the server's files."""
    document = load_yaml(path)
    problems = []
    for keys in SERVER_PATHS:
        node = document.data
        for key in keys:
            node = node.get(key) if isinstance(node, dict) else None
        if node is not None:
            problems.append(Problem(document.source, document.line_for(keys), ".".join(keys),
                                    "a campaign uploaded in the workspace cannot name files on the server; list the "
                                    "partners in the file itself, or queue it on the server with "
                                    "`outreach campaign queue FILE`"))
    if problems:
        raise InvalidInput(problems)
