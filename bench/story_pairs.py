"""Pairs of real article texts for the "same story" decision, and its precision and recall.

``python -m bench.story_pairs [--dev-real DIR] [--sweep]`` reads the project's fixture texts
(``tests/fixtures/*/*.json``: the expected text of every article sidecar) and, when present,
the real pages' expected texts of ``shared/evalsets/dev-real/*/expected.txt`` (read where
they are, never copied), and builds:

Texts that republish an earlier one (the sample web's story) are used once. Then:

* **republications** (must join), each from one real text: other furniture around it (photo
  caption, "read also" and channel lines, a copyright line), a dateline and an agency credit
  added, one paragraph dropped, one sentence reworded, the headline changed, and all of these
  at once;
* **hard negatives** (must stay apart): every pair of different articles of one site (the
  dev-real pages: one domain and crawl week), the same opening sentences put before two
  different articles (a minister's two statements on one day, two reports of one summit),
  and a digest quoting three items of one site against each of them.

A pair is judged "same story" exactly as the story index decides for two documents: they
share an LSH band key and pass the exact check (``pipelines.stories.text.similar``). It prints
precision and recall per kind; ``--sweep`` also prints them for other Jaccard thresholds.
"""

from __future__ import annotations

import argparse
import functools
import itertools
import json
import random
import re
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from pipelines.stories import text as story_text  # noqa: E402
from pipelines.stories.index import band_keys, minhash  # noqa: E402

FIXTURES = ROOT / "tests" / "fixtures"
DEV_REAL_CANDIDATES = (ROOT.parent / "shared" / "evalsets" / "dev-real",
                       ROOT.parent.parent / "shared" / "evalsets" / "dev-real")
#: Texts shorter than this many words are not used (too short to be a news item).
MIN_WORDS = 40
#: At most this many different-article pairs per site, so one big site does not dominate.
MAX_NEGATIVES_PER_GROUP = 60

DATELINES = {
    "ru": ["АСТАНА, 2 декабря. /Казинформ/ – ", "ДУШАНБЕ, 23.08.2021 /НИАТ «Ховар»/. ",
           "БИШКЕК, 28 ноя — Sputnik. ", "МИНСК, 15 мая (БЕЛТА) – "],
    "en": ["ASTANA, December 2 /Kazinform/ – ", "MOSCOW, May 15 (Reuters) - "],
    "de": ["BERLIN (dpa) – ", "MOSKAU, 15. Mai (Reuters) - "],
}
FURNITURE = {
    "ru": ["Фото: пресс-служба", "Читайте также: Новости часа", "Подписывайтесь на наш канал в Telegram",
           "© Все права защищены"],
    "en": ["Photo: press service", "Read more: Top stories", "Follow us on Telegram",
           "© All rights reserved"],
    "de": ["Foto: dpa", "Lesen Sie auch: Aktuelle Nachrichten", "Folgen Sie uns auf Telegram",
           "© Alle Rechte vorbehalten"],
}


@dataclass(frozen=True)
class Source:
    """One real article text."""

    key: str
    group: str  # site (fixtures) or domain + crawl week (dev-real): hard negatives within it
    language: str
    title: str
    text: str


@dataclass(frozen=True)
class Pair:
    kind: str
    same: bool
    a: str
    b: str


def _paragraphs(text: str) -> list[str]:
    return [p.strip() for p in re.split(r"\n\s*\n|\n", text) if p.strip()]


def fixture_sources(root: Path = FIXTURES) -> list[Source]:
    """Every relevant or irrelevant article sidecar's expected text (one per distinct text)."""
    seen, sources = set(), []
    for sidecar in sorted(root.glob("*/*.json")):
        try:
            meta = json.loads(sidecar.read_text(encoding="utf-8"))
        except (ValueError, UnicodeDecodeError):
            continue
        if not isinstance(meta, dict) or meta.get("kind") != "article":
            continue
        expected = meta.get("expected")
        if not isinstance(expected, dict):
            continue
        text = expected.get("text") or ""
        if len(story_text.words(text)) < MIN_WORDS or text in seen:
            continue
        seen.add(text)
        sources.append(Source(str(sidecar.relative_to(root)), sidecar.parent.name,
                              expected.get("language") or "", expected.get("title") or "", text))
    return sources


def dev_real_dir(explicit: str | None = None) -> Path | None:
    for candidate in ([Path(explicit)] if explicit else DEV_REAL_CANDIDATES):
        if candidate.is_dir():
            return candidate
    return None


def dev_real_sources(folder: Path) -> list[Source]:
    """The real pages' expected texts, grouped by domain and crawl week."""
    sources = []
    for page in sorted(folder.iterdir()):
        expected, meta_file = page / "expected.txt", page / "meta.json"
        if not expected.is_file() or not meta_file.is_file():
            continue
        meta = json.loads(meta_file.read_text(encoding="utf-8"))
        paragraphs = _paragraphs(expected.read_text(encoding="utf-8"))
        if len(paragraphs) < 2:
            continue
        title, text = paragraphs[0], "\n\n".join(paragraphs[1:])
        if len(story_text.words(text)) < MIN_WORDS:
            continue
        day = meta.get("crawl_date") or ""
        week = f"{day[:6]}-{int(day[6:8] or 1) // 7}" if len(day) == 8 else day
        sources.append(Source(page.name, f"{meta.get('domain')}/{week}",
                              meta.get("language") or "", title, text))
    return sources


# -- the transformations ----------------------------------------------------------------------
def _furniture(source: Source, rng: random.Random) -> str:
    lines = FURNITURE.get(source.language, FURNITURE["en"])
    head, tail = rng.sample(lines, 2)
    return "\n\n".join([head, source.text, tail, lines[-1]])


def _dateline(source: Source, rng: random.Random) -> str:
    line = rng.choice(DATELINES.get(source.language, DATELINES["en"]))
    credit = {"ru": "Источник: Казинформ", "de": "Quelle: dpa"}.get(source.language,
                                                                       "Source: Kazinform")
    return line + source.text + "\n\n" + credit


def _drop_paragraph(source: Source, rng: random.Random) -> str:
    paragraphs = _paragraphs(source.text)
    if len(paragraphs) < 3:
        sentences = re.split(r"(?<=[.!?])\s+", source.text)
        return " ".join(sentences[:-1]) if len(sentences) > 2 else source.text
    paragraphs.pop(rng.randrange(1, len(paragraphs)))
    return "\n\n".join(paragraphs)


def _reword(source: Source, rng: random.Random) -> str:
    """One sentence with two of its words replaced and two others swapped."""
    sentences = re.split(r"(?<=[.!?])\s+", source.text)
    longest = max(range(len(sentences)), key=lambda i: len(sentences[i]))
    words = sentences[longest].split()
    if len(words) >= 6:
        for position in rng.sample(range(len(words)), 2):
            words[position] = {"ru": "также", "de": "auch"}.get(source.language, "also")
        i = rng.randrange(len(words) - 1)
        words[i], words[i + 1] = words[i + 1], words[i]
    sentences[longest] = " ".join(words)
    return " ".join(sentences) if "\n" not in source.text else source.text.replace(
        re.split(r"(?<=[.!?])\s+", source.text)[longest], sentences[longest], 1)


def _everything(source: Source, rng: random.Random) -> str:
    trimmed = Source(source.key, source.group, source.language, source.title,
                     _drop_paragraph(source, rng))
    reworded = Source(source.key, source.group, source.language, source.title,
                      _reword(trimmed, rng))
    return _furniture(Source(source.key, source.group, source.language, source.title,
                             _dateline(reworded, rng)), rng)


TRANSFORMS = {
    "furniture": _furniture,
    "dateline_credit": _dateline,
    "paragraph_dropped": _drop_paragraph,
    "sentence_reworded": _reword,
    "headline_changed": lambda source, rng: source.text,  # the title is not compared
    "all_at_once": _everything,
}


def positive_pairs(sources: list[Source], rng: random.Random) -> list[Pair]:
    return [Pair(kind, True, source.text, transform(source, rng))
            for source in sources for kind, transform in TRANSFORMS.items()]


def negative_pairs(sources: list[Source], rng: random.Random) -> list[Pair]:
    groups: dict[str, list[Source]] = {}
    for source in sources:
        groups.setdefault(source.group, []).append(source)
    pairs = []
    for members in groups.values():
        combos = list(itertools.combinations(members, 2))
        rng.shuffle(combos)
        pairs += [Pair("same_site_other_article", False, a.text, b.text)
                  for a, b in combos[:MAX_NEGATIVES_PER_GROUP]]
        for a, b in combos[:MAX_NEGATIVES_PER_GROUP // 4]:
            # b opens with a's first sentence (the minister, the summit), then tells its own
            opener = re.split(r"(?<=[.!?])\s+", a.text)[0]
            pairs.append(Pair("shared_opening", False, a.text, opener + " " + b.text))
        for trio in [members[i:i + 3] for i in range(0, len(members) - 2, 3)]:
            digest = "\n\n".join(f"{s.title}\n\n" + "\n\n".join(_paragraphs(s.text)[:2])
                                 for s in trio)
            pairs += [Pair("digest_of_three", False, digest, s.text) for s in trio]
    return pairs


# -- the decision and the scores --------------------------------------------------------------
@functools.lru_cache(maxsize=20_000)
def _indexed(text: str) -> tuple[frozenset[int], frozenset[int]]:
    hashes = story_text.shingles(text)
    return hashes, frozenset(band_keys(minhash(hashes)))


def same_story(a: str, b: str) -> bool:
    """What the story index decides for two documents: a shared LSH band key, then the check."""
    (sa, ba), (sb, bb) = _indexed(a), _indexed(b)
    if not ba & bb:
        return False
    return story_text.similar(sa, sb) > 0


def score(pairs: list[Pair]) -> dict[str, dict[str, float]]:
    """Per kind and overall: pairs, how many were judged same, precision and recall."""
    results: dict[str, dict[str, float]] = {}
    tp = fp = fn = 0
    for kind in dict.fromkeys(p.kind for p in pairs):
        chosen = [p for p in pairs if p.kind == kind]
        judged = sum(same_story(p.a, p.b) for p in chosen)
        results[kind] = {"pairs": len(chosen), "judged_same": judged,
                         "must_join": chosen[0].same}
        if chosen[0].same:
            tp, fn = tp + judged, fn + len(chosen) - judged
        else:
            fp += judged
    results["all"] = {"pairs": len(pairs), "precision": tp / (tp + fp) if tp + fp else 1.0,
                      "recall": tp / (tp + fn) if tp + fn else 1.0}
    return results


def distinct(sources: list[Source]) -> list[Source]:
    """The sources without those that republish an earlier one (the sample web's story pages
    are fixtures too): Jaccard ≥ 0.5 or containment ≥ 0.8 with an earlier source."""
    kept: list[tuple[Source, frozenset[int]]] = []
    for source in sources:
        hashes = story_text.shingles(source.text)
        if not any(j >= 0.5 or c >= 0.8 for j, c, _ in
                   (story_text.similarity(hashes, other) for _, other in kept)):
            kept.append((source, hashes))
    return [source for source, _ in kept]


def build_pairs(dev_real: Path | None, seed: int = 18) -> tuple[list[Source], list[Pair]]:
    sources = distinct(fixture_sources() + (dev_real_sources(dev_real) if dev_real else []))
    rng = random.Random(seed)
    return sources, positive_pairs(sources, rng) + negative_pairs(sources, rng)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dev-real", help="the dev-real folder (default: ../shared/evalsets/dev-real)")
    parser.add_argument("--sweep", action="store_true", help="also try other thresholds")
    args = parser.parse_args(argv)
    dev_real = dev_real_dir(args.dev_real)
    sources, pairs = build_pairs(dev_real)
    print(f"{len(sources)} real texts ({'with' if dev_real else 'without'} dev-real), "
          f"{len(pairs)} pairs")
    results = score(pairs)
    for kind, row in results.items():
        print(f"{kind:26} " + "  ".join(f"{k}={v:.3f}" if isinstance(v, float) else f"{k}={v}"
                                         for k, v in row.items()))
    if args.sweep:
        original = story_text.JACCARD_MIN, story_text.CONTAINMENT_MIN
        for jaccard, containment in itertools.product((0.3, 0.35, 0.4, 0.45, 0.5, 0.6),
                                                      (0.6, 0.7, 0.8, 0.9)):
            story_text.JACCARD_MIN, story_text.CONTAINMENT_MIN = jaccard, containment
            overall = score(pairs)["all"]
            print(f"jaccard>={jaccard:.2f} containment>={containment:.2f}: "
                  f"precision={overall['precision']:.3f} recall={overall['recall']:.3f}")
        story_text.JACCARD_MIN, story_text.CONTAINMENT_MIN = original
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
