"""The real page in a real headless Chromium: ask, follow a citation, read the original, rate, stop.

Also what a reader sees that no API call shows: thumbs without an emoji font, a phone-width page
without sideways scrolling, the chart's title and axes, every tab in the page's language, a
readable message after a wrong password, and a Thai session pack that names its topic in Thai.

Every request the browser makes is recorded (Chrome's performance log); each test fails if any of
them left the machine. Timings are printed (run with ``-s`` to see them): start to first answer for
``kyodo serve``, and the answer latency the browser sees per language. Needs ``make browser``.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from selenium.webdriver.common.by import By

from bench.browser import CHROMEDRIVER, CHROMIUM, Browser, is_local
from kb.service import KnowledgeBase
from kb.settings import LANGUAGES, Settings
from tests.test_ui_streaming import FIRST, SECOND, PacedGenerator
from tests.ui_server import PASSWORD, Served, free_port, serving
from ui.backend import Backend
from ui.chart import overview_figure
from ui.maintain import TEXTS as MAINTAIN
from ui.prepare import TEXTS as PREPARE
from ui.texts import TEXTS

THAI = re.compile(r"[\u0e00-\u0e7f]")
JAPANESE = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")
THAI_QUESTION = "Bago ทำปุ๋ยหมักจากขยะตลาดวันละเท่าไร"
QUESTIONS = {
    "ja": ("バゴ市のコンポストセンターは一日何トンの市場ごみを処理していますか", "1 トン"),
    "en": ("How much market waste does the Bago compost centre process a day?", "1 ton"),
    "id": ("Berapa ton sampah pasar yang dikompos di Bago setiap hari?", "1 ton"),
    "th": (THAI_QUESTION, "1 ตัน"),
}

if not (os.access(CHROMIUM, os.X_OK) and os.access(CHROMEDRIVER, os.X_OK)):
    pytest.fail(f"No {CHROMIUM} or {CHROMEDRIVER}: run 'make browser' (apt-get install chromium chromium-driver)",
                pytrace=False)


@pytest.fixture(scope="module")
def served(full_index: Settings) -> Iterator[Served]:
    with serving(replace(full_index, admin_password=PASSWORD)) as running:
        yield running


def on_machine_only(browser: Browser) -> None:
    requests = browser.recorded()
    assert requests, "the performance log recorded no requests at all"
    assert not browser.foreign(), f"the page requested off-machine URLs: {browser.foreign()}"


def test_url_check_tells_loopback_from_the_internet() -> None:
    assert is_local("http://localhost:7860/") and is_local("ws://127.0.0.1:1/x") and is_local("data:image/png;base64,")
    assert not is_local("https://cdn.jsdelivr.net/npm/x.js") and not is_local("http://10.0.0.1/")


def test_thai_question_is_answered_cited_traced_to_the_japanese_original_and_rated(served: Served,
                                                                                   tmp_path: Path) -> None:
    with Browser("th") as browser:
        browser.open(served.url)
        asked = browser.ask(THAI_QUESTION)
        print(f"\nth: answered in {asked.seconds:.2f} s in the browser")
        answer = asked.answer.find_element(By.CSS_SELECTOR, ".k-answer")
        assert answer.get_attribute("lang") == "th" and THAI.search(answer.text) and "1 ตัน" in answer.text
        cards = asked.answer.find_elements(By.CSS_SELECTOR, ".k-card")
        assert cards and "บาโก" in cards[0].find_element(By.TAG_NAME, "h4").text
        assert cards[0].find_elements(By.TAG_NAME, "mark"), "the sentences used are highlighted"

        asked.answer.find_element(By.CSS_SELECTOR, 'a.k-marker[href="#k1-c1"]').click()
        browser.wait(lambda d: d.execute_script("return location.hash") == "#k1-c1", 10, "[1] did not link to card 1")
        assert browser.driver.execute_script("return document.getElementById('k1-c1').matches(':target')")

        original = cards[0].find_element(By.CSS_SELECTOR, "details.k-original")
        assert original.find_element(By.TAG_NAME, "summary").text == TEXTS["original"]["th"]
        original.find_element(By.TAG_NAME, "summary").click()
        quote = original.find_element(By.CSS_SELECTOR, 'blockquote[lang="ja"]')
        browser.wait(lambda d: quote.is_displayed(), 10, "the Japanese original did not open")
        assert JAPANESE.search(quote.text) and "1トン" in quote.text.replace(" ", "")

        for thumb in ("k-up", "k-down"):  # drawn by CSS: no character that needs an emoji font
            label, glyph, width = browser.driver.execute_script(
                "const s = getComputedStyle(arguments[0], '::before');"
                "return [arguments[0].innerText, s.webkitMaskImage || s.maskImage, parseFloat(s.width)]",
                browser.driver.find_element(By.ID, thumb))
            assert label == TEXTS[thumb[2:]]["th"] and "svg" in glyph and width > 8, (thumb, label, glyph, width)
        assert not browser.driver.execute_script("return /\\p{Extended_Pictographic}/u.test(document.body.innerText)")
        browser.driver.find_element(By.ID, "k-up").click()
        browser.wait(lambda d: TEXTS["thanks"]["th"] in d.find_element(By.ID, "k-feedback-note").text, 30,
                     "no thanks after the thumb up")
        comment = "อยากทราบค่าใช้จ่ายในการดำเนินงานด้วย"
        browser.driver.find_element(By.CSS_SELECTOR, "#k-comment textarea, #k-comment input").send_keys(comment)
        browser.driver.find_element(By.ID, "k-send").click()
        deadline = time.monotonic() + 30
        while not (rows := [r for r in served.backend.feedback.all() if r.question == THAI_QUESTION and r.comment]):
            assert time.monotonic() < deadline, "the comment never reached the feedback store"
            time.sleep(0.1)
        assert [(r.rating, r.comment, r.language) for r in rows] == [("up", comment, "th")]
        assert "1 ตัน" in rows[0].answer and "iges-bago-cebu-composting" in rows[0].citations
        assert browser.screenshot(tmp_path / "th.png").stat().st_size > 50_000
        on_machine_only(browser)


@pytest.mark.parametrize("lang", ["ja", "en", "id"])
def test_question_is_answered_in_its_language_in_the_browser(served: Served, lang: str) -> None:
    question, fact = QUESTIONS[lang]
    with Browser(lang) as browser:
        browser.open(served.url)
        asked = browser.ask(question)
        print(f"\n{lang}: answered in {asked.seconds:.2f} s in the browser")
        answer = asked.answer.find_element(By.CSS_SELECTOR, ".k-answer")
        assert answer.get_attribute("lang") == lang and fact in answer.text, answer.text
        assert asked.answer.find_elements(By.CSS_SELECTOR, ".k-card")
        ask_label = browser.driver.find_element(By.ID, "k-ask").text
        assert ask_label == TEXTS["ask"][lang], "the page speaks the reader's language"
        on_machine_only(browser)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_phone_width_page_has_no_sideways_scroll_on_any_tab(served: Served, lang: str) -> None:
    with Browser(lang, width=390, height=844, mobile=True) as browser:
        browser.open(served.url)
        assert browser.driver.execute_script("return window.innerWidth") == 390, "not a 390 px phone"
        browser.ask(QUESTIONS[lang][0])  # the widest Ask tab: an answer, its cards and the feedback row
        scroll, inner, wide = browser.sideways()
        assert scroll <= inner, f"{lang}: the answered Ask tab is {scroll} px wide at {inner} px; sticking out: {wide}"
        for label in (TEXTS["tab_cases"][lang], PREPARE["tab_pack"][lang], PREPARE["tab_batch"][lang],
                      MAINTAIN["tab"][lang]):
            browser.open_tab(label)
            time.sleep(1)  # the tab's content lays out (and the chart loads) after the click
            scroll, inner, wide = browser.sideways()
            assert scroll <= inner, f"{lang}: tab {label!r} is {scroll} px wide at {inner} px; sticking out: {wide}"


def test_cases_chart_title_is_not_covered_and_its_axes_count_whole_years_and_cases(served: Served) -> None:
    catalog = served.backend.catalog
    years = sorted(int(y) for case in catalog.cases.values() for y in case.years if y.isdigit())
    by_year = overview_figure(catalog, "en").axes[2]
    ticks = list(by_year.get_xticks())
    assert ticks and all(t == int(t) and years[0] <= t <= years[-1] for t in ticks), (ticks, years[0], years[-1])
    assert all(t == int(t) for t in by_year.get_yticks()), list(by_year.get_yticks())
    with Browser("en") as browser:
        browser.open(served.url)
        browser.open_tab(TEXTS["tab_cases"]["en"])
        chart = browser.wait(lambda d: [i for i in d.find_elements(By.CSS_SELECTOR, "#k-overview img")
                                        if i.is_displayed() and i.size["height"] > 100], 60, "no chart")[0]
        # Any text Gradio draws over the picture's top strip, where the chart's own title is.
        covering = browser.driver.execute_script("""
            const chart = arguments[0], box = chart.getBoundingClientRect(), strip = box.top + box.height * 0.12;
            return [...document.querySelectorAll('#k-overview *')].filter(el => !el.contains(chart)
                && el.offsetParent !== null && (el.innerText || '').trim()).filter(el => {
                  const b = el.getBoundingClientRect();
                  return b.bottom > box.top && b.top < strip && b.right > box.left && b.left < box.right;
                }).map(el => el.innerText.trim());""", chart)
        assert covering == [], f"the chart's title is covered by {covering}"


def test_maintain_tab_speaks_the_page_language_and_explains_a_wrong_password(
        served: Served, capfd: pytest.CaptureFixture[str]) -> None:
    for lang in LANGUAGES:
        with Browser(lang) as browser:
            browser.open(served.url)
            browser.open_tab(MAINTAIN["tab"][lang])
            export = browser.wait(lambda d: d.find_element(By.ID, "k-export").is_displayed()
                                  and d.find_element(By.ID, "k-export"), 30, "no export button")
            assert export.text == MAINTAIN["export"][lang]
            if lang != "th":
                continue
            capfd.readouterr()
            browser.driver.find_element(By.CSS_SELECTOR, "#k-password input").send_keys("not-the-password")
            browser.driver.find_element(By.ID, "k-login").click()
            refused = MAINTAIN["refused"]["th"].format(detail="wrong user name or password").replace("**", "")
            browser.wait(lambda d: d.find_element(By.ID, "k-who").text == refused, 30,
                         "no message on the tab after a wrong password")
            time.sleep(11)  # the corner notice is gone by now; the message on the tab must stay
            assert browser.driver.find_element(By.ID, "k-who").text == refused
            password = browser.driver.find_element(By.CSS_SELECTOR, "#k-password input")
            assert browser.driver.execute_script(
                "const r = arguments[0].getBoundingClientRect();"
                "return document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2) === arguments[0]",
                password), "something (an error badge) covers the password box"
            assert "Traceback" not in capfd.readouterr().err, "a wrong password is an expected error: one log line"
            password.clear()
            password.send_keys(PASSWORD)
            browser.driver.find_element(By.ID, "k-login").click()
            browser.wait(lambda d: "admin" in d.find_element(By.ID, "k-who").text, 30, "the login did not show")
            export.click()
            link = browser.wait(lambda d: [a for a in d.find_elements(By.CSS_SELECTOR, "#k-export-file a")
                                           if a.is_displayed()], 30, "the exported CSV was not offered")[0]
            assert ".csv" in (link.get_attribute("href") or "") and is_local(link.get_attribute("href"))
            on_machine_only(browser)


def test_thai_session_pack_names_its_topic_in_thai(served: Served) -> None:
    with Browser("th") as browser:
        browser.open(served.url)
        browser.open_tab(PREPARE["tab_pack"]["th"])
        browser.wait(lambda d: d.find_element(By.ID, "k-pack-build").is_displayed(), 30, "no build button")
        browser.driver.find_element(By.CSS_SELECTOR, "#k-pack-theme textarea, #k-pack-theme input").send_keys(
            "composting")  # a trainer typing the topic's English tag
        browser.driver.find_element(By.XPATH, "//*[@id='k-pack-lang']//label[normalize-space()='ไทย']").click()
        cases = browser.driver.find_element(By.CSS_SELECTOR, "#k-pack-cases input[type=number]")
        cases.clear()
        cases.send_keys("1\t")
        browser.driver.find_element(By.ID, "k-pack-build").click()
        view = browser.wait(lambda d: THAI.search(d.find_element(By.ID, "k-pack-view").text)
                            and d.find_element(By.ID, "k-pack-view"), 600, "no pack")
        # The topic's English name nowhere but inside case ids ("iges-bago-cebu-composting").
        prose = re.sub(r"[a-z0-9]+(?:-[a-z0-9]+)+", "", view.text)
        assert "ชุดเอกสารการฝึกอบรม: การทำปุ๋ยหมัก" in view.text and "composting" not in prose, view.text[:500]


def test_kyodo_serve_starts_and_answers_in_the_browser(full_index: Settings, tmp_path: Path) -> None:
    port = free_port()
    env = {**os.environ, "KYODO_HOME": str(full_index.home), "KYODO_CORPUS": str(full_index.corpus),
           "KYODO_EMBED_MODEL": str(full_index.embed_model), "KYODO_LLM": "off", "HF_HUB_OFFLINE": "1",
           "ANONYMIZED_TELEMETRY": "False", "GRADIO_ANALYTICS_ENABLED": "False"}
    kyodo = Path(sys.executable).with_name("kyodo")
    started = time.perf_counter()
    log = tmp_path / "serve.log"
    with log.open("w") as out:
        server = subprocess.Popen([str(kyodo), "serve", "--port", str(port)], env=env, stdout=out, stderr=out)
    try:
        url = f"http://127.0.0.1:{port}/"
        while True:
            assert server.poll() is None, f"kyodo serve exited: {log.read_text()[-2000:]}"
            assert time.perf_counter() - started < 300, "kyodo serve did not serve the page within 300 s"
            try:
                with urllib.request.urlopen(url, timeout=2) as response:
                    if response.status == 200:
                        break
            except OSError:
                time.sleep(0.2)
        up = time.perf_counter() - started
        with Browser("th") as browser:
            browser.open(url)
            ready = time.perf_counter() - started
            asked = browser.ask(THAI_QUESTION)
            first = time.perf_counter() - started
            assert "1 ตัน" in asked.answer.text
            on_machine_only(browser)
        print(f"\nkyodo serve: page served after {up:.1f} s, ready in the browser after {ready:.1f} s, "
              f"first answer after {first:.1f} s (the question itself: {asked.seconds:.2f} s)")
        busy = subprocess.run([str(kyodo), "serve", "--port", str(port)], env=env, capture_output=True, text=True,
                              timeout=300)
        assert busy.returncode == 1
        assert busy.stderr.strip().endswith(f"kyodo: cannot listen on 127.0.0.1:{port}: the port is in use "
                                            "(pass --port with another number)"), busy.stderr[-2000:]
    finally:
        server.terminate()
        server.wait(timeout=30)


@pytest.fixture(scope="module")
def streaming(full_index: Settings, embedder) -> Iterator[tuple[Served, PacedGenerator]]:
    """The page with a language model on; a scripted one (see test_ui_streaming.py for why)."""
    settings = replace(full_index, llm="local", llm_languages=LANGUAGES)
    generator = PacedGenerator()
    with serving(settings, Backend(settings, kb=KnowledgeBase(settings, embedder, generator))) as running:
        yield running, generator


def test_stop_button_stops_a_streaming_answer_and_ask_comes_back(streaming: tuple[Served, PacedGenerator]) -> None:
    served, generator = streaming
    generator.reply, generator.delay = FIRST + SECOND * 40, 0.05  # about 30 s of writing if nobody stops it
    with Browser("en") as browser:
        browser.open(served.url)
        assert not any(button.is_displayed() for button in browser.driver.find_elements(By.ID, "k-stop"))
        browser.driver.find_element(By.CSS_SELECTOR, "#k-question textarea").send_keys(QUESTIONS["en"][0])
        browser.driver.find_element(By.ID, "k-ask").click()
        draft = browser.wait(lambda d: d.find_elements(By.CSS_SELECTOR, "#k-thread .k-draft"), 60, "nothing streamed")
        assert draft[0].text.startswith("The compost centre in Bago takes in market waste")
        browser.wait(lambda d: d.find_element(By.ID, "k-stop").is_displayed(), 10, "no Stop button while writing")
        browser.driver.find_element(By.ID, "k-stop").click()
        assert generator.closed.wait(15), "Stop did not close the model's stream"
        written = generator.pieces
        browser.wait(lambda d: TEXTS["stopped"]["en"] in d.find_element(By.ID, "k-thread").text, 15, "no Stop note")
        browser.wait(lambda d: d.find_element(By.ID, "k-ask").is_displayed(), 10, "Ask did not come back")
        time.sleep(0.5)
        assert generator.pieces == written < len(FIRST + SECOND * 40) // 4, "the model kept writing after Stop"
        generator.reply, generator.delay = FIRST + SECOND, 0.0
        asked = browser.ask(QUESTIONS["en"][0])
        assert "1 tonne" in asked.answer.text and asked.answer.find_elements(By.CSS_SELECTOR, ".k-card")
        on_machine_only(browser)
