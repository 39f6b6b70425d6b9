"""The Gaps view's screenshot (``python -m bench.screenshots --gaps``): a demo question log, the page, a login.

The demo log is a temporary file, never ``$KYODO_HOME``'s: the gold set's out-of-scope questions are asked through
the page's backend (so each is logged with its real outcome, top case and similarity) in one to four languages
each, and their times are spread over the past four weeks so that the chart has a shape.
"""

from __future__ import annotations

import secrets
import sqlite3
import sys
import tempfile
from dataclasses import replace
from datetime import datetime, timedelta, timezone
from pathlib import Path

from PIL import Image
from selenium.webdriver.common.by import By

from app import launch
from bench.browser import Browser
from bench.measure import free_port
from evals.gap_clusters import out_of_scope
from kb.question_log import QuestionLog
from kb.settings import LANGUAGES, Settings
from ui.backend import Backend
from ui.maintain import TEXTS

ITEMS = 14  # out-of-scope items asked: enough rows for the view, few enough to read


def seed(backend: Backend) -> int:
    """Ask out-of-scope questions through ``backend`` (item k in 1-4 languages, the first ones more often)."""
    asked = 0
    now = datetime.now(timezone.utc)
    for k, item in enumerate(out_of_scope()[:ITEMS]):
        languages = [LANGUAGES[(k + j) % 4] for j in range(1 + (k * 7) % 4)]
        for j, lang in enumerate(languages * (2 if k < 3 else 1)):
            turn = backend.ask(asked, item.questions[lang], "auto", lang)
            when = now - timedelta(days=(k * 5 + j * 3) % 28, hours=j)
            with sqlite3.connect(backend.questions.path) as db:
                db.execute("UPDATE questions SET asked_at = ? WHERE id = ?",
                           (when.isoformat(timespec="seconds"), turn.log_id))
            asked += 1
    return asked


def capture_gaps(settings: Settings, out: Path, languages: list[str]) -> int:
    """Serve the page over the configured index with a demo log, log in, show the gaps: ``gaps-<lang>.png``."""
    password = secrets.token_urlsafe(12)
    backend = Backend(replace(settings, admin_password=password))
    backend.questions = QuestionLog(Path(tempfile.mkdtemp(prefix="kyodo-gaps-demo-")) / "questions.sqlite3")
    port = free_port()
    app = launch(backend=backend, host="127.0.0.1", port=port, block=False)
    try:
        status = backend.wait(timeout=600)
        if status.state != "ready":
            print(f"screenshots: the UI did not start: {status.detail}", file=sys.stderr)
            return 1
        print(f"asked {seed(backend)} out-of-scope questions into {backend.questions.path}")
        foreign: list[str] = []
        for lang in languages:
            with Browser(lang, width=1280) as browser:
                browser.open(f"http://127.0.0.1:{port}/")
                browser.open_tab(TEXTS["tab"][lang])
                log_in(browser, password)
                browser.driver.find_element(By.ID, "k-gaps-show").click()
                browser.wait(lambda d: d.find_elements(By.CSS_SELECTOR, "#k-gaps-chart img"), 300, "no gaps chart")
                path = browser.screenshot(out / f"gaps-{lang}.png")
                crop(browser, path)
                foreign += browser.foreign()
                print(f"{lang}: {path}")
    finally:
        app.close()
    for url in foreign:
        print(f"off-machine request: {url}", file=sys.stderr)
    return 1 if foreign else 0


def log_in(browser: Browser, password: str) -> None:
    for box, value in (("k-user", "admin"), ("k-password", password)):
        field = browser.driver.find_element(By.CSS_SELECTOR, f"#{box} input, #{box} textarea")
        field.clear()
        field.send_keys(value)
    browser.driver.find_element(By.ID, "k-login").click()
    browser.wait(lambda d: d.find_element(By.ID, "k-who").text.strip(), 30, "the login did not succeed")


def crop(browser: Browser, path: Path) -> None:
    """Keep the Gaps view: from its title to the bottom of its chart, the page's width."""
    top, bottom = browser.driver.execute_script(
        "return [document.getElementById('k-gaps-title').getBoundingClientRect().top + window.scrollY,"
        " document.getElementById('k-gaps-chart').getBoundingClientRect().bottom + window.scrollY]")
    with Image.open(path) as image:
        image.crop((0, max(0, int(top) - 16), image.width, min(image.height, int(bottom) + 16))).save(path)
