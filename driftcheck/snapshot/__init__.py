"""Snapshots: the model, its JSON form, and building one from a probe answer."""
