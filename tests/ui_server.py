"""Serve the real web UI on a free loopback port for a test module, and stop it afterwards."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from gradio_client import Client

from app import launch
from bench.measure import free_port
from cli.serve import first_start_backend
from kb.settings import Settings
from ui.backend import Backend

PASSWORD = "kitakyushu-2026"  # the admin password of the served pages that need a maintainer


@dataclass(frozen=True)
class Served:
    """A running page: its address and the backend behind it (feedback store, knowledge base)."""

    url: str
    backend: Backend


def logged_in(url: str) -> Client:
    """A new client (its own session) logged in as ``admin``."""
    client = Client(url, verbose=False)
    client.predict("admin", PASSWORD, api_name="/login")
    return client


@contextmanager
def serving(settings: Settings, backend: Backend | None = None) -> Iterator[Served]:
    """``launch()`` exactly as ``kyodo serve`` does, on 127.0.0.1 only, waiting until warm-up is done.

    ``backend`` replaces the one made from ``settings`` (e.g. one whose knowledge base has a scripted model).
    """
    backend = backend or first_start_backend(settings)
    port = free_port()
    app = launch(backend=backend, host="127.0.0.1", port=port, block=False)
    try:
        status = backend.wait(timeout=600)
        assert status.state == "ready", f"the UI did not become ready: {status}"
        yield Served(f"http://127.0.0.1:{port}/", backend)
    finally:
        app.close()
