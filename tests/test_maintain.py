"""The maintainer tab served for real: writes need a login, uploads are checked, indexed and answered at once."""

from __future__ import annotations

import io
import shutil
import stat
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from gradio_client import Client, handle_file
from gradio_client.exceptions import AppError

from cli.main import main as kyodo
from kb.auth import Gate, add_user, hash_password, read_users, verify_password
from kb.errors import AuthError, InputError
from kb.settings import Settings
from kb.store import active_generation, open_client
from tests.conftest import CORPUS
from tests.pdfs import make_pdf
from tests.test_app import ask
from tests.ui_server import Served, serving

PASSWORD = "kitakyushu-2026"
MAKASSAR = "Laporan Makassar\n\nKota Makassar membangun 12 bank sampah pada tahun 2010.\n"


@pytest.fixture(scope="module")
def corpus_settings(tmp_path_factory: pytest.TempPathFactory, model_path: Path) -> Settings:
    """The small corpus (three cases and the glossary), indexed by the first server's warm-up."""
    root = tmp_path_factory.mktemp("maintain")
    for case in ("iges-bago-cebu-composting", "dalian-oda-master-plan", "kita-international-training"):
        shutil.copytree(CORPUS / "cases" / case, root / "corpus" / "cases" / case)
    shutil.copy(CORPUS / "glossary.yaml", root / "corpus" / "glossary.yaml")
    return Settings(home=root / "home", corpus=root / "corpus", embed_model=str(model_path),
                    users_file=root / "no-users.txt")


@pytest.fixture(scope="module")
def served(corpus_settings: Settings) -> Iterator[Served]:
    with serving(replace(corpus_settings, admin_password=PASSWORD)) as running:
        yield running


def snapshot(settings: Settings) -> tuple[list[Path], str | None]:
    """Every corpus file and the served index generation: what a refused write must leave alone."""
    return sorted(settings.corpus.rglob("*")), active_generation(open_client(settings))


def logged_in(served: Served) -> Client:
    client = Client(served.url, verbose=False)
    client.predict("admin", PASSWORD, api_name="/login")
    return client


def upload(client: Client, *paths: Path) -> list[list[str]]:
    rows, _summary = client.predict([handle_file(str(p)) for p in paths], api_name="/add_documents")
    return rows["data"]


def test_anonymous_upload_is_refused_and_nothing_is_written(served: Served, tmp_path: Path) -> None:
    note = tmp_path / "makassar.txt"
    note.write_text(MAKASSAR, encoding="utf-8")
    before = snapshot(served.backend.settings)
    with pytest.raises(AppError, match="log in as a maintainer first"):
        upload(Client(served.url, verbose=False), note)
    assert snapshot(served.backend.settings) == before


def test_wrong_password_is_refused_and_grants_no_writes(served: Served, tmp_path: Path) -> None:
    client = Client(served.url, verbose=False)
    with pytest.raises(AppError, match="wrong user name or password"):
        client.predict("admin", "kitakyushu-2025", api_name="/login")
    note = tmp_path / "makassar.txt"
    note.write_text(MAKASSAR, encoding="utf-8")
    before = snapshot(served.backend.settings)
    with pytest.raises(AppError, match="log in as a maintainer first"):
        upload(client, note)
    assert snapshot(served.backend.settings) == before


def test_uploaded_text_is_indexed_and_answers_cite_it_without_restart(served: Served, tmp_path: Path) -> None:
    note = tmp_path / "Laporan Makassar.txt"
    note.write_text(MAKASSAR, encoding="utf-8")
    rows = upload(logged_in(served), note)
    assert rows == [["Laporan Makassar.txt", "added", "documents/Laporan-Makassar.txt"]]
    _thread, answer = ask(served, "Berapa bank sampah yang dibangun Makassar?")
    assert answer["citations"], f"expected a citation of the upload, got {answer['answer']!r}"
    assert answer["citations"][0]["doc_id"] == "documents-laporan-makassar"
    assert "12 bank sampah" in answer["answer"]


def test_scanned_pdf_is_rejected_as_having_no_text_layer(served: Served, tmp_path: Path) -> None:
    scan = tmp_path / "scan.pdf"
    scan.write_bytes(make_pdf(["", ""]))
    rows = upload(logged_in(served), scan)
    assert rows[0][:2] == ["scan.pdf", "rejected"]
    assert rows[0][2] == "scan.pdf: the PDF has no text layer (it is probably scanned; run OCR on it first)"
    assert not (served.backend.settings.corpus / "documents" / "scan.pdf").exists()


def test_upload_over_the_size_limit_is_refused_by_the_server(served: Served, tmp_path: Path) -> None:
    big = tmp_path / "big.txt"
    big.write_bytes(b"Makassar bank sampah. " * (21 * 2**20 // 22))
    with pytest.raises(Exception, match="(?i)file size|too large|exceeds"):
        upload(logged_in(served), big)
    assert not (served.backend.settings.corpus / "documents" / "big.txt").exists()


def test_logout_ends_the_session(served: Served, tmp_path: Path) -> None:
    client = logged_in(served)
    client.predict(api_name="/logout")
    note = tmp_path / "note.md"
    note.write_text("# 覚書\n\n北九州市は2026年に新しい研修を始めた。\n", encoding="utf-8")
    with pytest.raises(AppError, match="log in as a maintainer first"):
        upload(client, note)


def test_server_without_a_password_refuses_every_write(served: Served, corpus_settings: Settings,
                                                       tmp_path: Path) -> None:
    note = tmp_path / "makassar.txt"
    note.write_text(MAKASSAR, encoding="utf-8")
    with serving(corpus_settings) as bare:
        client = Client(bare.url, verbose=False)
        with pytest.raises(AppError, match="no maintainer login is configured"):
            client.predict("admin", "", api_name="/login")
        before = snapshot(corpus_settings)
        with pytest.raises(AppError, match="log in as a maintainer first"):
            upload(client, note)
        assert snapshot(corpus_settings) == before


def test_password_hash_verifies_only_the_same_password() -> None:
    encoded = hash_password("รหัสผ่านยาวพอ")
    assert verify_password("รหัสผ่านยาวพอ", encoded)
    assert not verify_password("รหัสผ่านยาวพอ ", encoded)
    assert not verify_password("anything", "scrypt$broken")
    assert hash_password("same") != hash_password("same"), "each hash must have its own salt"


def test_users_file_is_private_and_updates_in_place(tmp_path: Path) -> None:
    path = tmp_path / "users.txt"
    assert add_user(path, "tanaka", "first-password") is False
    assert add_user(path, "tanaka", "second-password") is True
    users = read_users(path)
    assert list(users) == ["tanaka"] and verify_password("second-password", users["tanaka"])
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    with pytest.raises(InputError, match="use at least 8"):
        add_user(path, "sari", "short")
    with pytest.raises(InputError, match="must be letters"):
        add_user(path, "../root", "long-enough-password")


def test_repeated_failed_logins_lock_the_client_out() -> None:
    now, slept = [0.0], []
    gate = Gate(None, "right-password-1", max_failures=3, lockout=60, delay=1.0,
                clock=lambda: now[0], sleep=slept.append)
    for _ in range(3):
        with pytest.raises(AuthError, match="wrong user name or password"):
            gate.login("admin", "guess", "10.0.0.9")
    assert slept == [1.0, 1.0, 1.0], "every failure must be delayed"
    with pytest.raises(AuthError, match="too many failed logins"):
        gate.login("admin", "right-password-1", "10.0.0.9")
    assert gate.check(gate.login("admin", "right-password-1", "10.0.0.7")) == "admin", "other clients are not locked"
    now[0] = 61.0
    token = gate.login("admin", "right-password-1", "10.0.0.9")
    assert gate.check(token) == "admin"


def test_session_expires_and_unknown_tokens_are_refused() -> None:
    now = [0.0]
    gate = Gate(None, "right-password-1", session_seconds=10, clock=lambda: now[0], sleep=lambda _: None)
    token = gate.login("admin", "right-password-1")
    with pytest.raises(AuthError):
        gate.check("forged-token")
    with pytest.raises(AuthError):
        gate.check("")
    now[0] = 11.0
    with pytest.raises(AuthError, match="log in as a maintainer first"):
        gate.check(token)


def test_kyodo_users_add_writes_a_hashed_entry(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("KYODO_HOME", str(tmp_path))
    monkeypatch.delenv("KYODO_USERS_FILE", raising=False)
    monkeypatch.setattr("sys.stdin", io.StringIO("パスワード-長め\n"))
    assert kyodo(["users", "add", "sato", "--password-stdin"]) == 0
    assert capsys.readouterr().out == f"added sato in {tmp_path / 'users.txt'}\n"
    text = (tmp_path / "users.txt").read_text(encoding="utf-8")
    assert "パスワード" not in text and verify_password("パスワード-長め", read_users(tmp_path / "users.txt")["sato"])
    gate = Gate(tmp_path / "users.txt", sleep=lambda _: None)
    assert gate.check(gate.login("sato", "パスワード-長め")) == "sato"
