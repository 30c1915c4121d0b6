"""Host-side redaction: the authoritative pass over what a probe returned.

The rules themselves live in `driftcheck.redaction.rules`, which also runs inside the
target (stdlib only, CPython 3.8+); this package re-applies them on the host
(`sweep`, `host_redact_environment`) and anonymizes user, home and host names
(`Anonymizer`).
"""
