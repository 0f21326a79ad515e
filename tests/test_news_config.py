"""The generic ``news`` spider: its configuration file, its arguments, and crawls over the mirror.

The parsing of the shipped configured sites' fixtures is covered by ``test_spiders.py`` (they
are sites of the registry); here: what only configuration-driven sites do.
"""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from helpers import FIXTURES, load_sidecar, sidecars

from csto_crawler.extract.rules import SiteRules
from csto_crawler.sites import rules_for_url, site_classes, spider_classes, spider_for_url
from csto_crawler.spiders.base import NewsSpider
from csto_crawler.spiders.news import ConfigError, GenericNewsSpider, host_slug, load_sites

ROOT = Path(__file__).resolve().parent.parent
SHIPPED = ("paruskg", "tjinform", "vov_vn")
PARUSKG_ARTICLE = load_sidecar(sidecars("paruskg", "article")[0])["url"]


def write_config(folder: Path, text: str) -> Path:
    path = folder / "news_sites.yml"
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


MINIMAL = """
    example:
      name: Example News
      home: https://www.example-news.kg/
      languages: [ru]
      article_patterns: ['^/news/\\d+']
      feeds: [https://www.example-news.kg/rss]
"""


# --- the shipped configuration ---------------------------------------------------------------
def test_shipped_sites_are_sites_of_the_registry_not_spiders():
    sites = site_classes()
    assert set(SHIPPED) <= set(sites)
    assert "news" in spider_classes() and "news" not in sites
    assert not set(SHIPPED) & set(spider_classes())
    for slug in SHIPPED:
        cls = sites[slug]
        assert issubclass(cls, NewsSpider) and cls.name == slug and cls.site_name and cls.home_url
        assert cls.evidence, f"{slug}: the entry says where its knowledge comes from"


def test_registry_finds_a_configured_site_by_url():
    assert spider_for_url(PARUSKG_ARTICLE).name == "paruskg"
    rules = rules_for_url(PARUSKG_ARTICLE)
    assert rules.timezone == "Asia/Bishkek" and rules.date_formats == ("%d-%m-%Y, %H:%M",)
    assert rules.language == "ru"


def test_configured_site_is_built_from_its_entry(tmp_path):
    path = write_config(tmp_path, """
        multi:
          name: Multi
          home: https://multi.example.tj/ru/
          kind: official
          languages: [ru, tg]
          editions: {ru: https://multi.example.tj/ru/, tg: [https://multi.example.tj/tj/, https://tj.multi.example.tj/]}
          article_patterns: ['^/(ru|tj)/news/\\d+$']
          listings: {ru: ['https://multi.example.tj/ru/news?page={page}']}
          search: {tg: ['https://multi.example.tj/tj/search?q={query}']}
          search_terms: {tg: [СААД]}
          first_page: 0
          max_pages: 5
          listing: {item: div.card, date: span.date::text, date_formats: ['%d.%m.%Y'], next: a.next::attr(href)}
          selectors: {content: div.body, title: h1, drop: [.share, .related]}
          date_formats: ['%d.%m.%Y %H:%M']
          timezone: Asia/Dushanbe
          furniture: ['Поделиться']
    """)
    cls = load_sites(path)["multi"]
    assert cls.allowed_domains == ["multi.example.tj"] and cls.kind == "official"
    assert cls.listings == {"ru": ("https://multi.example.tj/ru/news?page={page}",)}
    assert (cls.first_page, cls.max_pages, cls.listing_item_selector) == (0, 5, "div.card")
    assert cls.next_page_selector == "a.next::attr(href)" and cls.listing_date_formats == ("%d.%m.%Y",)
    assert cls.rules == SiteRules(content_selector="div.body", title_selector="h1", drop_selectors=(".share", ".related"),
                                  date_formats=("%d.%m.%Y %H:%M",), timezone="Asia/Dushanbe", furniture=("Поделиться",))
    site = cls()
    assert site.language_for("https://multi.example.tj/ru/news/1") == "ru"
    assert site.language_for("https://tj.multi.example.tj/news/2") == "tg"
    assert site.language_for("https://multi.example.tj/en/news/3") is None
    assert site.rules_for("https://multi.example.tj/tj/news/4").language == "tg"
    assert site.is_article_url("https://multi.example.tj/tj/news/4")
    assert not site.is_article_url("https://multi.example.tj/tj/about")


@pytest.mark.parametrize(
    ("entry", "where", "message"),
    [
        ("[1, 2]", "example", "expected a mapping"),
        ("{name: X, home: 'https://x.kg/', languages: [ru], article_patterns: [a], feeds: ['https://x.kg/rss'], colour: red}",
         "example", r"unknown key\(s\) \['colour'\]"),
        ("{name: X, home: 'https://x.kg/', languages: [ru], feeds: ['https://x.kg/rss']}", "example", "missing required key.*article_patterns"),
        ("{name: X, home: 'https://x.kg/', languages: [ru], article_patterns: ['('], feeds: ['https://x.kg/rss']}",
         "example.article_patterns", "not a regular expression"),
        ("{name: X, home: 'https://x.kg/', languages: [ru], article_patterns: [a]}", "example", "at least one entry point"),
        ("{name: X, home: 'https://x.kg/', languages: [ru], article_patterns: [a], feeds: {en: ['https://x.kg/rss']}}",
         "example.feeds", "language 'en' is not one of"),
        ("{name: X, home: 'https://x.kg/', languages: [ru, ky], article_patterns: [a], feeds: ['https://x.kg/rss']}",
         "example.feeds", "multilingual site maps each language"),
        ("{name: X, home: 'https://x.kg/', languages: [ru, ky], article_patterns: [a], feeds: {ru: ['https://x.kg/rss']}}",
         "example.editions", "needs a URL prefix for each edition"),
        ("{name: X, home: 'https://x.kg/', languages: [ru], article_patterns: [a], feeds: [x.kg/rss]}", "example.feeds.ru", "not an http"),
        ("{name: X, home: 'https://x.kg/', languages: [ru], article_patterns: [a], feeds: ['https://x.kg/rss'], timezone: Asia/Frunze}",
         "example.timezone", "not an IANA time zone"),
        ("{name: X, home: 'https://x.kg/', languages: [ru], article_patterns: [a], feeds: ['https://x.kg/rss'], date_formats: [dd.mm.yyyy]}",
         "example.date_formats", "not strptime formats"),
        ("{name: X, home: 'https://x.kg/', languages: [ru], article_patterns: [a], search: ['https://x.kg/s?q={query}']}",
         "example.search_terms", "has {query} but no terms"),
        ("{name: X, home: 'https://x.kg/', languages: [russian], article_patterns: [a], feeds: ['https://x.kg/rss']}",
         "example.languages", "not ISO 639-1"),
        ("{name: X, home: 'https://x.kg/', languages: [ru], article_patterns: [a], feeds: ['https://x.kg/rss'], selectors: {body: div}}",
         "example.selectors", "expected a mapping with content"),
    ],
)
def test_bad_configuration_names_the_file_entry_and_key(tmp_path, entry, where, message):
    path = write_config(tmp_path, f"example: {entry}\n")
    with pytest.raises(ConfigError, match=message) as error:
        load_sites(path)
    assert str(error.value).startswith(f"{path.resolve()}: {where}:")


def test_a_slug_must_be_snake_case(tmp_path):
    path = write_config(tmp_path, MINIMAL.replace("example:", "Example-News:"))
    with pytest.raises(ConfigError, match="Example-News: a slug is snake_case"):
        load_sites(path)


def test_a_slug_of_a_site_module_is_refused(make_spider, tmp_path):
    write_config(tmp_path, MINIMAL.replace("example:", "kaktus:"))
    with pytest.raises(ConfigError, match="kaktus: the slug of a site that has its own spider module"):
        make_spider(GenericNewsSpider, settings={"CSTO_SEEDS_DIR": str(tmp_path)})


@pytest.mark.parametrize(
    ("host", "slug"),
    [("www.example-news.kz", "example_news_kz"), ("Novosti.Example.KG", "novosti_example_kg"), ("24.kg", "site_24_kg")],
)
def test_host_slug(host, slug):
    assert host_slug(host) == slug


# --- arguments --------------------------------------------------------------------------------
def test_every_configured_site_starts_its_entry_points(make_spider):
    spider = make_spider(GenericNewsSpider)
    assert set(spider.sites) == set(SHIPPED)
    assert {"paruskg.info", "tjinform.com", "vov.vn"} <= set(spider.allowed_domains)
    requests = spider.start_requests_list()
    assert "https://paruskg.info/rss.xml" in [r.url for r in requests]
    for request in requests:  # each request is its site's, bound to its site's callbacks
        site = spider.site_for(request.url)
        assert request.callback.__self__ is site


def test_sites_argument_limits_the_crawl(make_spider):
    spider = make_spider(GenericNewsSpider, sites="paruskg,vov_vn")
    assert set(spider.sites) == {"paruskg", "vov_vn"}
    with pytest.raises(ValueError, match=r"-a sites: unknown site\(s\) \['nosuch'\]; configured: paruskg, tjinform, vov_vn"):
        make_spider(GenericNewsSpider, sites="nosuch")


def test_lang_and_since_reach_the_sites(make_spider):
    spider = make_spider(GenericNewsSpider, lang="vi", since="2024-01-01")
    assert list(spider.sites) == ["vov_vn"]
    assert str(spider.sites["vov_vn"].since) == "2024-01-01"
    with pytest.raises(ValueError, match="no selected site has the language edition"):
        make_spider(GenericNewsSpider, lang="de")


def test_urls_go_to_their_configured_site_or_a_site_named_after_the_host(make_spider):
    unknown = "https://www.example-news.kz/politics/1234-odkb.html"
    spider = make_spider(GenericNewsSpider, urls=f"{PARUSKG_ARTICLE},{unknown}")
    assert set(spider.sites) == {"paruskg", "example_news_kz"}
    assert spider.sites["paruskg"].urls == (PARUSKG_ARTICLE,)
    # a configured site's URL keeps its slug even when -a sites names other sites
    assert list(make_spider(GenericNewsSpider, sites="vov_vn", urls=PARUSKG_ARTICLE).sites) == ["paruskg"]
    adhoc = spider.sites["example_news_kz"]
    assert adhoc.urls == (unknown,) and adhoc.allowed_domains == ["example-news.kz"]
    assert adhoc.home_url == "https://www.example-news.kz/" and adhoc.rules == SiteRules()


def test_urls_of_a_site_with_its_own_spider_are_refused(make_spider):
    with pytest.raises(ValueError, match="belongs to the kaktus spider; run: scrapy crawl kaktus -a urls="):
        make_spider(GenericNewsSpider, urls="https://kaktus.media/doc/1_x.html")


def test_parse_article_is_routed_to_the_site(make_spider):
    from helpers import file_response

    spider = make_spider(GenericNewsSpider)
    sidecar = sidecars("vov_vn", "article")[0]
    (item,) = list(spider.parse_article(file_response(sidecar)))
    assert item.site == "vov_vn" and item.title == load_sidecar(sidecar)["expected"]["title"]


# --- crawls over the loopback mirror ---------------------------------------------------------
def crawl(mirror, db: Path, *args: str, seeds: Path | None = None) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CSTO_")}
    argv = [sys.executable, "-m", "scrapy", "crawl", "news", "-s", f"CSTO_MIRROR={mirror.base_url}",
            "-s", f"CSTO_ARCHIVE_DB={db}", "-s", "LOG_LEVEL=INFO", *args]
    if seeds:
        argv += ["-s", f"CSTO_SEEDS_DIR={seeds}"]
    proc = subprocess.run(argv, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0 and "Traceback" not in proc.stderr, proc.stderr[-4000:]
    return proc


def rows(db: Path, sql: str) -> list[tuple]:
    with sqlite3.connect(db) as con:
        return con.execute(sql).fetchall()


@pytest.mark.e2e
def test_news_crawls_every_configured_site_into_the_archive(tmp_path):
    from csto_crawler.mirror import MirrorServer

    db = tmp_path / "archive.db"
    with MirrorServer(FIXTURES) as mirror:
        crawl(mirror, db)
    fixtures = [load_sidecar(p) for slug in SHIPPED for p in sidecars(slug, "article")]
    relevant = {f["expected"]["canonical_url"]: f for f in fixtures if f["relevant"]}
    documents = {url: (site, language) for url, site, language in rows(db, "SELECT url, site, language FROM documents")}
    assert documents == {url: (f["expected"]["site"], f["expected"]["language"]) for url, f in relevant.items()}
    outcomes = dict(rows(db, "SELECT url, outcome FROM fetches"))
    for f in fixtures:
        if not f["relevant"]:
            assert outcomes.get(f["url"]) == "irrelevant", f["url"]
    sites = {slug: (name, home) for slug, name, home in rows(db, "SELECT slug, name, home_url FROM sites")}
    assert sites == {slug: (site_classes()[slug].site_name, site_classes()[slug].home_url) for slug in SHIPPED}
    assert rows(db, "SELECT spider, finish_reason FROM runs") == [("news", "finished")]


NEW_SITE = """
    novosti_kg:
      name: Novosti (novosti.example.kg)
      home: https://novosti.example.kg/
      languages: [ru]
      article_patterns: ['^/news/\\d+-[a-z-]+$']
      feeds: [https://novosti.example.kg/rss]
      timezone: Asia/Bishkek
"""
NEW_ARTICLE = """<!DOCTYPE html><html lang="ru"><head><meta charset="utf-8"><title>{title}</title>
<meta property="og:title" content="{title}"><meta property="article:published_time" content="{date}"></head>
<body><header><nav><a href="/">Главная</a> <a href="/news">Новости</a></nav></header>
<main><article><h1>{title}</h1><time datetime="{date}">{date}</time>
{body}
</article></main><footer>© Novosti, 2025. Все права защищены.</footer></body></html>"""


def _page(root: Path, name: str, url: str, kind: str, body: str, content_type: str, **extra) -> None:
    (root / f"{name}.{'xml' if kind == 'feed' else 'html'}").write_text(body, encoding="utf-8")
    sidecar = {"url": url, "kind": kind, "origin": "written by the test", "status": 200, "content_type": content_type, **extra}
    (root / f"{name}.json").write_text(json.dumps(sidecar, ensure_ascii=False), encoding="utf-8")


def _article(paragraphs: list[str]) -> str:
    return "\n".join(f"<p>{p}</p>" for p in paragraphs)


@pytest.mark.e2e
def test_a_new_regional_site_by_configuration_alone(tmp_path):
    """A temporary seeds folder declares a site nobody wrote code for; the mirror serves its pages."""
    from csto_crawler.mirror import MirrorServer

    seeds, web = tmp_path / "seeds", tmp_path / "web" / "novosti_kg"
    seeds.mkdir()
    web.mkdir(parents=True)
    write_config(seeds, NEW_SITE)
    csto = "https://novosti.example.kg/news/101-odkb-ucheniya"
    other = "https://novosti.example.kg/news/102-pogoda"
    stranger = "https://www.example-news.kz/politics/77-sessiya.html"
    csto_text = [
        "На полигоне Эдельвейс завершились совместные учения Коллективных сил оперативного реагирования ОДКБ.",
        "В учениях участвовали подразделения Кыргызстана, Казахстана, России и Таджикистана; они отработали "
        "ликвидацию незаконных вооружённых формирований в горной местности.",
        "Командование отметило слаженность действий контингентов и высокий уровень подготовки личного состава.",
    ]
    other_text = [
        "В Бишкеке в ближайшие дни ожидается тёплая и сухая погода, сообщает Кыргызгидромет.",
        "Днём воздух прогреется до двадцати двух градусов, ночью температура опустится до восьми градусов тепла.",
        "В горах местами пройдут кратковременные дожди, на перевалах возможен туман.",
    ]
    _page(web, "csto", csto, "article", NEW_ARTICLE.format(title="Учения ОДКБ завершились на полигоне Эдельвейс",
                                                           date="2025-04-03T16:20:00+06:00", body=_article(csto_text)),
          "text/html; charset=utf-8", relevant=True)
    _page(web, "other", other, "article", NEW_ARTICLE.format(title="В Бишкеке ожидается тёплая погода",
                                                             date="2025-04-04T09:00:00+06:00", body=_article(other_text)),
          "text/html; charset=utf-8", relevant=False)
    feed = "".join(f"<item><title>t</title><link>{u}</link></item>" for u in (csto, other))
    _page(web, "rss", "https://novosti.example.kg/rss", "feed", f'<?xml version="1.0"?><rss version="2.0"><channel>{feed}</channel></rss>',
          "application/rss+xml; charset=utf-8")
    _page(web, "stranger", stranger, "article", NEW_ARTICLE.format(title="Сессия Совета коллективной безопасности ОДКБ",
                                                                   date="2025-04-05T12:00:00+05:00", body=_article(csto_text)),
          "text/html; charset=utf-8", relevant=True)

    db = tmp_path / "archive.db"
    with MirrorServer(tmp_path / "web") as mirror:
        crawl(mirror, db, seeds=seeds)
        documents = rows(db, "SELECT site, url, language, title, published_at FROM documents d "
                             "JOIN versions v ON v.id = d.current_version_id JOIN contents c ON c.hash = v.content_hash")
        assert documents == [("novosti_kg", csto, "ru", "Учения ОДКБ завершились на полигоне Эдельвейс", "2025-04-03T16:20:00+06:00")]
        assert dict(rows(db, "SELECT url, outcome FROM fetches"))[other] == "irrelevant"
        assert rows(db, "SELECT slug, name, home_url FROM sites") == [("novosti_kg", "Novosti (novosti.example.kg)", "https://novosti.example.kg/")]

        # an article URL of a host no entry declares: archived under a slug made from the host
        crawl(mirror, db, "-a", f"urls={stranger}", seeds=seeds)
    assert ("example_news_kz", stranger) in rows(db, "SELECT site, url FROM documents")
    assert ("example_news_kz", "example-news.kz", "https://www.example-news.kz/") in rows(db, "SELECT slug, name, home_url FROM sites")
