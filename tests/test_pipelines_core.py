"""Relevance, fingerprint and store pipelines, called directly with a real crawler."""

from __future__ import annotations

import pytest
from scrapy import Spider
from scrapy.exceptions import DropItem
from scrapy.utils.test import get_crawler
from sqlite_utils import Database

from csto_crawler.items import ArticleItem, FetchRecord
from pipelines.fingerprint import FingerprintPipeline, content_hash, normalize_for_hash
from pipelines.outcomes import SkipItem
from pipelines.relevance import RelevancePipeline, load_terms
from pipelines.store import StorePipeline

TERMS = "seeds/relevance_terms.yml"


@pytest.mark.parametrize("text", [
    "Саммит ОДКБ прошёл в Минске.",
    "заседание Организации Договора о коллективной безопасности",
    "в рамках Организацией договора о коллективной безопасности",
    "ҰҚШҰ бас хатшысы",
    "СААД дар Душанбе",
    "ЖККУнун катчысы",  # Kyrgyz agglutinates: the acronym is followed by a suffix
    "Tổ chức Hiệp ước về an ninh tập thể (CSTO) đã thảo luận",
    "Tổ chức Hiệp ước An ninh Tập thể",
    "لمنظمة معاهدة الأمن الجماعي",
    "The Collective Security Treaty Organization met",
    "ՀԱՊԿ գլխավոր քարտուղար",
])
def test_terms_match_every_language(text):
    assert load_terms(TERMS).find(text)


@pytest.mark.parametrize("text", [
    "Президент провёл совещание по экономике.",
    "саад",  # lowercase look-alike of the Tajik acronym
    "CSTOM is not a word we track",
    "ОДКБ2 is no acronym either",
    "Казахстан и Россия подписали соглашение о торговле.",
])
def test_terms_do_not_match_unrelated_text(text):
    assert load_terms(TERMS).find(text) is None


def test_bad_terms_file_gives_a_clear_error(tmp_path):
    bad = tmp_path / "terms.yml"
    bad.write_text("ru:\n  phrases: ['(unclosed']\n", encoding="utf-8")
    with pytest.raises(ValueError, match="bad phrase"):
        load_terms(bad)


def make_crawler(tmp_path, **settings):
    base = {"CSTO_ARCHIVE_DB": str(tmp_path / "a.db"), "CSTO_RELEVANCE_TERMS": TERMS}
    base.update(settings)
    crawler = get_crawler(Spider, base)
    crawler.spider = crawler._create_spider("testsite")
    return crawler


def article(**fields):
    base = dict(url="https://example.org/a-1", site="testsite", title="Саммит ОДКБ",
                text="Лидеры стран ОДКБ обсудили безопасность.", language="ru")
    base.update(fields)
    return ArticleItem(**base)


def test_relevance_drops_irrelevant_with_skip_item(tmp_path):
    pipeline = RelevancePipeline.from_crawler(make_crawler(tmp_path))
    assert pipeline.process_item(article()) is not None
    with pytest.raises(SkipItem) as info:
        pipeline.process_item(article(title="Погода", text="Завтра будет дождь."))
    assert info.value.outcome == "irrelevant"


def test_relevance_all_keeps_everything(tmp_path):
    pipeline = RelevancePipeline.from_crawler(make_crawler(tmp_path, CSTO_RELEVANCE="all"))
    item = article(title="Погода", text="Завтра будет дождь.")
    assert pipeline.process_item(item) is item


def test_relevance_rejects_unknown_mode(tmp_path):
    with pytest.raises(ValueError, match="CSTO_RELEVANCE"):
        RelevancePipeline.from_crawler(make_crawler(tmp_path, CSTO_RELEVANCE="some"))


def test_fingerprint_normalizes_before_hashing():
    a = content_hash("Заголовок", "Первый  абзац.\n\n\nВторой\u00a0абзац.")
    b = content_hash("Заголовок ", " Первый абзац.\nВторой абзац.\u200b")
    assert a == b
    assert content_hash("Заголовок", "Первый абзац.\nВторой абзац!") != a
    # NFC: a decomposed "й" hashes like the composed one
    assert content_hash("й", "x") == content_hash("и\u0306", "x")
    assert normalize_for_hash("T", "a\n\n b") == "T\na\nb"


def test_fingerprint_pipeline_sets_both_hashes(tmp_path):
    item = FingerprintPipeline.from_crawler(make_crawler(tmp_path)).process_item(article())
    assert item.content_hash == content_hash(item.title, item.text)
    assert item.short_hash == item.content_hash[:16]


def test_store_pipeline_records_articles_fetch_records_and_skips(tmp_path):
    crawler = make_crawler(tmp_path)
    store = StorePipeline.from_crawler(crawler)
    store.open_spider()
    store.process_item(article())
    with pytest.raises(DropItem):
        store.process_item(FetchRecord(url="https://example.org/gone", site="testsite",
                                       outcome="gone", http_status=410))
    skipped = article(url="https://example.org/weather", title="Погода", text="Дождь.")
    store.item_dropped(skipped, None, SkipItem("irrelevant", "no CSTO term"), crawler.spider)
    store.spider_closed(crawler.spider, "finished")
    db = Database(tmp_path / "a.db")
    outcomes = {r["url"]: r["outcome"] for r in db.query("SELECT url, outcome FROM fetches")}
    assert outcomes == {"https://example.org/a-1": "new", "https://example.org/gone": "gone",
                        "https://example.org/weather": "irrelevant"}
    run = next(db.query("SELECT * FROM runs"))
    assert run["spider"] == "testsite" and run["finish_reason"] == "finished"
    assert '"csto/store/new": 1' in run["stats"]
    assert db["documents"].count == 1
    assert next(db.query("SELECT slug FROM sites"))["slug"] == "testsite"


def test_the_store_pipeline_and_the_capture_log_of_a_crawl_share_one_connection(tmp_path):
    """One connection per archive in a crawl process: with two, each commit of one made SQLite
    drop the other's page cache (docs/benchmarks.md, session 10)."""
    from csto_crawler.capture.middleware import CaptureMiddleware

    crawler = make_crawler(tmp_path, CSTO_CAPTURE="articles")
    store = StorePipeline.from_crawler(crawler)
    store.open_spider()
    captures = CaptureMiddleware.from_crawler(crawler)
    captures.spider_opened(crawler.spider)
    try:
        assert captures._capture_log().db is store.archive.db
        store.process_item(article())
    finally:
        store.spider_closed(crawler.spider, "finished")
        captures.spider_closed(crawler.spider, "finished")
    assert Database(tmp_path / "a.db")["versions"].count == 1
