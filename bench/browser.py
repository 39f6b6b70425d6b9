"""Kyodo's page in a real headless Chromium, for the browser test and the screenshots.

Uses Debian's ``chromium`` and ``chromium-driver`` (``make browser`` installs them) through
Selenium, the ``test`` extra. Every request the page makes is read from Chrome's performance log
(the DevTools ``Network.requestWillBeSent`` and ``Network.webSocketCreated`` events), so a caller
can prove the page never leaves the machine. It knows the page's element ids, not its Python.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from selenium import webdriver
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webelement import WebElement
from selenium.webdriver.support.ui import WebDriverWait

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1"}
LOCAL_SCHEMES = {"data", "blob", "about"}
# No update checks, no sync, no metrics: the browser itself must not phone home either.
FLAGS = ["--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--disable-default-apps", "--disable-extensions", "--disable-domain-reliability",
         "--metrics-recording-only", "--no-pings", "--hide-scrollbars"]
PHONE_AGENT = ("Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
               "Chrome/120.0.0.0 Mobile Safari/537.36")
# The last turn of the thread once it is settled: an answer, an abstention or an error (not progress).
SETTLED = "#k-thread .k-turn:last-child .k-a:not(.k-pending):not(.k-streaming)"


def is_local(url: str) -> bool:
    """Whether ``url`` stays on this machine (loopback, or data:/blob: that never touch the network).

    >>> is_local("http://127.0.0.1:7860/gradio_api/info"), is_local("https://fonts.googleapis.com/css")
    (True, False)
    """
    parts = urlsplit(url)
    return parts.scheme in LOCAL_SCHEMES or (parts.hostname or "") in LOCAL_HOSTS


@dataclass(frozen=True)
class Asked:
    """One question asked in the page: seconds from the click to the settled answer, and what it shows."""

    seconds: float
    answer: WebElement


class Browser:
    """One headless Chromium window; ``lang`` is the Accept-Language it sends (the page follows it).

    With ``mobile`` the window is Chromium's emulation of a phone ``width`` CSS pixels wide (touch, a
    phone's user agent and pixel ratio), as a reader on a phone sees the page.
    """

    def __init__(self, lang: str = "en", width: int = 1280, height: int = 1000, mobile: bool = False) -> None:
        options = Options()
        options.binary_location = CHROMIUM
        for flag in FLAGS + [f"--window-size={width},{height}", f"--lang={lang}"]:
            options.add_argument(flag)
        options.add_experimental_option("prefs", {"intl.accept_languages": lang})
        if mobile:
            options.add_experimental_option("mobileEmulation", {
                "deviceMetrics": {"width": width, "height": height, "pixelRatio": 3.0, "touch": True},
                "userAgent": PHONE_AGENT})
        options.set_capability("goog:loggingPrefs", {"performance": "ALL"})
        self.driver = webdriver.Chrome(options=options, service=Service(CHROMEDRIVER))
        self.width = width
        self.requests: list[str] = []

    def __enter__(self) -> Browser:
        return self

    def __exit__(self, *exc: object) -> None:
        self.driver.quit()

    def recorded(self) -> list[str]:
        """Every URL the page has requested so far (HTTP, fetch, SSE, WebSocket), oldest first."""
        for entry in self.driver.get_log("performance"):
            event = json.loads(entry["message"])["message"]
            if event["method"] == "Network.requestWillBeSent":
                self.requests.append(event["params"]["request"]["url"])
            elif event["method"] == "Network.webSocketCreated":
                self.requests.append(event["params"]["url"])
        return self.requests

    def foreign(self) -> list[str]:
        """The recorded requests that left the machine (should be none)."""
        return [url for url in self.recorded() if not is_local(url)]

    def wait(self, condition, timeout: float = 60, message: str = ""):
        return WebDriverWait(self.driver, timeout, poll_frequency=0.05).until(condition, message)

    def open(self, url: str, timeout: float = 600) -> float:
        """Load the page and wait until it is ready to answer (no start-up banner); returns the seconds taken."""
        started = time.perf_counter()
        self.driver.get(url)
        self.wait(lambda d: d.find_elements(By.CSS_SELECTOR, "#k-question textarea"), timeout, "no question box")
        self.wait(lambda d: not d.find_elements(By.CSS_SELECTOR, "#k-status .k-status:not(.k-error)"), timeout,
                  "the start-up banner did not go away")
        return time.perf_counter() - started

    def ask(self, question: str, timeout: float = 120) -> Asked:
        """Type ``question``, press Ask, and wait for the settled answer; timed from the click."""
        turns = len(self.driver.find_elements(By.CSS_SELECTOR, "#k-thread .k-turn"))
        box = self.driver.find_element(By.CSS_SELECTOR, "#k-question textarea")
        box.clear()
        box.send_keys(question)
        started = time.perf_counter()
        self.driver.find_element(By.ID, "k-ask").click()
        answer = self.wait(lambda d: len(d.find_elements(By.CSS_SELECTOR, "#k-thread .k-turn")) > turns
                           and d.find_elements(By.CSS_SELECTOR, SETTLED), timeout, f"no answer to {question!r}")[0]
        return Asked(time.perf_counter() - started, answer)

    def open_tab(self, label: str, timeout: float = 30) -> None:
        """Click the tab whose button reads ``label``; on a narrow page Gradio may keep it in its "more" menu."""
        def button(driver):
            for found in driver.find_elements(By.XPATH, f"//button[(@role='tab' or ancestor::*[contains(@class, "
                                                        f"'overflow-dropdown')]) and normalize-space()='{label}']"):
                if found.is_displayed():
                    return found
            for more in driver.find_elements(By.CSS_SELECTOR, ".overflow-menu > button"):
                menu = more.find_element(By.XPATH, "following-sibling::div")
                if more.is_displayed() and "hide" in (menu.get_attribute("class") or ""):
                    more.click()  # open it once; the next poll finds the tab inside
            return False

        self.wait(button, timeout, f"no tab {label!r}").click()

    def sideways(self) -> tuple[int, int, list[str]]:
        """The page's scroll width, the window's inner width, and the visible elements wider than the window.

        A phone zooms out to fit a page wider than its screen, so the inner width grows with the page: the
        elements are measured against the width the window was made with.
        """
        return tuple(self.driver.execute_script("""
            const width = arguments[0], out = [];
            for (const el of document.querySelectorAll('body *')) {
              const box = el.getBoundingClientRect();
              if (box.width && box.right > width + 1 && el.checkVisibility({visibilityProperty: true})
                  && !el.closest('.visually-hidden, [aria-hidden=true]'))
                out.push(`${el.tagName.toLowerCase()}#${el.id}.${[...el.classList].join('.')} ${Math.round(box.right)}`);
            }
            return [document.scrollingElement.scrollWidth, window.innerWidth, out.slice(0, 12)];""", self.width))

    def screenshot(self, path: Path) -> Path:
        """The whole page (not just the window) as a PNG at ``path``."""
        height, inner = self.driver.execute_script(
            "return [document.documentElement.scrollHeight, window.innerHeight]")
        outer = self.driver.get_window_size()["height"]  # the window counts its (headless) frame too
        self.driver.set_window_size(self.width, min(int(height) + outer - int(inner), 8000))
        self.driver.execute_script("window.scrollTo(0, 0)")
        self.driver.execute_async_script("document.fonts.ready.then(arguments[arguments.length - 1])")
        time.sleep(0.5)  # let the taller window lay out before the capture
        path.parent.mkdir(parents=True, exist_ok=True)
        self.driver.save_screenshot(str(path))
        return path
