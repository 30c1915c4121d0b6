"""Anchor: the least a Python inventory can do: read only the METADATA headers it needs.

    ENV/bin/python benchmarks/anchors/metadata_scan_headers.py

For every *.dist-info folder on sys.path, METADATA is read line by line up to the
first blank line and Name and Version are kept; nothing else is opened or parsed.
A floor for any tool that starts an interpreter and reads the installed metadata.
Prints one line per distribution.
"""

import os
import sys

lines = []
for folder in sys.path:
    try:
        entries = os.listdir(folder or ".")
    except OSError:
        continue
    for entry in entries:
        if not entry.endswith(".dist-info"):
            continue
        name = version = None
        try:
            with open(os.path.join(folder, entry, "METADATA"), encoding="utf-8") as handle:
                for line in handle:
                    if line in ("\n", "\r\n"):
                        break
                    if line.startswith("Name:"):
                        name = line[5:].strip()
                    elif line.startswith("Version:"):
                        version = line[8:].strip()
        except OSError:
            continue
        lines.append(f"{name}=={version}")
sys.stdout.write("\n".join(lines) + "\n")
