"""Spiders: one module per site, named by its slug (``csto_crawler/spiders/<slug>.py``).

The shared flow lives in ``base.NewsSpider``; a site module declares its slug, domains,
languages, entry points, URL patterns and extraction rules (``SiteRules``).
"""
