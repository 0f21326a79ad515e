"""``csto extract FILE [--url URL] [--json]``: run the article extraction on a saved page.

With ``--url`` matching a site module, that site's rules apply (``csto_crawler.sites``);
otherwise only the generic layers run. Prints the clean text, or with ``--json`` the item's
fields (sorted keys, UTF-8). For checking a page by hand, and for evaluating extraction on
any collection of saved pages.
"""

from __future__ import annotations

import json
import logging
import sys
from pathlib import Path

from csto_crawler.sites import rules_for_url, spider_for_url

logger = logging.getLogger(__name__)


def register(sub) -> None:
    parser = sub.add_parser(
        "extract",
        help="extract the article of a saved page (clean text or --json fields)",
        description="Run the layered extraction on a saved HTML page and print the article's clean text.",
    )
    parser.add_argument("file", metavar="FILE", help="the saved page (HTML, any encoding)")
    parser.add_argument("--url", help="the page's URL: selects the site's rules and resolves relative links")
    parser.add_argument("--json", action="store_true", help="print the item's fields as JSON instead of the text")
    parser.add_argument("--encoding", help="the page's encoding when the file does not declare it")
    parser.set_defaults(func=run)


def run(args) -> int:
    from csto_crawler.extract import extract

    path = Path(args.file)
    try:
        page = path.read_bytes()
    except OSError as err:
        print(f"csto extract: cannot read {args.file}: {err.strerror or err}", file=sys.stderr)
        return 2
    url = args.url or path.resolve().as_uri()
    rules = rules_for_url(url) if args.url else None
    spider = spider_for_url(url) if args.url else None
    result = extract(page, url, rules, encoding=args.encoding)
    if args.json:
        fields = {"url": url, "site": spider.name if spider else None, **result.item_fields()}
        print(json.dumps(fields, ensure_ascii=False, sort_keys=True, indent=2))
    elif result.text:
        print(result.text)
    else:
        print(f"csto extract: no article text found in {args.file}", file=sys.stderr)
        return 1
    return 0
