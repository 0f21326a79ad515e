"""Bad content through the real crawl path: ``scrapy crawl news`` against the loopback mirror.

Three articles are archived first; then a normal incremental crawl (every known article due
for a re-check) meets: pages in windows-1251 declared as UTF-8 (with and without a correct
``<meta>``), UTF-8 declared as windows-1251, no charset at all; malformed HTML; an empty
body; a PDF and an image where a page was expected (also in place of a known article); a
date that does not parse; an article whose text is only furniture; and hostile feeds and
sitemaps (entity expansion, an external entity naming a local file, broken XML, a feed
larger than the size limit). Each test checks the archive afterwards.
"""

from __future__ import annotations

import pytest
from reliability import (
    BASE,
    FEED,
    PEAK_RSS,
    TestSite,
    assert_kept,
    assert_sound,
    crawl_ok,
    document,
    last_run,
    mirror_hits,
    outcomes,
    paragraphs,
    peak_mb,
    query,
    snapshot,
)

from csto_crawler.guards import detect_encoding
from csto_crawler.mirror import MirrorServer
from csto_crawler.settings import DOWNLOAD_MAXSIZE

pytestmark = pytest.mark.e2e

SECRET_FILE = "/etc/hostname"
BOMB_FEED = f"{BASE}/rss-bomb"
XXE_FEED = f"{BASE}/rss-xxe"
BROKEN_FEED = f"{BASE}/rss-broken"
HUGE_FEED = f"{BASE}/rss-huge"
BOMB_SITEMAP = f"{BASE}/sitemap-bomb.xml"
XXE_SITEMAP = f"{BASE}/sitemap-xxe.xml"

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"


def laughs(root_open: str, body: str, root_close: str) -> bytes:
    """An XML document whose ``&lol9;`` expands to 10⁹ "lol"s if entities are resolved."""
    entities = '<!ENTITY lol0 "lol">' + "".join(
        f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' for i in range(1, 10))
    name = root_open.strip("<>").split()[0]
    return (f'<?xml version="1.0"?>\n<!DOCTYPE {name} [{entities}]>\n'
            f"{root_open}{body}{root_close}").encode()


def external(root_open: str, body: str, root_close: str) -> bytes:
    name = root_open.strip("<>").split()[0]
    return (f'<?xml version="1.0"?>\n<!DOCTYPE {name} [<!ENTITY xxe SYSTEM "file://{SECRET_FILE}">]>\n'
            f"{root_open}{body}{root_close}").encode()


RSS = ('<rss version="2.0">', "</rss>")
URLSET = ('<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">', "</urlset>")


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    root = tmp_path_factory.mktemp("content")
    site = TestSite(root, feeds=[FEED, BOMB_FEED, XXE_FEED, BROKEN_FEED, HUGE_FEED],
                    sitemaps=[BOMB_SITEMAP, XXE_SITEMAP])
    for n in (1, 2, 3):
        site.article(n)
    # charsets: (bytes in, header says, meta says)
    site.article(31, encoding="windows-1251", header_charset="utf-8", meta_charset="utf-8")
    site.article(32, encoding="windows-1251", header_charset="utf-8", meta_charset="same")
    site.article(33, encoding="utf-8", header_charset="windows-1251", meta_charset="windows-1251")
    site.article(34, encoding="windows-1251", header_charset=None, meta_charset=None)
    site.article(35, body_html=(
        "<p>" + paragraphs(35)[0] + "<p>" + paragraphs(35)[1] + "</span></em>"
        "<p class=unquoted id=x>" + paragraphs(35)[2] + "\x00</p></p></b>"))
    site.article(36)  # served with an empty body
    site.article(37)  # served as a PDF
    site.article(38)  # a PDF that says it is HTML
    site.article(39)  # an image
    site.article(40, date="31.02.2026 25:61")
    site.article(41, body_html="<p>Поделиться</p><p>Читайте также:</p><p>ВКонтакте</p><p>Telegram</p>")
    for n in (42, 43, 44, 45, 46):
        site.article(n, linked=False)
    site.write()

    item = "<item><title>t</title><link>{}</link></item>"
    site.page("rss-bomb", BOMB_FEED, "feed",
              laughs(RSS[0], f"<channel>{item.format(site.url(42))}<title>&lol9;</title>"
                             f"{item.format(site.url(46))}</channel>", RSS[1]),
              "application/rss+xml")
    site.page("rss-xxe", XXE_FEED, "feed",
              external(RSS[0], f"<channel>{item.format('&xxe;')}{item.format(site.url(43))}</channel>", RSS[1]),
              "application/rss+xml")
    site.page("rss-broken", BROKEN_FEED, "feed",
              f'{RSS[0]}<channel><item><link>{site.url(44)}</link><title>не закрыт <b></channel'.encode(),
              "application/rss+xml; charset=utf-8")
    site.page("rss-huge", HUGE_FEED, "feed", b"<rss/>", "application/rss+xml")
    site.page("sitemap-bomb", BOMB_SITEMAP, "sitemap",
              laughs(URLSET[0], f"<url><lastmod>&lol9;</lastmod><loc>{site.url(45)}</loc></url>", URLSET[1]),
              "application/xml")
    site.page("sitemap-xxe", XXE_SITEMAP, "sitemap",
              external(URLSET[0], "<url><loc>&xxe;</loc></url>", URLSET[1]), "application/xml")

    db = root / "archive.db"
    with MirrorServer(site.web) as mirror:
        known = ",".join(site.articles[n].url for n in (1, 2, 3))
        crawl_ok(mirror.base_url, db, site, args=("-a", f"urls={known}"))
        before, run = snapshot(db), last_run(db)
        mirror.fault(site.url(36), "body", body=b"", content_type="text/html; charset=utf-8")
        mirror.fault(site.url(37), "body", body=PDF, content_type="application/pdf")
        mirror.fault(site.url(38), "body", body=PDF, content_type="text/html; charset=utf-8")
        mirror.fault(site.url(39), "body", body=PNG, content_type="image/png")
        mirror.fault(site.url(2), "body", body=PDF, content_type="application/pdf")
        mirror.fault(site.url(3), "body", body=b"", content_type="text/html")
        mirror.fault(HUGE_FEED, "huge")
        proc = crawl_ok(mirror.base_url, db, site, "CSTO_RECHECK_SCHEDULE=*:0s", log_level="DEBUG",
                        wrapper=PEAK_RSS)
        requested = [r.url for r in mirror.requests()]
        hits = {n: mirror_hits(mirror, site.url(n)) for n in site.articles}
    yield {"site": site, "db": db, "before": before, "run": run, "stderr": proc.stderr,
           "requested": requested, "hits": hits,
           "peak_mb": peak_mb(proc)}


def fetched(world, n: int):
    return outcomes(world["db"], world["site"].url(n), world["run"])


def text_of(n: int) -> str:
    return "\n\n".join(paragraphs(n))


def test_nothing_archived_before_is_lost_or_altered(world):
    assert_kept(world["before"], world["db"])
    assert_sound(world["db"])
    assert fetched(world, 1) == [("not_modified", "HTTP 304")]


@pytest.mark.parametrize("n", [31, 32, 33, 34])
def test_a_wrong_or_missing_charset_still_gives_correct_cyrillic(world, n):
    doc = document(world["db"], world["site"].url(n))
    assert doc is not None, fetched(world, n)
    assert doc["title"] == world["site"].articles[n].title
    assert doc["text"] == text_of(n)
    assert "\ufffd" not in doc["text"] and "Р" + "ћ" not in doc["text"]


def test_charset_detection_rules():
    text = "Заседание Совета коллективной безопасности ОДКБ прошло в Минске. " * 3
    assert detect_encoding(text.encode("cp1251"), "utf-8") in ("cp1251", "windows-1251")
    assert detect_encoding(text.encode("utf-8"), "cp1251") == "utf-8"
    assert detect_encoding(text.encode("utf-8"), "utf-8") is None
    assert detect_encoding(text.encode("cp1251"), "cp1251") is None
    assert detect_encoding(b"plain ascii", "cp1251") is None
    meta = b'<meta charset="windows-1251">' + text.encode("cp1251")
    assert detect_encoding(meta, "utf-8") == "cp1251"
    assert detect_encoding("\ufeff".encode() + text.encode("utf-8"), "cp1251") == "utf-8"


def test_malformed_html_is_read_as_well_as_it_can_be(world):
    doc = document(world["db"], world["site"].url(35))
    assert doc is not None and doc["text"] == text_of(35)


@pytest.mark.parametrize(("n", "detail"), [
    (36, "HTTP 200, empty body"),
    (37, "HTTP 200, not a web page: PDF document (application/pdf)"),
    (38, "HTTP 200, not a web page: PDF document (text/html; charset=utf-8)"),
    (39, "HTTP 200, not a web page: PNG image (image/png)"),
])
def test_an_empty_body_pdf_or_image_is_an_error_not_an_article(world, n, detail):
    assert fetched(world, n) == [("error", detail)]
    assert document(world["db"], world["site"].url(n)) is None


@pytest.mark.parametrize(("n", "detail"), [
    (2, "HTTP 200, not a web page: PDF document (application/pdf)"),
    (3, "HTTP 200, empty body"),
])
def test_a_known_article_replaced_by_junk_keeps_its_version(world, n, detail):
    assert fetched(world, n) == [("error", detail)]
    doc = document(world["db"], world["site"].url(n))
    assert doc["versions"] == 1 and doc["text"] == text_of(n) and doc["status"] == "live"


def test_a_date_that_does_not_parse_is_kept_null_with_a_logged_reason(world):
    url = world["site"].url(40)
    doc = document(world["db"], url)
    assert doc is not None and doc["published_at"] is None
    assert f"{url}: no publication date could be read from the page; published_at left empty" in world["stderr"]
    assert "site date selector 'time.published' gave no date ('31.02.2026 25:61')" in world["stderr"]
    # the others have theirs, in the site's zone
    assert document(world["db"], world["site"].url(35))["published_at"] == "2026-06-21T10:15:00+06:00"


def test_an_article_of_furniture_only_is_an_error_and_no_document(world):
    assert fetched(world, 41) == [("error", "no article text after cleaning")]
    assert document(world["db"], world["site"].url(41)) is None


def test_entity_expansion_in_feeds_and_sitemaps_is_not_performed(world):
    # libxml2 stops at the bomb: what came before it is followed, what came after is not
    assert fetched(world, 42) == [("new", None)]
    assert fetched(world, 46) == [] and not world["hits"][46]
    # a sitemap with nothing before its bomb is an error on record
    amplification = "HTTP 200, unreadable XML: Maximum entity amplification factor exceeded"
    assert outcomes(world["db"], BOMB_SITEMAP, world["run"])[0][1].startswith(amplification)
    assert fetched(world, 45) == []
    assert world["peak_mb"] < 400
    assert "lollollol" not in world["stderr"]
    assert not query(world["db"], "SELECT hash FROM contents WHERE text LIKE '%lollol%' OR title LIKE '%lollol%'")


def test_external_entities_are_never_read(world):
    secret = open(SECRET_FILE, encoding="utf-8").read().strip()
    assert fetched(world, 43) == [("new", None)]
    assert all(secret not in url for url in world["requested"] if url)
    assert not query(world["db"], "SELECT url FROM fetches WHERE url LIKE ?", (f"%{secret}%",))


def test_a_broken_feed_is_recovered(world):
    assert fetched(world, 44) == [("new", None)]


def test_a_feed_larger_than_the_limit_is_dropped_with_a_record(world):
    ((outcome, detail),) = outcomes(world["db"], HUGE_FEED, world["run"])
    assert outcome == "error" and detail.startswith(f"response larger than {DOWNLOAD_MAXSIZE} bytes")
