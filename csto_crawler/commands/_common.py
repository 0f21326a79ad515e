"""Helpers shared by the ``csto`` subcommands.

The project settings and the archive path are library code (``csto_crawler.config``); they
are re-exported here so a subcommand imports its helpers from one place.
"""

from __future__ import annotations

from csto_crawler.config import archive_path, project_settings

__all__ = ["project_settings", "archive_path"]
