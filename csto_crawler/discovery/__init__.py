"""Discovery: how a site's article links are found, apart from the spider that fetches them.

* ``pages``: plain functions that read an entry page (feed, sitemap, robots.txt, listing, any
  HTML page) into ``(link, date)`` entries, feed links and section links; no crawler needed;
* ``flow``: ``DiscoveryFlow``, the mixin of ``NewsSpider`` that opens the entry points, checks
  every entry page once and pages through listings;
* ``fallbacks``: what runs when a configured guess is wrong (robots.txt sitemaps, the
  harvest of a listing whose card selector misses, the home page and its sections);
* ``report``: per entry point its status, entries and new entries, in the log and the stats.

The order of discovery and when each fallback runs are in ``docs/spiders.md`` ("Discovery").
"""

from csto_crawler.discovery.report import entry_point_lines

__all__ = ["entry_point_lines"]
