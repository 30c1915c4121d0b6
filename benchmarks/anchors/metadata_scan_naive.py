"""Anchor: a naive inventory with importlib.metadata, every METADATA read by the email parser.

    ENV/bin/python benchmarks/anchors/metadata_scan_naive.py

What a script that lists "name==version" with the standard library usually does.
Prints one line per distribution.
"""

import importlib.metadata
import sys

lines = [f"{d.metadata['Name']}=={d.version}" for d in importlib.metadata.distributions()]
sys.stdout.write("\n".join(lines) + "\n")
