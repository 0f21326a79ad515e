"""``python -m csto_crawler`` is the same as the ``csto`` command."""

from csto_crawler.cli import main

raise SystemExit(main())
