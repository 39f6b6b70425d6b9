"""The ``kyodo`` command: index, models fetch, validate, ask, search, serve.

Library errors (``KyodoError``) become one-line messages and exit code 1; usage errors exit 2.
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import replace
from pathlib import Path
from typing import TextIO

from kb.errors import IndexEmptyError, InputError, KyodoError
from kb.settings import LANGUAGES, Settings


def _settings(args: argparse.Namespace) -> Settings:
    settings = Settings.from_env()
    if getattr(args, "corpus", None):
        settings = replace(settings, corpus=args.corpus)
    return settings


def cmd_index(args: argparse.Namespace) -> int:
    from indexer.pipeline import build_index
    from kb.embedder import shared_embedder
    from kb.store import EMPTY_INDEX

    settings = _settings(args)
    report = build_index(settings, shared_embedder(settings.embed_model_path))
    for path, reason in report.failed:
        print(f"skipped: {reason}", file=sys.stderr)
    print(report.summary())
    if not report.chunks:
        raise IndexEmptyError(EMPTY_INDEX)
    return 0


def cmd_models(args: argparse.Namespace) -> int:
    from kb.models import fetch_embedding_model

    settings = _settings(args)
    if args.llm:
        from kb.llm_models import fetch_llm_model

        fetch_llm_model(settings.llm_model_path)
        return 0
    if settings.embed_model_path != settings.models_dir / "embeddinggemma-300m":
        print(f"KYODO_EMBED_MODEL is {settings.embed_model!r}: nothing to fetch (sentence-transformers loads it)")
        return 0
    fetch_embedding_model(settings.embed_model_path)
    return 0


def cmd_add(args: argparse.Namespace) -> int:
    from indexer.upload import add_files
    from kb.embedder import shared_embedder

    settings = _settings(args)
    results, report = add_files(args.files, settings, shared_embedder(settings.embed_model_path), args.replace)
    for result in results:
        if result.status == "added":
            print(f"added: {result.name} -> {result.detail}")
        else:
            print(f"{'refused' if result.status == 'rejected' else result.status}: {result.detail}", file=sys.stderr)
    if report:
        print(report.summary())
    return 0 if all(r.status == "added" for r in results) else 1


def cmd_export(args: argparse.Namespace) -> int:
    from indexer.backup import export_backup

    parts = export_backup(_settings(args), args.file)
    print(f"exported {', '.join(parts)} to {args.file}")
    return 0


def cmd_import(args: argparse.Namespace) -> int:
    from indexer.backup import import_backup

    parts = import_backup(_settings(args), args.file, args.force)
    print(f"imported {', '.join(parts)} from {args.file}")
    return 0


def cmd_bench(args: argparse.Namespace) -> int:
    if args.load:
        from bench.load import run as run_load

        _table, levels = run_load(args.users, args.seconds, args.url, args.pid, args.questions,
                                  log=lambda line: print(line, flush=True))
        return 1 if any(level.errors for level in levels) else 0
    from bench.scale import run

    print(run(args.sizes, args.questions))
    return 0


def cmd_validate(args: argparse.Namespace) -> int:
    from indexer.validate import main as validate_main

    return validate_main(["--corpus", str(_settings(args).corpus)])


def _run(args: argparse.Namespace, one, out: TextIO) -> int:
    """Run ``one(question, lang)`` for the single question or every batch line, printing JSON or text."""
    if args.batch:
        from trainer.batch import attempt, read_questions

        failed = 0
        for item in read_questions(args.batch):
            result, error = attempt(item, lambda i: one(i.question, i.lang or args.lang))
            if error:
                failed += 1
                print(f"failed: {error}", file=sys.stderr)
            body = result or {"question": item.question, "error": error}
            print(json.dumps({"id": item.id, **body}, ensure_ascii=False), file=out)
        return 1 if failed else 0
    if args.question is None:
        raise InputError("give a QUESTION or --batch FILE.jsonl")
    result = one(args.question, args.lang)
    if args.json:
        print(json.dumps(result, ensure_ascii=False, indent=2), file=out)
    elif "answer" in result:
        print(result["answer"], file=out)
        for c in result["citations"]:
            print(f"[{c['n']}] {c['title']} ({c['doc_id']}, {c['lang']}) — {c['source']}", file=out)
        if result["note"]:
            print(result["note"], file=out)
    else:
        for hit in result["hits"]:
            print(f"{hit['score']:.4f}  {hit['chunk_id']}", file=out)
    return 0


def cmd_ask(args: argparse.Namespace) -> int:
    from kb.service import KnowledgeBase

    if args.batch:
        from trainer.commands import ask_batch  # JSONL, CSV or text questions; JSONL, CSV or Markdown answers

        return ask_batch(args, _settings(args))
    kb = KnowledgeBase(_settings(args))
    return _run(args, lambda q, lang: kb.ask(q, lang, args.k, args.mode).to_json(), sys.stdout)


def cmd_search(args: argparse.Namespace) -> int:
    from kb.service import KnowledgeBase

    kb = KnowledgeBase(_settings(args))

    def one(question: str, lang: str | None) -> dict:
        language, passages = kb.search(question, lang, args.k, args.mode)
        hits = [{"doc_id": p.best.chunk.doc_id, "chunk_id": p.best.chunk.chunk_id, "lang": p.best.chunk.lang,
                 "score": round(p.best.score, 6), "similarity": round(p.best.similarity, 4)} for p in passages]
        return {"question": question, "language": language, "hits": hits}

    return _run(args, one, sys.stdout)


def cmd_eval(args: argparse.Namespace) -> int:
    from evals.gate import check, load_thresholds
    from evals.report import tables
    from evals.run import run_eval

    settings = _settings(args)
    thresholds = load_thresholds(args.gate) if args.gate else None
    result = run_eval(settings, args.out or settings.home / "evals", args.systems, args.limit,
                      log=lambda line: print(line, file=sys.stderr), sample=args.sample)
    print(tables(result.figures))
    print(f"\n{len(result.scores)} runs in {result.seconds:.0f} s; report, results and chart in {result.folder}")
    if thresholds is None:
        return 0
    failures = check(result.figures, thresholds)
    for line in failures:
        print(f"gate: {line}")
    print(f"gate {args.gate}: {'FAILED' if failures else 'passed'}")
    return 1 if failures else 0


def cmd_users(args: argparse.Namespace) -> int:
    from getpass import getpass

    from kb.auth import add_user

    path = _settings(args).users_path
    if args.password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = getpass(f"Password for {args.name}: ")
        if getpass("Again: ") != password:
            raise InputError("the two passwords differ: nothing was written")
    replaced = add_user(path, args.name, password)
    print(f"{'updated' if replaced else 'added'} {args.name} in {path}")
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    from app import serve

    return serve(_settings(args), args.host, args.port)


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(prog="kyodo", description="Multilingual Q&A over Kitakyushu's environmental-cooperation case studies")
    sub = top.add_subparsers(dest="command", required=True)
    index = sub.add_parser("index", help="index the corpus (incremental)")
    index.add_argument("--corpus", type=Path)
    index.set_defaults(func=cmd_index)
    models = sub.add_parser("models", help="manage model files")
    models.add_argument("action", choices=["fetch"])
    models.add_argument("--llm", action="store_true", help="fetch the local language model (Qwen2.5-Coder-1.5B GGUF) instead of the embedding model")
    models.set_defaults(func=cmd_models)
    validate = sub.add_parser("validate", help="check the corpus files")
    validate.add_argument("--corpus", type=Path)
    validate.set_defaults(func=cmd_validate)
    for name, func, text in (("ask", cmd_ask, "answer a question with citations"),
                             ("search", cmd_search, "ranked passages for a question")):
        command = sub.add_parser(name, help=text)
        command.add_argument("question", nargs="?")
        command.add_argument("--lang", choices=LANGUAGES)
        command.add_argument("-k", type=int, default=None, help="passages to retrieve (default 5)")
        command.add_argument("--json", action="store_true")
        command.add_argument("--batch", type=Path, help="JSONL file of {\"id\", \"question\", \"lang\"?}")
        command.add_argument("--mode", choices=["hybrid", "dense", "keyword"], default="hybrid")
        if name == "ask":
            command.add_argument("--out", type=Path, help="with --batch (also a CSV with a 'question' column, or "
                                 "text, one question per line): write the answers to a .csv, .md or .jsonl file")
        command.set_defaults(func=func)
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
    bench = sub.add_parser("bench", help="scale benchmark on synthetic corpora (needs a built index)")
    bench.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000, 100000])
    bench.add_argument("--questions", type=Path, default=Path("evals/gold.yaml"))
    bench.add_argument("--load", action="store_true",
                       help="load-test the web UI instead: concurrent users asking the gold questions")
    bench.add_argument("--users", type=int, nargs="+", default=[1, 5, 20], help="--load: users per level")
    bench.add_argument("--seconds", type=float, default=60, help="--load: duration of each level")
    bench.add_argument("--url", help="--load: a running loopback server (default: start one on a free port)")
    bench.add_argument("--pid", type=int, help="--load with --url: the server's pid, to report its memory")
    bench.set_defaults(func=cmd_bench)
    evaluate = sub.add_parser("eval", help="run the gold questions through Kyodo and its baselines")
    evaluate.add_argument("--out", type=Path, help="output folder (default $KYODO_HOME/evals)")
    evaluate.add_argument("--systems", nargs="+", choices=["kyodo-hybrid", "dense-only", "keyword-only",
                                                          "llamaindex-baseline", "kyodo-generative"],
                          help="default: the first four; kyodo-generative (the local model, ~30 s a question) only when named")
    picks = evaluate.add_mutually_exclusive_group()
    picks.add_argument("--limit", type=int, help="only the first N gold items (each in every language)")
    picks.add_argument("--sample", type=int, help="N gold items taken in turn from each kind (fact, how, ...)")
    evaluate.add_argument("--gate", type=Path, help="thresholds file: exit 1 when a metric is below its minimum")
    evaluate.set_defaults(func=cmd_eval)
    users = sub.add_parser("users", help="maintainer logins for the web UI (hashed into KYODO_USERS_FILE)")
    users.add_argument("action", choices=["add"])
    users.add_argument("name")
    users.add_argument("--password-stdin", action="store_true", help="read the password from stdin, not a prompt")
    users.set_defaults(func=cmd_users)
    serve = sub.add_parser("serve", help="start the web UI (http://127.0.0.1:7860)")
    serve.add_argument("--host", default="127.0.0.1", help="address to listen on (0.0.0.0 for the office network)")
    serve.add_argument("--port", type=int, default=7860)
    serve.set_defaults(func=cmd_serve)
    from trainer.commands import add_pack_command

    add_pack_command(sub)
    return top


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        return args.func(args)
    except KyodoError as exc:
        print(f"kyodo: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
