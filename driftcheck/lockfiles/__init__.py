"""Lockfiles as sides: `diff uv.lock host`, `check --baseline pylock.toml`.

A lockfile is read into a `Lock` (model.py) by one reader per form; when it meets
the environment on the other side, its markers are evaluated for that environment
(resolve.py) and it becomes a `Snapshot` that knows only distributions: versions
and sources. Everything else (interpreter details, OS, variables, native
libraries, wheel hashes) is listed as not comparable.
"""
