"""arxiv-digest: daily markdown digests of new arXiv papers per topic."""

__version__ = "0.1.0"
