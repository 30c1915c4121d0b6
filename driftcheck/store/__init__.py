"""The history store: every snapshot `snapshot --store` and `check --store` took, with its
label, time, commit and verdict, in a SQLite file or a PostgreSQL database (one schema).

`@last-pass[:LABEL]`, `@latest[:LABEL]` and `@ID` name stored snapshots wherever a snapshot
goes (references.py); `driftcheck history` lists them (listing.py). Importing this package
is cheap (every command's --store option reaches location.py): history.py loads on use.
"""

from __future__ import annotations

from driftcheck.store.location import STORE_VARIABLE, chosen_store, use_store

__all__ = ["STORE_VARIABLE", "chosen_store", "use_store"]
