"""Exceptions the library raises; the CLI and the UI turn them into one-line messages."""


class KyodoError(Exception):
    """Base class: the message names the thing that is wrong and the fix."""


class CorpusError(KyodoError):
    """A corpus file cannot be read or is malformed."""


class ModelMissingError(KyodoError):
    """The embedding model is not on disk."""


class ModelFetchError(KyodoError):
    """Downloading or verifying model files failed."""


class IndexMissingError(KyodoError):
    """There is no index to query yet."""


class IndexEmptyError(IndexMissingError):
    """The index exists but holds no chunks (nothing was indexed)."""


class IndexBusyError(KyodoError):
    """Another indexer holds the lock."""


class InputError(KyodoError):
    """A user's question or option is unusable."""


class AuthError(KyodoError):
    """A write action without a valid login, a wrong password, or too many failed logins."""
