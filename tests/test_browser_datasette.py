"""The served archive in a real browser: headless Chromium (Debian's ``chromium``) driven by
Playwright over ``csto serve`` on a free loopback port.

It searches for a Russian and an Arabic word through the pages' own forms, follows an edited
article's links to its history and to a diff, checks that the highlighted change is visible,
and checks that a ``<script>`` stored in an article's text never ran while its escaped text is
shown. Screenshots go to ``test-artifacts/browser/`` (git-ignored).
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from test_datasette_sample import INJECTED_MARKER, MFA_BY_URL, SAMPLE, build_sample_archive

from csto_crawler import PROJECT_ROOT

pytestmark = pytest.mark.browser

ARTIFACTS = PROJECT_ROOT / "test-artifacts" / "browser"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run", "--disable-sync",
                 "--disable-quic"]
SERVER_START_TIMEOUT = 30
PAGE_TIMEOUT_MS = 15_000


def chromium_binary() -> str | None:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    return None


@pytest.fixture(scope="module")
def served_archive(tmp_path_factory):
    """``csto serve`` on the sample archive, on a port the OS picks; yields the base URL."""
    root = tmp_path_factory.mktemp("browser")
    db = build_sample_archive(root / "archive.db")
    log = root / "serve.log"
    with log.open("w") as log_file:
        proc = subprocess.Popen(
            [sys.executable, "-m", "csto_crawler", "serve", "--db", str(db), "--port", "0"],
            stdout=log_file, stderr=subprocess.STDOUT, cwd=PROJECT_ROOT,
            start_new_session=True,  # csto serve starts Datasette as a child: stop both together
        )
    try:
        yield _wait_for_url(proc, log)
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)


def _wait_for_url(proc: subprocess.Popen, log: Path) -> str:
    """The address Datasette reports once it listens (it picked a free port)."""
    deadline = time.monotonic() + SERVER_START_TIMEOUT
    while time.monotonic() < deadline:
        text = log.read_text(errors="replace")
        match = re.search(r"running on (http://127\.0\.0\.1:\d+)", text)
        if match:
            return match.group(1)
        if proc.poll() is not None:
            raise RuntimeError(f"csto serve exited with {proc.returncode}: {text}")
        time.sleep(0.1)
    raise RuntimeError(f"csto serve did not start in {SERVER_START_TIMEOUT}s: {log.read_text()}")


@pytest.fixture(scope="module")
def browser_page(tmp_path_factory):
    binary = chromium_binary()
    if binary is None:
        pytest.skip("no chromium binary on PATH (Debian: apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    profile = tmp_path_factory.mktemp("chromium-profile")  # a fresh user-data dir
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(profile), executable_path=binary, headless=True, args=CHROMIUM_ARGS,
            viewport={"width": 1280, "height": 860}, locale="en-US")
        context.set_default_timeout(PAGE_TIMEOUT_MS)
        page = context.new_page()
        dialogs: list[str] = []
        page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
        page.dialogs = dialogs
        try:
            yield page
        finally:
            context.close()


def shot(page, name: str, *, full_page: bool = False) -> Path:
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=full_page)
    return path


def test_search_russian_and_arabic_words_in_the_browser(served_archive, browser_page):
    page = browser_page
    # the articles table: Datasette's own search box
    page.goto(f"{served_archive}/archive/articles")
    page.fill("input#_search", SAMPLE["russian_word"])
    page.press("input#_search", "Enter")
    page.wait_for_load_state()
    assert "_search=" in page.url
    rows = page.locator("table.rows-and-columns tbody tr")
    assert rows.count() == 1
    assert SAMPLE["russian_hit"] in rows.first.inner_text()
    assert page.locator(".facet-info").count() >= 4  # site, language, year, status
    shot(page, "search-articles-ru")

    # the search canned query: its form, with the matching passage highlighted
    page.goto(f"{served_archive}/archive/search_articles")
    page.fill("input[name=q]", SAMPLE["arabic_word"])
    page.click("form.sql input[type=submit]")
    page.wait_for_load_state()
    hit = page.locator("mark.search-hit").first
    assert hit.is_visible() and hit.inner_text() == SAMPLE["arabic_word"]
    assert page.locator("table.rows-and-columns tbody tr").count() == 1
    assert SAMPLE["arabic_hit"] in page.locator("table.rows-and-columns").inner_text()
    shot(page, "search-query-ar")

    page.goto(f"{served_archive}/archive/search_articles?q=ОДКБ")
    assert page.locator("mark.search-hit").count() >= 3
    shot(page, "search-query-ru", full_page=True)


def test_edited_article_history_and_diff_in_the_browser(served_archive, browser_page):
    page = browser_page
    page.goto(f"{served_archive}/archive/edited_articles")
    page.click("td.col-history a")  # follow the link, as a reader would
    page.wait_for_load_state()
    assert "/archive/version_history" in page.url
    versions = page.locator("td.col-version")
    assert [versions.nth(i).inner_text().strip() for i in range(versions.count())] == ["3", "2", "1"]
    shot(page, "history", full_page=True)

    page.click("text=diff v1 → v2")
    page.wait_for_load_state()
    assert "/archive/version_diff" in page.url
    added = page.locator("td.col-diff ins")
    assert added.count() == 1 and added.first.is_visible()
    assert added.first.inner_text() == SAMPLE["edit_added_word"]
    background = added.first.evaluate("e => getComputedStyle(e).backgroundColor")
    assert background not in ("rgba(0, 0, 0, 0)", "transparent")  # highlighted, not plain
    shot(page, "diff-v1-v2", full_page=True)

    page.goto(f"{served_archive}/archive/version_diff?from=1&to=3")
    assert page.locator("td.col-diff ins").count() == 3  # "полностью", "современным", a paragraph
    assert page.locator("td.col-diff del").first.inner_text() == "новым"
    shot(page, "diff-v1-v3", full_page=True)


def test_injected_script_never_runs_in_the_browser(served_archive, browser_page):
    page = browser_page
    for path in ("/archive/articles?_search=Белорусская",
                 "/archive/search_articles?q=абзаца",
                 "/archive/latest_articles?site=mfa_by"):
        page.goto(served_archive + path)
        page.wait_for_load_state("load")
        assert page.evaluate(f"document.documentElement.hasAttribute('{INJECTED_MARKER}')") is False
        assert page.title() != "pwned"
        assert page.locator("img[src=x]").count() == 0
        assert page.locator("td script, td img").count() == 0
        body = page.locator("table.rows-and-columns").inner_text()
        # the stored markup is there, as text (the title's <img>, the text's <script>)
        assert "<img src=x on" in body
    # the stored markup is visible as text on the article's own search result
    page.goto(served_archive + "/archive/articles?_search=Белорусская")
    assert page.get_by_text("<script>document.documentElement", exact=False).first.is_visible()
    assert page.get_by_text("<img src=x onerror=", exact=False).first.is_visible()
    assert page.dialogs == []
    shot(page, "injected-script-escaped")
    assert MFA_BY_URL in page.locator("table.rows-and-columns").inner_text()
