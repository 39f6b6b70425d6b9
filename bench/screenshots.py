"""Screenshots of the answered page per language, and the times a reader sees (``python -m bench.screenshots``).

Serves the web UI over the configured index (``KYODO_HOME``) on a free loopback port, asks each
language's first example question in headless Chromium (``bench.browser``), opens the first
card's Japanese original and saves ``<out>/<lang>.png`` (default ``data/screenshots``). Prints
the time from start to the first answer and each answer's latency in the browser; exits 1 if
the page requested anything off the machine. It leaves ``docs/`` alone: copy a PNG there by hand.
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


def capture(url: str, out: Path, languages: list[str]) -> tuple[dict[str, float], float, list[str]]:
    """Ask, open the original, screenshot: each language's answer latency, when the first answer showed
    (``time.perf_counter``), and every off-machine request."""
    seconds, first, foreign = {}, 0.0, []
    for lang in languages:
        with Browser(lang) as browser:
            browser.open(url)
            asked = browser.ask(EXAMPLES[lang][0])
            seconds[lang] = asked.seconds
            first = first or time.perf_counter()
            for summary in asked.answer.find_elements(By.CSS_SELECTOR, ".k-original summary")[:1]:
                summary.click()
            browser.screenshot(out / f"{lang}.png")
            foreign += browser.foreign()
    return seconds, first, foreign


def main(argv: list[str] | None = None) -> int:
    settings = Settings.from_env()
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=settings.home / "screenshots")
    parser.add_argument("--lang", nargs="+", choices=LANGUAGES, default=list(LANGUAGES))
    args = parser.parse_args(argv)
    started = time.perf_counter()
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
        seconds, first, foreign = capture(f"http://127.0.0.1:{port}/", args.out, args.lang)
    finally:
        app.close()
    print(f"start: page served after {up:.1f} s, ready after {ready:.1f} s, "
          f"first answer in the browser after {first - started:.1f} s")
    for lang, took in seconds.items():
        print(f"{lang}: answered in {took:.2f} s in the browser -> {args.out / f'{lang}.png'}")
    for url in foreign:
        print(f"off-machine request: {url}", file=sys.stderr)
    return 1 if foreign else 0


if __name__ == "__main__":
    sys.exit(main())
