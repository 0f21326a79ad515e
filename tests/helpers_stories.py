"""The checks of the story canned queries (``story``, ``first_published_by``,
``republished_from_others``), run by tests/test_datasette.py with its other checks on the
sample archive: one story of two sites, Khovar's text republished word for word by Asia-Plus
2 h 40 min later, crediting Khovar. ``rows_of(cfg, query, **params)`` runs a query."""

from __future__ import annotations

from test_datasette_sample import ASIAPLUS_COPY_URL, KHOVAR_RU_TITLE, KHOVAR_RU_URL

__all__ = ["STORY_CHECKS"]


def check_story(cfg, rows_of):
    rows = rows_of(cfg, "story")  # empty form: the story republished by the most sites
    assert [(r["site"], r["role"], r["url"]) for r in rows] == [
        ("khovar", "first publisher", KHOVAR_RU_URL), ("asiaplus", "republished", ASIAPLUS_COPY_URL)]
    # 14:00+05:00 then 16:40+05:00: the republication came 2 h 40 min later
    assert rows[1]["lag"] == "+0d 02h 40m" and rows[1]["lag_minutes"] == 160
    assert rows[1]["source_credit"] == "Ховар" and rows[0]["history"] == KHOVAR_RU_URL
    assert rows_of(cfg, "story", id=rows[0]["story"]) == rows
    assert rows_of(cfg, "story", id=999999) == []


def check_first_published_by(cfg, rows_of):
    (row,) = rows_of(cfg, "first_published_by")  # stories of more than one site
    assert (row["first_site"], row["sites"], row["articles"], row["picked_up_by"]) == (
        "khovar", 2, 2, "asiaplus")
    assert row["title"] == KHOVAR_RU_TITLE and row["first_pickup_hours"] == 2.7
    assert rows_of(cfg, "first_published_by", site="khovar") == [row]
    assert rows_of(cfg, "first_published_by", site="asiaplus") == []


def check_republished_from_others(cfg, rows_of):
    (row,) = rows_of(cfg, "republished_from_others")
    assert (row["site"], row["url"], row["original_site"], row["lag_hours"]) == (
        "asiaplus", ASIAPLUS_COPY_URL, "khovar", 2.7)
    assert rows_of(cfg, "republished_from_others", site="asiaplus") == [row]
    assert rows_of(cfg, "republished_from_others", site="khovar") == []


STORY_CHECKS = {
    "story": check_story,
    "first_published_by": check_first_published_by,
    "republished_from_others": check_republished_from_others,
}
