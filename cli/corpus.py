"""``kyodo index``, ``validate``, ``add``, ``export`` and ``import``: the corpus and the index built from it."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from kb.errors import IndexEmptyError
from kb.settings import Settings


def register(sub: argparse._SubParsersAction) -> None:
    index = sub.add_parser("index", help="index the corpus (incremental)")
    index.add_argument("--corpus", type=Path)
    index.set_defaults(func=cmd_index)
    validate = sub.add_parser("validate", help="check the corpus files")
    validate.add_argument("--corpus", type=Path)
    validate.set_defaults(func=cmd_validate)
    add = sub.add_parser("add", help="check files, copy them into the corpus and index them")
    add.add_argument("files", nargs="+", type=Path)
    add.add_argument("--corpus", type=Path)
    add.add_argument("--replace", action="store_true",
                     help="replace a file already in the corpus (a case's <lang>.md, a document of the same name)")
    add.set_defaults(func=cmd_add)
    export = sub.add_parser("export", help="back up the index and feedback to a .tar.gz")
    export.add_argument("file", type=Path)
    export.set_defaults(func=cmd_export)
    restore = sub.add_parser("import", help="restore a backup made by 'kyodo export'")
    restore.add_argument("file", type=Path)
    restore.add_argument("--force", action="store_true", help="replace an existing index")
    restore.set_defaults(func=cmd_import)


def cmd_index(args: argparse.Namespace, settings: Settings) -> int:
    from indexer.pipeline import build_index
    from kb.embedder import shared_embedder
    from kb.store import EMPTY_INDEX

    # A terminal sees one line per embedding stage, updated in place; a log or a pipe only the summary.
    report = build_index(settings, shared_embedder(settings.embed_model_path),
                         progress=_progress if sys.stderr.isatty() else None)
    for _path, reason in report.failed:
        print(f"skipped: {reason}", file=sys.stderr)
    print(report.summary())
    if not report.chunks:
        raise IndexEmptyError(EMPTY_INDEX)
    return 0


def _progress(stage: str, done: int, total: int) -> None:
    print(f"\rembedding {stage}: {done}/{total}", end="\n" if done == total else "", file=sys.stderr, flush=True)


def cmd_validate(args: argparse.Namespace, settings: Settings) -> int:
    """Every problem as ``file:line: severity: problem (fix)``, the counts on stderr; exit 1 on any error."""
    from indexer.validate import report, validate

    return report(validate(settings.corpus))


def cmd_add(args: argparse.Namespace, settings: Settings) -> int:
    from indexer.upload import add_files
    from kb.embedder import shared_embedder

    results, report = add_files(args.files, settings, shared_embedder(settings.embed_model_path), args.replace)
    for result in results:
        if result.status == "added":
            print(f"added: {result.name} -> {result.detail}")
        else:
            print(f"{'refused' if result.status == 'rejected' else result.status}: {result.detail}", file=sys.stderr)
    if report:
        print(report.summary())
    return 0 if all(r.status == "added" for r in results) else 1


def cmd_export(args: argparse.Namespace, settings: Settings) -> int:
    from indexer.backup import export_backup

    parts = export_backup(settings, args.file)
    print(f"exported {', '.join(parts)} to {args.file}")
    return 0


def cmd_import(args: argparse.Namespace, settings: Settings) -> int:
    from indexer.backup import import_backup

    parts = import_backup(settings, args.file, args.force)
    print(f"imported {', '.join(parts)} from {args.file}")
    return 0
