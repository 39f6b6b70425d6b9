"""Read files into ``Document`` records: corpus Markdown with front matter, text, PDF, DOCX, HTML.

Case files (``corpus/cases/<id>/<lang>.md``) carry their metadata in front matter. Other files
get an id from their path, a language detected from their text and a title from their first
line; PDF, DOCX and HTML go through llama-index's file readers.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

from indexer.corpus import read_case_file, split_paragraphs
from kb.errors import CorpusError
from kb.language import detect_language
from kb.codec import TAGS
from kb.records import Document, Facts

SUFFIXES = (".md", ".txt", ".pdf", ".docx", ".html", ".htm")
INDEXED = ("cases", "documents")
# The corpus's own files: its guides, the glossary and the Japanese source text the cases were cut from.
NOT_INDEXED = ("README.md", "TRANSLATING.md", "glossary.yaml", "source")


def _facts(meta: dict) -> Facts:
    """A case's front matter as typed facts: every tag field given (empty when the file leaves it out)."""
    def text(name: str) -> str | None:
        return None if meta.get(name) is None else str(meta[name])

    return Facts(text("source"), text("translated_from"), *(tuple(str(v) for v in meta.get(name) or []) for name in TAGS))


def read_case(path: Path) -> Document:
    """A corpus case file; raise ``CorpusError`` when required fields are missing."""
    case = read_case_file(path)
    for name in ("id", "title", "lang"):
        if not isinstance(case.meta.get(name), str) or not case.meta[name].strip():
            raise CorpusError(f"{path}:2: front matter has no '{name}' field (add {name}: ..., see corpus/README.md)")
    if not case.paragraphs:
        raise CorpusError(f"{path}: has no text after the front matter (add the case study's paragraphs)")
    return Document(case.meta["id"], case.meta["lang"], case.meta["title"],
                    [p.text for p in case.paragraphs], str(path), _facts(case.meta))


def _slug(path: Path, root: Path) -> str:
    relative = path.relative_to(root).with_suffix("") if path.is_relative_to(root) else Path(path.stem)
    return re.sub(r"[^a-z0-9]+", "-", str(relative).lower()).strip("-") or "document"


def _text_of(path: Path) -> str:
    suffix = path.suffix.lower()
    if suffix in (".md", ".txt"):
        try:
            return path.read_text(encoding="utf-8")
        except UnicodeDecodeError as exc:
            raise CorpusError(f"{path}: not UTF-8 text (byte {exc.start}); save it as UTF-8") from exc
    from llama_index.readers.file import DocxReader, HTMLTagReader, PDFReader

    reader = {".pdf": PDFReader(return_full_document=True), ".docx": DocxReader(),
              ".html": HTMLTagReader(tag="body"), ".htm": HTMLTagReader(tag="body")}[suffix]
    try:
        parts = reader.load_data(path)
    except Exception as exc:  # the readers raise anything from zip, XML and PDF parsers
        raise CorpusError(f"{path}: cannot be read as {suffix[1:].upper()} ({type(exc).__name__}: {exc})") from exc
    text = "\n\n".join(part.text for part in parts)
    if suffix == ".pdf" and not text.strip():
        raise CorpusError(f"{path}: the PDF has no text layer (it is probably scanned; run OCR on it first)")
    return text


def read_plain(path: Path, root: Path) -> Document:
    """A file that is not a case: text, Markdown without front matter, PDF, DOCX or HTML."""
    text = _text_of(path)
    if "\x00" in text:
        raise CorpusError(f"{path}: contains binary data, not text (is it really a {path.suffix} file?)")
    paragraphs = [p.text for p in split_paragraphs(re.sub(r"\n[ \t]*(?=\n)", "\n", text))]
    if not paragraphs:
        raise CorpusError(f"{path}: has no text (the file is empty)")
    title = paragraphs[0].split("\n")[0].lstrip("# ").strip()[:120] or path.stem
    lang = detect_language(" ".join(paragraphs)[:2000]).lang
    return Document(_slug(path, root), lang, title, paragraphs, str(path), Facts(source=path.name))


def read_document(path: Path, root: Path) -> Document:
    """Read any supported file; case files are those inside ``cases/<id>/``.

    The document's ``path`` is relative to ``root``: it is part of the content hash, so the same corpus
    reached by a relative, an absolute or a symlinked path must give the same documents.
    """
    if path.suffix.lower() not in SUFFIXES:
        raise CorpusError(f"{path}: unsupported file type (use one of {', '.join(SUFFIXES)})")
    if path.suffix == ".md" and path.parent.parent.name == "cases":
        document = read_case(path)
    else:
        document = read_plain(path, root)
    return replace(document, path=corpus_key(path, root))


def corpus_key(path: Path, root: Path) -> str:
    """``path`` as the index records it: relative to the corpus root, with '/' separators.

    >>> corpus_key(Path("corpus/cases/bago/ja.md"), Path("corpus"))
    'cases/bago/ja.md'
    """
    return path.relative_to(root).as_posix()


def corpus_files(corpus: Path) -> Iterator[Path]:
    """Files to index: everything under ``cases/`` and ``documents/``."""
    for folder in INDEXED:
        base = corpus / folder
        if base.is_dir():
            yield from sorted(p for p in base.rglob("*") if p.is_file() and not _hidden(p, base))


def stray_files(corpus: Path) -> list[tuple[Path, str]]:
    """Files of a readable type that are not indexed because they lie outside ``cases/`` and ``documents/``,
    each with where to move it. The corpus's own files (``README.md``, ``glossary.yaml``, ``source/`` …) are
    not reported."""
    strays = []
    for entry in sorted(corpus.iterdir()):
        if entry.name in INDEXED + NOT_INDEXED or entry.name.startswith("."):
            continue
        for path in sorted(entry.rglob("*")) if entry.is_dir() else [entry]:
            if path.is_file() and path.suffix.lower() in SUFFIXES and not _hidden(path, corpus):
                strays.append((path, f"{path}: not indexed, it is outside {corpus / 'cases'}/ and "
                                     f"{corpus / 'documents'}/ (move it to {corpus / 'documents'}/; a case study's "
                                     f"<lang>.md goes to {corpus / 'cases'}/<id>/)"))
    return strays


def _hidden(path: Path, base: Path) -> bool:
    """A dot file or a file in a dot folder (editors' and git's files, half-copied uploads)."""
    return any(part.startswith(".") for part in path.relative_to(base).parts)
