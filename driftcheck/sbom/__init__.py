"""SBOMs as sides: a snapshot exported as CycloneDX or SPDX, and an SBOM read as a snapshot.

Package URLs are the meeting point both ways (purls.py): a Python distribution is
``pkg:pypi/NAME@VERSION``; an OS package is ``pkg:deb``, ``pkg:apk`` or ``pkg:rpm``.
"""
