"""Images read straight from a registry over the distribution (Registry HTTP API v2).

No Docker engine is involved: ``names`` parses ``HOST/REPOSITORY:TAG`` and
``@sha256:`` references, ``client`` speaks the HTTP API (plain HTTP only to
loopback and to registries the user calls insecure; anonymous first, then a
Bearer token or Basic auth from the docker config's ``auths``), ``resolve``
turns a tag into the config and layer descriptors of one platform's image,
and ``reader`` hands those blobs to the static reader (``driftcheck.static``),
which verifies every digest and size while it streams them.
"""
