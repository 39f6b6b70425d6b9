"""The maintainer tab served for real: writes need a login, uploads are checked, indexed and answered at once.

Also what an outside probe tries: another client riding on a maintainer's login, server paths passed
where a file goes, a file over the size limit posted straight to Gradio's upload route.
"""

from __future__ import annotations

import logging
import os
import shutil
import uuid
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path

import httpx
import pytest
from gradio.utils import get_upload_folder
from gradio_client import Client, handle_file
from gradio_client.exceptions import AppError

from indexer.upload import MAX_BYTES
from kb.auth import add_user
from kb.settings import Settings
from kb.store import active_generation, open_client
from tests.conftest import CORPUS
from tests.pdfs import make_pdf
from tests.test_app import ask
from tests.ui_server import PASSWORD, Served, logged_in, serving

MAKASSAR = "Laporan Makassar\n\nKota Makassar membangun 12 bank sampah pada tahun 2010.\n"
# Every endpoint is one or the other; a new one fails the tests below until it is sorted into a set.
PUBLIC = {"/ask", "/rate_up", "/rate_down", "/comment", "/read_case", "/session_pack", "/batch_answers", "/login",
          "/logout", "/new_conversation"}
MAINTAINER_ONLY: dict[str, Callable[[Client, Path], object]] = {
    "/add_documents": lambda client, note: upload(client, note),
    "/export_feedback": lambda client, note: client.predict(api_name="/export_feedback"),
    "/gap_report": lambda client, note: client.predict("", "all", "all", api_name="/gap_report"),  # every question asked
    "/export_gaps": lambda client, note: client.predict("", "all", "all", api_name="/export_gaps"),
}
SECRET = "KYODO-SECRET-3f9c1e"


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


def upload(client: Client, *paths: Path) -> list[list[str]]:
    rows, _summary = client.predict([handle_file(str(p)) for p in paths], api_name="/add_documents")
    return rows["data"]


def endpoints(client: Client) -> dict[str, dict]:
    return client.view_api(return_format="dict", print_info=False)["named_endpoints"]


def raw_call(served: Served, api_name: str, data: list, session_hash: str) -> str:
    """Call an endpoint as a hand-written client would, without gradio_client's upload step: the whole reply."""
    with httpx.Client(base_url=served.url, timeout=300) as http:
        queued = http.post(f"gradio_api/call/{api_name.strip('/')}", json={"data": data, "session_hash": session_hash})
        queued.raise_for_status()
        return http.get(f"gradio_api/call/{api_name.strip('/')}/{queued.json()['event_id']}").text


def file_arguments(endpoint: dict, path: str) -> list:
    """Arguments for ``endpoint`` with ``path`` as every file and each other parameter's default."""
    data = []
    for parameter in endpoint["parameters"]:
        kind = parameter["python_type"]["type"]
        if "filepath" in kind:
            given = {"path": path, "meta": {"_type": "gradio.FileData"}}
            data.append([given] if kind.startswith("list") else given)
        else:
            assert parameter["parameter_has_default"], f"give {parameter['parameter_name']} a value in this test"
            data.append(parameter["parameter_default"])
    return data


def test_one_maintainers_login_lets_no_other_client_write(served: Served, tmp_path: Path) -> None:
    maintainer, other = logged_in(served.url), Client(served.url, verbose=False)
    assert set(endpoints(other)) - PUBLIC == set(MAINTAINER_ONLY), "sort each new endpoint into PUBLIC or MAINTAINER_ONLY"
    note = tmp_path / "覚書.md"
    note.write_text("# 覚書\n\n北九州市は2027年に上水道の研修を始めた。\n", encoding="utf-8")
    before = snapshot(served.backend.settings)
    for name, call in MAINTAINER_ONLY.items():
        with pytest.raises(AppError, match="log in as a maintainer first"):
            call(other, note)
    assert snapshot(served.backend.settings) == before, "a refused write changed the corpus or the index"
    assert upload(maintainer, note)[0][1] == "added", "the maintainer's own session can write"
    assert Path(str(MAINTAINER_ONLY["/export_feedback"](maintainer, note))).read_text(encoding="utf-8-sig")
    for name, call in MAINTAINER_ONLY.items():
        with pytest.raises(AppError, match="log in as a maintainer first"):
            call(other, note)


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


def test_refusals_are_logged_as_one_line_without_a_traceback(served: Served, caplog: pytest.LogCaptureFixture,
                                                              capfd: pytest.CaptureFixture[str]) -> None:
    caplog.set_level(logging.INFO, logger="kyodo.ui")
    client = Client(served.url, verbose=False)
    capfd.readouterr()
    with pytest.raises(AppError, match="wrong user name or password"):
        client.predict("admin", "not-the-password", api_name="/login")
    with pytest.raises(AppError, match="log in as a maintainer first"):
        client.predict(api_name="/export_feedback")
    refused = [r.getMessage() for r in caplog.records if r.name == "kyodo.ui" and "refused" in r.getMessage()]
    assert refused == ["login as 'admin' from 127.0.0.1 refused: wrong user name or password",
                       "feedback export from 127.0.0.1 refused: log in as a maintainer first (Maintain tab): "
                       "adding documents and exporting feedback need a login"]
    assert "not-the-password" not in caplog.text, "a password must never reach the log"
    assert "Traceback" not in capfd.readouterr().err


def test_file_inputs_refuse_server_paths_that_were_not_uploaded(served: Served, tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text(f"{SECRET} Apa itu kompos?\n", encoding="utf-8")
    users = tmp_path / "users.txt"
    add_user(users, "tanaka", "a-long-password")
    folder = get_upload_folder()
    paths = ["/etc/passwd", str(users), str(secret), os.path.relpath(secret), f"{folder}/../..{secret}",
             f"{folder}/../../etc/passwd", "../../../../../../etc/passwd", f"file://{secret}",
             f"{served.url}gradio_api/info"]
    client = logged_in(served.url)  # so that what refuses is the path check, not the login
    taking_files = {name: endpoint for name, endpoint in endpoints(client).items()
                    if any("filepath" in p["python_type"]["type"] for p in endpoint["parameters"])}
    assert {"/add_documents", "/batch_answers"} <= set(taking_files)
    before = snapshot(served.backend.settings)
    for name, endpoint in taking_files.items():
        for path in paths:
            reply = raw_call(served, name, file_arguments(endpoint, path), client.session_hash)
            refused = "event: error" in reply and "event: complete" not in reply
            assert refused, f"{name} took {path!r}: {reply[:300]}"
            assert "log in" not in reply, f"{name}: the login, not the path check, refused {path!r}"
            for content in (SECRET, "root:x:0", "scrypt$"):
                assert content not in reply, f"{name} returned the content of {path!r}"
    assert snapshot(served.backend.settings) == before
    for path in paths[:3]:
        with httpx.Client(base_url=served.url) as http:
            served_file = http.get(f"gradio_api/file={path}")
        assert served_file.status_code in (403, 404) and SECRET not in served_file.text, path
    with httpx.Client(base_url=served.url) as http:  # the same file, uploaded: now every endpoint takes it
        uploaded = http.post("gradio_api/upload", files={"files": ("secret.txt", secret.read_bytes())}).json()[0]
    for name, endpoint in taking_files.items():
        reply = raw_call(served, name, file_arguments(endpoint, uploaded), client.session_hash)
        assert "event: complete" in reply, f"{name} refused an uploaded file: {reply[:300]}"
    assert SECRET in raw_call(served, "/batch_answers", file_arguments(taking_files["/batch_answers"], uploaded),
                              client.session_hash), "an uploaded questions file is answered, its questions quoted"


def test_uploaded_text_is_indexed_and_answers_cite_it_without_restart(served: Served, tmp_path: Path) -> None:
    note = tmp_path / "Laporan Makassar.txt"
    note.write_text(MAKASSAR, encoding="utf-8")
    rows = upload(logged_in(served.url), note)
    assert rows == [["Laporan Makassar.txt", "added", "documents/Laporan-Makassar.txt"]]
    _thread, answer = ask(served, "Berapa bank sampah yang dibangun Makassar?")
    assert answer["citations"], f"expected a citation of the upload, got {answer['answer']!r}"
    assert answer["citations"][0]["doc_id"] == "documents-laporan-makassar"
    assert "12 bank sampah" in answer["answer"]


def test_scanned_pdf_is_rejected_as_having_no_text_layer(served: Served, tmp_path: Path) -> None:
    scan = tmp_path / "scan.pdf"
    scan.write_bytes(make_pdf(["", ""]))
    rows = upload(logged_in(served.url), scan)
    assert rows[0][:2] == ["scan.pdf", "rejected"]
    assert rows[0][2] == "scan.pdf: the PDF has no text layer (it is probably scanned; run OCR on it first)"
    assert not (served.backend.settings.corpus / "documents" / "scan.pdf").exists()


def test_upload_over_the_size_limit_is_refused_by_the_server(served: Served) -> None:
    """Posted straight to Gradio's upload route: gradio_client checks the size itself and would never send it."""
    name = f"big-{uuid.uuid4().hex}.txt"
    with httpx.Client(base_url=served.url, timeout=300) as http:
        small = http.post("gradio_api/upload", files={"files": ("small.txt", MAKASSAR.encode())})
        assert small.status_code == 200 and len(small.json()) == 1, "the route takes a file under the limit"
        big = http.post("gradio_api/upload", files={"files": (name, b"Makassar bank sampah. " * (21 * 2**20 // 22))})
    assert (big.status_code, big.text) == (413, f"File size exceeded maximum allowed size of {MAX_BYTES} bytes.")
    assert not list(Path(get_upload_folder()).rglob(name)), "the refused upload was stored"


def test_logout_ends_the_session(served: Served, tmp_path: Path) -> None:
    client = logged_in(served.url)
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
        for call in MAINTAINER_ONLY.values():
            with pytest.raises(AppError, match="log in as a maintainer first"):
                call(client, note)
        assert snapshot(corpus_settings) == before
