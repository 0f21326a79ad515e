"""Blind held-out corpora: our generic extraction must beat trafilatura's precision mode.

Two corpora, each reconstructed with its gold texts written before the extraction code was
read: ``tests/fixtures/heldout/`` (see its README; it was then used to tune the rules, so it
is no longer blind) and ``tests/fixtures/heldout2/`` (a second, independent blind measurement:
regional Russian portals and papers, Bitrix/WordPress/uCoz/Tilda sites, layout tables, AMP,
live blogs, think-tank analyses, Central Asian, Belarusian and Armenian media).
``bench/heldout_eval.py [--folder DIR]`` prints the full table and a diagnosis. No site rules
apply (fictional hosts): this measures the generic layers only.

Thresholds come from the measured numbers with some slack, so a harmless change does not trip
them while a real regression does:

* heldout: ours mean token F1 0.976, median 0.979, title 1.00, same-day date 1.00;
  trafilatura mean 0.903 (before the fixes it prompted, one page was at F1 0.009);
* heldout2, measured blind: ours mean 0.938, median 0.979, title 0.97, same-day date 0.81,
  three pages worse than trafilatura by more than 0.02 (two layout-table papers fail the
  page test) against trafilatura's mean 0.907; after the generic fixes it prompted: mean
  0.961, median 1.000, title 1.00, same-day date 0.94 (pages that print a local time without
  a zone are right only to the day, by design: no offset is invented).
"""

from __future__ import annotations

from functools import cache

import pytest

from bench.heldout_eval import HELDOUT, HELDOUT2, PageResult, evaluate_page, pages, summarise

#: Our mean token F1 must exceed trafilatura's by at least this much.
MEAN_MARGIN = 0.04
#: On no page may ours be worse than trafilatura by more than this.
PAGE_SLACK = 0.05
#: Per corpus: the languages it must hold, and our own floors.
CORPORA = {
    "heldout": {"folder": HELDOUT, "languages": {"kk", "ky", "tg", "en"},
                "min_title": 0.9, "min_day": 0.9, "min_median": 0.95},
    "heldout2": {"folder": HELDOUT2, "languages": {"kk", "ky", "be", "en"},
                 "min_title": 0.9, "min_day": 0.85, "min_median": 0.95},
}
PAGES = {corpus: pages(spec["folder"]) for corpus, spec in CORPORA.items()}
ALL_PAGES = [(corpus, p.stem) for corpus, found in PAGES.items() for p in found]


@cache
def result(corpus: str, name: str) -> PageResult:
    return evaluate_page(next(p for p in PAGES[corpus] if p.stem == name))


@cache
def results(corpus: str) -> tuple[PageResult, ...]:
    return tuple(result(corpus, p.stem) for p in PAGES[corpus])


@pytest.mark.parametrize("corpus", sorted(CORPORA))
def test_corpus_is_there(corpus):
    languages = [r.language for r in results(corpus)]
    assert len(PAGES[corpus]) >= 30 and languages.count("ru") >= 24, languages
    assert CORPORA[corpus]["languages"] <= set(languages)


@pytest.mark.parametrize("corpus", sorted(CORPORA))
def test_mean_f1_beats_trafilatura(corpus):
    s = summarise(list(results(corpus)))
    assert s.mean_ours >= s.mean_traf + MEAN_MARGIN, f"ours {s.mean_ours:.3f} vs trafilatura {s.mean_traf:.3f}"
    assert s.median_ours >= CORPORA[corpus]["min_median"], f"median {s.median_ours:.3f}"


@pytest.mark.parametrize(("corpus", "name"), ALL_PAGES)
def test_page_not_much_worse_than_trafilatura(corpus, name):
    r = result(corpus, name)
    assert r.f1_ours >= r.f1_traf - PAGE_SLACK, (
        f"{name}: ours {r.f1_ours:.3f} vs trafilatura {r.f1_traf:.3f}; "
        f"run bench/heldout_eval.py --folder tests/fixtures/{corpus} --page {name} --diagnose 1"
    )


@pytest.mark.parametrize("corpus", sorted(CORPORA))
def test_titles_and_dates(corpus):
    spec = CORPORA[corpus]
    s = summarise(list(results(corpus)))
    assert s.title_ours >= max(spec["min_title"], s.title_traf), f"title {s.title_ours:.2f} vs {s.title_traf:.2f}"
    assert s.date_day_ours >= spec["min_day"], f"published_at same day {s.date_day_ours:.2f}"
    assert s.date_exact_ours > s.date_exact_traf
