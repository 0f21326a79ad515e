"""Blind evaluation: our generic extraction against trafilatura on the held-out corpus.

Run: ``.venv/bin/python bench/heldout_eval.py [--folder DIR] [--diagnose N] [--page NAME]``

The corpus is ``tests/fixtures/heldout/`` (its README says how the pages and the gold texts
were made); ``--folder`` evaluates another one, e.g. the second blind corpus
``tests/fixtures/heldout2/`` (same sidecar shape). For every page it scores

* token F1 (bag of lower-cased ``\\w+`` tokens) of ``csto_crawler.extract.extract(html, url)``
  with no site rules (the generic layers) and of
  ``trafilatura.extract(html, favor_precision=True, include_comments=False)`` against the
  gold ``expected.text``;
* title exact match (after whitespace normalisation) for both (trafilatura's title from
  ``bare_extraction(..., with_metadata=True)``);
* ``published_at``: *exact* (same instant when the gold has an offset, same wall-clock time
  when the gold is naive, same day when the gold is a day) and *day* (same calendar day in
  the gold's zone). trafilatura reports days only, so its exact score is the day score of
  the pages whose gold is a bare day. A page that states no date (gold null) scores only a
  null prediction as right.

It prints one row per page, the summary (mean/median F1, pages where ours is worse than
trafilatura by more than 0.02, title and date accuracy) and, with ``--diagnose N``, the N
worst pages of ours with the lines that leaked in and the gold paragraphs that were lost.
``tests/test_extract_heldout.py`` asserts on the same numbers.
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import sys
import unicodedata
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import trafilatura  # noqa: E402

from csto_crawler.extract import extract  # noqa: E402
from csto_crawler.extract.evaluate import token_f1, tokens  # noqa: E402

HELDOUT = ROOT / "tests" / "fixtures" / "heldout"
HELDOUT2 = ROOT / "tests" / "fixtures" / "heldout2"
WORSE_MARGIN = 0.02
_CHARSET = re.compile(r"charset=([\w-]+)", re.IGNORECASE)


def same_title(got: str | None, gold: str) -> bool:
    """Exact title match after Unicode and whitespace normalisation."""
    def norm(s: str) -> str:
        return " ".join(unicodedata.normalize("NFC", s).split())
    return bool(got) and norm(got) == norm(gold)


def _parse(value: str | None) -> datetime | date | None:
    if not value:
        return None
    value = value.strip()
    try:
        if len(value) == 10:
            return date.fromisoformat(value)
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None


def date_scores(got: str | None, gold: str) -> tuple[bool, bool]:
    """(exact, same day) of a predicted ``published_at`` against the gold one."""
    g, p = _parse(gold), _parse(got)
    if not gold:  # the page states no date: only "none" is right
        return (not got,) * 2
    if g is None or p is None:
        return False, False
    if not isinstance(g, datetime):  # the gold is a bare day
        day = (p if not isinstance(p, datetime) else p.date()) == g
        return day, day
    if not isinstance(p, datetime):  # a bare predicted day against a timestamp
        return False, p == g.date()
    if g.tzinfo is not None and p.tzinfo is not None:
        return p == g, p.astimezone(g.tzinfo).date() == g.date()
    if g.tzinfo is None:  # naive gold: wall-clock time as the page shows it
        return p.replace(tzinfo=None) == g, p.date() == g.date()
    return False, p.date() == g.date()  # naive prediction of an aware gold: not exact


@dataclass
class PageResult:
    """Scores of one held-out page for both extractors."""

    name: str
    language: str
    gold: str
    ours_text: str
    traf_text: str
    f1_ours: float
    f1_traf: float
    title_ours: bool
    title_traf: bool
    date_ours: tuple[bool, bool]
    date_traf: tuple[bool, bool]
    ours_title: str | None
    ours_date: str | None
    traf_title: str | None
    traf_date: str | None


def pages(folder: Path = HELDOUT) -> list[Path]:
    """The held-out sidecars (articles only)."""
    return sorted(p for p in folder.glob("*.json") if json.loads(p.read_text(encoding="utf-8")).get("kind") == "article")


def evaluate_page(sidecar: Path) -> PageResult:
    """Run both extractors on one page and score them."""
    data = json.loads(sidecar.read_text(encoding="utf-8"))
    body = sidecar.with_suffix(".html").read_bytes()
    match = _CHARSET.search(data.get("content_type") or "")
    encoding = match.group(1) if match else "utf-8"
    html = body.decode(encoding, errors="replace")
    gold = data["expected"]
    ours = extract(body, data["url"], None, encoding=encoding)
    traf_text = trafilatura.extract(html, favor_precision=True, include_comments=False) or ""
    meta = trafilatura.bare_extraction(html, url=data["url"], favor_precision=True, include_comments=False, with_metadata=True)
    meta = meta.as_dict() if hasattr(meta, "as_dict") else (meta or {})
    return PageResult(
        name=sidecar.stem, language=gold.get("language") or "", gold=gold["text"],
        ours_text=ours.text or "", traf_text=traf_text,
        f1_ours=token_f1(ours.text, gold["text"]), f1_traf=token_f1(traf_text, gold["text"]),
        title_ours=same_title(ours.title, gold["title"]), title_traf=same_title(meta.get("title"), gold["title"]),
        date_ours=date_scores(ours.published_at, gold["published_at"]),
        date_traf=date_scores(meta.get("date"), gold["published_at"]),
        ours_title=ours.title, ours_date=ours.published_at, traf_title=meta.get("title"), traf_date=meta.get("date"),
    )


def evaluate(folder: Path = HELDOUT) -> list[PageResult]:
    """Scores of every held-out page."""
    return [evaluate_page(p) for p in pages(folder)]


@dataclass
class Summary:
    """Corpus-level numbers of one evaluation."""

    n: int
    mean_ours: float
    mean_traf: float
    median_ours: float
    median_traf: float
    worse: list[str]
    title_ours: float
    title_traf: float
    date_exact_ours: float
    date_exact_traf: float
    date_day_ours: float
    date_day_traf: float


def summarise(results: list[PageResult]) -> Summary:
    """Mean/median F1, pages where ours loses by more than ``WORSE_MARGIN``, accuracies."""
    n = len(results)

    def rate(values) -> float:
        return sum(1 for v in values if v) / n if n else 0.0
    return Summary(
        n=n,
        mean_ours=statistics.fmean(r.f1_ours for r in results), mean_traf=statistics.fmean(r.f1_traf for r in results),
        median_ours=statistics.median(r.f1_ours for r in results), median_traf=statistics.median(r.f1_traf for r in results),
        worse=[r.name for r in results if r.f1_ours < r.f1_traf - WORSE_MARGIN],
        title_ours=rate(r.title_ours for r in results), title_traf=rate(r.title_traf for r in results),
        date_exact_ours=rate(r.date_ours[0] for r in results), date_exact_traf=rate(r.date_traf[0] for r in results),
        date_day_ours=rate(r.date_ours[1] for r in results), date_day_traf=rate(r.date_traf[1] for r in results),
    )


def _diff_lines(got: str, gold: str) -> tuple[list[str], list[str]]:
    """Lines of ``got`` mostly made of tokens absent from the gold (leaked) and gold
    paragraphs mostly absent from ``got`` (lost)."""
    gold_bag, got_bag = Counter(tokens(gold)), Counter(tokens(got))
    leaked = [line for line in got.splitlines() if tokens(line)
              and sum(1 for t in tokens(line) if t not in gold_bag) > len(tokens(line)) / 2]
    lost = [para for para in gold.split("\n\n") if tokens(para)
            and sum(1 for t in tokens(para) if t not in got_bag) > len(tokens(para)) / 2]
    return leaked, lost


def _mark(ok: bool) -> str:
    return "✓" if ok else "·"


def report(results: list[PageResult], diagnose: int = 0, out=sys.stdout) -> Summary:
    """Print the table, the summary and optionally the diagnosis of the worst pages."""
    s = summarise(results)
    w = max(len(r.name) for r in results)
    print(f"{'page':<{w}}  {'F1 ours':>7}  {'F1 traf':>7}  {'Δ':>6}  title o/t  date o/t (exact,day)", file=out)
    for r in sorted(results, key=lambda r: r.f1_ours - r.f1_traf):
        print(f"{r.name:<{w}}  {r.f1_ours:7.3f}  {r.f1_traf:7.3f}  {r.f1_ours - r.f1_traf:+6.3f}  "
              f"   {_mark(r.title_ours)}/{_mark(r.title_traf)}     "
              f"{_mark(r.date_ours[0])}{_mark(r.date_ours[1])}/{_mark(r.date_traf[0])}{_mark(r.date_traf[1])}", file=out)
    print(file=out)
    print(f"pages: {s.n}", file=out)
    print(f"{'':24}{'ours':>8}{'trafilatura':>13}", file=out)
    for label, a, b in (("mean token F1", s.mean_ours, s.mean_traf), ("median token F1", s.median_ours, s.median_traf),
                        ("title exact", s.title_ours, s.title_traf), ("published_at exact", s.date_exact_ours, s.date_exact_traf),
                        ("published_at same day", s.date_day_ours, s.date_day_traf)):
        print(f"{label:<24}{a:8.3f}{b:13.3f}", file=out)
    print(f"pages where ours < trafilatura - {WORSE_MARGIN}: {len(s.worse)} {s.worse}", file=out)
    if diagnose:
        print(file=out)
        for r in sorted(results, key=lambda r: r.f1_ours)[:diagnose]:
            leaked, lost = _diff_lines(r.ours_text, r.gold)
            print(f"== {r.name}: F1 ours {r.f1_ours:.3f}, trafilatura {r.f1_traf:.3f}", file=out)
            if not r.title_ours:
                print(f"   title: {r.ours_title!r}", file=out)
            if not r.date_ours[0]:
                print(f"   published_at: {r.ours_date!r}", file=out)
            for line in leaked:
                print(f"   + {line[:150]}", file=out)
            for para in lost:
                print(f"   - {para[:150]}", file=out)
    return s


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--diagnose", type=int, default=0, metavar="N", help="show leaked/lost lines of the N worst pages")
    parser.add_argument("--page", default=None, help="only pages whose name contains this")
    parser.add_argument("--folder", type=Path, default=HELDOUT, help=f"corpus folder (default {HELDOUT.relative_to(ROOT)})")
    args = parser.parse_args(argv)
    chosen = [p for p in pages(args.folder) if not args.page or args.page in p.stem]
    report([evaluate_page(p) for p in chosen], args.diagnose)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
