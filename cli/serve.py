"""``kyodo serve`` (and ``python app.py``): the web UI, building the index from the corpus on a first start."""

from __future__ import annotations

import argparse
import logging
from typing import TYPE_CHECKING

from kb.errors import KyodoError
from kb.settings import Settings

if TYPE_CHECKING:  # the web UI loads only when serving
    from ui.backend import Backend


def register(sub: argparse._SubParsersAction) -> None:
    serve = sub.add_parser("serve", help="start the web UI (http://127.0.0.1:7860)")
    serve.add_argument("--host", default="127.0.0.1", help="address to listen on (0.0.0.0 for the office network)")
    serve.add_argument("--port", type=int, default=7860)
    serve.set_defaults(func=cmd_serve)


def first_start_backend(settings: Settings) -> Backend:
    """The page's backend as ``kyodo serve`` makes it: with no index yet, warm-up builds it from the corpus
    (the page says so meanwhile) instead of failing with "run 'kyodo index' first"."""
    from ui.backend import Backend

    def build_index(kb):
        from indexer.pipeline import build_index  # llama-index: only on a first start, not on every one

        return build_index(settings, kb.embedder)

    return Backend(settings, build_index=build_index)


def cmd_serve(args: argparse.Namespace, settings: Settings) -> int:
    """Serve until interrupted, logging warm-up to stderr."""
    from app import launch

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s: %(message)s")
    try:
        launch(host=args.host, port=args.port, backend=first_start_backend(settings))
    except OSError as exc:
        if "empty port" not in str(exc):
            raise
        raise KyodoError(f"cannot listen on {args.host}:{args.port}: the port is in use (pass --port with another "
                         "number)") from exc
    return 0
