"""The CI gate: a baseline, a policy, a verdict (`driftcheck check`)."""
