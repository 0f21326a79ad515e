"""What a crawl's second SQLite connection costs the store (``python -m bench.store_connection``).

In a crawl the capture log commits one ``captures`` row per response and the store pipeline
then writes the article and places it in its story. With a connection each, every commit of one
makes SQLite drop the other's page cache at its next transaction (the WAL changed under it), so
the store reads its pages again. This stores N synthetic articles (``bench.synthetic_pages``)
with a capture row committed before each, once with two connections and once with one shared
(``Archive(path, shared=True)``, what a crawl does), alternately for ``--rounds`` rounds, and
prints the CPU milliseconds an article and the read system calls an article (``syscr`` of
``/proc/self/io``, where the system has it) of each.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.synthetic_pages import article_paragraphs, article_title  # noqa: E402
from pipelines import transactions  # noqa: E402
from pipelines.archive import Archive  # noqa: E402
from pipelines.stories.index import StoryIndex  # noqa: E402

__all__ = ["articles", "measure"]

_CAPTURE = ("INSERT INTO captures (url, fetched_at, status, warc_file, offset, length, record_id, "
            "payload_digest, revisit_of, record_type, kind, content_type, payload_length) "
            "VALUES (?, '2026-12-07T00:00:00+00:00', 200, 'bench.warc.gz', ?, 100, ?, ?, NULL, "
            "'response', 'article', 'text/html', 1000)")


def articles(n: int, seed: int = 1) -> list[tuple[str, str, str]]:
    """``n`` (url, title, text) of the synthetic site's kind, the same for the same seed."""
    rng = random.Random(seed)
    return [(f"https://bench-wire.example/{i}/", article_title(rng, True, i),
             "\n\n".join(article_paragraphs(rng, True))) for i in range(n)]


def _read_calls() -> int | None:
    try:
        with open("/proc/self/io", encoding="ascii") as io:
            return next(int(line.split()[1]) for line in io if line.startswith("syscr"))
    except (OSError, StopIteration):
        return None


def measure(texts: list[tuple[str, str, str]], folder: Path, shared: bool) -> tuple[float, float | None]:
    """(CPU ms an article, read calls an article) of storing ``texts`` into a new archive."""
    db = folder / f"{'shared' if shared else 'two'}-{time.monotonic_ns()}.db"
    store = Archive(db, shared=shared)
    captures = Archive(db, shared=shared)
    store.upsert_site("bench_wire")
    run_id = store.start_run("bench_wire")
    stories = StoryIndex(store.db, now=store.now)
    reads, started = _read_calls(), time.process_time()
    for i, (url, title, text) in enumerate(texts):
        with transactions.write(captures.db):
            captures.db.execute(_CAPTURE, (url, i * 100, f"urn:uuid:{i}", f"sha1:{i}"))
        with transactions.write(store.db):
            result = store.store_article({"url": url, "site": "bench_wire", "title": title,
                                          "text": text, "http_status": 200}, run_id)
            if result.version_id is not None:
                stories.assign(result.document_id)
    cpu = (time.process_time() - started) / len(texts) * 1000
    after = _read_calls()
    captures.close()
    store.close()
    return cpu, (after - reads) / len(texts) if reads is not None and after is not None else None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.store_connection", description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=700, help="articles stored per round (default 700)")
    parser.add_argument("--rounds", type=int, default=6)
    args = parser.parse_args(argv)
    texts = articles(args.n)
    found: dict[bool, list[tuple[float, float | None]]] = {False: [], True: []}
    with tempfile.TemporaryDirectory() as tmp:
        for _ in range(args.rounds):
            for shared in (False, True):
                found[shared].append(measure(texts, Path(tmp), shared))
    print(f"{args.n} articles, {args.rounds} alternating rounds\n")
    print("| connections | CPU ms/article, median | min | every round | read calls/article |")
    print("|---|---:|---:|---|---:|")
    for shared, label in ((False, "two (capture log, store)"), (True, "one, shared")):
        cpu = [c for c, _ in found[shared]]
        reads = found[shared][-1][1]
        print(f"| {label} | {statistics.median(cpu):.2f} | {min(cpu):.2f} | "
              f"{' '.join(f'{c:.2f}' for c in cpu)} | {'n/a' if reads is None else f'{reads:.0f}'} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
