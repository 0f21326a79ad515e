"""Subcommands of ``csto``: one module each, each with ``register(subparsers)``."""
