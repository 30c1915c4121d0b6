"""The diff engine: structural changes between two snapshots, explained and ranked."""
