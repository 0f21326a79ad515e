"""robots.txt is obeyed for every request queued while it is being fetched.

Scrapy 2.19's ``RobotsTxtMiddleware`` hands the parsed rules only to the first request waiting
for a host's robots.txt; the others queued at that moment pass unchecked. The project's
``csto_crawler.middlewares.RobotsTxtMiddleware`` makes every waiter wait for the rules. Both are
run here, in a real crawl (a subprocess) against a loopback server, with four start requests
for one host: ``/ok`` and three paths robots.txt forbids.
"""

from __future__ import annotations

import subprocess
import sys

import pytest
from helpers import LoopbackServer

from csto_crawler import PROJECT_ROOT

ROBOTS = b"User-agent: *\nDisallow: /forbidden\n"
PAGE = b"<html><body><p>ok</p></body></html>"

CRAWL = """
import sys
import scrapy
from scrapy.crawler import CrawlerProcess

base, middleware = sys.argv[1], sys.argv[2]

class Race(scrapy.Spider):
    name = "race"

    async def start(self):
        for path in ("/ok", "/forbidden1", "/forbidden2", "/forbidden3"):
            yield scrapy.Request(base + path, callback=self.parse, errback=lambda failure: None)

    def parse(self, response):
        pass

process = CrawlerProcess({
    "ROBOTSTXT_OBEY": True,
    "LOG_LEVEL": "ERROR",
    "DOWNLOADER_MIDDLEWARES": {
        "scrapy.downloadermiddlewares.robotstxt.RobotsTxtMiddleware": None,
        middleware: 100,
    },
})
process.crawl(Race)
process.start()
"""


def paths_requested(middleware: str) -> list[str]:
    pages = {"/robots.txt": (200, {"Content-Type": "text/plain"}, ROBOTS)}
    for path in ("/ok", "/forbidden1", "/forbidden2", "/forbidden3"):
        pages[path] = (200, {"Content-Type": "text/html"}, PAGE)
    with LoopbackServer(pages) as server:
        proc = subprocess.run([sys.executable, "-c", CRAWL, server.url, middleware], cwd=PROJECT_ROOT,
                              capture_output=True, text=True, timeout=120)
        assert proc.returncode == 0 and "Traceback" not in proc.stderr, proc.stderr[-3000:]
        return list(server.requests)


@pytest.mark.e2e
def test_every_request_waiting_for_robots_txt_is_checked():
    seen = paths_requested("csto_crawler.middlewares.RobotsTxtMiddleware")
    assert seen.count("/robots.txt") == 1
    assert "/ok" in seen
    assert not [p for p in seen if p.startswith("/forbidden")], seen


@pytest.mark.e2e
def test_scrapys_own_middleware_lets_queued_requests_through():
    """The upstream race this project works around: when Scrapy fixes it, this test fails, and
    ``csto_crawler.middlewares.RobotsTxtMiddleware`` can go."""
    seen = paths_requested("scrapy.downloadermiddlewares.robotstxt.RobotsTxtMiddleware")
    assert [p for p in seen if p.startswith("/forbidden")], seen


def test_the_project_uses_the_fixed_middleware():
    from scrapy.settings import Settings

    settings = Settings()
    settings.setmodule("csto_crawler.settings")
    middlewares = settings.getdict("DOWNLOADER_MIDDLEWARES")
    assert middlewares["scrapy.downloadermiddlewares.robotstxt.RobotsTxtMiddleware"] is None
    assert "csto_crawler.middlewares.RobotsTxtMiddleware" in middlewares
