"""Stories across sites: normalisation, the exact check, the persisted LSH index, how documents
join or start stories, new versions, re-runs, the upgrade of an older archive, and precision and
recall on pairs built from the project's own fixture texts (``bench/story_pairs.py``)."""

from __future__ import annotations

import json
import sqlite3
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlite_utils import Database

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench import story_pairs  # noqa: E402
from pipelines.archive import Archive  # noqa: E402
from pipelines.schema import MIGRATIONS  # noqa: E402
from pipelines.stories import StoryIndex  # noqa: E402
from pipelines.stories.index import BANDS, band_keys, minhash  # noqa: E402
from pipelines.stories.text import normalise, shingles, similar, strip_furniture  # noqa: E402

FIXTURES = ROOT / "tests" / "fixtures"


def fixture_text(relative: str) -> dict:
    return json.loads((FIXTURES / relative).read_text(encoding="utf-8"))["expected"]


KG24 = fixture_text("kg24/ru_article_2024-11-28.json")
OTHER_KG24 = fixture_text("kg24/ru_article_2024-06-07.json")
AKORDA = fixture_text("akorda/ru_article_2023-11-23.json")


class Clock:
    def __init__(self) -> None:
        self.moment = datetime(2026, 3, 1, 6, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        self.moment += timedelta(minutes=1)
        return self.moment


@pytest.fixture
def archive(tmp_path):
    with Archive(tmp_path / "archive.db", clock=Clock()) as opened:
        yield opened


def store(archive: Archive, url: str, site: str, text: str, **fields) -> int:
    """Store an article and place it, as the store pipeline does; its document id."""
    item = {"url": url, "site": site, "title": fields.pop("title", "Заголовок"), "text": text,
            "language": "ru", **fields}
    result = archive.store_article(item)
    if result.version_id is not None:
        StoryIndex(archive.db, now=archive.now).assign(result.document_id)
    return result.document_id


def story_of(archive: Archive, document_id: int) -> int:
    return archive.db.execute("SELECT story_id FROM documents WHERE id = ?",
                              (document_id,)).fetchone()[0]


# -- the text ----------------------------------------------------------------------------------
@pytest.mark.parametrize("dateline", [
    "АСТАНА, 2 декабря. /Казинформ/ – ", "ДУШАНБЕ, 23.08.2021 /НИАТ «Ховар»/. ",
    "БИШКЕК, 28 ноя — Sputnik. ", "МИНСК, 15 мая (БЕЛТА) – ", "ASTANA, December 2 /Kazinform/ – ",
])
def test_a_dateline_and_credit_lines_are_not_compared(dateline):
    text = KG24["text"]
    dressed = f"{dateline}{text}\n\nИсточник: Казинформ\n\nФото: пресс-служба\n\n© Kazinform"
    assert normalise(dressed) == normalise(text)
    assert shingles(dressed) == shingles(text)


def test_a_first_sentence_that_is_no_dateline_is_kept():
    assert strip_furniture("ОДКБ провела учения. Второе предложение.").startswith("ОДКБ провела")
    assert normalise("Ёлки, 2024 года: «ОДКБ»!") == ["елки", "года", "одкб"]


def test_republications_pass_the_exact_check_and_other_articles_do_not():
    original = shingles(KG24["text"])
    paragraphs = KG24["text"].split("\n\n")
    trimmed = shingles("\n\n".join(paragraphs[:-1]))
    reworded = shingles(KG24["text"].replace("обсудили состояние", "рассмотрели состояние"))
    assert similar(original, trimmed) > 0 and similar(original, reworded) > 0
    assert similar(original, shingles(OTHER_KG24["text"])) == 0
    assert similar(original, shingles(AKORDA["text"])) == 0
    # a digest quoting this item and two others contains it, but is three items long
    digest = "\n\n".join([KG24["text"], OTHER_KG24["text"], AKORDA["text"]])
    assert similar(original, shingles(digest)) == 0


def test_signatures_and_band_keys_are_stable_and_shared_by_copies():
    signature = minhash(shingles(KG24["text"]))
    assert signature.dtype.str == "<u4" and len(band_keys(signature)) == BANDS
    assert band_keys(signature) == band_keys(minhash(shingles("БИШКЕК, 28 ноя — Sputnik. "
                                                              + KG24["text"])))


# -- stories in the archive --------------------------------------------------------------------
def test_a_republication_joins_and_the_earliest_publication_is_the_first(archive):
    first = store(archive, "https://24.kg/1", "kg24", KG24["text"],
                  published_at="2024-11-28T13:55:00+06:00", title="Жапаров в Астане")
    copy = store(archive, "https://akorda.kz/2", "akorda",
                 "АСТАНА, 28 ноября. /Казинформ/ – " + KG24["text"] + "\n\nФото: Акорда",
                 published_at="2024-11-28T12:00:00+05:00", title="Сессия СКБ ОДКБ")
    other = store(archive, "https://24.kg/3", "kg24", OTHER_KG24["text"],
                  published_at="2024-11-28T15:00:00+06:00")
    assert story_of(archive, first) == story_of(archive, copy) != story_of(archive, other)
    story = archive.db["stories"].get(story_of(archive, first))
    # 12:00+05:00 is 07:00 UTC, before 13:55+06:00 (07:55 UTC): akorda published first
    assert (story["first_site"], story["first_published"], story["title"]) == (
        "akorda", "2024-11-28T07:00:00Z", "Сессия СКБ ОДКБ")
    assert (story["sites"], story["articles"], story["first_document_id"]) == (2, 2, copy)
    row = next(archive.db.query("SELECT story_id, story_sites FROM articles WHERE document_id = ?",
                                (first,)))
    assert row == {"story_id": story["id"], "story_sites": 2}


def test_without_a_date_the_first_fetch_is_the_first_publication(archive):
    undated = store(archive, "https://24.kg/1", "kg24", KG24["text"])
    store(archive, "https://akorda.kz/2", "akorda", KG24["text"] + "\n\nФото: Акорда")
    story = archive.db["stories"].get(story_of(archive, undated))
    seen = archive.db["documents"].get(undated)["first_seen"]  # 2026-03-01T06:01:00+00:00
    assert story["first_site"] == "kg24" and story["first_published"] == seen[:19] + "Z"


def test_a_rerun_adds_no_story_and_changes_no_story_id(archive):
    ids = [store(archive, f"https://24.kg/{i}", "kg24", text)
           for i, text in enumerate([KG24["text"], OTHER_KG24["text"], KG24["text"] + " Итог."])]
    before = list(archive.db.query("SELECT id, story_id FROM documents ORDER BY id"))
    stories = list(archive.db.query("SELECT * FROM stories ORDER BY id"))
    for i, text in enumerate([KG24["text"], OTHER_KG24["text"], KG24["text"] + " Итог."]):
        store(archive, f"https://24.kg/{i}", "kg24", text)  # unchanged: no version, no placing
    index = StoryIndex(archive.db, now=archive.now)
    assert [index.assign(i) for i in ids] == [row["story_id"] for row in before]
    assert index.pending() == [] and index.assign_pending() == 0
    assert list(archive.db.query("SELECT id, story_id FROM documents ORDER BY id")) == before
    assert list(archive.db.query("SELECT * FROM stories ORDER BY id")) == stories


def test_an_edit_keeps_the_story_and_a_rewrite_leaves_it(archive):
    doc = store(archive, "https://24.kg/1", "kg24", KG24["text"])
    copy = store(archive, "https://akorda.kz/2", "akorda", KG24["text"])
    story = story_of(archive, doc)
    store(archive, "https://24.kg/1", "kg24",
          KG24["text"].replace("обсудили", "подробно обсудили") + "\n\nДобавлен абзац.")
    assert story_of(archive, doc) == story
    # the page now carries a different article: it leaves the story, which keeps its copy
    store(archive, "https://24.kg/1", "kg24", OTHER_KG24["text"] + "\n\n" + OTHER_KG24["text"])
    assert story_of(archive, doc) != story and story_of(archive, copy) == story
    assert archive.db["stories"].get(story)["articles"] == 1
    assert archive.db["stories"].count == 2
    # the copy is rewritten too: its old story has no member left and is deleted
    store(archive, "https://akorda.kz/2", "akorda", AKORDA["text"] + "\n\n" + AKORDA["text"])
    assert archive.db["stories"].count == 2
    assert not list(archive.db.query("SELECT id FROM stories WHERE id = ?", (story,)))


def test_the_lsh_index_is_persisted_and_replaced_with_a_new_version(archive):
    doc = store(archive, "https://24.kg/1", "kg24", KG24["text"])
    assert archive.db["story_bands"].count == BANDS
    signature = archive.db["story_signatures"].get(doc)
    store(archive, "https://24.kg/1", "kg24", KG24["text"] + "\n\nНовый абзац с итогами встречи.")
    assert archive.db["story_bands"].count == BANDS
    assert archive.db["story_signatures"].get(doc)["version_id"] != signature["version_id"]


def test_an_older_archive_is_upgraded_and_its_documents_placed(tmp_path):
    path = tmp_path / "old.db"
    db = Database(sqlite3.connect(path, isolation_level=None))
    MIGRATIONS.apply(db, stop_before="004_stories")  # an archive from before stories
    db.execute("INSERT INTO sites (slug, name) VALUES ('kg24', 'kg24')")
    for i, text in enumerate([KG24["text"], "МИНСК (БЕЛТА) – " + KG24["text"], AKORDA["text"]],
                             start=1):
        db.execute("INSERT INTO contents VALUES (?, ?, NULL, ?, ?)", (f"h{i}", f"h{i}", text,
                                                                      len(text)))
        db.execute("INSERT INTO documents (id, site, url, first_seen, last_checked, "
                   "current_version_id, versions) VALUES (?, 'kg24', ?, '2026-01-01', "
                   "'2026-01-01', ?, 1)", (i, f"https://x/{i}", i))
        db.execute("INSERT INTO versions (id, document_id, number, content_hash, fetched_at) "
                   "VALUES (?, ?, 1, ?, '2026-01-01')", (i, i, f"h{i}"))
    db.conn.close()
    with Archive(path, clock=Clock()) as archive:
        assert archive.db.execute("SELECT COUNT(*) FROM documents WHERE story_id IS NULL"
                                  ).fetchone()[0] == 3
        index = StoryIndex(archive.db, now=archive.now)
        assert len(index.pending()) == 3 and index.assign_pending() == 3
        stories = [story_of(archive, i) for i in (1, 2, 3)]
        assert stories[0] == stories[1] != stories[2]


# -- precision and recall on real texts --------------------------------------------------------
def test_same_story_precision_and_recall_on_pairs_from_the_fixture_texts():
    sources, pairs = story_pairs.build_pairs(dev_real=None)
    assert len(sources) >= 60 and len(pairs) >= 500
    results = story_pairs.score(pairs)
    assert results["all"]["precision"] >= 0.98 and results["all"]["recall"] >= 0.95, results
    for kind in ("same_site_other_article", "shared_opening", "digest_of_three"):
        assert results[kind]["judged_same"] <= 0.02 * results[kind]["pairs"], (kind, results)


# -- the store pipeline's story step -----------------------------------------------------------
def test_the_store_pipeline_places_new_versions_and_pending_documents(tmp_path):
    from scrapy import Spider
    from scrapy.utils.test import get_crawler

    from csto_crawler.items import ArticleItem
    from pipelines.store import StorePipeline

    path = tmp_path / "a.db"
    with Archive(path) as archive:  # stored before stories were placed (an upgrade, a crash)
        archive.store_article({"url": "https://24.kg/1", "site": "kg24", "text": KG24["text"]})

    def crawl(*items: ArticleItem) -> None:
        crawler = get_crawler(Spider, {"CSTO_ARCHIVE_DB": str(path)})
        crawler.spider = crawler._create_spider("akorda")
        store = StorePipeline.from_crawler(crawler)
        store.open_spider()
        for item in items:
            store.process_item(item)
        store.spider_closed(crawler.spider, "finished")

    copy = ArticleItem(url="https://akorda.kz/2", site="akorda", title="Копия", language="ru",
                       text="АСТАНА, 28 ноября. /Казинформ/ – " + KG24["text"])
    other = ArticleItem(url="https://akorda.kz/3", site="akorda", title="Другое", language="ru",
                        text=AKORDA["text"])
    crawl(copy, other)
    db = Database(path)
    stories = {r["url"]: r["story_id"] for r in db.query("SELECT url, story_id FROM documents")}
    assert stories["https://24.kg/1"] == stories["https://akorda.kz/2"] != stories["https://akorda.kz/3"]
    assert None not in stories.values()
    before = list(db.query("SELECT * FROM stories ORDER BY id"))
    crawl(copy, other)  # unchanged: nothing placed again
    assert list(db.query("SELECT * FROM stories ORDER BY id")) == before
    assert {r["url"]: r["story_id"] for r in db.query("SELECT url, story_id FROM documents")} == stories


def test_signatures_are_datasketchs_whatever_the_set():
    """``minhash`` gives the values of datasketch 2.0.0's ``MinHash`` (seed 1, 120 permutations,
    its default scheme), on which archives written before were indexed: empty, tiny, and sets
    crossing the chunk size, hashes at both ends of the 32-bit range, from a set or an array."""
    import random

    import numpy as np
    from datasketch import MinHash

    from pipelines.stories.index import _CHUNK, _SEED, NUM_PERM

    template = MinHash(num_perm=NUM_PERM, seed=_SEED, hashfunc=int)
    rng = random.Random(16)
    for size in (0, 1, 2, 9, 300, _CHUNK - 1, _CHUNK, _CHUNK + 1, 3 * _CHUNK + 5):
        hashes = frozenset(rng.getrandbits(32) for _ in range(size))
        if size > 2:
            hashes |= {0, 1, 2**32 - 1}
        reference = MinHash(num_perm=NUM_PERM, seed=_SEED, hashfunc=int, scheme=template.scheme,
                            permutations=template.permutations)
        reference.update_batch(list(hashes))
        expected = np.asarray(reference.hashvalues, dtype="<u4")
        assert np.array_equal(minhash(hashes), expected), size
        assert np.array_equal(minhash(np.array(sorted(hashes), dtype="<u4")), expected), size
    assert template.scheme == "affine32"  # the scheme ``minhash`` reproduces


def test_placing_stories_imports_neither_datasketch_nor_scipy(tmp_path):
    """They cost every crawl process 0.9 s of CPU and 41 MB (SciPy) for two arrays."""
    import subprocess

    program = f"""
import sys
from pipelines.archive import Archive
from pipelines.stories import StoryIndex
archive = Archive({str(tmp_path / "a.db")!r})
index = StoryIndex(archive.db, now=archive.now)
for number in (1, 2):
    result = archive.store_article({{"url": f"https://24.kg/{{number}}", "site": "kg24", "title": "Т",
                                    "text": {KG24["text"]!r}, "language": "ru"}})
    index.assign(result.document_id)
stories = [r[0] for r in archive.db.execute("SELECT story_id FROM documents")]
print(len(stories), len(set(stories)), sorted(name for name in ("datasketch", "scipy") if name in sys.modules))
"""
    out = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True, check=True,
                         cwd=Path(__file__).resolve().parents[1]).stdout
    assert out.strip() == "2 1 []"  # two copies, one story, placed without either


def test_the_coverage_chart_of_an_empty_archive_says_so(archive):
    from xml.etree import ElementTree

    from pipelines.stories.chart import coverage_svg

    svg = coverage_svg(archive.db.conn)
    assert "No articles in the archive yet." in svg
    ElementTree.fromstring(svg)  # well-formed
