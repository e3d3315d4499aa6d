"""Which papers a topic keeps: keyword matching, the selection policy, semantic similarity."""
