"""Screenshots of the answered page per language, and the times a reader sees (``python -m bench.screenshots``).

Serves the web UI over the configured index (``KYODO_HOME``) on a free loopback port, asks each
language's first example question in headless Chromium (``bench.browser``), opens the first
card's Japanese original and saves ``<out>/<lang>.png`` (default ``data/screenshots``). Prints
the time from start to the first answer and each answer's latency in the browser; exits 1 if
the page requested anything off the machine. ``--thread`` asks a question and its follow-up instead and saves
``<lang>-thread.png``. ``--gaps`` logs in to the Maintain tab and saves its Gaps view as ``gaps-<lang>.png``, over a
question log of its own (``bench.gaps_demo``: the gold set's out-of-scope questions, asked over the past weeks), so
the real log is left alone. It leaves ``docs/`` alone: copy a PNG there by hand.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from selenium.webdriver.common.by import By

from app import launch
from bench.browser import Browser
from bench.measure import free_port
from kb.settings import LANGUAGES, Settings
from ui.backend import Backend
from ui.texts import EXAMPLES

# A question and a follow-up that names nothing ("Who distributed them?"), per language, for --thread.
THREADS = {
    "ja": ("セブ市では家庭用コンポスト・バスケットがいくつ配布されましたか？", "誰が配布したのですか？"),
    "en": ("How many compost baskets were given out in Cebu City?", "Who distributed them?"),
    "id": ("Berapa keranjang kompos rumah tangga yang dibagikan di Kota Cebu?", "Siapa yang membagikannya?"),
    "th": ("ที่เมืองเซบูมีการแจกตะกร้าทำปุ๋ยหมักสำหรับครัวเรือนฟรีไปกี่ใบ", "ใครเป็นผู้แจก"),
}


def png_name(lang: str, thread: bool) -> str:
    return f"{lang}-thread.png" if thread else f"{lang}.png"


def capture(url: str, out: Path, languages: list[str], thread: bool = False
            ) -> tuple[dict[str, float], float, list[str]]:
    """Ask (a question and its follow-up with ``thread``), open the original, screenshot: each language's answer
    latency, when the first answer showed (``time.perf_counter``), and every off-machine request."""
    seconds, first, foreign = {}, 0.0, []
    for lang in languages:
        with Browser(lang) as browser:
            browser.open(url)
            for question in THREADS[lang] if thread else (EXAMPLES[lang][0],):
                asked = browser.ask(question)
                first = first or time.perf_counter()
            seconds[lang] = asked.seconds
            for summary in asked.answer.find_elements(By.CSS_SELECTOR, ".k-original summary")[:1]:
                summary.click()
            browser.screenshot(out / png_name(lang, thread))
            foreign += browser.foreign()
    return seconds, first, foreign


def main(argv: list[str] | None = None) -> int:
    settings = Settings.from_env()
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=settings.home / "screenshots")
    parser.add_argument("--lang", nargs="+", choices=LANGUAGES, default=list(LANGUAGES))
    parser.add_argument("--thread", action="store_true", help="a question and its follow-up: <lang>-thread.png")
    parser.add_argument("--gaps", action="store_true", help="the Maintain tab's Gaps view: gaps-<lang>.png")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    if args.gaps:
        from bench.gaps_demo import capture_gaps

        return capture_gaps(settings, args.out, args.lang)
    backend = Backend(settings)
    port = free_port()
    app = launch(backend=backend, host="127.0.0.1", port=port, block=False)
    try:
        up = time.perf_counter() - started
        status = backend.wait(timeout=600)
        if status.state != "ready":
            print(f"screenshots: the UI did not start: {status.detail}", file=sys.stderr)
            return 1
        ready = time.perf_counter() - started
        seconds, first, foreign = capture(f"http://127.0.0.1:{port}/", args.out, args.lang, args.thread)
    finally:
        app.close()
    print(f"start: page served after {up:.1f} s, ready after {ready:.1f} s, "
          f"first answer in the browser after {first - started:.1f} s")
    for lang, took in seconds.items():
        print(f"{lang}: answered in {took:.2f} s in the browser -> {args.out / png_name(lang, args.thread)}")
    for url in foreign:
        print(f"off-machine request: {url}", file=sys.stderr)
    return 1 if foreign else 0


if __name__ == "__main__":
    sys.exit(main())
