"""The error a user saw (`--symptom TEXT`, `--log FILE`) as evidence for the diff.

reading.py reads a log under a bound; signatures.py finds the errors it holds
and what each points at (by finding category and subject); matching.py moves the
findings that explain one to the top and says which line they explain.
"""
