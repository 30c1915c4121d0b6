"""Explainers: small rules, one concern each, that turn changes into findings."""
