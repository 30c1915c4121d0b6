"""Crafted Markdown reports for the read-back tests and benchmarks: many block headers."""

from __future__ import annotations

FAKE_HEADER = "driftcheck-snapshot v1 1/1 zlib+base64 bytes=100 sha256=" + "0" * 64
BASE64_LINE = "QUJD" * 19  # 76 characters, as embed_block writes them


def many_headers_report(headers: int, real_block: str = "", lines_per_block: int = 3) -> str:
    """A report of HEADERS block headers, each with a few base64 lines and no end line,
    as a quoted reply (so every line needs its quote stripped), then REAL_BLOCK."""
    fake = "\n".join([FAKE_HEADER, *[BASE64_LINE] * lines_per_block])
    body = "\n".join([fake] * headers + ([real_block] if real_block else []))
    quoted = "\n".join("> " + line for line in body.splitlines())
    return f"<!-- driftcheck-report v1 -->\n> ```text\n{quoted}\n> ```\n"
