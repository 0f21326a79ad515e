"""A pipeline for the capture fault test: the crawler dies (SIGKILL) on its first article,
after the capture was written and before the store pipeline could commit the item."""

from __future__ import annotations

import os
import signal

from csto_crawler.items import ArticleItem


class KillBeforeStore:
    """Placed between fingerprint (300) and store (900)."""

    def process_item(self, item):
        if isinstance(item, ArticleItem) and item.capture_id is not None:
            os.kill(os.getpid(), signal.SIGKILL)
        return item
