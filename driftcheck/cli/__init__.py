"""The command line: thin, typed, errors mapped to exit codes in one place."""
