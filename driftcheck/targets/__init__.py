"""Targets: where a snapshot is taken from. Each one runs the same probe."""
