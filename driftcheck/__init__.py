"""driftcheck: capture what a Python program really runs on, and explain drift."""

__version__ = "0.1.0"
