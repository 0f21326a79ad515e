"""The raw-capture route of the Datasette plugin: a version links to its capture, served
sandboxed (``Content-Security-Policy: sandbox``, nothing loaded from elsewhere), with a size
cap; ``?format=text`` shows it as text."""

from __future__ import annotations

import asyncio
import re

import pytest
from capture_warcs import HOSTILE_PAGE, HOSTILE_TITLE, HOSTILE_URL, Page, wget_warc
from datasette.app import Datasette
from helpers import query

from csto_crawler import settings
from csto_crawler.capture.importer import import_warcs
from csto_crawler.commands.serve import config_dir_for


def build_hostile_archive(root):
    """An archive holding one captured page whose scripts would change its title."""
    warc = wget_warc(root / "hostile.warc.gz", [Page(HOSTILE_URL, HOSTILE_PAGE)])
    db = root / "archive" / "archive.db"
    summary = import_warcs([warc], db)
    assert summary.outcomes["new"] == 1, summary
    return db


@pytest.fixture(scope="module")
def hostile(tmp_path_factory):
    db = build_hostile_archive(tmp_path_factory.mktemp("hostile"))
    capture_id = query(db, "SELECT capture_id FROM versions")[0]["capture_id"]
    return db, capture_id


def get(db, path):
    """GET ``path`` from Datasette in configuration-directory mode, as ``csto serve`` runs it."""
    config = db.parent.parent / "config"
    if not config.exists():
        config_dir_for(db, config)

    async def fetch():
        ds = Datasette(config_dir=config)
        await ds.invoke_startup()
        return await ds.client.get(path)
    return asyncio.run(fetch())


def test_the_raw_capture_is_served_sandboxed(hostile):
    db, capture_id = hostile
    response = get(db, f"/-/capture/{capture_id}?db=archive")
    assert response.status_code == 200
    assert response.headers["content-security-policy"].split(";")[0] == "sandbox"
    assert "default-src 'none'" in response.headers["content-security-policy"]
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["content-type"].startswith("text/html")
    assert response.content == HOSTILE_PAGE  # the bytes as captured
    assert response.headers["x-csto-capture-url"] == HOSTILE_URL
    text = get(db, f"/-/capture/{capture_id}?db=archive&format=text")
    assert text.headers["content-type"].startswith("text/plain") and text.content == HOSTILE_PAGE
    assert get(db, "/-/capture/999999?db=archive").status_code == 404
    assert get(db, f"/-/capture/{capture_id}?db=nowhere").status_code == 404


def test_a_large_capture_is_cut_and_shown_as_text(hostile, monkeypatch):
    db, capture_id = hostile
    monkeypatch.setattr(settings, "CSTO_CAPTURE_VIEW_MAX_BYTES", 100)
    response = get(db, f"/-/capture/{capture_id}?db=archive")
    assert response.status_code == 200 and len(response.content) == 100
    assert response.headers["content-type"].startswith("text/plain")
    assert response.headers["x-csto-capture-truncated"].startswith(f"{len(HOSTILE_PAGE)} bytes")


def test_a_version_links_to_its_raw_capture(hostile):
    db, capture_id = hostile
    link = f'href="/-/capture/{capture_id}?db=archive"'
    version = query(db, "SELECT id FROM versions")[0]["id"]
    assert link in get(db, f"/archive/versions/{version}").text
    history = get(db, "/archive/version_history?url=" + HOSTILE_URL).text
    assert link in history and HOSTILE_TITLE in history
    # a table lists the capture as a foreign key; the capture's record id opens the raw page
    assert re.search(r'href="/archive/captures/\d+"', get(db, "/archive/fetches").text)
    assert link in get(db, "/archive/captures").text
