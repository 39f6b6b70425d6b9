"""The ``kyodo`` command: one module per group of subcommands, wired together by ``cli.main``.

The only package that turns library errors (``KyodoError``) into one-line messages and exit codes;
``kb``, ``indexer``, ``trainer`` and ``evals`` raise them and never print for the user.
"""
