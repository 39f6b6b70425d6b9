"""Adding files to the corpus: checked by content, stored under a safe name, then indexed incrementally.

A case-study Markdown file (front matter with ``id`` and ``lang``) goes to ``cases/<id>/<lang>.md``;
anything else goes to ``documents/``. Nothing is stored unless it reads cleanly.
"""

from __future__ import annotations

import re
import shutil
import tempfile
import unicodedata
import zipfile
from dataclasses import dataclass
from pathlib import Path

from indexer.corpus import read_case_file
from indexer.pipeline import IndexReport, build_index
from indexer.readers import SUFFIXES, read_case, read_plain
from kb.embedder import Embedder
from kb.errors import CorpusError, KyodoError
from kb.settings import Settings

MAX_BYTES = 20 * 1024 * 1024
CASE_ID = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")


@dataclass(frozen=True)
class FileResult:
    """One file's outcome: ``added`` (stored and indexed), ``stored`` (not indexed yet) or ``rejected``."""

    name: str
    status: str
    detail: str


def safe_name(name: str) -> str:
    """A file name with no directories, no leading dots and only portable characters.

    >>> safe_name("../../etc/passwd.md"), safe_name("Laporan Surabaya (final).PDF"), safe_name("バゴ報告.txt")
    ('passwd.md', 'Laporan-Surabaya-final.pdf', 'バゴ報告.txt')
    """
    base = unicodedata.normalize("NFC", name.replace("\\", "/").split("/")[-1])
    stem, dot, suffix = base.rpartition(".")
    stem = re.sub(r"[^\w.-]+", "-", stem if dot else base).strip("-.") or "document"
    return f"{stem}.{suffix.lower()}" if dot else stem


def check_content(path: Path, suffix: str) -> None:
    """Refuse a file whose bytes do not match its type (a binary named .md, a renamed .exe …)."""
    size = path.stat().st_size
    if size == 0:
        raise CorpusError(f"{path.name}: the file is empty (0 bytes)")
    if size > MAX_BYTES:
        raise CorpusError(f"{path.name}: {size / 1e6:.1f} MB is over the {MAX_BYTES // 2**20} MB limit (split the file)")
    head = path.read_bytes()[:2048]
    if suffix == ".pdf" and not head.startswith(b"%PDF"):
        raise CorpusError(f"{path.name}: named .pdf but is not a PDF file")
    if suffix == ".docx" and not (zipfile.is_zipfile(path) and "word/document.xml" in zipfile.ZipFile(path).namelist()):
        raise CorpusError(f"{path.name}: named .docx but is not a Word document")
    if suffix in (".md", ".txt", ".html", ".htm"):
        if b"\x00" in head:
            raise CorpusError(f"{path.name}: named {suffix} but contains binary data")
        try:
            path.read_text(encoding="utf-8")
        except UnicodeDecodeError as exc:
            raise CorpusError(f"{path.name}: not UTF-8 text (byte {exc.start}); save it as UTF-8") from exc


def destination(path: Path, corpus: Path) -> Path:
    """Where a checked file belongs in the corpus."""
    name = safe_name(path.name)
    if path.suffix.lower() == ".md" and path.read_text(encoding="utf-8").lstrip("\ufeff").startswith("---"):
        case = read_case_file(path)
        case_id, lang = case.meta.get("id"), case.meta.get("lang")
        if not isinstance(case_id, str) or not CASE_ID.fullmatch(case_id) or lang not in ("ja", "en", "id", "th"):
            raise CorpusError(f"{path.name}: front matter needs id (lowercase words joined by '-') and lang "
                              "(ja, en, id or th); see corpus/README.md")
        return corpus / "cases" / case_id / f"{lang}.md"
    return corpus / "documents" / name


def add_file(path: Path, corpus: Path) -> Path:
    """Check ``path`` and copy it into the corpus; return where it went. Raises ``CorpusError``."""
    suffix = path.suffix.lower()
    if suffix not in SUFFIXES:
        raise CorpusError(f"{path.name}: unsupported file type (use one of {', '.join(SUFFIXES)})")
    if not path.is_file():
        raise CorpusError(f"{path}: no such file")
    check_content(path, suffix)
    target = destination(path, corpus)
    with tempfile.TemporaryDirectory() as tmp:
        trial = Path(tmp) / target.relative_to(corpus)
        trial.parent.mkdir(parents=True)
        shutil.copyfile(path, trial)
        try:
            if target.parent.parent.name == "cases":
                read_case(trial)
            else:
                read_plain(trial, Path(tmp))
        except CorpusError as exc:  # name the user's file, not the trial copy in a temporary folder
            raise CorpusError(str(exc).replace(str(trial), path.name)) from exc
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(f".{target.name}.part")  # dot files are never indexed half-copied
    shutil.copyfile(path, partial)
    partial.replace(target)
    return target


def add_files(paths: list[Path], settings: Settings, embedder: Embedder) -> tuple[list[FileResult], IndexReport | None]:
    """Check and store each file, then index once; per-file results and the index run's report (if one ran)."""
    results: list[FileResult] = []
    stored: dict[str, int] = {}
    for path in paths:
        try:
            target = add_file(path, settings.corpus)
        except CorpusError as exc:
            results.append(FileResult(path.name, "rejected", str(exc)))
            continue
        stored[str(target)] = len(results)
        results.append(FileResult(path.name, "added", str(target.relative_to(settings.corpus))))
    if not stored:
        return results, None
    try:
        report = build_index(settings, embedder)
    except KyodoError as exc:  # e.g. another indexer holds the lock: the files wait for the next run
        for i in stored.values():
            results[i] = FileResult(results[i].name, "stored", f"{results[i].detail}: not indexed yet ({exc})")
        return results, None
    for path, reason in report.failed:
        if path in stored:
            i = stored[path]
            results[i] = FileResult(results[i].name, "rejected", reason.replace(path, results[i].name))
    return results, report
