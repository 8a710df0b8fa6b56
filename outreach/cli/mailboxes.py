"""`outreach mailboxes ...`: the administrator's registry of mailboxes, their servers and their
one secret source each. Campaigns name a registered mailbox by its address."""

from __future__ import annotations

from pathlib import Path

import typer
from pydantic import ValidationError
from rich.table import Table

from outreach.campaign.model import SECRET_SOURCES, Mailbox, Security
from outreach.cli.common import add_row, console, logbook, printed_without_table
from outreach.db.types import utcnow
from outreach.errors import InvalidInput, Problem
from outreach.services.accounts import audit
from outreach.services.accounts import mailboxes as registry

app = typer.Typer(
    help="Mailboxes the campaigns send from: servers and secret sources, kept by the administrator.",
    no_args_is_help=True,
)

SMTP_PORTS = {Security.SSL: 465, Security.STARTTLS: 587, Security.NONE: 25}
IMAP_PORTS = {Security.SSL: 993, Security.STARTTLS: 143, Security.NONE: 143}


@app.command()
def add(
    address: str = typer.Argument(None, help="The mailbox's address (with --from-campaign: the file's)."),
    from_campaign: Path = typer.Option(
        None, "--from-campaign", help="Register the mailbox section of this campaign file."
    ),
    display_name: str = typer.Option(
        None, "--display-name", help="The sender's name in From: (e.g. 'Jana Weber, Riverside College')."
    ),
    smtp_host: str = typer.Option(None, "--smtp-host", help="The SMTP server (e.g. smtp.school.example)."),
    smtp_port: int = typer.Option(None, "--smtp-port", help="Default: 465 for ssl, 587 for starttls, 25 for none."),
    smtp_security: Security = typer.Option(Security.SSL, "--smtp-security", help="ssl, starttls or none."),
    imap_host: str = typer.Option(None, "--imap-host", help="The IMAP server (e.g. imap.school.example)."),
    imap_port: int = typer.Option(None, "--imap-port", help="Default: 993 for ssl, 143 otherwise."),
    imap_security: Security = typer.Option(Security.SSL, "--imap-security", help="ssl, starttls or none."),
    username: str = typer.Option(None, "--username", help="The login (default: the address)."),
    password_env: str = typer.Option(None, "--password-env", help="The password is in this environment variable."),
    password_file: Path = typer.Option(None, "--password-file", help="The password is in this file (chmod 600)."),
    oauth2_token_env: str = typer.Option(
        None, "--oauth2-token-env", help="An OAuth2 access token is in this variable."
    ),
    oauth2_token_file: Path = typer.Option(None, "--oauth2-token-file", help="An OAuth2 access token is in this file."),
    oauth2_token_command: str = typer.Option(
        None, "--oauth2-token-command", help="This command prints an OAuth2 access token."
    ),
    reply_to: str = typer.Option(None, "--reply-to", help="Answers go to this address instead."),
    plus_addressing: bool = typer.Option(
        False, "--plus-addressing", help="Reply-To: local+TOKEN@domain, so each answer names its message."
    ),
    inbox: str = typer.Option("INBOX", "--inbox", help="The folder watched for answers."),
    sent_folder: str = typer.Option("Sent", "--sent-folder", help="The folder of sent mail."),
    append_to_sent: bool = typer.Option(
        True,
        "--append-to-sent/--no-append-to-sent",
        help="File a copy of each message in Sent (not where the provider does it itself).",
    ),
    processed_folder: str = typer.Option(None, "--processed-folder", help="Move processed answers to this folder."),
    verify_certificates: bool = typer.Option(
        True,
        "--verify-certificates/--no-verify-certificates",
        help="Check the servers' TLS certificates (keep this on).",
    ),
    authserv_id: list[str] = typer.Option(
        None, "--authserv-id", help="The receiving server's Authentication-Results id (repeat for more)."
    ),
    replace: bool = typer.Option(False, "--replace", help="Change a mailbox registered already."),
) -> None:
    """Register a mailbox: its servers and one secret source (never the secret itself)."""
    given = {k: v for k, v in locals().items() if k not in ("address", "from_campaign", "authserv_id", "replace")}
    if from_campaign is not None:
        mailbox = _from_campaign(from_campaign, address, given)
    else:
        mailbox = _from_options(address, given)
    mailbox = _absolute_secret_path(mailbox)
    with logbook() as uow:
        row = registry.add(uow.session, mailbox, utcnow(), authserv_id or None, replace)
        label = registry.secret_label(row)
        audit.record(
            uow.session,
            actor=audit.cli_actor(),
            action="mailbox saved" if replace else "mailbox added",
            subject=mailbox.address,
            source="cli",
            detail=label,
            now=utcnow(),
        )
        uow.commit()
    console.print(
        f"mailbox {mailbox.address} {'registered' if not replace else 'saved'}: SMTP "
        f"{mailbox.smtp.host}:{mailbox.smtp.port}, IMAP {mailbox.imap.host}:{mailbox.imap.port}, "
        f"login {mailbox.auth.username} with {label}. Check it: `outreach mailboxes test {mailbox.address}`",
        markup=False,
    )


@app.command("list")
def list_(json_: bool = typer.Option(False, "--json", help="Print JSON.")) -> None:
    """The registered mailboxes: servers, where each secret comes from (never its value), the
    campaigns that name it, and its last test."""
    with logbook() as uow:
        users = registry.users_of(uow.session)
        rows = [_listed(row, users.get(row.address, [])) for row in registry.all_mailboxes(uow.session)]
    if printed_without_table(rows, json_, "No mailbox is registered: `outreach mailboxes add ADDRESS ...`."):
        return
    table = Table("address", "name", "SMTP", "IMAP", "login", "campaigns", "last test")
    for r in rows:
        add_row(
            table,
            r["address"],
            r["display_name"],
            r["smtp"],
            r["imap"],
            f"{r['username']}, {r['secret_source']}",
            ", ".join(r["campaigns"]) or "none",
            r["health"],
        )
    console.print(table)


@app.command()
def test(
    address: str = typer.Argument(..., help="The registered mailbox's address."),
    timeout: float = typer.Option(15, "--timeout", help="Seconds to wait for each answer."),
) -> None:
    """Log in to its SMTP and IMAP servers and say which failed and why (sends nothing). The
    result is kept as the mailbox's health; exit 1 when a login failed."""
    ok, checks = registry.test(logbook, address, utcnow, timeout)
    for check in checks:
        console.print(str(check), markup=False)
    if not ok:
        raise typer.Exit(1)


@app.command()
def remove(
    address: str = typer.Argument(..., help="The registered mailbox's address."),
    force: bool = typer.Option(False, "--force", help="Remove it even while campaigns name it (their mail waits)."),
) -> None:
    """Remove a mailbox from the registry."""
    with logbook() as uow:
        users = registry.remove(uow.session, address, force)
        audit.record(
            uow.session,
            actor=audit.cli_actor(),
            action="mailbox removed",
            subject=address,
            source="cli",
            detail=f"named by {', '.join(users)}" if users else "",
            now=utcnow(),
        )
        uow.commit()
    console.print(f"mailbox {address} removed", markup=False)
    if users:
        console.print(
            f"the campaigns {', '.join(users)} name it: their mail waits until it is registered again", markup=False
        )


def _listed(row, campaigns: list[str]) -> dict:
    smtp, imap = row.smtp, row.imap
    if row.tested_at is None:
        health = "never tested"
    else:
        health = f"{'OK' if row.test_ok else 'FAILED'} {row.tested_at:%Y-%m-%d %H:%M} UTC"
    return {
        "address": row.address,
        "display_name": row.display_name,
        "smtp": f"{smtp['host']}:{smtp['port']} ({smtp['security']})",
        "imap": f"{imap['host']}:{imap['port']} ({imap['security']})",
        "username": row.username,
        "secret_source": registry.secret_label(row),
        "authserv_id": row.authserv_id,
        "campaigns": campaigns,
        "health": health,
        "last_test": row.test_result,
    }


def _from_campaign(path: Path, address: str | None, given: dict) -> Mailbox:
    from outreach.campaign.load import load_mailbox_section

    defaults = {
        "smtp_security": Security.SSL,
        "imap_security": Security.SSL,
        "inbox": "INBOX",
        "sent_folder": "Sent",
        "append_to_sent": True,
        "verify_certificates": True,
        "plus_addressing": False,
    }
    extra = sorted(f"--{k.replace('_', '-')}" for k, v in given.items() if v is not None and defaults.get(k) != v)
    if extra:
        raise InvalidInput(
            [
                Problem(
                    "mailboxes add",
                    None,
                    "options",
                    f"{', '.join(extra)}: give the mailbox either with --from-campaign or with options, not both",
                )
            ]
        )
    mailbox = load_mailbox_section(path)
    if address and address.strip().lower() != mailbox.address:
        raise InvalidInput(
            [Problem(str(path), None, "mailbox.address", f"the file's mailbox is {mailbox.address}, not {address}")]
        )
    return mailbox


def _from_options(address: str | None, given: dict) -> Mailbox:
    missing = [
        option
        for option, value in (
            ("ADDRESS", address),
            ("--display-name", given["display_name"]),
            ("--smtp-host", given["smtp_host"]),
            ("--imap-host", given["imap_host"]),
        )
        if not value
    ]
    secrets = {name: given[name] for name in SECRET_SOURCES if given[name] is not None}
    problems = [
        Problem(
            "mailboxes add",
            None,
            option,
            "required (or take the mailbox from a campaign file with --from-campaign FILE)",
        )
        for option in missing
    ]
    if len(secrets) != 1:
        problems.append(
            Problem(
                "mailboxes add",
                None,
                "secret",
                "give exactly one of --password-env, --password-file, "
                "--oauth2-token-env, --oauth2-token-file, --oauth2-token-command",
            )
        )
    if problems:
        raise InvalidInput(problems)
    smtp_security, imap_security = given["smtp_security"], given["imap_security"]
    data = {
        "address": address,
        "display_name": given["display_name"],
        "reply_to": given["reply_to"],
        "plus_addressing": given["plus_addressing"],
        "smtp": {
            "host": given["smtp_host"],
            "port": _or(given["smtp_port"], SMTP_PORTS[smtp_security]),
            "security": smtp_security,
            "verify_certificates": given["verify_certificates"],
        },
        "imap": {
            "host": given["imap_host"],
            "port": _or(given["imap_port"], IMAP_PORTS[imap_security]),
            "security": imap_security,
            "verify_certificates": given["verify_certificates"],
            "inbox": given["inbox"],
            "sent_folder": given["sent_folder"],
            "append_to_sent": given["append_to_sent"],
            "processed_folder": given["processed_folder"],
        },
        "auth": {"username": given["username"] or address, **{k: str(v) for k, v in secrets.items()}},
    }
    try:
        return Mailbox.model_validate(data)
    except ValidationError as error:
        raise InvalidInput(
            [
                Problem("mailboxes add", None, _option(e["loc"]), e["msg"].removeprefix("Value error, "))
                for e in error.errors()
            ]
        ) from None


def _or(value, default):
    return default if value is None else value


def _option(loc: tuple) -> str:
    """('smtp', 'port') -> --smtp-port; ('auth', 'username') -> --username."""
    parts = [str(p) for p in loc if not str(p).startswith("function-")]
    if parts in ([], ["address"]):
        return "ADDRESS"
    if parts[:1] == ["auth"]:
        parts = parts[1:]
    if parts[-1:] in (["inbox"], ["sent_folder"], ["processed_folder"], ["verify_certificates"], ["append_to_sent"]):
        parts = parts[-1:]
    return "--" + "-".join(parts).replace("_", "-")


def _absolute_secret_path(mailbox: Mailbox) -> Mailbox:
    """A secret file named relative to here is kept as an absolute path: the worker may run elsewhere."""
    auth = mailbox.auth
    updates = {
        name: getattr(auth, name).resolve()
        for name in ("password_file", "oauth2_token_file")
        if getattr(auth, name) is not None
    }
    return mailbox.model_copy(update={"auth": auth.model_copy(update=updates)}) if updates else mailbox
