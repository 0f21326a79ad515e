"""Where the time of a crawl goes: a pyinstrument session, summed by component and function.

``summarise(session_path)`` loads a session saved by ``bench.crawl`` (``--profile``) and returns
two tables: the share of sampled time per component, and the functions with the most self
time. A sample is charged to the innermost component on its stack, so trafilatura called by
our extraction counts as trafilatura, lxml called by our extraction as extraction, and SQLite
called by the store pipeline as storage (called by the story index or the capture log: as
those); frames of no listed component (lxml, the standard library) count for the component
that called them. The event loop's wait for sockets is reported on its own ("waiting for
I/O").

Run ``python -m bench.profile SESSION.pyisession`` to print the tables of a saved session.
"""

from __future__ import annotations

import sys
from collections import Counter

__all__ = ["COMPONENTS", "component_of", "summarise", "format_profile"]

#: (component, path fragments), most specific first; the rank decides which wins when nested.
COMPONENTS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("trafilatura (generic layer)", ("/trafilatura/", "/justext/", "/htmldate/", "/courlan/")),
    ("extraction (our layers)", ("/csto_crawler/extract/",)),
    ("story index", ("/pipelines/stories/", "/datasketch/")),
    ("raw captures (WARC)", ("/csto_crawler/capture/", "/warcio/")),
    ("storage (SQLite)", ("/pipelines/archive.py", "/pipelines/store.py", "/sqlite_utils/", "/sqlite3/")),
    ("other pipelines", ("/pipelines/",)),
    ("extraction hand-off (worker pool)", ("/csto_crawler/extraction_pool.py",)),
    # Scrapy's HTTP client, also when our mirror download handler calls it (bare Scrapy pays it too)
    ("HTTP download (Scrapy, Twisted)", ("/scrapy/core/downloader/handlers/", "/twisted/web/")),
    ("spider (discovery, refresh, checks)", ("/csto_crawler/",)),
    ("Scrapy, Twisted, parsel", ("/scrapy/", "/twisted/", "/parsel/", "/w3lib/", "/itemadapter/",
                                 "/asyncio/", "/zope/", "/queuelib/", "/protego/")),
)
_RANK = {name: rank for rank, (name, _) in enumerate(reversed(COMPONENTS))}
WAITING = "waiting for I/O (event loop idle)"
OTHER = "other (start-up, standard library)"


def component_of(file_path: str | None) -> str | None:
    """The component a source file belongs to, or None."""
    path = (file_path or "").replace("\\", "/")
    for name, fragments in COMPONENTS:
        if any(fragment in path for fragment in fragments):
            return name
    return None


def _walk(frame, inherited: str | None, totals: Counter, functions: Counter) -> None:
    own = component_of(frame.file_path)
    current = inherited
    if own is not None and (inherited is None or _RANK[own] >= _RANK[inherited]):
        current = own
    if frame.function in ("select", "poll", "epoll", "_run_once") and "selectors" in (frame.file_path or ""):
        current = WAITING
    if frame.is_synthetic:
        return  # "[self]"/"[await]" leaves: counted in their parent's total_self_time
    self_time = frame.total_self_time
    if self_time > 0:
        totals[current or OTHER] += self_time
        short = (frame.file_path or "?").replace("\\", "/").split("/site-packages/")[-1].split("/work/main/")[-1]
        functions[(frame.function or "?", f"{short}:{frame.line_no}", current or OTHER)] += self_time
    for child in frame.children:
        _walk(child, current, totals, functions)


def summarise(session_path: str) -> tuple[float, Counter, Counter]:
    """``(total seconds, seconds by component, self seconds by (function, place, component))``."""
    from pyinstrument.session import Session

    session = Session.load(session_path)
    root = session.root_frame(trim_stem=False)
    totals: Counter = Counter()
    functions: Counter = Counter()
    if root is not None:
        _walk(root, None, totals, functions)
    return sum(totals.values()), totals, functions


def format_profile(session_path: str, top: int = 12) -> str:
    """The two tables of a saved session."""
    total, totals, functions = summarise(session_path)
    lines = [f"{'component':40s} {'seconds':>8s} {'share':>6s}"]
    for name, seconds in totals.most_common():
        lines.append(f"{name:40s} {seconds:8.2f} {100 * seconds / total:5.1f}%")
    lines.append(f"{'total sampled':40s} {total:8.2f}")
    lines.append("")
    lines.append(f"{'function (self time)':34s} {'place':52s} {'s':>6s} {'share':>6s}  component")
    for (function, place, component), seconds in functions.most_common(top):
        lines.append(f"{function[:34]:34s} {place[-52:]:52s} {seconds:6.2f} {100 * seconds / total:5.1f}%  {component}")
    return "\n".join(lines)


if __name__ == "__main__":
    print(format_profile(sys.argv[1], top=int(sys.argv[2]) if len(sys.argv) > 2 else 15))
