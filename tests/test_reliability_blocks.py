"""Blocks through the real crawl path: challenges, CAPTCHAs, login walls and soft 404s never
overwrite what the archive holds.

Eight articles are archived; then every one of them is due for a re-check while the mirror
serves, in its place, a bot challenge, a CAPTCHA page, a login wall, a soft 404, a Cloudflare
challenge header, a plain 403, and an unrecognised stub that passes every check (which the
archive's shrink rule holds back); the feed itself is challenged. A last crawl, with the site
back to normal, finds every document as it was.
"""

from __future__ import annotations

import pytest
from reliability import (
    FEED,
    TestSite,
    assert_kept,
    assert_sound,
    crawl_ok,
    document,
    last_run,
    outcomes,
    paragraphs,
    query,
    snapshot,
)

from csto_crawler.mirror import MirrorServer

pytestmark = pytest.mark.e2e

RECHECK_ALL = "CSTO_RECHECK_SCHEDULE=*:0s"

CAPTCHA = (b'<!DOCTYPE html><html><head><title>Security check</title>'
           b'<script src="https://www.google.com/recaptcha/api.js"></script></head><body>'
           b'<form><div class="g-recaptcha" data-sitekey="x"></div></form></body></html>')
LOGIN = ('<!DOCTYPE html><html><head><meta charset="utf-8"><title>Вход</title></head><body>'
         '<h1>Вход на сайт</h1><p>Войдите, чтобы продолжить чтение материала.</p>'
         '<form><input name="login"><input type="password" name="pass"></form></body></html>')
SOFT_404 = ('<!DOCTYPE html><html><head><meta charset="utf-8"><title>Страница не найдена</title>'
            '</head><body><h1>Страница не найдена</h1><p>Вернитесь на главную.</p></body></html>')
STUB = ('<!DOCTYPE html><html lang="ru"><head><meta charset="utf-8"><title>Заседание ОДКБ</title></head>'
        '<body><h1 class="post-title">Заседание ОДКБ</h1><div class="post-body"><p>Материал ОДКБ '
        'загружается, обновите страницу позже.</p></div></body></html>')

#: article -> (fault, options, outcome, detail)
BLOCKS = {
    1: ("challenge", {}, "blocked", "HTTP 200, JavaScript stub 'Data processing... Please, wait.'"),
    2: ("body", {"body": CAPTCHA, "content_type": "text/html"}, "blocked", "HTTP 200, CAPTCHA page"),
    3: ("body", {"body": LOGIN, "content_type": "text/html; charset=utf-8"}, "blocked", "HTTP 200, login wall"),
    4: ("body", {"body": SOFT_404, "content_type": "text/html; charset=utf-8"}, "error",
        "HTTP 200, error page titled 'Страница не найдена'"),
    5: ("status", {"status": 403, "headers": {"cf-mitigated": "challenge"}}, "blocked",
        "HTTP 403, challenge header cf-mitigated: challenge"),
    6: ("status", {"status": 403}, "blocked", "HTTP 403"),
}
UNRECOGNISED = 7


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    root = tmp_path_factory.mktemp("blocks")
    site = TestSite(root)
    for n in range(1, 9):
        site.article(n)
    site.write()
    db = root / "archive.db"
    with MirrorServer(site.web) as mirror:
        crawl_ok(mirror.base_url, db, site)
        before, run = snapshot(db), last_run(db)
        for n, (kind, options, _, _) in BLOCKS.items():
            mirror.fault(site.url(n), kind, **options)
        mirror.fault(site.url(UNRECOGNISED), "body", body=STUB, content_type="text/html; charset=utf-8")
        mirror.fault(FEED, "challenge")
        crawl_ok(mirror.base_url, db, site, RECHECK_ALL)
        blocked = snapshot(db)
        statuses = {r["url"]: r["status"] for r in query(db, "SELECT url, status FROM documents")}
        second_run = last_run(db)
        mirror.clear_faults()
        crawl_ok(mirror.base_url, db, site, RECHECK_ALL)
    yield {"site": site, "db": db, "before": before, "run": run, "blocked": blocked,
           "statuses": statuses, "second_run": second_run}


def test_a_blocked_site_never_overwrites_good_versions(world):
    assert world["blocked"] == world["before"]  # not a row of documents, versions or texts changed
    assert_kept(world["before"], world["db"])
    assert_sound(world["db"])
    for n in range(1, 9):
        doc = document(world["db"], world["site"].url(n))
        assert doc["versions"] == 1 and doc["text"] == "\n\n".join(paragraphs(n))


@pytest.mark.parametrize("n", sorted(BLOCKS))
def test_challenges_captchas_login_walls_and_soft_404s_are_recognised(world, n):
    _, _, outcome, detail = BLOCKS[n]
    got = outcomes(world["db"], world["site"].url(n), world["run"])
    assert got[0] == (outcome, detail)
    expected_status = "blocked" if outcome == "blocked" else "live"
    assert world["statuses"][world["site"].url(n)] == expected_status


def test_an_unrecognised_stub_is_held_not_archived(world):
    ((outcome, detail), *_) = outcomes(world["db"], world["site"].url(UNRECOGNISED), world["run"])
    assert outcome == "unchanged" and detail.startswith("held ") and "text shrank" in detail


def test_a_challenged_feed_is_recorded_as_blocked(world):
    ((outcome, detail),) = outcomes(world["db"], FEED, world["run"])[:1]
    assert outcome == "blocked" and "Data processing" in detail


def test_once_the_block_lifts_every_document_is_live_and_unchanged(world):
    rows = query(world["db"], "SELECT url, outcome FROM fetches WHERE run_id > ? AND document_id IS NOT NULL",
                 (world["second_run"],))
    assert {r["outcome"] for r in rows} <= {"not_modified", "unchanged"}
    assert {r["status"] for r in query(world["db"], "SELECT status FROM documents")} == {"live"}
    assert query(world["db"], "SELECT COUNT(*) AS n FROM versions")[0]["n"] == 8
