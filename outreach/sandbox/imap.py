"""A real IMAP server on loopback, in memory (pymap's dict backend), on its own thread."""

from __future__ import annotations

import asyncio
import logging
import socket
import threading
from argparse import Namespace
from contextlib import AsyncExitStack
from typing import TYPE_CHECKING

from imapclient import IMAPClient

if TYPE_CHECKING:
    from pymap.backend.dict import Config, DictBackend

log = logging.getLogger(__name__)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class SandboxImap:
    """IMAP4rev1 with IDLE, plain text (loopback or a private container network), users added at runtime."""

    def __init__(self, host: str = "127.0.0.1", port: int | None = None):
        self.host, self.port = host, port or free_port()
        self.passwords: dict[str, str] = {}
        self._ready = threading.Event()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stopped: asyncio.Event | None = None
        self._backend: DictBackend | None = None
        self._config: Config | None = None
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._serve, name="sandbox imap", daemon=True)

    def start(self) -> SandboxImap:
        self._thread.start()
        if not self._ready.wait(10) or self._error:
            raise RuntimeError(f"the sandbox IMAP server did not start: {self._error}")
        return self

    def stop(self) -> None:
        if self._loop and self._stopped:
            self._loop.call_soon_threadsafe(self._stopped.set)
        self._thread.join(timeout=10)

    def add_user(self, address: str, password: str, folders: tuple[str, ...] = ("Sent",)) -> None:
        assert self._loop is not None, "start() the server first"
        future = asyncio.run_coroutine_threadsafe(self._add_user(address, password), self._loop)
        future.result(timeout=10)
        self.passwords[address] = password
        with self.client(address) as imap:
            for folder in folders:
                if not imap.folder_exists(folder):
                    imap.create_folder(folder)

    def has_user(self, address: str) -> bool:
        return address in self.passwords

    def client(self, address: str) -> IMAPClient:
        imap = IMAPClient("127.0.0.1" if self.host == "0.0.0.0" else self.host, port=self.port, ssl=False, timeout=10)
        imap.login(address, self.passwords[address])
        return imap

    def deliver(self, address: str, raw: bytes) -> None:
        """Put a message in the user's INBOX, as a mail server's local delivery does."""
        with self.client(address) as imap:
            imap.append("INBOX", raw)

    async def _add_user(self, address: str, password: str) -> None:
        from pymap.backend.dict import Identity
        from pymap.user import Passwords, UserMetadata

        assert self._backend is not None and self._config is not None  # set before the loop runs
        hashed = await Passwords(self._config).hash_password(password)
        identity = Identity(address, self._backend.login, None, {"admin"})
        await identity.set(UserMetadata(self._config, address, password=hashed))

    def _serve(self) -> None:
        try:
            asyncio.run(self._main())
        except BaseException as error:  # reported by start()
            self._error = error
            self._ready.set()

    async def _main(self) -> None:
        from pymap.backend.dict import DictBackend
        from pymap.imap import IMAPService

        args = Namespace(
            host=self.host,
            port=self.port,
            debug=False,
            cert=None,
            key=None,
            tls=False,
            passlib_cfg=None,
            inherited_sockets=None,
            proxy_protocol=None,
            demo_data=False,
            demo_user="sandbox",
            demo_password="",
        )
        # loopback only: no TLS, no DNS blocklist lookups, no pause after a wrong password
        self._backend, self._config = await DictBackend.init(
            args, secure_auth=False, reject_dnsbl=False, invalid_user_sleep=0
        )
        self._config.apply_context()
        self._loop, self._stopped = asyncio.get_running_loop(), asyncio.Event()
        async with AsyncExitStack() as stack:
            await self._backend.start(stack)
            await IMAPService(self._backend, self._config).start(stack)
            self._ready.set()
            await self._stopped.wait()
