"""The story benchmark: clustering N articles (default 5,000) and adding more one at a time.

With N = 5,000 the republication groups use up the real texts available (about 330 with
dev-real), so about 1,500 of the N are republications and the rest mixed articles.

``python -m bench.stories [--n 5000] [--add 200]`` builds an archive of N documents made from
real texts (``bench/story_pairs.py`` sources: the fixture texts and, when present, dev-real):
about a third are republications of one real text (the pair generator's transformations, 2 to
8 copies each on different sites), the rest new articles mixed from the sentences of real texts
of one language. Then, in a child process that opens that archive (so its peak memory is the
clustering's own), it places every pending document (``StoryIndex.assign_pending``: a whole
archive after an upgrade), then stores and places ``--add`` more one by one as a crawl does,
and prints: seconds and peak RSS for the N, milliseconds per incremental add (median, p95),
and the pairwise precision and recall of the stories against the known groups.
"""

from __future__ import annotations

import argparse
import itertools
import json
import random
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench import story_pairs  # noqa: E402

SITES = ("akorda", "kg24", "asiaplus", "khovar", "inform_kz", "belta", "mid_ru", "odkb")


def generate(n: int, seed: int = 5) -> list[tuple[str, str, str]]:
    """``n`` (group, site, text) triples: republication groups and mixed new articles."""
    sources, _ = story_pairs.build_pairs(story_pairs.dev_real_dir(None))
    rng = random.Random(seed)
    by_language: dict[str, list[str]] = {}
    for source in sources:
        by_language.setdefault(source.language, []).extend(
            s for s in re.split(r"(?<=[.!?])\s+", source.text) if len(s.split()) > 4)
    articles: list[tuple[str, str, str]] = []
    transforms = list(story_pairs.TRANSFORMS.values())
    # each real text makes at most one group (two groups of one text would be one story)
    for source in rng.sample(sources, len(sources)):
        if len(articles) >= n // 3:
            break
        group = f"r{len(articles)}"
        for site in rng.sample(SITES, rng.randint(2, 8)):
            articles.append((group, site, rng.choice(transforms)(source, rng)))
    languages = [lang for lang, pool in by_language.items() if len(pool) > 50]
    while len(articles) < n:
        pool = by_language[rng.choice(languages)]
        sentences = rng.sample(pool, rng.randint(6, 14))
        text = "\n\n".join(" ".join(sentences[i:i + 3]) for i in range(0, len(sentences), 3))
        articles.append((f"n{len(articles)}", rng.choice(SITES), text))
    rng.shuffle(articles)
    return articles[:n]


def fill(path: Path, articles: list[tuple[str, str, str]]) -> None:
    """Store the articles (not placed in stories yet)."""
    from pipelines.archive import Archive

    with Archive(path) as archive:
        for i, (group, site, text) in enumerate(articles):
            archive.store_article({"url": f"https://{site}.example/{i}/{group}", "site": site,
                                   "title": f"Article {i}", "text": text, "language": "ru"})


def child(path: Path, extra: Path) -> dict:
    """Place every pending document, then add and place the extra ones one by one."""
    from pipelines.archive import Archive
    from pipelines.stories import StoryIndex

    with Archive(path) as archive:
        index = StoryIndex(archive.db, now=archive.now)
        base_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        started = time.perf_counter()
        placed = index.assign_pending()
        seconds = time.perf_counter() - started
        rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        adds = []
        for i, (group, site, text) in enumerate(json.loads(extra.read_text(encoding="utf-8"))):
            result = archive.store_article({"url": f"https://{site}.example/x{i}/{group}",
                                            "site": site, "title": "Added", "text": text})
            started = time.perf_counter()
            index.assign(result.document_id)
            adds.append((time.perf_counter() - started) * 1000)
        rows = list(archive.db.query("SELECT url, story_id FROM documents"))
    return {"placed": placed, "seconds": seconds, "rss_mb": rss_mb, "base_mb": base_mb, "adds_ms": adds,
            "stories": [(r["url"].rsplit("/", 1)[1], r["story_id"]) for r in rows]}


def pairwise(labels: list[tuple[str, int]]) -> tuple[float, float]:
    """Pairwise precision and recall of the stories against the known groups."""
    by_story: dict[int, list[str]] = {}
    by_group: dict[str, list[int]] = {}
    for group, story in labels:
        by_story.setdefault(story, []).append(group)
        by_group.setdefault(group, []).append(story)
    same_story = sum(len(m) * (len(m) - 1) // 2 for m in by_story.values())
    same_group = sum(len(m) * (len(m) - 1) // 2 for m in by_group.values())
    both = sum(sum(1 for a, b in itertools.combinations(m, 2) if a == b)
               for m in by_story.values())
    return (both / same_story if same_story else 1.0, both / same_group if same_group else 1.0)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=5000)
    parser.add_argument("--add", type=int, default=200)
    parser.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        print(json.dumps(child(Path(args.child[0]), Path(args.child[1]))))
        return 0
    articles = generate(args.n + args.add)
    with tempfile.TemporaryDirectory() as tmp:
        db, extra = Path(tmp) / "archive.db", Path(tmp) / "extra.json"
        fill(db, articles[:args.n])
        extra.write_text(json.dumps(articles[args.n:], ensure_ascii=False), encoding="utf-8")
        out = subprocess.run([sys.executable, "-m", "bench.stories", "--child", str(db),
                              str(extra)], cwd=ROOT, capture_output=True, text=True, check=True)
        result = json.loads(out.stdout)
    adds = sorted(result["adds_ms"])
    precision, recall = pairwise(result["stories"])
    print(f"clustering {result['placed']} articles: {result['seconds']:.2f} s "
          f"({1000 * result['seconds'] / max(1, result['placed']):.2f} ms/article), "
          f"peak RSS {result['rss_mb']:.0f} MB ({result['base_mb']:.0f} MB of it before the first "
          "article: Python, numpy, sqlite-utils, the archive opened)")
    if adds:
        print(f"incremental add of {len(adds)} more (store, then place): median "
              f"{statistics.median(adds):.2f} ms, p95 {adds[int(0.95 * (len(adds) - 1))]:.2f} ms "
              "per article (placing only)")
    print(f"stories vs the known groups: pairwise precision {precision:.3f}, recall {recall:.3f}; "
          f"{len({s for _, s in result['stories']})} stories")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
