"""``csto demo`` shows a real story: the sample web's statement of the CSTO Collective Security
Council (Astana, 28 November 2024), published first by Akorda and republished by 24.kg (its own
first sentence, the last paragraph dropped), Asia-Plus (a dateline, a reworded sentence, a
credit) and Khovar (its dateline, the next morning), is one story of four sites; the other
articles on the same session are stories of their own; a second run changes no story."""

from __future__ import annotations

import sqlite3

import pytest
from test_demo import run_demo

pytestmark = pytest.mark.e2e

STATEMENT = {
    "akorda": "https://www.akorda.kz/ru/zayavlenie-soveta-kollektivnoy-bezopasnosti-odkb-po-"
              "itogam-sessii-v-astane-2811245",
    "kg24": "https://24.kg/vlast/313260_odkb_prinyala_zayavlenie_po_itogam_sessii_vastane/",
    "asiaplus": "https://asiaplustj.info/ru/news/centralasia/security/20241128/"
                "lideri-odkb-v-astane-prinyali-sovmestnoe-zayavlenie",
    "khovar": "https://khovar.tj/rus/2024/11/sovet-kollektivnoj-bezopasnosti-odkb-prinyal-"
              "zayavlenie-po-itogam-sessii-v-astane/",
}
#: Two other articles on the same session: each its own story.
SAME_EVENT = [
    "https://24.kg/vlast/313217_sadyir_japarov_prinyal_uchastie_vsessii_soveta_kollektivnoy_"
    "bezopasnosti_odkb_vastane/",
    "https://asiaplustj.info/ru/news/tajikistan/politics/20241128/"
    "emomali-rahmon-prinyal-uchastie-v-sessii-skb-odkb-v-astane",
]


def snapshot(db) -> tuple[list, list]:
    conn = sqlite3.connect(db)
    try:
        return (conn.execute("SELECT url, story_id FROM documents ORDER BY id").fetchall(),
                conn.execute("SELECT * FROM stories ORDER BY id").fetchall())
    finally:
        conn.close()


def test_the_demo_shows_one_statement_republished_by_four_sites(tmp_path):
    db = tmp_path / "archive.db"
    out, _ = run_demo(db)
    documents, stories = snapshot(db)
    story_of = dict(documents)
    statement = {story_of[url] for url in STATEMENT.values()}
    assert len(statement) == 1 and None not in statement
    (story,) = [s for s in stories if s[0] in statement]
    # (id, title, first_published, first_site, first_document_id, sites, articles, …)
    assert story[3] == "akorda" and story[2] == "2024-11-28T11:40:00Z"
    assert (story[5], story[6]) == (4, 4)
    others = [story_of[url] for url in SAME_EVENT]
    assert len(set(others)) == 2 and not set(others) & statement
    assert f"first published by akorda: http://127.0.0.1:8001/archive/story?id={story[0]}" in out
    assert (tmp_path / "coverage.svg").read_text(encoding="utf-8").startswith("<svg")

    again, _ = run_demo(db)
    assert "this run added 0 versions" in again
    assert snapshot(db) == (documents, stories)
