"""Read a YAML file and remember on which line each key and item stands.

The loader reads YAML the way people write campaign files: `NO` (Norway) and `no`
(Norwegian) stay strings, `17:00` stays a time of day, not 1020, and `2026-13-45` stays the
text it is (the campaign's model says what a date is, and names the form when it is not one).
Only `true`/`false` are booleans. A key given twice is an error, not a silent override.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import yaml

from outreach.errors import InvalidInput, Problem


class CampaignLoader(yaml.SafeLoader):
    """SafeLoader with YAML 1.2-style booleans and integers."""


CampaignLoader.yaml_implicit_resolvers = {
    first: [
        (tag, regexp)
        for tag, regexp in resolvers
        if tag
        not in (
            "tag:yaml.org,2002:bool",
            "tag:yaml.org,2002:int",
            "tag:yaml.org,2002:float",
            "tag:yaml.org,2002:timestamp",
        )
    ]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
CampaignLoader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)
CampaignLoader.add_implicit_resolver("tag:yaml.org,2002:int", re.compile(r"^[-+]?[0-9]+$"), list("-+0123456789"))
CampaignLoader.add_implicit_resolver(
    "tag:yaml.org,2002:float",
    re.compile(r"^[-+]?(?:[0-9]+\.[0-9]*|\.[0-9]+)(?:[eE][-+]?[0-9]+)?$"),
    list("-+0123456789."),
)


@dataclass
class YamlDocument:
    data: object
    root: yaml.Node
    source: str

    def line_for(self, loc: tuple) -> int | None:
        """The line of the deepest key or item along `loc` that the file has."""
        node, line = self.root, self.root.start_mark.line + 1
        for part in loc:
            found = _child(node, part)
            if found is None:
                break
            line, node = found
        return line


def _child(node: yaml.Node, part) -> tuple[int, yaml.Node] | None:
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            if key.value == str(part):
                return key.start_mark.line + 1, value
    elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) and 0 <= part < len(node.value):
        item = node.value[part]
        return item.start_mark.line + 1, item
    return None


def load_yaml(path: Path) -> YamlDocument:
    source = str(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise InvalidInput([Problem(source, None, "(file)", "no such file")]) from None
    except UnicodeDecodeError as error:
        raise InvalidInput(
            [Problem(source, None, "(file)", f"not UTF-8 text ({error.reason}); save it as UTF-8")]
        ) from None
    if len(text) > MAX_BYTES:
        raise InvalidInput(
            [
                Problem(
                    source,
                    None,
                    "(file)",
                    f"{len(text):,} characters; a campaign file has at most "
                    f"{MAX_BYTES:,}: put the partners in a CSV or XLSX file (partners_file)",
                )
            ]
        )
    try:
        _check_depth(text, source)
        root = yaml.compose(text, Loader=CampaignLoader)
        _check_size(root, source)
        data = yaml.load(text, Loader=CampaignLoader)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = mark.line + 1 if mark else None
        raise InvalidInput(
            [Problem(source, line, "(yaml)", f"{error.problem}; check the indentation and quoting")]
        ) from None
    except ValueError as error:  # a value YAML itself cannot build (an explicit !!timestamp tag, say)
        raise InvalidInput(
            [Problem(source, None, "(yaml)", f"a value cannot be read ({error}); write it as plain text")]
        ) from None
    except RecursionError:
        raise InvalidInput(
            [
                Problem(
                    source, None, "(yaml)", f"nested deeper than {MAX_DEPTH} levels; a campaign file needs only a few"
                )
            ]
        ) from None
    if root is None or not isinstance(data, dict):
        raise InvalidInput([Problem(source, 1, "(top level)", "the file must be a YAML mapping of keys to values")])
    duplicates = list(_duplicate_keys(root, source))
    if duplicates:
        raise InvalidInput(duplicates)
    return YamlDocument(data, root, source)


MAX_BYTES = 1_000_000
MAX_DEPTH = 40
MAX_VALUES = 100_000


def _check_depth(text: str, source: str) -> None:
    """Nesting measured on the event stream (no recursion) before anything is built."""
    depth = 0
    for event in yaml.parse(text, Loader=CampaignLoader):
        if isinstance(event, (yaml.SequenceStartEvent, yaml.MappingStartEvent)):
            depth += 1
            if depth > MAX_DEPTH:
                raise InvalidInput(
                    [
                        Problem(
                            source,
                            event.start_mark.line + 1,
                            "(yaml)",
                            f"nested deeper than {MAX_DEPTH} levels; a campaign file needs only a few",
                        )
                    ]
                )
        elif isinstance(event, (yaml.SequenceEndEvent, yaml.MappingEndEvent)):
            depth -= 1


def _check_size(root: yaml.Node | None, source: str) -> None:
    """Aliases expanded with a bound ("billion laughs"), nesting with a limit: each node's
    expanded size is counted once (aliases share nodes), so the check is linear in the file."""
    sizes: dict[int, int] = {}

    def size(node: yaml.Node, depth: int) -> int:
        if depth > MAX_DEPTH:
            raise InvalidInput(
                [
                    Problem(
                        source,
                        node.start_mark.line + 1,
                        "(yaml)",
                        f"nested deeper than {MAX_DEPTH} levels; a campaign file needs only a few",
                    )
                ]
            )
        if id(node) in sizes:
            return sizes[id(node)]
        children = (
            [n for pair in node.value for n in pair]
            if isinstance(node, yaml.MappingNode)
            else node.value
            if isinstance(node, yaml.SequenceNode)
            else []
        )
        total = 1
        for child in children:
            total += size(child, depth + 1)
            if total > MAX_VALUES:
                raise InvalidInput(
                    [
                        Problem(
                            source,
                            node.start_mark.line + 1,
                            "(yaml)",
                            f"its aliases expand to more than {MAX_VALUES:,} values; "
                            "write the values out, or use fewer aliases",
                        )
                    ]
                )
        sizes[id(node)] = total
        return total

    if root is not None:
        size(root, 0)


def _duplicate_keys(node: yaml.Node, source: str, path: str = ""):
    if isinstance(node, yaml.MappingNode):
        seen: set[str] = set()
        for key, value in node.value:
            where = f"{path}.{key.value}" if path else str(key.value)
            if key.value in seen:
                yield Problem(source, key.start_mark.line + 1, where, "this key is given twice; keep one")
            seen.add(key.value)
            yield from _duplicate_keys(value, source, where)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            yield from _duplicate_keys(item, source, f"{path}[{index}]")
