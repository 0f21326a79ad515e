"""``csto mirror``: serve the offline sample web (every fixture page) on a loopback port.

Crawl it with ``scrapy crawl <site> -s CSTO_MIRROR=<the printed URL>``; change it between
crawls through its admin API (``/_mirror/…``, see ``docs/mirror.md``). Runs until Ctrl-C.
"""

from __future__ import annotations

import argparse
import logging
import signal
import time

from csto_crawler.mirror import DEFAULT_FIXTURES, MirrorServer

logger = logging.getLogger(__name__)


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser(
        "mirror",
        help="serve the offline sample web (the fixture pages of every site) on loopback",
        description=(
            "Serve every fixture page at http://HOST:PORT/<site host>/<path>?<query>, with "
            "real HTTP behaviour (charset, ETag/Last-Modified and 304, redirects, 404/410, "
            "gzip). Point a crawl at it with `scrapy crawl SITE -s CSTO_MIRROR=<URL>`. "
            "Runs until Ctrl-C."
        ),
    )
    parser.add_argument("--port", type=int, default=8800,
                        help="TCP port (default 8800; 0 picks a free one)")
    parser.add_argument("--host", default="127.0.0.1",
                        help="loopback address to bind (default 127.0.0.1; no other address "
                             "is accepted)")
    parser.add_argument("--fixtures", default=str(DEFAULT_FIXTURES), metavar="DIR",
                        help="fixtures folder to serve (default: the project's tests/fixtures)")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    try:
        mirror = MirrorServer(args.fixtures, host=args.host, port=args.port)
    except (ValueError, FileNotFoundError) as exc:
        logger.error("%s", exc)
        return 2
    try:
        mirror.start()
    except OSError as exc:
        logger.error("cannot listen on %s:%s: %s", args.host, args.port, exc)
        return 1
    # Ctrl-C (or SIGTERM) only sets a flag the loop below looks at. Raised as KeyboardInterrupt
    # inside a lock's wait, it could leave the lock held and hang mirror.stop() for good.
    stops: list[int] = []
    previous = {number: signal.signal(number, lambda signum, frame: stops.append(signum))
                for number in (signal.SIGINT, signal.SIGTERM)}
    try:
        hosts = mirror.tree.hosts()
        print(f"Serving {len(mirror.tree.pages())} pages of {len(hosts)} hosts at {mirror.base_url}")
        print(f"Crawl it:  scrapy crawl <site> -s CSTO_MIRROR={mirror.base_url}")
        print(f"Admin API: {mirror.base_url}/_mirror/pages, /_mirror/requests (Ctrl-C stops)",
              flush=True)
        while not stops and not mirror.wait(0):
            time.sleep(0.2)
        print("\nStopped.")
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)
        mirror.stop()
    return 0
