"""``kyodo``: the parser and the one place where library errors become messages and exit codes.

A ``KyodoError`` is printed as ``kyodo: <message>`` on stderr with exit code 1; argparse's usage
errors exit 2; Ctrl-C exits 130. Each subcommand lives in the module that ``register``s it.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import replace

from cli import admin, ask, bench, chat, corpus, gaps, pack, serve
from cli import eval as evaluation  # the module is named after its subcommand
from kb.errors import KyodoError
from kb.settings import Settings

DESCRIPTION = "Multilingual Q&A over Kitakyushu's environmental-cooperation case studies"


def settings(args: argparse.Namespace) -> Settings:
    """``KYODO_*`` settings, with ``--corpus`` when the command has it."""
    found = Settings.from_env()
    if getattr(args, "corpus", None):
        found = replace(found, corpus=args.corpus)
    return found


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(prog="kyodo", description=DESCRIPTION)
    sub = top.add_subparsers(dest="command", required=True)
    for module in (corpus, admin, ask, chat, gaps, pack, evaluation, bench, serve):
        module.register(sub)
    return top


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        return args.func(args, settings(args))
    except KyodoError as exc:
        print(f"kyodo: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
