"""The offline sample web: a loopback HTTP mirror of every source site, built from the fixtures.

``MirrorServer`` serves every fixture page at ``http://127.0.0.1:PORT/<host>/<path>?<query>``
so the real spiders crawl it through ``CSTO_MIRROR``; tests mutate it between crawls and
inject faults. ``csto mirror`` runs it from the command line, ``csto demo`` crawls it.
See ``docs/mirror.md``.
"""

from csto_crawler.mirror.pages import Page, load_fixture_pages
from csto_crawler.mirror.server import DEFAULT_FIXTURES, FAULT_KINDS, MirrorServer, RequestRecord
from csto_crawler.mirror.tree import SiteTree

__all__ = ["DEFAULT_FIXTURES", "FAULT_KINDS", "MirrorServer", "Page", "RequestRecord", "SiteTree",
           "load_fixture_pages"]
