"""Backups: ``kyodo export`` packs the index and the feedback database; ``kyodo import`` restores them.

Only the embedded store can be exported this way; a Chroma server is backed up with the
server's own tools.
"""

from __future__ import annotations

import shutil
import tarfile
import tempfile
from pathlib import Path

from indexer.lock import index_lock
from kb.errors import KyodoError
from kb.settings import Settings

PARTS = ("chroma", "docstores", "feedback.sqlite3")


def export_backup(settings: Settings, archive: Path) -> list[str]:
    """Write ``archive`` (.tar.gz) with the index and feedback; holds the index lock so the copy is consistent."""
    if settings.chroma_url:
        raise KyodoError("export covers the embedded index only: back up the Chroma server with its own tools")
    with index_lock(settings.home):
        present = [part for part in PARTS if (settings.home / part).exists()]
        if "chroma" not in present:
            raise KyodoError(f"No index at {settings.chroma_dir}: run 'kyodo index' first")
        partial = archive.with_name(f".{archive.name}.part")
        with tarfile.open(partial, "w:gz") as tar:
            for part in present:
                tar.add(settings.home / part, arcname=part)
        partial.replace(archive)
    return present


def import_backup(settings: Settings, archive: Path, force: bool = False) -> list[str]:
    """Restore ``archive`` into ``KYODO_HOME``; refuses to overwrite an index unless ``force``."""
    if not archive.is_file():
        raise KyodoError(f"{archive}: no such backup file")
    if settings.chroma_dir.exists() and not force:
        raise KyodoError(f"{settings.chroma_dir} already holds an index: pass --force to replace it")
    with index_lock(settings.home), tempfile.TemporaryDirectory(dir=settings.home) as tmp:
        try:
            with tarfile.open(archive, "r:gz") as tar:
                names = {member.name.split("/")[0] for member in tar.getmembers()}
                if not names <= set(PARTS) or "chroma" not in names:
                    raise KyodoError(f"{archive}: not a Kyodo backup (it holds {sorted(names)})")
                tar.extractall(tmp, filter="data")
        except (tarfile.TarError, OSError) as exc:
            raise KyodoError(f"{archive}: cannot be read as a backup ({exc})") from exc
        for part in sorted(names):
            target = settings.home / part
            if target.is_dir():
                shutil.rmtree(target)
            elif target.exists():
                target.unlink()
            Path(tmp, part).replace(target)
    return sorted(names)
