"""Renderers: each turns driftcheck data into a string for one sink."""
