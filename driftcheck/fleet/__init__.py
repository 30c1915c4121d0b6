"""N-way comparison: many sides against the majority, each outlier named (issue 18)."""
