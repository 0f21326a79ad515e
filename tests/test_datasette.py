"""The archive in Datasette: metadata matches the schema, every canned query runs and answers
what it promises, the diff plugin escapes untrusted text, and Datasette reads while the crawler
writes.

Datasette is driven in process through its internal test client, in configuration-directory
mode (``Datasette(config_dir=…)``) exactly as ``datasette archive/`` and ``csto serve`` run it.
"""

from __future__ import annotations

import asyncio
import functools
import importlib.util
import re
import sqlite3
from pathlib import Path

import pytest
import yaml
from datasette.app import Datasette
from datasette.utils import derive_named_parameters
from helpers_stories import STORY_CHECKS
from test_datasette_sample import INJECTED_MARKER, SAMPLE, build_sample_archive

from csto_crawler import PROJECT_ROOT
from csto_crawler.cli import main as csto_main
from csto_crawler.commands import serve
from pipelines.archive import Archive

METADATA_PATH = PROJECT_ROOT / "archive" / "metadata.yml"
METADATA = yaml.safe_load(METADATA_PATH.read_text(encoding="utf-8"))
DB_META = METADATA["databases"]["archive"]
QUERIES = DB_META["queries"]
PLUGIN_PATH = PROJECT_ROOT / "archive" / "plugins" / "csto_archive.py"


def load_plugin():
    spec = importlib.util.spec_from_file_location("csto_archive_plugin_under_test", PLUGIN_PATH)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


plugin = load_plugin()


@pytest.fixture(scope="session")
def sample_config_dir(tmp_path_factory) -> Path:
    """A configuration directory like archive/ holding the filled sample archive."""
    root = tmp_path_factory.mktemp("sample")
    db = build_sample_archive(root / "data" / "archive.db")
    return serve.config_dir_for(db, root / "config")


@pytest.fixture
def empty_config_dir(tmp_path) -> Path:
    """A configuration directory with a freshly migrated, empty archive."""
    db = tmp_path / "data" / "archive.db"
    Archive(db).close()
    return serve.config_dir_for(db, tmp_path / "config")


def fetch(config_dir: Path, *paths: str):
    """GET each path from a fresh Datasette on ``config_dir``; the responses in order."""

    async def run():
        ds = Datasette(config_dir=config_dir)
        await ds.invoke_startup()
        return [await ds.client.get(path) for path in paths]

    return asyncio.run(run())


def rows_of(config_dir: Path, query: str, **params) -> list[dict]:
    qs = "&".join(f"{k}={v}" for k, v in params.items())
    (response,) = fetch(config_dir, f"/archive/{query}.json?_shape=objects&{qs}")
    assert response.status_code == 200, response.text
    return response.json()["rows"]


# -- metadata matches the schema -----------------------------------------------------------------
def schema_columns(db_path: Path) -> dict[str, list[str]]:
    """Every table and view of a migrated archive with its columns, minus FTS5's own shadow
    tables (SQLite internals that Datasette hides)."""
    conn = sqlite3.connect(db_path)
    try:
        objects = [r[0] for r in conn.execute(
            "select name from sqlite_master where type in ('table', 'view') order by name")]
        fts = [name for name in objects if conn.execute(
            "select sql from sqlite_master where name = ?", (name,)).fetchone()[0]
            .upper().startswith("CREATE VIRTUAL TABLE")]
        shadows = {f"{t}_{suffix}" for t in fts for suffix in ("data", "idx", "docsize", "config",
                                                                "content")}
        # hidden == 1: a virtual table's own hidden columns (FTS5's rank and table-named column)
        return {name: [r[1] for r in conn.execute(f"pragma table_xinfo([{name}])") if r[6] != 1]
                for name in objects if name not in shadows}
    finally:
        conn.close()


def test_every_table_and_column_of_the_schema_is_described(tmp_path):
    db = tmp_path / "archive.db"
    Archive(db).close()
    schema = schema_columns(db)
    assert {"sites", "documents", "contents", "contents_fts", "versions", "fetches", "runs",
            "articles"} <= set(schema)
    tables = DB_META["tables"]
    missing = [f"{t}.{c}" for t, cols in schema.items() for c in cols
               if not (tables.get(t, {}).get("columns") or {}).get(c)]
    assert not missing, f"columns without a description in archive/metadata.yml: {missing}"
    undescribed = [t for t in schema if not tables.get(t, {}).get("description")]
    assert not undescribed, f"tables without a description: {undescribed}"
    stale = [f"{t}.{c}" for t, meta in tables.items() for c in (meta.get("columns") or {})
             if c not in schema.get(t, [])]
    assert not stale, f"metadata describes columns the schema does not have: {stale}"


def test_articles_view_is_searchable_and_faceted_by_site_language_year_status():
    articles = DB_META["tables"]["articles"]
    assert (articles["fts_table"], articles["fts_pk"]) == ("contents_fts", "content_rowid")
    facets = [f if isinstance(f, str) else next(iter(f.items())) for f in articles["facets"]]
    assert facets == ["site", "language", ("year", "published_at"), "status", "story_sites"]


def test_source_list_names_every_spider_site_and_every_seeded_news_site():
    from urllib.parse import urlsplit

    from csto_crawler.sites import spider_classes

    listed = set(re.findall(r"<li>([a-z0-9.-]+):", DB_META["description_html"]))
    assert len(listed) >= 8
    for slug, cls in spider_classes().items():
        domains = set(getattr(cls, "allowed_domains", None) or [])
        if not domains:
            continue  # the generic news spider: its sites come from seeds/news_sites.yml
        assert domains & listed, (f"spider {slug} ({', '.join(domains)}) is not in the source "
                                  "list of archive/metadata.yml")
    seeds = PROJECT_ROOT / "seeds" / "news_sites.yml"
    news_sites = yaml.safe_load(seeds.read_text(encoding="utf-8")) if seeds.exists() else {}
    for slug, site in (news_sites or {}).items():
        host = urlsplit(site["home"]).hostname.removeprefix("www.")
        assert host in listed, f"news site {slug} ({host}) is not in the source list"


@pytest.mark.parametrize("name", sorted(QUERIES))
def test_canned_query_is_documented_with_its_parameters(name):
    query = QUERIES[name]
    assert query.get("title") and len(query.get("description", "")) > 40
    named = asyncio.run(derive_named_parameters(None, query["sql"]))
    assert named, f"{name} has no parameters"
    assert sorted(set(named)) == sorted(query["params"]), (
        f"{name}: params {query['params']} do not match the SQL's {sorted(set(named))}")


# -- every canned query answers what it promises -------------------------------------------------
def _urls(rows):
    return {r["url"] for r in rows}


def check_search_articles(cfg):
    everything = rows_of(cfg, "search_articles")  # empty form: every article, dated first
    assert len(everything) == 9 and everything[-1]["published_at"] is None
    ru = rows_of(cfg, "search_articles", q=SAMPLE["russian_word"])
    assert _urls(ru) == {SAMPLE["russian_hit"]}
    assert "\x02Минске\x03" in ru[0]["snippet"]
    assert _urls(rows_of(cfg, "search_articles", q=SAMPLE["arabic_word"])) == {SAMPLE["arabic_hit"]}
    # diacritics ignored: "thao luan" finds "thảo luận"
    assert {r["site"] for r in rows_of(cfg, "search_articles", q="thao luan")} == {"baonga"}
    odkb = rows_of(cfg, "search_articles", q="ОДКБ", site="khovar", language="ru")
    assert {(r["site"], r["language"]) for r in odkb} == {("khovar", "ru")}
    dated = rows_of(cfg, "search_articles", since="2023-01-01", until="2023-12-31")
    assert {r["published_at"][:4] for r in dated} == {"2023"} and len(dated) == 3
    # FTS syntax characters in the words are searched for, not an SQL/FTS error
    assert rows_of(cfg, "search_articles", q='"ОДКБ') is not None


def check_latest_articles(cfg):
    rows = rows_of(cfg, "latest_articles")
    assert rows[0]["published_at"].startswith("2024-11-27")
    dates = [r["published_at"] for r in rows if r["published_at"]]
    assert dates == sorted(dates, reverse=True)
    assert {r["site"] for r in rows_of(cfg, "latest_articles", site="akorda")} == {"akorda"}
    assert {r["language"] for r in rows_of(cfg, "latest_articles", language="ar")} == {"ar"}


def check_edited_articles(cfg):
    rows = rows_of(cfg, "edited_articles")
    assert [r["url"] for r in rows] == [SAMPLE["edited_url"]]
    assert rows[0]["versions"] == SAMPLE["edited_versions"]
    assert rows_of(cfg, "edited_articles", site="khovar") == []


def check_version_history(cfg):
    rows = rows_of(cfg, "version_history", url=SAMPLE["edited_url"])
    assert [r["version"] for r in rows] == [3, 2, 1]
    assert rows[-1]["compare"] is None and '"from":2,"to":3' in rows[0]["compare"]
    # the empty form shows the most recently edited document
    assert rows_of(cfg, "version_history") == rows
    assert [r["version"] for r in rows_of(cfg, "version_history", url=SAMPLE["gone_url"])] == [1]


def check_version_diff(cfg):
    (row,) = rows_of(cfg, "version_diff", url=SAMPLE["edited_url"], **{"from": 1, "to": 2})
    assert (row["old_version"], row["new_version"]) == (1, 2)
    assert f"<ins>{SAMPLE['edit_added_word']}</ins>" in row["diff"]
    assert "<del>" not in row["diff"]
    (default,) = rows_of(cfg, "version_diff")  # last edit of the most recently edited document
    assert (default["old_version"], default["new_version"]) == (2, 3)
    assert "<ins>По итогам сессии" in default["diff"]
    (backwards,) = rows_of(cfg, "version_diff", url=SAMPLE["edited_url"], **{"from": 3, "to": 1})
    assert f"<del>{SAMPLE['edit_added_word']}</del>" in backwards["diff"]
    assert rows_of(cfg, "version_diff", url=SAMPLE["edited_url"], **{"from": 1, "to": 9}) == []


def check_duplicates(cfg):
    (row,) = rows_of(cfg, "duplicates")
    assert row["copies"] == 2 and set(row["urls"].split("\n")) == SAMPLE["duplicate_urls"]
    assert set(row["sites"].split(",")) == {"khovar", "asiaplus"}
    assert rows_of(cfg, "duplicates", site="akorda") == []


def check_site_health(cfg):
    rows = {r["site"]: r for r in rows_of(cfg, "site_health")}
    assert set(rows) == SAMPLE["sites"]
    akorda = rows["akorda"]
    assert (akorda["documents"], akorda["versions"], akorda["gone_documents"]) == (2, 4, 1)
    assert akorda["pct_with_date"] == 100.0 and akorda["last_run"]
    assert rows["mfa_by"]["pct_with_date"] == 0.0
    assert "500" in rows["mfa_by"]["last_error"] and SAMPLE["error_url"] in rows["mfa_by"]["last_error"]
    assert (rows["mid_ru"]["blocked_documents"], rows["mid_ru"]["blocked_fetches"]) == (1, 1)
    assert [r["site"] for r in rows_of(cfg, "site_health", site="khovar")] == ["khovar"]


def check_fetch_outcomes(cfg):
    rows = rows_of(cfg, "fetch_outcomes")
    assert [r["run"] for r in rows] == list(range(SAMPLE["runs"], 0, -1))
    with sqlite3.connect(cfg / "archive.db") as conn:
        stats = {run: __import__("json").loads(s) for run, s in conn.execute(
            "select id, stats from runs")}
    for row in rows:  # the counts per outcome agree with what each run reported in its stats
        reported = {k.rsplit("/", 1)[1]: v for k, v in stats[row["run"]].items()
                    if k.startswith("csto/store/")}
        counted = {k: row[k] for k in reported}
        assert counted == reported and row["fetches"] == sum(reported.values())
    (one,) = rows_of(cfg, "fetch_outcomes", run=8)
    assert (one["spider"], one["changed"], one["gone"]) == ("akorda", 1, 1)
    assert {r["spider"] for r in rows_of(cfg, "fetch_outcomes", spider="mid_ru")} == {"mid_ru"}


def check_sources(cfg):
    rows = {r["site"]: r for r in rows_of(cfg, "sources")}
    assert set(rows) == SAMPLE["sites"] and rows["akorda"]["documents"] == 2
    assert {r["kind"] for r in rows_of(cfg, "sources", kind="official")} == {"official"}


CHECKS = {
    "search_articles": check_search_articles,
    "latest_articles": check_latest_articles,
    "edited_articles": check_edited_articles,
    "version_history": check_version_history,
    "version_diff": check_version_diff,
    "duplicates": check_duplicates,
    "site_health": check_site_health,
    "fetch_outcomes": check_fetch_outcomes,
    "sources": check_sources,
}

CHECKS.update({name: functools.partial(check, rows_of=rows_of)
               for name, check in STORY_CHECKS.items()})  # tests/helpers_stories.py


def test_every_canned_query_has_a_check():
    assert set(CHECKS) == set(QUERIES), "add a check here for each query in metadata.yml"


@pytest.mark.parametrize("name", sorted(CHECKS))
def test_canned_query_answers_on_the_sample_archive(sample_config_dir, name):
    CHECKS[name](sample_config_dir)


def test_every_canned_query_and_table_page_works_on_an_empty_archive(empty_config_dir):
    paths = [f"/archive/{name}" for name in QUERIES] + [
        f"/archive/{table}" for table in DB_META["tables"]] + ["/", "/archive"]
    for path, response in zip(paths, fetch(empty_config_dir, *paths), strict=True):
        assert response.status_code == 200, (path, response.text[:500])


def test_every_page_renders_on_the_sample_archive(sample_config_dir):
    paths = ([f"/archive/{name}" for name in QUERIES]
             + [f"/archive/{table}" for table in DB_META["tables"]]
             + ["/", "/archive", "/archive/articles?_search=ОДКБ", "/-/csto-archive.css"])
    for path, response in zip(paths, fetch(sample_config_dir, *paths), strict=True):
        assert response.status_code == 200, (path, response.text[:500])


# -- what the pages show ------------------------------------------------------------------------
def test_table_search_finds_russian_and_arabic_words(sample_config_dir):
    ru, ar = fetch(sample_config_dir,
                   f"/archive/articles.json?_shape=objects&_search={SAMPLE['russian_word']}",
                   f"/archive/articles.json?_shape=objects&_search={SAMPLE['arabic_word']}")
    assert _urls(ru.json()["rows"]) == {SAMPLE["russian_hit"]}
    assert _urls(ar.json()["rows"]) == {SAMPLE["arabic_hit"]}


def test_articles_page_has_the_year_facet_and_paragraphs(sample_config_dir):
    (page,) = fetch(sample_config_dir, "/archive/articles")
    html = page.text
    assert "published_at__startswith=2023" in html  # the year facet, newest year first
    assert '<div class="article-text"><p>Глава государства' in html
    assert "/-/csto-archive.css" in html


def test_history_and_diff_pages_link_and_highlight(sample_config_dir):
    edited, history, diff = fetch(
        sample_config_dir, "/archive/edited_articles", "/archive/version_history",
        "/archive/version_diff?from=1&to=2")
    assert 'href="/archive/version_history?url=https%3A%2F%2Fwww.akorda.kz' in edited.text
    assert "&amp;from=2&amp;to=3" in history.text and "diff v2 → v3" in history.text
    assert f"<ins>{SAMPLE['edit_added_word']}</ins>" in diff.text


def test_injected_script_is_shown_as_text_everywhere(sample_config_dir):
    from test_datasette_sample import MFA_BY_URL

    with sqlite3.connect(sample_config_dir / "archive.db") as conn:
        doc_id, rowid = conn.execute(
            "select document_id, content_rowid from articles where url = ?", (MFA_BY_URL,)).fetchone()
        content_hash = conn.execute("select hash from contents where rowid = ?", (rowid,)).fetchone()[0]
    pages = fetch(sample_config_dir,
                  f"/archive/documents/{doc_id}", f"/archive/contents/{content_hash}",
                  "/archive/articles?_search=Белорусская",
                  "/archive/search_articles?q=абзаца", "/archive/latest_articles?site=mfa_by",
                  f"/archive/version_history?url={MFA_BY_URL}")
    for page in pages:
        assert page.status_code == 200
        assert "<script>document.documentElement" not in page.text
        assert "<img src=x" not in page.text and "onerror=\"document" not in page.text
        assert INJECTED_MARKER not in page.text.replace("&#39;data-pwned&#39;", "")
    assert "&lt;script&gt;document.documentElement.setAttribute(" in pages[3].text


def test_fake_diff_markup_from_sql_is_not_trusted(sample_config_dir):
    sql = "select '<div class=\"text-diff\"><p><script>alert(1)</script></p></div>' as diff"
    (page,) = fetch(sample_config_dir, f"/archive?sql={sql}")
    assert "<script>alert(1)</script>" not in page.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page.text


# -- the plugin ----------------------------------------------------------------------------------
def test_text_diff_marks_added_and_removed_words():
    out = plugin.text_diff("Казахстан готов к вызовам.", "Казахстан полностью готов к угрозам.")
    assert out == ('<div class="text-diff"><p>Казахстан <ins>полностью</ins> готов к '
                   '<del>вызовам.</del><ins>угрозам.</ins></p></div>')
    assert plugin.is_text_diff_markup(out)


def test_text_diff_keeps_paragraphs_and_handles_missing_sides():
    out = plugin.text_diff("Первый абзац.\n\nВторой.", "Первый абзац.\n\nВторой.\n\nТретий.")
    assert out.count("<p>") == 3 and "<ins>Третий.</ins>" in out
    assert plugin.text_diff(None, None) is None
    assert plugin.text_diff(None, "новое") == '<div class="text-diff"><p><ins>новое</ins></p></div>'
    assert plugin.text_diff("одно", "одно") == '<div class="text-diff"><p>одно</p></div>'


def test_text_diff_escapes_every_word():
    old = "Текст <b>жирный</b>"
    new = "Текст <script>alert('x')</script> & <b>жирный</b>"
    out = plugin.text_diff(old, new)
    assert "<script>" not in out and "<b>" not in out
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in out and "&amp;" in out
    assert plugin.is_text_diff_markup(out)


@pytest.mark.parametrize("value", [
    '<div class="text-diff"><p><script>alert(1)</script></p></div>',
    '<div class="text-diff"><p><ins onmouseover="x()">a</ins></p></div>',
    '<div class="text-diff"><p>a</p></div><img src=x onerror=alert(1)>',
    '<div class="text-diff" onclick="x()"><p>a</p></div>',
    "<p>not a diff</p>",
])
def test_render_cell_does_not_trust_lookalike_markup(value):
    assert not plugin.is_text_diff_markup(value)
    assert plugin.render_cell(value=value, column="diff", table=None, database="archive",
                              datasette=None) is None


def test_paragraphs_and_snippets_are_escaped():
    html = str(plugin.paragraphs("Один <script>x()</script>\n\nДва"))
    assert html == ('<div class="article-text"><p>Один &lt;script&gt;x()&lt;/script&gt;</p>'
                    '<p>Два</p></div>')
    snippet = str(plugin.render_cell(value="a \x02<b>ОДКБ</b>\x03 b \x02cut", column="snippet",
                                     table=None, database="archive", datasette=None))
    assert snippet == ('a <mark class="search-hit">&lt;b&gt;ОДКБ&lt;/b&gt;</mark> b '
                       '<mark class="search-hit">cut</mark>')


# -- reading while the crawler writes ------------------------------------------------------------
def test_datasette_reads_while_the_crawler_writes(tmp_path):
    db = tmp_path / "data" / "archive.db"
    config = serve.config_dir_for(db.parent.mkdir(parents=True) or build_sample_archive(db),
                                  tmp_path / "config")
    new_url = "https://khovar.tj/rus/2026/03/novaya-vstrecha-odkb/"

    async def scenario():
        ds = Datasette(config_dir=config)
        await ds.invoke_startup()
        database = ds.get_database("archive")
        assert (await database.execute("pragma journal_mode")).first()[0] == "wal"
        with Archive(db) as writer:
            # A crawl holds the write lock (mid-transaction) while Datasette answers.
            writer.db.execute("BEGIN IMMEDIATE")
            writer.db.execute("UPDATE documents SET last_checked = 'x' WHERE id = 1")
            during = await ds.client.get("/archive/documents.json?_shape=objects&id=1")
            assert during.status_code == 200 and during.json()["rows"][0]["last_checked"] != "x"
            writer.db.execute("ROLLBACK")

        # Datasette holds a read transaction open while the crawler stores and commits (in
        # rollback-journal mode that commit would wait for the reader and time out).
        def read_around_a_write(conn):
            conn.execute("BEGIN")
            before = conn.execute("select count(*) from documents").fetchone()[0]
            with Archive(db) as writer:
                writer.db.execute("PRAGMA busy_timeout = 2000")
                writer.store_article({"url": new_url, "site": "khovar", "language": "ru",
                                      "title": "Новая встреча ОДКБ",
                                      "text": "Секретари советов безопасности ОДКБ встретились."})
            still = conn.execute("select count(*) from documents").fetchone()[0]
            conn.execute("COMMIT")
            return before, still

        before, still = await database.execute_fn(read_around_a_write)
        assert still == before  # a consistent snapshot, and the writer was not blocked
        after = await ds.client.get("/archive/search_articles.json?_shape=objects&q=встретились")
        return before, [r["url"] for r in after.json()["rows"]]

    before, found = asyncio.run(scenario())
    assert found == [new_url]


# -- csto serve ----------------------------------------------------------------------------------
def test_serve_uses_the_archive_folder_itself_for_the_default_database(tmp_path):
    assert serve.config_dir_for(serve.CONFIG_DIR / "archive.db", tmp_path / "x") == serve.CONFIG_DIR
    assert not (tmp_path / "x").exists()


def test_serve_links_another_database_into_a_configuration_directory(tmp_path):
    db = tmp_path / "elsewhere" / "crawl-2026.db"
    Archive(db).close()
    config = serve.config_dir_for(db, tmp_path / "config")
    assert (config / "archive.db").resolve() == db.resolve()
    for entry in ("metadata.yml", "settings.json", "plugins"):
        assert (config / entry).resolve() == (serve.CONFIG_DIR / entry).resolve()
    argv = serve.datasette_argv(config, host="127.0.0.1", port=8123,
                                settings=[("sql_time_limit_ms", "9000")])
    assert argv == ["serve", str(config), "--host", "127.0.0.1", "--port", "8123",
                    "--setting", "sql_time_limit_ms", "9000"]


def test_settings_json_holds_only_known_datasette_settings():
    import json

    from datasette.app import DEFAULT_SETTINGS

    settings = json.loads((serve.CONFIG_DIR / "settings.json").read_text())
    assert set(settings) <= set(DEFAULT_SETTINGS) and settings["sql_time_limit_ms"] >= 1000


def test_csto_serve_without_an_archive_says_what_to_do(tmp_path, capsys):
    assert csto_main(["serve", "--db", str(tmp_path / "none.db")]) == 1
    assert "no archive at" in capsys.readouterr().err
