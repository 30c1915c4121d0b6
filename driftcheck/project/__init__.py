"""What a project uses: its declared dependencies and its imports, for ranking diff findings."""
