"""`outreach sandbox`: the demo's mail server on its own, for trying a campaign out."""

from __future__ import annotations

import signal
import threading
from pathlib import Path

import typer

from outreach.cli.common import console


def sandbox(
    campaign: Path = typer.Argument(..., help="The campaign file whose mailbox and partners the sandbox plays."),
    host: str = typer.Option("127.0.0.1", help="Interface to listen on (0.0.0.0 inside a container)."),
    smtp_port: int = typer.Option(2525, help="SMTP port."),
    imap_port: int = typer.Option(1143, help="IMAP port."),
    folder: Path = typer.Option(Path("outreach-sandbox"), help="Where every message is kept as .eml and .ics."),
) -> None:
    """A sandbox mail server (SMTP and IMAP, plain text) that plays the campaign's mailbox and its
    partners: mail to the campaign's own addresses lands in their IMAP inbox; mail to a partner is
    answered as the demo's partners answer. Point the campaign's mailbox at it; nothing leaves it."""
    from outreach.cli.campaign import load_with_mailbox
    from outreach.mail.secrets import resolve
    from outreach.sandbox.server import for_campaign

    _free(host, smtp_port, "--smtp-port")
    _free(host, imap_port, "--imap-port")
    loaded = load_with_mailbox(campaign)
    mailbox = loaded.settings.mailbox
    password = resolve(mailbox.auth).value  # the campaign's own secret, so the worker logs in as usual
    server = for_campaign(
        loaded,
        folder,
        host=host,
        smtp_port=smtp_port,
        imap_port=imap_port,
        passwords={mailbox.auth.username: password, mailbox.address: password},
    ).start()
    console.print(
        f"sandbox mail server: SMTP {host}:{smtp_port}, IMAP {host}:{imap_port}; "
        f"mailboxes: {', '.join(server.users)}; mail kept in {folder}"
    )
    for address, behaviour in server.cast.items():
        console.print(f"  {address} {behaviour.value}", markup=False)
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    try:
        stop.wait()
    finally:
        server.stop()


def _free(host: str, port: int, option: str) -> None:
    """A port already taken is a clear error that says which option to change."""
    import errno
    import socket

    from outreach.errors import InvalidInput, Problem

    with socket.socket() as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as error:
            why = "is in use" if error.errno == errno.EADDRINUSE else f"cannot be opened ({error.strerror})"
            raise InvalidInput(
                [Problem(option, None, str(port), f"port {port} {why}: choose another with {option}")]
            ) from None
