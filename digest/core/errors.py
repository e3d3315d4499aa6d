"""The one error tree of arxiv-digest (docs/design.md, "Errors").

Library code raises these; only the CLI turns them into a message and an exit code::

    DigestError                 exit 1 unless a subclass says otherwise
    ├── InputError              exit 2: bad arguments, dates, record files
    │   ├── ConfigError         exit 2: the configuration file or environment is invalid
    │   └── OfflineMissError    exit 2: --offline asked for a batch the store does not hold
    ├── FetchError              exit 1: arXiv could not be read completely
    ├── StoreError              exit 1: the SQLite store is damaged or cannot be used
    ├── OutputError             exit 1: a digest could not be written (disk full, permissions)
    ├── PublishError            exit 1: git commit or push failed
    ├── NotifyError             exit 1: a notification target refused; the digests stand
    ├── ModelError              exit 1: the language model (`llm:`) could not answer
    └── LockError               exit 1: another run holds the output directory
"""

from __future__ import annotations

__all__ = [
    "ConfigError",
    "DigestError",
    "FetchError",
    "InputError",
    "LockError",
    "ModelError",
    "NotifyError",
    "OfflineMissError",
    "OutputError",
    "PublishError",
    "StoreError",
]


class DigestError(Exception):
    """Base of every error the CLI reports as one `Error: …` line."""

    exit_code = 1


class InputError(DigestError):
    """The user gave something unusable: an argument, a date, a records file."""

    exit_code = 2


class ConfigError(InputError):
    """The configuration is invalid; the message names the file, the key and the problem."""


class OfflineMissError(InputError):
    """`--offline` was asked for a date whose batch is not in the store."""


class FetchError(DigestError):
    """A fetch did not complete: nothing is written for the date it served."""


class StoreError(DigestError):
    """The store cannot be read or written; the message names the file and what to do."""


class OutputError(DigestError):
    """A file could not be written; what was on disk before is left as it was."""


class PublishError(DigestError):
    """git refused to commit or push."""


class NotifyError(DigestError):
    """A notification target did not take its message: the digests are written, the message stays queued."""


class LockError(DigestError):
    """Another run holds the output directory's lock."""


class ModelError(DigestError):
    """The language model could not answer: summaries wait for the next run, a judged topic is not written."""
