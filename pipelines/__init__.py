"""Item pipelines and the archive schema.

The pipelines run in this order, and this mapping is the one place that says so
(``csto_crawler.settings.ITEM_PIPELINES`` is built from it):

1. ``clean``: the final, text-level clean of an extracted article (furniture lines,
   source credit, whitespace), idempotent;
2. ``relevance``: keep CSTO-related articles only (unless ``CSTO_RELEVANCE=all``);
3. ``fingerprint``: ``content_hash``/``short_hash`` of the normalized title and text;
4. ``store``: write documents, versions, contents and fetches to the SQLite archive.

Each pipeline is small, site-agnostic and counts what it does in the crawler stats.
"""

ITEM_PIPELINES = {
    "pipelines.clean.CleanPipeline": 100,
    "pipelines.relevance.RelevancePipeline": 200,
    "pipelines.fingerprint.FingerprintPipeline": 300,
    "pipelines.store.StorePipeline": 900,
}
