"""Public reply fixtures: the labelled replies two reply parsers ship in their source
distributions on the package index, read from their test files without running them.

- talon 1.4.4 (Mailgun, Apache-2.0): `tests/text_quotations_test.py` (`eq_(expected,
  quotations.extract_from_plain(body))`), `tests/html_quotations_test.py` (the same for HTML,
  compared without whitespace as talon does) and `tests/fixtures/standard_replies/*.eml` (the
  reply text in `*_reply_text`, else "Hello").
- quotequail 0.5.4 (Close, MIT): `tests/test_unwrap.py`, `tests/test_unwrap_html.py`,
  `tests/test_quote.py`, `tests/test_quote_html.py` (the parts marked as not quoted, with the
  intro line counted as quote; `text_top` and `text_bottom` of `unwrap`).

`.ci/run` downloads both sdists into .cache/reply-fixtures (they are not committed). Test
functions that patch the library, read files we do not have, or build their input in ways a
literal reading cannot follow are left out; `OVERRIDES` lists the few cases where the
library's own convention differs from ours on purpose, each with the reason.
"""

from __future__ import annotations

import ast
import re
import warnings
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2] / ".cache" / "reply-fixtures"
TALON = ROOT / "talon-1.4.4"
QUOTEQUAIL = ROOT / "quotequail-0.5.4"
SOURCES = {"talon": TALON, "quotequail": QUOTEQUAIL}
TALON_HTML_REPLY = "Hi. I am fine.\n\nThanks,\nAlex"


@dataclass(frozen=True)
class Case:
    source: str
    name: str
    kind: str  # "text", "html" or "eml"
    body: str | bytes
    expected: str
    forward: dict = field(default_factory=dict, hash=False)  # quotequail's reading of a forward

    @property
    def empty_means_whole(self) -> bool:
        """talon answers the whole message where nothing would be left; quotequail answers nothing."""
        return self.source == "talon"

    @property
    def key(self) -> str:
        return f"{self.source}:{self.name}"


# Where the library's convention differs from ours on purpose.
OVERRIDES = {
    # talon keeps a forward whole; we take the note as the new text and keep the forward as context
    "talon:test_dont_parse_quotations_for_forwarded_messages": "FYI",
    # quotequail reads a single `>` line as no quote; a `>` line is quoted for us
    "quotequail:test_unwrap[11]": "hello world\n\nHey: This is very important",
}


class Unresolved(Exception):
    """A value a literal reading of the test file cannot work out."""


@dataclass(frozen=True)
class Probe:
    """The library's answer for `body`, as a test names it."""

    body: str
    kind: str


@dataclass(frozen=True)
class NoSpace:
    value: object


def available() -> bool:
    return all((path / "tests").is_dir() for path in SOURCES.values())


def cases() -> list[Case]:
    found = talon_cases() + quotequail_cases()
    return [Case(c.source, c.name, c.kind, c.body, OVERRIDES.get(c.key, c.expected), c.forward) for c in found]


# --- talon -----------------------------------------------------------------------------------


def talon_cases() -> list[Case]:
    found: list[Case] = []
    fixtures = {
        "OLK_SRC_BODY_SECTION": _read(TALON / "tests/fixtures/OLK_SRC_BODY_SECTION.html"),
        "REPLY_SEPARATED_BY_HR": _read(TALON / "tests/fixtures/reply-separated-by-hr.html"),
    }
    for file in ("text_quotations_test.py", "html_quotations_test.py"):
        found += _TalonReader(TALON / "tests" / file, fixtures).cases()
    replies = TALON / "tests/fixtures/standard_replies"
    for eml in sorted(replies.glob("*.eml")):
        expected = replies / f"{eml.stem}_reply_text"
        found.append(
            Case(
                "talon",
                f"standard_replies/{eml.name}",
                "eml",
                eml.read_bytes(),
                _read(expected).strip() if expected.exists() else "Hello",
            )
        )
    return found


class _TalonReader:
    """Follows each undecorated test function statement by statement: string assignments, calls
    of `quotations.extract_from_plain/html`, `eq_(expected, answer)` and module helpers."""

    def __init__(self, path: Path, constants: dict[str, str]):
        with warnings.catch_warnings():  # talon's files have escapes Python now warns about
            warnings.simplefilter("ignore")
            self.tree = ast.parse(path.read_text(encoding="utf-8"))
        self.constants = constants
        self.helpers = {
            node.name: node
            for node in self.tree.body
            if isinstance(node, ast.FunctionDef) and not node.name.startswith("test")
        }
        self.found: list[Case] = []

    def cases(self) -> list[Case]:
        for node in self.tree.body:
            if isinstance(node, ast.FunctionDef) and node.name.startswith("test") and not node.decorator_list:
                self.count = 0
                self._run(node.name, node.body, dict(self.constants))
        return self.found

    def _run(self, name: str, body: list[ast.stmt], env: dict) -> None:
        for statement in body:
            try:
                if (
                    isinstance(statement, ast.Assign)
                    and len(statement.targets) == 1
                    and isinstance(statement.targets[0], ast.Name)
                ):
                    env[statement.targets[0].id] = _value(statement.value, env)
                elif isinstance(statement, ast.Expr) and isinstance(statement.value, ast.Call):
                    self._call(name, statement.value, env)
            except Unresolved:
                if isinstance(statement, ast.Assign):
                    env.pop(statement.targets[0].id, None)

    def _call(self, name: str, call: ast.Call, env: dict) -> None:
        function = _name(call.func)
        if function == "eq_" and len(call.args) >= 2:
            first, second = (_value(a, env) for a in call.args[:2])
            expected, probe = (first, second) if _probe(second) else (second, first)
            if not _probe(probe) or _probe(expected):
                return
            nospace = isinstance(probe, NoSpace) or isinstance(expected, NoSpace)
            probe, expected = _bare(probe), _bare(expected)
            if not isinstance(expected, str):
                raise Unresolved
            suffix = f"[{self.count}]" if self.count else ""
            self.count += 1
            kind = "html" if probe.kind == "html" or nospace else "text"
            self.found.append(Case("talon", name + suffix, kind, probe.body, expected))
        elif function == "extract_reply_and_check" and call.args:
            path = _value(call.args[0], env)
            self.found.append(Case("talon", f"{name}", "html", _read(TALON / path), TALON_HTML_REPLY))
        elif function in self.helpers:
            helper = self.helpers[function]
            bound = dict(env)
            for parameter, argument in zip(helper.args.args, call.args, strict=False):
                bound[parameter.arg] = _value(argument, env)
            self._run(name, helper.body, bound)


def _probe(value) -> bool:
    return isinstance(_bare(value), Probe)


def _bare(value):
    return value.value if isinstance(value, NoSpace) else value


def _name(node: ast.AST) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return ""


def _value(node: ast.AST, env: dict):
    """A literal reading of an expression: strings, names, `+`, `.format`, `.encode/.decode`,
    `six.text_type`, `RE_WHITESPACE.sub('', x)` and the library's extract calls."""
    if isinstance(node, ast.Constant):
        value = node.value
        return value.decode("utf-8") if isinstance(value, bytes) else value
    if isinstance(node, ast.Name):
        if node.id in env:
            return env[node.id]
        raise Unresolved(node.id)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        left, right = _value(node.left, env), _value(node.right, env)
        if isinstance(left, str) and isinstance(right, str):
            return left + right
        raise Unresolved
    if isinstance(node, (ast.List, ast.Tuple)):
        return [_value(item, env) for item in node.elts]
    if isinstance(node, ast.Dict):
        return {_value(k, env): _value(v, env) for k, v in zip(node.keys, node.values, strict=True)}
    if isinstance(node, ast.Call) and not node.keywords:
        function = _name(node.func)
        args = [_value(a, env) for a in node.args]
        owner = (
            _value(node.func.value, env)
            if isinstance(node.func, ast.Attribute) and function in ("format", "encode", "decode", "strip")
            else None
        )
        if function in ("extract_from_plain", "extract_from_html") and len(args) == 1 and isinstance(args[0], str):
            return Probe(args[0], "html" if function.endswith("html") else "text")
        if function == "extract_from" and len(args) == 2 and isinstance(args[0], str):
            return Probe(args[0], "html" if "html" in args[1] else "text")
        if function == "sub" and len(args) == 2 and args[0] == "":
            return NoSpace(args[1])
        if function == "text_type" and len(args) == 1:
            return args[0]
        if function == "format" and isinstance(owner, str):
            return owner.format(*args)
        if function in ("encode", "decode") and isinstance(owner, str):
            return owner
        if function == "strip" and isinstance(owner, str):
            return owner.strip()
    raise Unresolved(ast.dump(node)[:80])


# --- quotequail --------------------------------------------------------------------------------


def quotequail_cases() -> list[Case]:
    found: list[Case] = []
    for file in ("test_unwrap.py", "test_unwrap_html.py", "test_quote.py", "test_quote_html.py"):
        tree = ast.parse((QUOTEQUAIL / "tests" / file).read_text(encoding="utf-8"))
        for node in tree.body:
            if not isinstance(node, ast.FunctionDef) or not node.name.startswith("test"):
                continue
            for number, values in enumerate(_parametrized(node)):
                case = _quotequail_case(f"{node.name}[{number}]", values)
                if case is not None:
                    found.append(case)
            for number, (function, body, expected) in enumerate(_asserted(node)):
                case = _quotequail_case(
                    f"{node.name}/{number}",
                    {"text" if "html" not in function else "html": body, "expected": expected, "function": function},
                )
                if case is not None:
                    found.append(case)
    return found


def _parametrized(node: ast.FunctionDef) -> list[dict]:
    for decorator in node.decorator_list:
        if isinstance(decorator, ast.Call) and _name(decorator.func) == "parametrize" and len(decorator.args) == 2:
            try:
                names = _value(decorator.args[0], {})
                rows = _value(decorator.args[1], {})
            except Unresolved:
                return []
            names = [n.strip() for n in names.split(",")] if isinstance(names, str) else names
            function = node.name.removeprefix("test_")
            return [dict(zip(names, row, strict=True), function=function) for row in rows]
    return []


def _asserted(node: ast.FunctionDef) -> list[tuple[str, str, object]]:
    """`assert quote_html("...") == [...]` and the like, with literal arguments only."""
    found = []
    for statement in node.body:
        if not (isinstance(statement, ast.Assert) and isinstance(statement.test, ast.Compare)):
            continue
        test = statement.test
        if not (isinstance(test.left, ast.Call) and len(test.comparators) == 1 and isinstance(test.ops[0], ast.Eq)):
            continue
        function = _name(test.left.func)
        if function not in ("quote", "quote_html", "unwrap", "unwrap_html") or test.left.keywords:
            continue
        try:
            body = _value(test.left.args[0], {})
            expected = _value(test.comparators[0], {})
        except Unresolved:
            continue
        if function.startswith("quote") and isinstance(expected, list) and len(expected) > 1:
            continue  # a quote found without quote_intro_line=True: their intro line counts as new text
        found.append((function, body, expected))
    return found


def _quotequail_case(name: str, values: dict) -> Case | None:
    html = "html" in values
    body = values.get("html" if html else "text")
    if not isinstance(body, str):
        return None
    function = values["function"]
    if function.startswith("quote"):
        expected = values.get("expected_quote_intro_line", values.get("expected"))
        if not isinstance(expected, list):
            return None
        shown = [part[1] for part in expected if part[0]]
        text = "".join(shown) if html else "\n".join(shown)
        return Case("quotequail", name, "html" if html else "text", body, text)
    if function.startswith("unwrap"):
        expected = values.get("expected")
        if expected is None:
            return Case("quotequail", name, "html" if html else "text", body, body)
        if not isinstance(expected, dict):
            return None
        keys = ("html_top", "html_bottom") if html else ("text_top", "text_bottom")
        parts = [expected[k] for k in keys if expected.get(k)]
        text = "\n".join(parts) if html else "\n\n".join(parts)
        forward = {k: expected.get(k, "") for k in ("from", "text")} if expected.get("type") == "forward" else {}
        return Case("quotequail", name, "html" if html else "text", body, text, forward)
    return None


# --- comparing ---------------------------------------------------------------------------------


def _read(path: Path) -> str:
    return path.read_text(encoding="utf-8", errors="replace")


def _html_text(markup: str) -> str:
    from outreach.inbound.html import html_to_text

    return html_to_text(markup)


def same(case: Case, got: str) -> bool:
    """Text: the same lines, blank lines and runs of spaces aside. HTML: the same text,
    whitespace aside (talon's own comparison)."""
    if case.kind == "html":
        return re.sub(r"\s", "", got) == re.sub(r"\s", "", _html_text(case.expected))
    return _lines(got) == _lines(case.expected)


def _lines(text: str) -> list[str]:
    return [" ".join(line.split()) for line in text.replace("\r\n", "\n").split("\n") if line.strip()]
