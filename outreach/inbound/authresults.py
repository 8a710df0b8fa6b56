"""Who vouches for a message's `From`: the `Authentication-Results` header field (RFC 8601)
that the school's own receiving server adds. Pure: header values in, a typed verdict out.

Anyone can write an Authentication-Results field into his own message, naming any server,
so only fields whose authserv-id is one the school's receiving server uses are read (the
mailbox's `authserv_id`). When several of those disagree (a forged field beside the real
one), none is believed. A field that cannot be parsed is passed over.

From what is believed, for the message's From domain:

- `dmarc`: pass, fail or none (no result, or one that is neither pass nor fail);
- `dkim`: the signing domains (`header.d`, else the domain of `header.i`) whose signature passed;
- `spf`: the domain that passed SPF (`smtp.mailfrom`, else `smtp.helo`);
- `aligned`: a passing DKIM or SPF domain shares the From domain's organisational domain
  (DMARC's relaxed alignment). The organisational domain comes from the Public Suffix List
  (the `publicsuffixlist` package ships it), so `college.ac.uk` and `other.ac.uk` are not one.

The From is proved by a DMARC pass for that domain, or, where DMARC did not say fail, by an
aligned DKIM or SPF pass.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from functools import lru_cache
from typing import TYPE_CHECKING, Any

import authres
from publicsuffixlist import PublicSuffixList

if TYPE_CHECKING:
    from outreach.inbound.message import InboundMessage

FIELD_CAP = 8 * 1024  # one field's characters read; real ones are well under 2 KB
FIELDS_CAP = 50  # fields looked at: a receiving chain adds a handful
RESULTS_CAP = 50  # results per field


class Dmarc(StrEnum):
    PASS = "pass"
    FAIL = "fail"
    NONE = "none"


@dataclass(frozen=True)
class Result:
    """One method's result in a field: `dkim pass partner.example`."""

    method: str
    result: str
    domain: str | None = None


@dataclass(frozen=True)
class Field:
    """One Authentication-Results field: who wrote it (None where the field names nobody,
    as Microsoft 365 writes it) and its results."""

    authserv_id: str | None
    results: tuple[Result, ...]


@dataclass(frozen=True)
class Authentication:
    """What the school's receiving server found about a message's From."""

    configured: bool  # the mailbox names its receiving server's authserv-id
    read: bool = False  # a field of that server was found and believed
    from_domain: str | None = None
    dmarc: Dmarc = Dmarc.NONE
    dkim: tuple[str, ...] = ()  # domains whose DKIM signature passed
    spf: str | None = None  # the domain that passed SPF
    aligned: bool = False  # a passing DKIM or SPF domain aligns with the From domain
    why: str = ""  # where nothing is believed: why
    ignored: tuple[str | None, ...] = field(default=(), compare=False)  # authserv-ids passed over

    @property
    def proved(self) -> bool:
        if self.from_domain is None:
            return False
        return self.dmarc is Dmarc.PASS or (self.dmarc is not Dmarc.FAIL and self.aligned)

    def describe(self) -> str:
        """In a sentence, for a staff to-do."""
        if not self.configured:
            return "the mailbox names no authserv-id, so the sender could not be checked"
        if not self.read:
            return self.why or "our receiving server left no Authentication-Results"
        parts = [
            f"DMARC {self.dmarc.value}",
            f"DKIM pass for {', '.join(self.dkim)}" if self.dkim else "no DKIM signature passed",
            f"SPF pass for {self.spf}" if self.spf else "no SPF pass",
        ]
        aligned = "aligned with" if self.aligned else "not aligned with"
        return f"{'; '.join(parts)} ({aligned} {self.from_domain or 'the From'})"

    def as_json(self) -> dict[str, Any]:
        return {
            "configured": self.configured,
            "read": self.read,
            "proved": self.proved,
            "from_domain": self.from_domain,
            "dmarc": self.dmarc.value,
            "dkim": list(self.dkim),
            "spf": self.spf,
            "aligned": self.aligned,
            "why": self.why or None,
        }


# --- reading one field ---------------------------------------------------------------------


def parse(value: str) -> Field | None:
    """One field's value; None where it cannot be read (RFC 8601's grammar, or Microsoft
    365's form without an authserv-id)."""
    value = " ".join(str(value)[:FIELD_CAP].split())
    try:
        parsed = authres.AuthenticationResultsHeader.parse_value(value)
        return Field(_lower(parsed.authserv_id), tuple(_result(r) for r in parsed.results[:RESULTS_CAP]))
    except Exception:  # the library's SyntaxError, and RecursionError on deeply nested comments
        pass
    try:  # no authserv-id: "spf=pass (...) smtp.mailfrom=...; dkim=pass ...", as Microsoft 365 writes it
        parsed = authres.AuthenticationResultsHeader.parse_value("missing.authserv.id; " + value)
        return Field(None, tuple(_result(r) for r in parsed.results[:RESULTS_CAP]))
    except Exception:
        return None


def _result(found: Any) -> Result:
    method, result = (found.method or "").lower(), (found.result or "").lower()
    properties = {f"{p.type}.{p.name}".lower(): str(p.value or "") for p in (found.properties or [])}
    if method == "dkim":
        domain = properties.get("header.d") or _domain_of(properties.get("header.i"))
    elif method == "spf":
        domain = _domain_of(properties.get("smtp.mailfrom")) or _domain_of(properties.get("smtp.helo"))
    elif method == "dmarc":
        domain = properties.get("header.from")
    else:
        domain = None
    return Result(method, result, _domain(domain))


def _domain_of(value: str | None) -> str | None:
    """The domain of `user@domain`, `@domain` or a bare `domain`."""
    if not value:
        return None
    return value.rsplit("@", 1)[-1]


def _domain(value: str | None) -> str | None:
    value = (value or "").strip().strip("<>").rstrip(".").lower()
    return value or None


def _lower(value: object) -> str | None:
    return str(value).strip().lower() if value else None


# --- what is believed ----------------------------------------------------------------------


def authenticate(
    values: Iterable[str], authserv_ids: Iterable[str] | None, from_domains: Iterable[str]
) -> Authentication:
    """The verdict on a message from its Authentication-Results field values (top first), the
    authserv-ids of the school's receiving server (None or empty: not configured) and the
    domains of its From addresses."""
    ours = {i.strip().lower() for i in (authserv_ids or ()) if i and i.strip()}
    if not ours:
        return Authentication(configured=False, why="no authserv-id configured")
    domains = {d for d in (_domain(x) for x in from_domains) if d}
    if len(domains) != 1:
        why = "the message has no From address" if not domains else "the From names more than one domain"
        return Authentication(configured=True, why=why)
    from_domain = next(iter(domains))
    fields = [f for f in (parse(v) for v in list(values)[:FIELDS_CAP]) if f is not None]
    believed = [f for f in fields if f.authserv_id in ours]
    ignored = tuple(dict.fromkeys(f.authserv_id for f in fields if f.authserv_id not in ours))
    if not believed:
        return Authentication(
            configured=True,
            from_domain=from_domain,
            ignored=ignored,
            why=f"no Authentication-Results of {', '.join(sorted(ours))}",
        )
    results = {r for f in believed for r in f.results}
    conflict = _conflict(believed)
    if conflict:
        return Authentication(
            configured=True,
            from_domain=from_domain,
            ignored=ignored,
            why=f"Authentication-Results of {', '.join(sorted(ours))} disagree ({conflict}): none is believed",
        )
    dmarc = _dmarc(results, from_domain)
    dkim = tuple(sorted({r.domain for r in results if r.method == "dkim" and r.result == "pass" and r.domain}))
    spf = next((r.domain for r in results if r.method == "spf" and r.result == "pass" and r.domain), None)
    aligned = any(aligns(d, from_domain) for d in (*dkim, *([spf] if spf else [])))
    return Authentication(
        configured=True,
        read=True,
        from_domain=from_domain,
        dmarc=dmarc,
        dkim=dkim,
        spf=spf,
        aligned=aligned,
        ignored=ignored,
    )


def _dmarc(results: set[Result], from_domain: str) -> Dmarc:
    """The DMARC result for this From domain (one about another domain says nothing of it)."""
    found = {r.result for r in results if r.method == "dmarc" and r.domain in (None, from_domain)}
    if "fail" in found:
        return Dmarc.FAIL
    return Dmarc.PASS if "pass" in found else Dmarc.NONE


def _conflict(fields: list[Field]) -> str | None:
    """Where our own fields disagree: two results for DMARC, for SPF or for one DKIM signing
    domain, or "no signature" beside a passing one. A forged field that our server's own
    contradicts makes both unbelievable."""
    seen: dict[tuple[str, str | None], set[str]] = {}
    for f in fields:
        for r in f.results:
            if r.method in ("dmarc", "spf"):
                seen.setdefault((r.method, None), set()).add(r.result)
            elif r.method == "dkim":
                seen.setdefault(("dkim", r.domain), set()).add(r.result)
    for (method, domain), found in seen.items():
        if len(found) > 1:
            return f"{method}{' for ' + domain if domain else ''}: {' and '.join(sorted(found))}"
    unsigned = seen.get(("dkim", None), set()) & {"none"}
    if unsigned and any("pass" in found for (method, domain), found in seen.items() if method == "dkim" and domain):
        return "dkim: none and pass"
    return None


@lru_cache(maxsize=1)
def _suffixes() -> PublicSuffixList:
    return PublicSuffixList()  # the list the package ships: no network


@lru_cache(maxsize=4096)
def organisational_domain(domain: str) -> str:
    """`mail.partner.example` -> `partner.example`; `college.ac.uk` stays itself."""
    domain = domain.lower().rstrip(".")
    return _suffixes().privatesuffix(domain) or domain


def aligns(domain: str, from_domain: str) -> bool:
    """DMARC's relaxed alignment: the same organisational domain."""
    domain, from_domain = domain.lower().rstrip("."), from_domain.lower().rstrip(".")
    return domain == from_domain or organisational_domain(domain) == organisational_domain(from_domain)


def authentication_of(message: InboundMessage, authserv_ids: Iterable[str] | None) -> Authentication:
    """The verdict on an `InboundMessage`."""
    return authenticate(message.all_values("Authentication-Results", FIELDS_CAP), authserv_ids, message.from_domains)
