"""A real CalDAV server on loopback: Radicale (from PyPI), with one user and one calendar."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

from tests.support.services import free_port, port_open

USER, PASSWORD = "staff", "staff-calendar-secret"


class Radicale:
    def __init__(self, folder: Path):
        self.folder, self.port = folder, free_port()
        self.process: subprocess.Popen | None = None

    @property
    def calendar_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/{USER}/meetings/"

    def start(self) -> Radicale:
        import caldav

        (self.folder / "users").write_text(f"{USER}:{PASSWORD}\n")
        config = self.folder / "config"
        config.write_text(
            f"[server]\nhosts = 127.0.0.1:{self.port}\n"
            f"[auth]\ntype = htpasswd\nhtpasswd_filename = {self.folder / 'users'}\nhtpasswd_encryption = plain\n"
            f"[storage]\nfilesystem_folder = {self.folder / 'collections'}\n"
            "[rights]\ntype = owner_only\n[logging]\nlevel = warning\n"
        )
        self.process = subprocess.Popen(
            [sys.executable, "-m", "radicale", "--config", str(config)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        deadline = time.monotonic() + 20
        while not port_open("127.0.0.1", self.port):
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise AssertionError(f"Radicale did not start: {self.process.stderr.read().decode()[-500:]}")
            time.sleep(0.05)
        with caldav.DAVClient(
            url=f"http://127.0.0.1:{self.port}/", username=USER, password=PASSWORD, require_tls=False
        ) as client:
            client.principal().make_calendar(name="Meetings", cal_id="meetings")
        return self

    def calendar(self):
        import caldav

        client = caldav.DAVClient(url=self.calendar_url, username=USER, password=PASSWORD, require_tls=False)
        return client, client.calendar(url=self.calendar_url)

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=10)
