"""Generic quality: pages of sites without rules, extracted by the generic layers only.

Every page in ``tests/fixtures/generic/`` has its gold clean text and fields in the sidecar.
The corpus must beat trafilatura's own precision mode on the same pages (mean token F1, and
no page much worse); both scores are printed (``pytest -s``) for the record.
"""

from __future__ import annotations

import pytest
import trafilatura
from helpers import load_sidecar
from helpers_extract import extract_fixture, generic_sidecars, page_of, token_f1

from csto_crawler.extract import clean_text

PAGES = generic_sidecars()
LANGUAGES = {load_sidecar(p)["expected"]["language"] for p in PAGES}


def _id(path):
    return path.stem


def test_the_corpus_is_varied():
    assert len(PAGES) >= 25
    assert LANGUAGES >= {"ru", "kk", "ky", "tg", "en", "vi", "ar", "fa"}
    assert sum(load_sidecar(p)["expected"]["language"] == "ru" for p in PAGES) > len(PAGES) / 2
    for path in PAGES:
        data = load_sidecar(path)
        assert "reconstructed" in data["origin"] or "synthetic" in data["origin"]
        assert ".example/" in data["url"], "corpus pages live on fictional hosts"


@pytest.mark.parametrize("sidecar", PAGES, ids=_id)
def test_generic_page_fields(sidecar):
    expected = load_sidecar(sidecar)["expected"]
    got = extract_fixture(sidecar)
    assert token_f1(got.text, expected["text"]) >= 0.95
    assert got.title == expected["title"]
    assert got.published_at == expected["published_at"]
    assert got.language == expected["language"]
    assert got.source_credit == expected.get("source_credit")
    assert got.sources["text"] == "generic"
    # extract() output is already clean: the text cleaner changes nothing
    again = clean_text(got.text, title=got.title)
    assert again.text == got.text and again.source_credit is None


def test_beats_trafilatura_precision_mode():
    ours, theirs = [], []
    for sidecar in PAGES:
        data = load_sidecar(sidecar)
        gold = data["expected"]["text"]
        ours.append(token_f1(extract_fixture(sidecar).text, gold))
        baseline = trafilatura.extract(page_of(sidecar).read_bytes(), url=data["url"], favor_precision=True)
        theirs.append(token_f1(baseline, gold))
    mean_ours, mean_theirs = sum(ours) / len(ours), sum(theirs) / len(theirs)
    print(f"\ngeneric corpus, {len(PAGES)} pages: token F1 ours {mean_ours:.4f}, trafilatura precision {mean_theirs:.4f}")
    for sidecar, a, b in zip(PAGES, ours, theirs, strict=True):
        print(f"  {sidecar.stem:60s} ours {a:.3f}  trafilatura {b:.3f}")
    assert mean_ours > mean_theirs
    worse = [(p.stem, a, b) for p, a, b in zip(PAGES, ours, theirs, strict=True) if a < b - 0.02]
    assert not worse, worse
