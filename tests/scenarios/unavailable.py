"""A pair this machine cannot build (no CPython 3.13, no gcc, no openssl): data, not an
exception that would take the whole session fixture, and every other pair, with it."""

from __future__ import annotations


class Unavailable(Exception):
    """What this machine lacks to build a pair, and how to get it."""
