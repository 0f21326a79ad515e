"""``csto probe``: the real spiders, limited, against the loopback mirror: the report, the exit
status when a site yields no article, and ``--record`` writing fixtures marked ``recorded``."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys

import pytest

from csto_crawler import PROJECT_ROOT
from csto_crawler.commands.probe import SiteProbe, verdict
from csto_crawler.mirror import MirrorServer
from csto_crawler.mirror.pages import load_fixture_pages
from csto_crawler.sites import site_classes


def probe(mirror: MirrorServer, *args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CSTO_")}
    return subprocess.run([sys.executable, "-m", "csto_crawler", "probe", "--mirror", mirror.base_url, *args],
                          cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, timeout=180)


def test_verdict():
    assert verdict(SiteProbe("x")) == "no articles"
    site = SiteProbe("x", articles=[{"url": "u", "title": True, "date": False, "text": 900, "language": "ru"}])
    assert verdict(site) == "partial"
    site.articles.append({"url": "v", "title": True, "date": True, "text": 900, "language": "ru"})
    assert verdict(site) == "ok"


@pytest.mark.e2e
def test_probe_reports_entry_points_and_article_coverage():
    with MirrorServer() as mirror:
        done = probe(mirror, "akorda", "mfa_kz", "--articles", "2")
        log = mirror.requests()
    assert done.returncode == 0, done.stdout + done.stderr[-3000:]
    out = done.stdout
    assert "akorda: ok — 2 article(s): title 2/2, date 2/2" in out
    # the feed's article links (its items that match the site's article patterns)
    feed = (PROJECT_ROOT / "tests" / "fixtures" / "akorda" / "ru_feed_rss.xml").read_text(encoding="utf-8")
    spider = site_classes()["akorda"]()
    items = [u for u in re.findall(r"<item>.*?<link>([^<]+)</link>", feed, re.S) if spider.is_article_url(u)]
    assert len(items) == 4
    assert f"feeds     200    {len(items)} entries  https://www.akorda.kz/ru/rss" in out
    assert "POST https://www.gov.kz/api/v1/public/_/c/k6" in out and "mfa_kz: ok" in out
    # a few articles only, and no listing paged on
    akorda_articles = [r for r in log if r.url and "akorda.kz" in r.url and r.url.split("/")[-1][-1].isdigit()
                       and "events" not in r.url]
    assert len(akorda_articles) == 2
    assert not [r for r in log if r.url and "page=2" in r.url]


@pytest.mark.e2e
def test_probe_exits_non_zero_when_a_site_yields_no_article():
    with MirrorServer() as mirror:
        mirror.fault("https://baonga.com/rss", "status", status=404)
        mirror.fault("https://baonga.com/the-gioi?page=1", "status", status=403)
        mirror.fault("https://baonga.com/", "status", status=404)
        done = probe(mirror, "baonga", "kg24")
    assert done.returncode == 1, done.stdout
    assert "baonga: no articles" in done.stdout and "kg24: ok" in done.stdout
    assert "feeds     404" in done.stdout and "listings  403" in done.stdout
    assert "no article from baonga" in done.stderr


@pytest.mark.e2e
def test_probe_record_saves_fixtures_marked_recorded(tmp_path):
    with MirrorServer() as mirror:
        done = probe(mirror, "vov_vn", "--articles", "1", "--record", str(tmp_path))
    assert done.returncode == 0, done.stdout + done.stderr[-3000:]
    sidecars = [json.loads(p.read_text(encoding="utf-8")) for p in (tmp_path / "vov_vn").glob("*.json")
                if not p.name.endswith(".body.json")]
    assert sidecars and all(s["origin"].startswith("recorded 20") for s in sidecars)
    kinds = sorted(s["kind"] for s in sidecars)
    assert kinds.count("article") == 1 and "listing" in kinds and "robots" in kinds
    (article,) = [s for s in sidecars if s["kind"] == "article"]
    assert article["relevant"] is None and article["expected"]["title"] and article["expected"]["site"] == "vov_vn"
    # the recorded folder is a fixture folder the mirror can serve
    pages = load_fixture_pages(tmp_path)
    assert any(p.url == article["url"] for p in pages.values())


@pytest.mark.parametrize(("argv", "message"), [
    (["probe", "nosuch"], "unknown site(s) nosuch"),
    (["probe", "--articles", "0", "akorda"], "--articles must be at least 1"),
    (["probe", "akorda", "-s", "NOVALUE"], "-s expects NAME=VALUE"),
])
def test_probe_bad_arguments_exit_2_with_one_line(argv, message, capsys):
    from csto_crawler.cli import main

    assert main(argv) == 2
    assert message in capsys.readouterr().err
