"""Static reading: an image's filesystem read in memory, for images where nothing can run.

``archive`` opens ``docker save`` / OCI archives and verifies every blob,
``rootfs`` is the in-memory union of layers (never extracted to disk),
``collect`` turns it into the probe's facts. Targets live in
``driftcheck.targets.archive``.
"""
