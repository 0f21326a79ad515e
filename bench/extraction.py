"""Benchmark: time per page of our extraction against plain ``trafilatura.extract``.

Run: ``.venv/bin/python bench/extraction.py [--target-kb 110] [--rounds 5]``

Pages are the fixture pages, padded with realistic chrome (a mega-menu, sidebar news lists,
footer link columns, an inline JSON state script) to about ``--target-kb`` KB each, so timings
reflect full-size news pages. Two groups:

* without site rules: ``tests/fixtures/generic/`` (our generic layers vs trafilatura);
* with site rules: the fixture pages of the site modules (``akorda``, ``baonga``, ``khovar``),
  extracted with their ``SiteRules`` (a content selector skips trafilatura).

Both extractors run on the same bytes in the same process, interleaved, ``--rounds`` times;
the table shows the median and 95th percentile milliseconds per page and the ratio. It also
prints the mean token F1 of both on the generic corpus against its gold texts (trafilatura in
precision mode, as the quality test compares). Not a test: numbers depend on the machine.

``synthetic_stages(web_dir, sample, rounds)`` times the per-page stages a crawl runs on the
articles of a synthetic site (``bench/synthetic.py``): the page check, extraction with the
configured site's rules and with the generic layers, and the clean pipeline alone
(``CleanPipeline.process_item`` on the extracted item); ``python -m bench`` prints it.
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import trafilatura  # noqa: E402

from csto_crawler.extract import extract  # noqa: E402
from csto_crawler.extract.evaluate import counts_f1  # noqa: E402
from csto_crawler.sites import rules_for_url  # noqa: E402

FIXTURES = ROOT / "tests" / "fixtures"
SITE_FOLDERS = ("akorda", "baonga", "khovar")
_WORD = re.compile(r"\w+")

_HEADLINES = [
    "Правительство утвердило план мероприятий на следующий год", "В столице открылся новый культурный центр",
    "Курс национальной валюты укрепился на открытии торгов", "Синоптики предупредили о сильном ветре и снеге",
    "Министр провёл встречу с представителями бизнеса", "В регионе завершился сбор урожая зерновых",
    "Сборная одержала победу в отборочном матче", "Эксперты обсудили развитие цифровой экономики",
]


def padding(seed: int, target: int) -> tuple[str, str]:
    """Chrome to put after ``<body>`` and before ``</body>``: realistic menus, lists, state."""
    top, bottom = [], []
    size, i = 0, seed
    while size < target:
        block = i % 4
        if block == 0:
            links = "".join(f'<li class="menu-item menu-item-{i}-{k}"><a href="/section/{i}/{k}/">{_HEADLINES[(i + k) % 8]}</a></li>' for k in range(12))
            html = f'<nav class="mega-menu mega-menu--{i}"><ul class="mega-menu__list">{links}</ul></nav>'
            top.append(html)
        elif block == 1:
            items = "".join(
                f'<li class="news-list__item"><a href="/news/{i * 100 + k}/"><img src="/img/{k}.jpg" alt="">'
                f'<span class="news-list__title">{_HEADLINES[(i + k) % 8]}</span></a><span class="news-list__date">1{k % 10}:0{k % 6}</span></li>'
                for k in range(10))
            html = f'<aside class="sidebar-widget"><h3 class="widget-title">Лента новостей</h3><ul class="news-list">{items}</ul></aside>'
            bottom.append(html)
        elif block == 2:
            cols = "".join(f'<div class="footer-col"><h4>Раздел {k}</h4>' + "".join(f'<a href="/f/{k}/{m}/">{_HEADLINES[(k + m) % 8]}</a>' for m in range(6)) + "</div>" for k in range(4))
            html = f'<div class="footer-links">{cols}</div>'
            bottom.append(html)
        else:
            state = json.dumps({"menu": [{"id": i * 10 + k, "title": _HEADLINES[k % 8], "url": f"/s/{k}/"} for k in range(20)]}, ensure_ascii=False)
            html = f'<script>window.__STATE_{i}__ = {state};</script>'
            bottom.append(html)
        size += len(html.encode("utf-8"))
        i += 1
    return "".join(top), "".join(bottom)


def padded(page: str, seed: int, target_bytes: int) -> bytes:
    missing = target_bytes - len(page.encode("utf-8"))
    if missing > 0:
        top, bottom = padding(seed, missing)
        page = re.sub(r"(<body[^>]*>)", lambda m: m.group(1) + top, page, count=1)
        page = page.replace("</body>", bottom + "</body>", 1)
    return page.encode("utf-8")


def load(folders, target_bytes: int, with_rules: bool):
    pages = []
    for folder in folders:
        for index, sidecar in enumerate(sorted((FIXTURES / folder).glob("*.json"))):
            data = json.loads(sidecar.read_text(encoding="utf-8"))
            page_file = sidecar.with_suffix(".html")
            if data.get("kind") != "article" or not page_file.exists():
                continue
            raw = page_file.read_bytes()
            text = raw.decode("utf-8") if b"windows-1251" not in raw[:2000] else raw.decode("cp1251")
            text = text.replace("windows-1251", "utf-8")
            rules = rules_for_url(data["url"]) if with_rules else None
            pages.append((sidecar.stem, data["url"], padded(text, index, target_bytes), rules, data.get("expected", {})))
    return pages


def timed(function) -> float:
    start = time.perf_counter()
    function()
    return (time.perf_counter() - start) * 1000


def run(pages, rounds: int) -> tuple[list[float], list[float]]:
    ours, theirs = [], []
    for _ in range(rounds):
        for _, url, body, rules, _ in pages:
            ours.append(timed(lambda: extract(body, url, rules)))  # noqa: B023 (called at once)
            theirs.append(timed(lambda: trafilatura.extract(body, url=url)))  # noqa: B023
    return ours, theirs


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def f1(got: str | None, gold: str | None) -> float:
    a, b = Counter(_WORD.findall((got or "").casefold())), Counter(_WORD.findall((gold or "").casefold()))
    common = sum((a & b).values())
    if not common:
        return 0.0
    precision, recall = common / sum(a.values()), common / sum(b.values())
    return 2 * precision * recall / (precision + recall)


def synthetic_stages(web_dir: Path, sample: int = 200, rounds: int = 3,
                     rules=None) -> dict[str, list[float]]:
    """Milliseconds per page of each stage, on ``sample`` article pages of a synthetic site.

    ``rules`` are the configured site's ``SiteRules`` (content selector …); the generic row
    extracts the same pages with none (trafilatura). Pages must have ``expected`` sidecars.
    """
    from csto_crawler.extract.rules import SiteRules
    from csto_crawler.pagecheck import check
    from pipelines.clean import CleanPipeline

    sidecars = sorted(Path(web_dir).rglob("a*.json"))
    step = max(1, len(sidecars) // sample) if sample else 1
    pages = []
    for sidecar in sidecars[::step][:sample]:
        data = json.loads(sidecar.read_text(encoding="utf-8"))
        if data.get("kind") == "article":
            pages.append((data["url"], sidecar.with_suffix(".html").read_bytes()))
    rules = rules or SiteRules()
    pipeline = CleanPipeline()
    stages: dict[str, list[float]] = {"page check": [], "extract, site rules": [],
                                      "extract, generic layers": [], "clean pipeline alone": []}
    for url, body in pages[:3]:  # warm up
        extract(body, url, rules)
        extract(body, url)
    for _ in range(rounds):
        for url, body in pages:
            stages["page check"].append(timed(lambda: check(200, {}, body)))  # noqa: B023
            result = {}
            stages["extract, site rules"].append(timed(lambda: result.update(x=extract(body, url, rules))))  # noqa: B023
            stages["extract, generic layers"].append(timed(lambda: extract(body, url)))  # noqa: B023
            item = {"url": url, "title": result["x"].title, "text": result["x"].text, "source_credit": None}
            stages["clean pipeline alone"].append(timed(lambda: pipeline.process_item(item)))  # noqa: B023
    return stages


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--target-kb", type=int, default=110, help="pad pages to about this size (default 110)")
    parser.add_argument("--rounds", type=int, default=5, help="passes over the pages (default 5)")
    args = parser.parse_args()
    target = args.target_kb * 1024
    groups = {
        "without site rules": load(("generic",), target, with_rules=False),
        "with site rules": load(SITE_FOLDERS, target, with_rules=True),
    }
    for pages in groups.values():  # warm up imports, caches, compiled patterns
        run(pages[:2], 1)
    print(f"{'pages':20s} {'n':>3s} {'size KB':>8s} | {'ours med':>9s} {'ours p95':>9s} | {'traf med':>9s} {'traf p95':>9s} | {'ratio med':>9s}")
    for name, pages in groups.items():
        ours, theirs = run(pages, args.rounds)
        size = statistics.mean(len(p[2]) for p in pages) / 1024
        ratio = statistics.median(ours) / statistics.median(theirs)
        print(f"{name:20s} {len(pages):3d} {size:8.1f} | {statistics.median(ours):9.2f} {p95(ours):9.2f} | "
              f"{statistics.median(theirs):9.2f} {p95(theirs):9.2f} | {ratio:8.2f}x")
    generic = groups["without site rules"]
    ours_f1 = [f1(extract(body, url).text, exp.get("text")) for _, url, body, _, exp in generic]
    theirs_f1 = [f1(trafilatura.extract(body, url=url, favor_precision=True), exp.get("text")) for _, url, body, _, exp in generic]
    print(f"\ngeneric corpus token F1 (padded pages): ours {statistics.mean(ours_f1):.4f}, "
          f"trafilatura precision mode {statistics.mean(theirs_f1):.4f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())


# --- python -m bench extraction --evalset DIR -------------------------------------------------
_SINGLE = ("\u0e00-\u0eff\u1000-\u109f\u1780-\u17ff\u3040-\u30ff\u31f0-\u31ff\u3400-\u4dbf"
           "\u4e00-\u9fff\uf900-\ufaff\uac00-\ud7af\u1100-\u11ff\u3130-\u318f")
#: Words as the evaluation sets' scorer counts them: NFKC, lower case, runs of letters and digits
#: (no underscore); Thai, Khmer, CJK, kana and Hangul characters one token each.
_TOKEN = re.compile(f"[{_SINGLE}]|[^\\W_{_SINGLE}]+")


def bow_f1(got: str | None, gold: str | None) -> float:
    """Bag-of-words F1 of an extraction against its ground truth (an empty output scores 0)."""
    import unicodedata

    a, b = (Counter(_TOKEN.findall(unicodedata.normalize("NFKC", t or "").lower())) for t in (got, gold))
    return counts_f1(a, b)


def evalset_pages(root: Path) -> list[dict]:
    """The pages of an evaluation set: ``<id>/raw.html``, ``expected.txt``, ``meta.json`` (URL,
    language; ``manifest.csv`` adds the source)."""
    import csv

    manifest = {}
    if (root / "manifest.csv").exists():
        with open(root / "manifest.csv", encoding="utf-8") as handle:
            manifest = {row["id"]: row for row in csv.DictReader(handle)}
    pages = []
    for folder in sorted(p for p in root.iterdir() if (p / "raw.html").exists() and (p / "expected.txt").exists()):
        meta = json.loads((folder / "meta.json").read_text(encoding="utf-8")) if (folder / "meta.json").exists() else {}
        row = manifest.get(folder.name, {})
        pages.append({"id": folder.name, "url": meta.get("url") or row.get("url") or "",
                      "language": meta.get("language") or row.get("language") or "?",
                      "source": (meta.get("source_repo") or row.get("source_repo") or "?").rsplit("/", 1)[-1],
                      "raw": (folder / "raw.html").read_bytes(),
                      "gold": (folder / "expected.txt").read_text(encoding="utf-8")})
    return pages


def evalset_run(pages: list[dict], rounds: int = 1) -> dict[str, dict]:
    """Time and score ``csto extract``'s extraction and trafilatura's precision mode on the same
    pages, interleaved; per extractor: ms per call (all rounds) and F1 per page."""
    from csto_crawler.saved_pages import page_text

    extractors = {
        "csto extract": lambda p: page_text(p["raw"], p["url"] or None),
        # as score.py --trafilatura calls it: the page's bytes, no URL
        f"trafilatura {trafilatura.__version__} precision": lambda p: trafilatura.extract(p["raw"], favor_precision=True),
    }
    for page in pages[:3]:  # warm up imports, caches, compiled patterns
        for run_one in extractors.values():
            run_one(page)
    results = {name: {"ms": [], "f1": {}, "empty": set()} for name in extractors}
    for _ in range(rounds):
        for page in pages:
            for name, run_one in extractors.items():
                out = {}
                results[name]["ms"].append(timed(lambda: out.update(text=run_one(page))))  # noqa: B023
                results[name]["f1"][page["id"]] = bow_f1(out["text"], page["gold"])
                if not (out["text"] or "").strip():
                    results[name]["empty"].add(page["id"])
    return results


def evalset_report(pages: list[dict], results: dict[str, dict], rounds: int) -> str:
    groups = {"all": [p["id"] for p in pages]}
    for key in ("language", "source"):
        for value in sorted({p[key] for p in pages}):
            groups[f"{key} {value}"] = [p["id"] for p in pages if p[key] == value]
    names = list(results)
    lines = [f"{len(pages)} pages × {rounds} round(s), both extractors on the same bytes, interleaved", "",
             "| group | pages | " + " | ".join(f"{n} bow F1" for n in names) + " |",
             "|---|---:|" + "---:|" * len(names)]
    for group, ids in groups.items():
        lines.append(f"| {group} | {len(ids)} | " + " | ".join(
            f"{statistics.mean(results[n]['f1'][i] for i in ids):.3f}" for n in names) + " |")
    lines += ["", "| extractor | median ms/page | p95 ms/page | empty outputs |", "|---|---:|---:|---:|"]
    for name in names:
        ms = results[name]["ms"]
        empty = len(results[name]["empty"])
        lines.append(f"| {name} | {statistics.median(ms):.1f} | {p95(ms):.1f} | {empty} |")
    ours, theirs = (statistics.median(results[n]["ms"]) for n in names)
    lines += ["", f"median time ratio {names[0]} / {names[1]}: {ours / theirs:.2f}× (target ≤ 1.10×: "
              f"{'met' if ours / theirs <= 1.1 else 'MISSED'})"]
    return "\n".join(lines)


def evalset_main(argv: list[str] | None = None) -> int:
    """``python -m bench extraction --evalset DIR [--rounds N]``."""
    parser = argparse.ArgumentParser(prog="python -m bench extraction",
                                     description="bow F1 and ms per page of csto extract and trafilatura "
                                                 "precision mode on an evaluation set of real pages")
    parser.add_argument("--evalset", required=True, help="folder of <id>/raw.html + expected.txt (+ meta.json)")
    parser.add_argument("--rounds", type=int, default=1, help="timed passes over the pages (default 1)")
    args = parser.parse_args(argv)
    root = Path(args.evalset)
    if not root.is_dir():
        parser.error(f"--evalset {root}: not a folder")
    pages = evalset_pages(root)
    if not pages:
        parser.error(f"--evalset {root}: no <id>/raw.html with expected.txt")
    print(evalset_report(pages, evalset_run(pages, args.rounds), args.rounds))
    return 0
