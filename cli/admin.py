"""``kyodo models fetch`` and ``kyodo users add``: setting a machine up."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from kb.errors import InputError
from kb.settings import Settings


def register(sub: argparse._SubParsersAction) -> None:
    models = sub.add_parser("models", help="manage model files")
    models.add_argument("action", choices=["fetch"])
    models.add_argument("--llm", action="store_true", help="fetch the local language model (Qwen2.5-Coder-1.5B GGUF) instead of the embedding model")
    models.set_defaults(func=cmd_models)
    users = sub.add_parser("users", help="maintainer logins for the web UI (hashed into KYODO_USERS_FILE)")
    users.add_argument("action", choices=["add"])
    users.add_argument("name")
    users.add_argument("--password-stdin", action="store_true", help="read the password from stdin, not a prompt")
    users.set_defaults(func=cmd_users)


def cmd_models(args: argparse.Namespace, settings: Settings) -> int:
    if args.llm:
        from kb.llm_models import fetch_llm_model

        fetch_llm_model(settings.llm_model_path)
        return 0
    from kb.embedder import native_query_dtype, precision_note
    from kb.models import fetch_embedding_model
    from kb.query_encoder import export_record

    folder = settings.embed_model_path
    if folder != settings.models_dir / "embeddinggemma-300m":
        print(f"KYODO_EMBED_MODEL is {settings.embed_model!r}: nothing to fetch (sentence-transformers loads it)")
    else:
        fetch_embedding_model(folder)
    print(precision_note(native_query_dtype(), export_record(folder) if isinstance(folder, Path) else None))
    return 0


def cmd_users(args: argparse.Namespace, settings: Settings) -> int:
    from getpass import getpass

    from kb.auth import add_user

    path = settings.users_path
    if args.password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = getpass(f"Password for {args.name}: ")
        if getpass("Again: ") != password:
            raise InputError("the two passwords differ: nothing was written")
    replaced = add_user(path, args.name, password)
    print(f"{'updated' if replaced else 'added'} {args.name} in {path}")
    return 0
