"""Measure language detection on short questions: Kyodo's detector against plain lingua and plain langdetect.

Run: ``python -m evals.langid [--data evals/langid.yaml] [--show-wrong]``. Prints, per detector, the share
of each language's questions handled right, the mean detection time per question (models already loaded),
the share it is unsure of and how many it gets wrong while sure (those would switch the page language).
Right means: ja/en/id/th answered in that language, Malay answered in Indonesian, and any other language
flagged unsupported (``Detection.supported`` false), so that it gets the note instead of a silent answer
in Japanese or English. The plain detectors are always sure.
"""

from __future__ import annotations

import argparse
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import yaml
from langdetect import DetectorFactory, detect_langs
from langdetect.lang_detect_exception import LangDetectException

from evals.gold import EvalDataError
from kb.language import ANSWERED_AS, LETTER, Detection, detect_language, lingua_detector
from kb.settings import LANGUAGES

DATA = Path(__file__).with_name("langid.yaml")
MAX_WORDS = 8
MAX_CHARS = 40  # code points, for scripts written without spaces (ja, zh, th; Thai marks count)
# The languages plain lingua is restricted to: the served ones and the common others.
LINGUA_LANGUAGES = ("ja", "en", "id", "th", "zh", "ko", "vi", "ms", "tl", "fr", "es", "de", "nl", "pt")
Detector = Callable[[str], Detection]


@dataclass(frozen=True)
class Score:
    """One detector on the data: share right per language, the questions it got wrong, mean ms per question,
    and the share of questions it was unsure of (``Detection.confident`` false: the UI keeps the page language)."""

    accuracy: dict[str, float]
    wrong: list[tuple[str, str, Detection]]
    ms_per_question: float
    unsure: float

    @property
    def sure_and_wrong(self) -> int:
        """Wrong detections the UI would act on: the ones that would switch the page to a wrong language."""
        return sum(detection.confident for _, _, detection in self.wrong)


def load(path: Path = DATA) -> dict[str, list[str]]:
    """The questions per language; a question longer than 8 words (40 characters unspaced) is an error."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    for lang, questions in data.items():
        for question in questions:
            words = [w for w in question.split() if LETTER.search(w)]  # French "Cebu ?": "?" is no word
            if len(words) > MAX_WORDS or (len(words) == 1 and len(question) > MAX_CHARS):
                raise EvalDataError(f"{path}: {lang} question {question!r} is too long: shorten it to {MAX_WORDS} words "
                                 f"({MAX_CHARS} characters in a script without spaces)")
    return data


def right(lang: str, detection: Detection) -> bool:
    """Whether ``detection`` handles a question written in ``lang`` as Kyodo should."""
    if lang in LANGUAGES:
        return detection.supported and detection.lang == lang
    if lang in ANSWERED_AS:
        return detection.supported and detection.lang == ANSWERED_AS[lang]
    return not detection.supported


def measure(detect: Detector, data: dict[str, list[str]]) -> Score:
    """Run ``detect`` on every question twice: once to load its models, once timed."""
    for questions in data.values():
        for question in questions:
            detect(question)
    accuracy: dict[str, float] = {}
    wrong: list[tuple[str, str, Detection]] = []
    elapsed = 0.0
    unsure = 0
    for lang, questions in data.items():
        hits = 0
        for question in questions:
            started = time.perf_counter()
            detection = detect(question)
            elapsed += time.perf_counter() - started
            unsure += not detection.confident
            if right(lang, detection):
                hits += 1
            else:
                wrong.append((lang, question, detection))
        accuracy[lang] = hits / len(questions)
    count = sum(map(len, data.values()))
    return Score(accuracy, wrong, 1000 * elapsed / count, unsure / count)


def _as_detection(code: str) -> Detection:
    code = ANSWERED_AS.get(code, code)
    return Detection(code, True, code) if code in LANGUAGES else Detection("en", False, code)


def plain_lingua(text: str) -> Detection:
    """Lingua alone, restricted to ``LINGUA_LANGUAGES``: no script rules, names left in."""
    language = lingua_detector(LINGUA_LANGUAGES).detect_language_of(text)
    return _as_detection(language.iso_code_639_1.name.lower() if language else "unknown")


def plain_langdetect(text: str) -> Detection:
    """Seeded langdetect alone, its best guess (zh-cn and zh-tw count as zh)."""
    DetectorFactory.seed = 0  # langdetect is random unless seeded
    try:
        return _as_detection(re.sub(r"-.*", "", detect_langs(text)[0].lang))
    except LangDetectException:
        return _as_detection("unknown")


DETECTORS: dict[str, Detector] = {"kyodo": detect_language, "lingua": plain_lingua, "langdetect": plain_langdetect}


def table(scores: dict[str, Score]) -> str:
    """A Markdown table: one row per detector, one column per language, then ms per question and the UI's view."""
    langs = list(next(iter(scores.values())).accuracy)
    head = ["detector", *langs, "ms/question", "unsure", "sure & wrong"]
    lines = ["| " + " | ".join(head) + " |", "|---" * len(head) + "|"]
    for name, score in scores.items():
        cells = [f"{score.accuracy[lang]:.3f}" for lang in langs]
        tail = [f"{score.ms_per_question:.2f}", f"{score.unsure:.3f}", str(score.sure_and_wrong)]
        lines.append("| " + " | ".join([name, *cells, *tail]) + " |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument("--show-wrong", action="store_true", help="list every question a detector got wrong")
    args = parser.parse_args()
    try:
        data = load(args.data)
    except (OSError, EvalDataError) as exc:
        parser.exit(1, f"evals.langid: {exc}\n")
    print(f"{sum(map(len, data.values()))} questions: " + ", ".join(f"{k} {len(v)}" for k, v in data.items()))
    scores = {name: measure(detect, data) for name, detect in DETECTORS.items()}
    print(table(scores))
    for name, score in scores.items() if args.show_wrong else ():
        for lang, question, detection in score.wrong:
            print(f"{name}: {lang} {question!r}: expected {lang}, got {detection}")


if __name__ == "__main__":
    main()
