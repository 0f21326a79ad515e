"""The refresh policy: schedules thin out with age; the archive state decides per URL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from csto_crawler.refresh import ArchiveState, RecheckSchedule, parse_duration
from pipelines.archive import Archive

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
SCHEDULE = RecheckSchedule.parse("1d:4h,7d:1d,30d:7d,*:30d")


def test_parse_duration():
    assert parse_duration("4h") == timedelta(hours=4)
    assert parse_duration("2w") == timedelta(days=14)
    with pytest.raises(ValueError, match="not a duration"):
        parse_duration("soon")


@pytest.mark.parametrize("spec,error", [
    ("1d:4h", "needs a final"),
    ("7d:1d,1d:4h,*:30d", "must increase"),
    ("1d,*:1d", "AGE:INTERVAL"),
])
def test_bad_schedules_are_refused_with_a_reason(spec, error):
    with pytest.raises(ValueError, match=error):
        RecheckSchedule.parse(spec)


@pytest.mark.parametrize("age,checked_ago,due", [
    (timedelta(hours=2), timedelta(hours=1), False),
    (timedelta(hours=10), timedelta(hours=5), True),
    (timedelta(days=3), timedelta(hours=20), False),
    (timedelta(days=3), timedelta(days=1, hours=1), True),
    (timedelta(days=20), timedelta(days=6), False),
    (timedelta(days=20), timedelta(days=8), True),
    (timedelta(days=400), timedelta(days=29), False),
    (timedelta(days=400), timedelta(days=31), True),
])
def test_schedule_thins_out_with_age(age, checked_ago, due):
    assert SCHEDULE.is_due(born=NOW - age, last_checked=NOW - checked_ago, now=NOW) is due


def test_never_stops_rechecking_old_articles():
    schedule = RecheckSchedule.parse("30d:1d,*:never")
    assert not schedule.is_due(born=NOW - timedelta(days=90), last_checked=NOW - timedelta(days=80),
                               now=NOW)


class FixedClock:
    def __init__(self, moment):
        self.moment = moment

    def __call__(self):
        return self.moment


def test_archive_state_knows_documents_aliases_and_irrelevant_pages(tmp_path):
    db = tmp_path / "a.db"
    with Archive(db, clock=FixedClock(NOW - timedelta(days=2))) as arch:
        arch.store_article({"url": "https://s.example/a", "canonical_url": None, "site": "s",
                            "title": "ОДКБ", "text": "Текст.", "etag": '"abc"',
                            "last_modified": "Sun, 01 Mar 2026 10:00:00 GMT",
                            "published_at": "2026-02-27T10:00:00+03:00"})
        arch.store_article({"url": "https://s.example/b?utm_source=x",
                            "canonical_url": "https://s.example/b", "site": "s",
                            "title": "ОДКБ 2", "text": "Другой текст."})
        arch.record_fetch(url="https://s.example/sport", site="s", outcome="irrelevant")
        arch.record_fetch(url="https://other.example/x", site="other", outcome="irrelevant")
    state = ArchiveState.load(db, "s")
    assert state.knows("https://s.example/b?utm_source=x") and state.knows("https://s.example/b")
    assert not state.knows("https://other.example/x")
    assert state.decide("https://s.example/sport", now=NOW, schedule=SCHEDULE) == "skip"
    assert state.decide("https://s.example/new", now=NOW, schedule=SCHEDULE) == "new"
    # born 2 days before the check, checked 2 days ago: daily re-checks -> due
    assert state.decide("https://s.example/a", now=NOW, schedule=SCHEDULE) == "recheck"
    assert state.get("https://s.example/a").conditional_headers() == {
        "If-None-Match": '"abc"', "If-Modified-Since": "Sun, 01 Mar 2026 10:00:00 GMT"}
    assert {e.url for e in state.due(now=NOW, schedule=SCHEDULE)} == {
        "https://s.example/a", "https://s.example/b"}
    fresh = RecheckSchedule.parse("*:30d")
    assert state.due(now=NOW, schedule=fresh) == []


def test_gone_documents_are_not_due(tmp_path):
    db = tmp_path / "a.db"
    with Archive(db, clock=FixedClock(NOW - timedelta(days=40))) as arch:
        arch.store_article({"url": "https://s.example/a", "site": "s", "title": "ОДКБ", "text": "T"})
        arch.record_fetch(url="https://s.example/a", site="s", outcome="gone")
        arch.record_fetch(url="https://s.example/a", site="s", outcome="gone")
    assert ArchiveState.load(db, "s").due(now=NOW, schedule=SCHEDULE) == []


def test_missing_archive_is_an_empty_state(tmp_path):
    state = ArchiveState.load(tmp_path / "none.db", "s")
    assert len(state) == 0 and state.decide("https://s.example/a", now=NOW,
                                            schedule=SCHEDULE) == "new"


def test_blocked_pages_are_known_but_retried_and_gone_ones_left_alone(tmp_path):
    db = tmp_path / "a.db"
    with Archive(db, clock=FixedClock(NOW - timedelta(days=1))) as arch:
        arch.record_fetch(url="https://s.example/challenge", site="s", outcome="blocked")
        arch.record_fetch(url="https://s.example/broken", site="s", outcome="error")
        arch.record_fetch(url="https://s.example/never-was", site="s", outcome="gone")
    state = ArchiveState.load(db, "s")
    for url in ("challenge", "broken", "never-was"):
        assert state.knows(f"https://s.example/{url}")
    assert state.decide("https://s.example/challenge", now=NOW, schedule=SCHEDULE) == "new"
    assert state.decide("https://s.example/broken", now=NOW, schedule=SCHEDULE) == "new"
    assert state.decide("https://s.example/never-was", now=NOW, schedule=SCHEDULE) == "skip"
