"""The maintainer tab: log in, add documents to the corpus, see each file's result; export the feedback; the Gaps view
(``ui.gaps_view``: questions the cases do not answer).

Every write, and the feedback export (it holds every question and comment), is checked on the
server in the endpoint itself: the session token lives in a ``gr.State`` (kept server-side, never
sent to the browser) and ``Gate.check`` must accept it. Asking needs no login. Files go through
``indexer.upload.add_files``, the same checks as ``kyodo add``. Logins, refusals, uploads and
exports are logged as one line each (who, from where, what), never with the password.
"""

from __future__ import annotations

import logging
import tempfile
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import gradio as gr

from indexer.upload import MAX_BYTES, FileResult, add_files
from kb.auth import ADMIN, Gate
from kb.errors import AuthError, KyodoError
from kb.settings import LANGUAGES
from kb.vocabulary import translate
from ui.backend import Backend
from ui.errors import refuse
from ui.gaps_view import gaps_view
from ui.relabel import Labels

log = logging.getLogger("kyodo.ui")

MAX_FILES = 20
FILE_TYPES = [".md", ".txt", ".pdf", ".docx", ".html", ".htm"]

TEXTS: dict[str, dict[str, str]] = {
    "tab": {"ja": "管理", "en": "Maintain", "id": "Kelola", "th": "ดูแลระบบ"},
    "intro": {
        "ja": "管理者は文書（Markdown、テキスト、PDF、Word、HTML、1件{mb} MBまで）を追加できます。"
              "内容を確認して事例集に保存し、索引に加えます。追加した文書はすぐに回答に使われます。",
        "en": "Maintainers can add documents (Markdown, text, PDF, Word, HTML; up to {mb} MB each). Each file is "
              "checked, stored in the corpus and indexed; answers use it at once.",
        "id": "Pengelola dapat menambah dokumen (Markdown, teks, PDF, Word, HTML; maks. {mb} MB per berkas). Setiap "
              "berkas diperiksa, disimpan di korpus dan diindeks; jawaban langsung memakainya.",
        "th": "ผู้ดูแลเพิ่มเอกสารได้ (Markdown ข้อความ PDF Word HTML ไม่เกิน {mb} MB ต่อไฟล์) ทุกไฟล์จะถูกตรวจสอบ "
              "จัดเก็บในคลังเอกสาร และทำดัชนี คำตอบจะใช้เอกสารนั้นทันที",
    },
    "unconfigured": {
        "ja": "管理者ログインが設定されていないため、ここでは文書を追加できません。サーバーで `kyodo users add 名前` "
              "を実行するか、`KYODO_ADMIN_PASSWORD` を設定して再起動してください。",
        "en": "No maintainer login is configured, so no document can be added here. On the server, run "
              "`kyodo users add NAME`, or set `KYODO_ADMIN_PASSWORD` and restart.",
        "id": "Belum ada login pengelola, jadi dokumen tidak dapat ditambahkan di sini. Di server, jalankan "
              "`kyodo users add NAMA`, atau atur `KYODO_ADMIN_PASSWORD` lalu mulai ulang.",
        "th": "ยังไม่ได้ตั้งค่าการเข้าสู่ระบบของผู้ดูแล จึงเพิ่มเอกสารที่นี่ไม่ได้ บนเซิร์ฟเวอร์ให้รัน "
              "`kyodo users add ชื่อ` หรือตั้ง `KYODO_ADMIN_PASSWORD` แล้วเริ่มใหม่",
    },
    "user": {"ja": "ユーザー名", "en": "User name", "id": "Nama pengguna", "th": "ชื่อผู้ใช้"},
    "password": {"ja": "パスワード", "en": "Password", "id": "Kata sandi", "th": "รหัสผ่าน"},
    "login": {"ja": "ログイン", "en": "Log in", "id": "Masuk", "th": "เข้าสู่ระบบ"},
    "logout": {"ja": "ログアウト", "en": "Log out", "id": "Keluar", "th": "ออกจากระบบ"},
    "logged_in": {"ja": "{name} としてログイン中", "en": "Logged in as {name}", "id": "Masuk sebagai {name}",
                  "th": "เข้าสู่ระบบในชื่อ {name}"},
    "refused": {"ja": "**ログインできません：** {detail}", "en": "**Not logged in:** {detail}",
                "id": "**Gagal masuk:** {detail}", "th": "**เข้าสู่ระบบไม่สำเร็จ:** {detail}"},
    "logged_out": {"ja": "ログアウトしました", "en": "Logged out", "id": "Sudah keluar", "th": "ออกจากระบบแล้ว"},
    "files": {"ja": "追加する文書", "en": "Documents to add", "id": "Dokumen yang ditambahkan", "th": "เอกสารที่จะเพิ่ม"},
    "replace": {"ja": "既存の事例・文書を置き換える", "en": "Replace an existing case or document",
                "id": "Ganti kasus atau dokumen yang sudah ada", "th": "แทนที่กรณีศึกษาหรือเอกสารที่มีอยู่"},
    "add": {"ja": "追加して索引に加える", "en": "Add and index", "id": "Tambah dan indeks", "th": "เพิ่มและทำดัชนี"},
    "results": {"ja": "結果", "en": "Results", "id": "Hasil", "th": "ผลลัพธ์"},
    "file": {"ja": "ファイル", "en": "File", "id": "Berkas", "th": "ไฟล์"},
    "result": {"ja": "結果", "en": "Result", "id": "Hasil", "th": "ผล"},
    "detail": {"ja": "詳細", "en": "Detail", "id": "Rincian", "th": "รายละเอียด"},
    "added": {"ja": "追加", "en": "added", "id": "ditambahkan", "th": "เพิ่มแล้ว"},
    "stored": {"ja": "保存（未索引）", "en": "stored, not indexed", "id": "disimpan, belum diindeks",
               "th": "จัดเก็บแล้ว ยังไม่ทำดัชนี"},
    "rejected": {"ja": "却下", "en": "rejected", "id": "ditolak", "th": "ถูกปฏิเสธ"},
    "no_files": {"ja": "ファイルを選んでください", "en": "Choose one or more files first",
                 "id": "Pilih satu berkas atau lebih dahulu", "th": "เลือกไฟล์อย่างน้อยหนึ่งไฟล์ก่อน"},
    "too_many": {"ja": "一度に追加できるのは {max} 件までです", "en": "At most {max} files at a time",
                 "id": "Paling banyak {max} berkas sekaligus", "th": "เพิ่มได้ครั้งละไม่เกิน {max} ไฟล์"},
    "index": {"ja": "索引：{summary}", "en": "Index: {summary}", "id": "Indeks: {summary}", "th": "ดัชนี: {summary}"},
    "export": {"ja": "フィードバックをCSVで書き出す", "en": "Export feedback (CSV)",
               "id": "Ekspor masukan (CSV)", "th": "ส่งออกความคิดเห็น (CSV)"},
}


def text(key: str, lang: str, **values: object) -> str:
    """This tab's text ``key`` in ``lang`` (English when untranslated), placeholders filled strictly."""
    return translate(TEXTS, key, lang, **values)


def client_address(request: gr.Request | None) -> str:
    """The caller's address, the key of failed-login throttling and of the log lines."""
    return request.client.host if request and request.client else ""


def result_table(results: list[FileResult], lang: str) -> dict[str, list]:
    """The results grid: one row per file, headed in ``lang``."""
    return {"headers": [text(key, lang) for key in ("file", "result", "detail")],
            "data": [[r.name, text(r.status, lang), r.detail] for r in results]}


def maintain_tab(backend: Backend, page: gr.State) -> None:
    """The tab, built inside the caller's ``gr.Tabs``; relabels itself when ``page`` (the page language) changes."""
    gate = Gate(backend.settings.users_path, backend.settings.admin_password)

    def configured() -> bool:
        try:
            return gate.configured
        except KyodoError:  # a broken users file: say so at login, refuse writes meanwhile
            return True

    labels = Labels(text)
    with labels.add(gr.Tab(text("tab", "en"), id="maintain"), "tab"):
        token = gr.State("")  # inside the tab: a State directly in gr.Tabs shows up as a second tab button
        labels.add(gr.Markdown(text("intro", "en", mb=MAX_BYTES // 2**20), elem_id="k-maintain-intro"), "intro",
                   mb=MAX_BYTES // 2**20)
        howto = gr.Markdown(text("unconfigured", "en"), visible=not configured(), elem_id="k-maintain-howto")
        labels.add_update(howto, lambda lang: gr.Markdown(text("unconfigured", lang), visible=not configured()))
        with gr.Row(equal_height=True):
            user = labels.add(gr.Textbox(ADMIN, label=text("user", "en"), scale=2, elem_id="k-user"), "user")
            password = labels.add(gr.Textbox(label=text("password", "en"), type="password", scale=2,
                                             elem_id="k-password"), "password")
            login = labels.add(gr.Button(text("login", "en"), variant="primary", scale=1, elem_id="k-login"), "login")
            logout = labels.add(gr.Button(text("logout", "en"), scale=1, elem_id="k-logout"), "logout")
        who = gr.Markdown("", elem_id="k-who")
        files = labels.add(gr.File(file_count="multiple", file_types=FILE_TYPES, type="filepath",
                                   label=text("files", "en"), elem_id="k-files"), "files")
        # Off by default: a file whose case or name is already in the corpus is refused unless this is ticked.
        replace = labels.add(gr.Checkbox(False, label=text("replace", "en"), elem_id="k-replace"), "replace")
        add = labels.add(gr.Button(text("add", "en"), variant="primary", elem_id="k-add"), "add")
        results = gr.Dataframe(result_table([], "en"), interactive=False, wrap=True, label=text("results", "en"),
                               elem_id="k-results")
        labels.add_update(results, lambda lang: gr.Dataframe(result_table([], lang), label=text("results", lang)))
        summary = gr.Markdown("", elem_id="k-index-summary")
        export = labels.add(gr.Button(text("export", "en"), size="sm", elem_id="k-export"), "export")
        export_file = gr.File(label="CSV", interactive=False, visible=False, elem_id="k-export-file")
        # Checked by the same login; ``maintainer`` is defined below, before any event can run.
        gaps_view(backend, page, token, lambda session, action, request: maintainer(session, action, request))

    def maintainer(session: str, action: str, request: gr.Request | None) -> str:
        """The logged-in user of ``session``, or the refusal (checked before anything is read or written)."""
        try:
            return gate.check(session)
        except AuthError as exc:
            raise refuse(f"{action} from {client_address(request) or '?'}", str(exc)) from exc

    def do_login(name: str, secret: str, lang: str, request: gr.Request) -> Iterator[tuple[str, str, str]]:
        """A refusal is first written on the tab (it stays, in the page's language), then raised for API callers."""
        client, name = client_address(request), (name or "").strip()
        try:
            session = gate.login(name, secret, client)
        except AuthError as exc:
            yield "", text("refused", lang, detail=str(exc)), ""
            raise refuse(f"login as {name!r} from {client or '?'}", str(exc)) from exc
        log.info("login: %s from %s", name, client or "?")
        yield session, text("logged_in", lang, name=name), ""

    def do_logout(session: str, lang: str) -> tuple[str, str]:
        gate.logout(session)
        return "", text("logged_out", lang)

    def do_add(paths: list[str] | None, replace_existing: bool, session: str, lang: str,
               request: gr.Request) -> tuple[dict[str, list], str]:
        user = maintainer(session, "adding documents", request)
        if not paths:
            raise refuse(f"adding documents by {user}", text("no_files", lang))
        if len(paths) > MAX_FILES:
            raise refuse(f"adding documents by {user}", text("too_many", lang, max=MAX_FILES))
        backend.wait()  # the first index build (on a fresh start) must finish before we add to it
        try:
            outcome, report = add_files([Path(p) for p in paths], backend.settings, backend.kb.embedder,
                                        bool(replace_existing), f"tick '{text('replace', lang)}' to replace it")
        except KyodoError as exc:
            raise refuse(f"adding documents by {user}", str(exc)) from exc
        log.info("documents added by %s: %s", user, "; ".join(f"{r.name} {r.status}" for r in outcome))
        return result_table(outcome, lang), text("index", lang, summary=report.summary()) if report else ""

    def do_export(session: str, request: gr.Request) -> str:
        user = maintainer(session, "feedback export", request)
        folder = Path(tempfile.mkdtemp(prefix="kyodo-feedback-"))
        path = folder / f"kyodo-feedback-{datetime.now():%Y%m%d-%H%M%S}.csv"
        with path.open("w", encoding="utf-8-sig", newline="") as out:  # the BOM lets Excel read ja/th text
            rows = backend.feedback.export_csv(out)
        log.info("feedback exported by %s: %d rows", user, rows)
        return str(path)

    def relabel(lang: str) -> dict:
        return labels.updates(lang if lang in LANGUAGES else "en")

    # No progress overlay: on a refusal it would cover the password box with a bare "Error" badge.
    login.click(do_login, [user, password, page], [token, who, password], api_name="login", show_progress="hidden")
    logout.click(do_logout, [token, page], [token, who], api_name="logout")
    # One upload at a time: indexing takes the index lock and most of the CPU.
    add.click(do_add, [files, replace, token, page], [results, summary], api_name="add_documents",
              concurrency_limit=1, concurrency_id="maintain")
    # The path alone (API clients get a file, not a component update), then the hidden box is shown.
    export.click(do_export, token, export_file, api_name="export_feedback").then(
        lambda: gr.File(visible=True), None, export_file, api_visibility="private")
    page.change(relabel, page, labels.outputs, api_visibility="private")
