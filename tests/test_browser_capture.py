"""A captured page's scripts never run when its raw capture is opened in a real browser.

``csto serve`` (headless Chromium via Playwright, as ``test_browser_datasette``) on an archive
holding a captured page whose ``<script>``, ``onload`` and ``onerror`` would change the page
title, set a marker attribute and open a dialog. From the version history the browser follows
the "raw capture" link: the stored page is shown (its headline is visible), its title is the
captured one, and nothing of its script ran.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys

import pytest
from capture_warcs import HOSTILE_TITLE, HOSTILE_URL
from test_browser_datasette import (
    ARTIFACTS,
    _wait_for_url,
    browser_page,  # noqa: F401 (a fixture)
    shot,
)
from test_capture_datasette import build_hostile_archive

from csto_crawler import PROJECT_ROOT

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def served_hostile(tmp_path_factory):
    root = tmp_path_factory.mktemp("browser-capture")
    db = build_hostile_archive(root)
    log = root / "serve.log"
    with log.open("w") as log_file:
        proc = subprocess.Popen(
            [sys.executable, "-m", "csto_crawler", "serve", "--db", str(db), "--port", "0"],
            stdout=log_file, stderr=subprocess.STDOUT, cwd=PROJECT_ROOT, start_new_session=True)
    try:
        yield _wait_for_url(proc, log)
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)


def test_a_captured_script_never_runs(served_hostile, browser_page):  # noqa: F811
    page = browser_page
    page.goto(f"{served_hostile}/archive/version_history?url={HOSTILE_URL}")
    link = page.get_by_role("link", name="raw capture")
    assert link.count() == 1
    link.first.click()
    page.wait_for_load_state("load")
    page.wait_for_timeout(500)  # time for an onload or onerror handler, had it been allowed
    assert "/-/capture/" in page.url
    assert page.get_by_role("heading", name=HOSTILE_TITLE).is_visible()
    assert page.title() == HOSTILE_TITLE
    assert page.evaluate("document.documentElement.hasAttribute('data-ran')") is False
    assert page.dialogs == []
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    shot(page, "raw-capture-sandboxed")
