"""Adding files to the corpus: checked by content, stored under a safe name, then indexed incrementally.

A case-study Markdown file (front matter with ``id`` and ``lang``) goes to ``cases/<id>/<lang>.md``;
anything else goes to ``documents/``. Nothing is stored unless it reads cleanly, a case file only if
its case then passes the corpus validator, and nothing already in the corpus is replaced unless asked.
"""

from __future__ import annotations

import re
import shutil
import tempfile
import unicodedata
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from indexer.corpus import read_case_file
from indexer.readers import SUFFIXES, read_case, read_plain
from indexer.validate import validate
from kb.embedder import Embedder
from kb.errors import CorpusError, KyodoError
from kb.settings import Settings

if TYPE_CHECKING:  # llama-index, behind the indexer: loaded when files are indexed, not when the page starts
    from indexer.pipeline import IndexReport

MAX_BYTES = 20 * 1024 * 1024
REPLACE_HINT = "pass --replace to replace it"
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


def add_file(path: Path, corpus: Path, replace: bool = False, hint: str = REPLACE_HINT) -> tuple[Path, bool]:
    """Check ``path`` and copy it into the corpus; return where it went and whether it replaced a file there.
    Raises ``CorpusError``.

    A file that is already in the corpus is replaced only when ``replace`` is set (``hint`` says how to ask
    for that). A case file is validated together with the rest of its case on a trial copy first, so a
    change the corpus validator refuses never reaches the corpus (the previous file stays byte for byte).
    """
    suffix = path.suffix.lower()
    if suffix not in SUFFIXES:
        raise CorpusError(f"{path.name}: unsupported file type (use one of {', '.join(SUFFIXES)})")
    if not path.is_file():
        raise CorpusError(f"{path}: no such file")
    check_content(path, suffix)
    target = destination(path, corpus)
    relative = target.relative_to(corpus)
    is_case = relative.parts[0] == "cases"
    if target.exists() and not replace:
        what = f"case '{target.parent.name}' already has {relative}" if is_case else f"{relative} already exists"
        raise CorpusError(f"{path.name}: {what}: {hint}" + (" (or give the new case its own id)" if is_case else ""))
    with tempfile.TemporaryDirectory() as tmp:
        trial = Path(tmp) / relative
        if is_case and target.parent.is_dir():  # the case's other languages, to validate the upload against
            shutil.copytree(target.parent, trial.parent)
        trial.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, trial)
        try:
            if is_case:
                read_case(trial)
            else:
                read_plain(trial, Path(tmp))
        except CorpusError as exc:  # name the user's file, not the trial copy in a temporary folder
            raise CorpusError(str(exc).replace(str(trial), path.name)) from exc
        if is_case:
            _validate_trial(path, Path(tmp), corpus, relative)
    existed = target.exists()
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(f".{target.name}.part")  # dot files are never indexed half-copied
    shutil.copyfile(path, partial)
    partial.replace(target)
    return target, existed


def _validate_trial(path: Path, trial: Path, corpus: Path, relative: Path) -> None:
    """Run the corpus validator on the trial copy of the case; refuse the file if it finds an error."""
    glossary = corpus / "glossary.yaml"
    if glossary.is_file():
        shutil.copyfile(glossary, trial / "glossary.yaml")
    errors = [str(p).replace(str(trial), str(corpus)) for p in validate(trial) if p.severity == "error"]
    if errors:
        raise CorpusError(f"{path.name}: {relative} would not pass 'kyodo validate', so nothing was changed "
                          "(fix these and add it again):\n  " + "\n  ".join(errors))


def _originals_first(paths: list[Path]) -> list[int]:
    """Indexes of ``paths`` with case originals (front matter without ``translated_from``) first, so that a
    new case uploaded as ja.md + en.md validates whatever order the files were picked in."""
    def is_translation(path: Path) -> bool:
        try:
            return "translated_from" in read_case_file(path).meta
        except (CorpusError, OSError):
            return False

    return sorted(range(len(paths)), key=lambda i: paths[i].suffix.lower() == ".md" and is_translation(paths[i]))


def add_files(paths: list[Path], settings: Settings, embedder: Embedder, replace: bool = False,
              hint: str = REPLACE_HINT) -> tuple[list[FileResult], IndexReport | None]:
    """Check and store each file, then index once; per-file results (in the order given) and the index run's
    report (if one ran). ``replace`` and ``hint`` as in ``add_file``."""
    results: dict[int, FileResult] = {}
    stored: dict[str, int] = {}
    for i in _originals_first(paths):
        path = paths[i]
        try:
            target, replaced = add_file(path, settings.corpus, replace, hint)
        except CorpusError as exc:
            results[i] = FileResult(path.name, "rejected", str(exc))
            continue
        stored[str(target)] = i
        results[i] = FileResult(path.name, "added", f"{target.relative_to(settings.corpus)}{' (replaced)' * replaced}")
    done = [results[i] for i in range(len(paths))]
    if not stored:
        return done, None
    from indexer.pipeline import build_index

    try:
        report = build_index(settings, embedder)
    except KyodoError as exc:  # e.g. another indexer holds the lock: the files wait for the next run
        for i in stored.values():
            done[i] = FileResult(done[i].name, "stored", f"{done[i].detail}: not indexed yet ({exc})")
        return done, None
    for path, reason in report.failed:
        if path in stored:
            i = stored[path]
            done[i] = FileResult(done[i].name, "rejected", reason.replace(path, done[i].name))
    return done, report
