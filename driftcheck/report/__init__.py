"""Bug-ticket reports: an environment or drift report, safe to paste in public.

`build` assembles a report (Markdown sized to an issue body, or one self-contained
HTML file); `embed` packs the snapshots into it and reads them back, so that a
report file is itself an input to `driftcheck diff` and `driftcheck show`.
"""
