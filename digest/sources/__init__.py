"""arXiv: one polite HTTP client, RSS, OAI-PMH, the API, and the batches a date needs."""
