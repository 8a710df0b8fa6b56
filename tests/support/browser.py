"""Headless Chromium from Debian's packages, driven by Selenium (nothing downloaded at run
time), with axe-core from the npm package `.ci/run` installs."""

from __future__ import annotations

import json
import os
import threading
from pathlib import Path

from tests.support.services import free_port, missing, port_open

ROOT = Path(__file__).resolve().parents[2]
AXE = ROOT / ".cache" / "node" / "node_modules" / "axe-core" / "axe.min.js"
SCREENSHOTS = Path(os.environ.get("OUTREACH_SCREENSHOTS") or ROOT / "screenshots")
CHROMIUM, CHROMEDRIVER = "/usr/bin/chromium", "/usr/bin/chromedriver"


def chromium():
    """A headless Chromium, or a skip (a failure in CI) naming what is missing."""
    if not (Path(CHROMIUM).exists() and Path(CHROMEDRIVER).exists()):
        missing("Chromium", "install Debian's chromium and chromium-driver (`.ci/run` does)")
    from selenium import webdriver
    from selenium.webdriver.chrome.options import Options
    from selenium.webdriver.chrome.service import Service

    options = Options()
    options.binary_location = CHROMIUM
    for argument in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--window-size=1280,900",
        "--lang=en-GB",
    ):
        options.add_argument(argument)
    return webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)


def screenshot(driver, name: str, width: int) -> Path:
    """The whole page at a width (the window as tall as the page), into SCREENSHOTS."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    driver.set_window_size(width, 900)
    height = driver.execute_script("return document.documentElement.scrollHeight")
    driver.set_window_size(width, min(max(height, 600) + 120, 8000))
    path = SCREENSHOTS / f"{name}-{width}.png"
    driver.save_screenshot(str(path))
    return path


def axe_violations(driver) -> list[dict]:
    """axe-core's serious and critical violations on the page shown."""
    if not AXE.exists():
        missing("axe-core", f"{AXE} is missing: `npm install --prefix .cache/node axe-core@4` (`.ci/run` does)")
    driver.execute_script(AXE.read_text(encoding="utf-8"))
    result = driver.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "axe.run(document, {resultTypes: ['violations']}).then(r => done(JSON.stringify(r.violations)))"
        ".catch(e => done(JSON.stringify([{id: 'axe-error', impact: 'critical', help: String(e), nodes: []}])));"
    )
    return [v for v in json.loads(result) if v.get("impact") in ("serious", "critical")]


class WebServer:
    """The workspace served by uvicorn in a thread, on a free loopback port."""

    def __init__(self, app, secure_cookies: bool = False):
        from outreach.cli.web import server

        self.port = free_port()
        self.server = server(app, "127.0.0.1", self.port, secure_cookies)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> WebServer:
        self.thread.start()
        import time

        deadline = time.monotonic() + 20
        while not port_open("127.0.0.1", self.port):
            if time.monotonic() > deadline:
                raise AssertionError("the workspace did not start")
            time.sleep(0.05)
        return self

    def __exit__(self, *exc) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)


def main_text(driver) -> str:
    """The page's main text; empty while the next page is still loading (no main yet, or the old
    one gone stale): for waiting on what a form's answer says."""
    from selenium.common.exceptions import NoSuchElementException, StaleElementReferenceException
    from selenium.webdriver.common.by import By

    try:
        return driver.find_element(By.TAG_NAME, "main").text
    except (StaleElementReferenceException, NoSuchElementException):
        return ""
