"""One indexer at a time: an exclusive, non-blocking file lock under ``KYODO_HOME``."""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from kb.errors import IndexBusyError


@contextmanager
def index_lock(home: Path) -> Iterator[None]:
    """Hold ``<home>/index.lock`` for the block; refuse at once if another process holds it."""
    home.mkdir(parents=True, exist_ok=True)
    path = home / "index.lock"
    with path.open("a+") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read().strip() or "unknown"
            raise IndexBusyError(f"another indexer (pid {holder}) is updating {home}: wait for it to finish, "
                                 "then run 'kyodo index' again") from None
        handle.seek(0)
        handle.truncate()
        handle.write(str(os.getpid()))
        handle.flush()
        try:
            yield
        finally:
            handle.seek(0)
            handle.truncate()
            fcntl.flock(handle, fcntl.LOCK_UN)
