"""Load: a crawl of a 1,000-article synthetic site completes with bounded memory and no errors.

The site is ``bench/synthetic.py``'s (60–110 KB WordPress-style pages, 70 % about the CSTO),
crawled once by ``scrapy crawl news`` with the project's settings into a fresh archive
(``bench/load.py``'s ``check_load``, which ``python -m bench.load 5000`` runs for the 5,000-
article figures in ``docs/reliability.md``; that run takes about two minutes, too long for the
test suite).
"""

from __future__ import annotations

import sys

import pytest

from csto_crawler import PROJECT_ROOT

pytestmark = pytest.mark.e2e

if str(PROJECT_ROOT) not in sys.path:
    sys.path.insert(0, str(PROJECT_ROOT))

#: Peak RSS the crawl process must stay under (it measures about 100 MB).
MAX_RSS_MB = 300


def test_a_thousand_article_crawl_completes_with_bounded_memory_and_no_errors(tmp_path):
    from bench.load import check_load

    report = check_load(1000, tmp_path)
    assert report["finish_reason"] == "finished" and report["integrity"] == "ok", report
    assert report["errors_logged"] == 0, report
    assert report["documents"] == report["relevant"] > 600, report
    assert report["outcomes"] == {"new": report["relevant"], "irrelevant": 1000 - report["relevant"]}
    assert report["responses"] >= 1000
    assert report["peak_rss_mb"] < MAX_RSS_MB, report
