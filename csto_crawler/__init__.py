"""csto-archive: a Scrapy crawler and versioned archive of publications about the CSTO (ОДКБ)."""

from pathlib import Path

__version__ = "0.1.0"

#: The repository root (the folder of ``scrapy.cfg``); default paths are resolved against it.
PROJECT_ROOT = Path(__file__).resolve().parent.parent
