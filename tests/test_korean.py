"""Korean a careful teacher would write: one register, one glossary, particles attached, no stray English.

Over every Korean text the learner can see: the CLI's catalog, the sentences about their code,
the specs' `ko:` texts and grader.toml's names.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterator
from typing import Any

import yaml

from conftest import ROOT, run_grade
from grader.course.progress import RULES
from grader.i18n import MESSAGES
from grader.locale_ko import AVOID, GLOSSARY, KO

# A particle (or copula) written as a word of its own after Latin text, code, a number or a
# bracket: `endpoint 를`, `` `app` 이 ``, `트랙 3 의`. Korean attaches it: `endpoint를`.
PARTICLE = (r"(?:으로만|로만|에만|에서도|으로도|로도|에는|에서는|으로는|로는|에도|와는|과는|나|이라는|라는|이나|이면|이든|부터|까지|마다|처럼|보다|에게|을\(를\)|이\(가\)|은\(는\)|\(으\)로|"
            r"이에요|예요|에서|으로|을|를|은|는|가|의|에|로|와|과|도|만|이|인|이면)")
SPACED = re.compile(r"(?<=[A-Za-z0-9`'\")\]>_]) " + PARTICLE + r"(?=[\s.,:;)!?\"]|$)", re.MULTILINE)
# A fixed particle right after an inserted value is wrong for half the values it can take.
AFTER_VALUE = re.compile(r"\} ?(?:이에요|예요|에서|으로|을|를|은|는|가|의|에|로|와|과|도|만|이)(?=[\s.,:;)!?]|$)")
COUNTER = re.compile(r"[0-9}] (?:초|줄|번째|번|개|점|바이트|밀리초)(?![A-Za-z])")
FORMAL = re.compile(r"니다|(?:았|었|않았|없었)음\b")


def korean_texts() -> Iterator[tuple[str, str]]:
    for key, texts in MESSAGES.items():
        yield f"i18n {key}", texts["ko"]
    for english, korean in KO.items():
        yield f"locale_ko {english[:50]!r}", korean
    for rule, texts in RULES.items():
        yield f"achievement rule {rule}", texts["ko"]
    for path in sorted((ROOT / "exercises").glob("*.yaml")):
        yield from _ko_in(yaml.safe_load(path.read_text(encoding="utf-8")), path.name)
    yield from _ko_in(tomllib.loads((ROOT / "grader.toml").read_text(encoding="utf-8")), "grader.toml")


def _ko_in(node: Any, where: str) -> Iterator[tuple[str, str]]:
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "ko" and isinstance(value, str):
                yield where, value
            else:
                yield from _ko_in(value, where)
    elif isinstance(node, list):
        for item in node:
            yield from _ko_in(item, where)


def prose(text: str) -> str:
    """The Korean sentence without what stays as written: code, quoted values, inserted values."""
    text = re.sub(r"`[^`]*`|'[^']*'|\"[^\"]*\"", "", text)
    return re.sub(r"\{[^{}]*\}", "", text)


def test_the_catalog_is_all_there() -> None:
    assert sum(1 for _ in korean_texts()) > 500


def test_particles_attach_and_never_follow_an_inserted_value() -> None:
    spaced = [f"{where}: …{text[max(0, m.start() - 15):m.end() + 3]}…" for where, text in korean_texts()
              for m in SPACED.finditer(text)]
    assert not spaced, "\n".join(spaced)
    after = [f"{where}: {text}" for where, text in korean_texts() if AFTER_VALUE.search(text)]
    assert not after, "\n".join(after)


def test_numbers_attach_their_korean_counters() -> None:
    loose = [f"{where}: {text}" for where, text in korean_texts() if COUNTER.search(text)]
    assert not loose, "\n".join(loose)


def test_one_register() -> None:
    formal = [f"{where}: {text}" for where, text in korean_texts() if FORMAL.search(text)]
    assert not formal, "\n".join(formal)


def test_one_word_for_each_idea() -> None:
    found = [f"{where}: {word!r} (use {instead!r}): {text}" for where, text in korean_texts()
             for word, instead in AVOID.items() if re.search(rf"(?<![A-Za-z_]){re.escape(word)}(?![A-Za-z_])", prose(text))]
    assert not found, "\n".join(found)


# Lesson terms that keep an English word the glossary translates elsewhere (close code, close reason,
# the close frame and the close() call learners type).
KEPT_TERMS = re.compile(r"close (?:code|reason|프레임)|close\(\)")


def glossary_english() -> list[str]:
    """Each English word or phrase the glossary gives a Korean word for: "text / binary" gives both."""
    words = []
    for english, korean in GLOSSARY.items():
        for word in re.sub(r"\(.*?\)", "", english).split("/"):
            if word.strip() and word.strip() not in korean:
                words.append(word.strip())
    return words


def test_no_english_word_where_the_glossary_has_a_korean_one() -> None:
    """`text`, `message`, `raise`, `error` in a Korean sentence fail; code, option names and values do not."""
    words = glossary_english()
    assert {"text", "message", "raise", "error", "frame", "grader", "event loop"} <= set(words)
    found = []
    for where, text in korean_texts():
        bare = KEPT_TERMS.sub("", prose(text))
        for word in words:
            # Not part of a longer name (receive_text, --path, .message), nor code (message[...], call(...)).
            for hit in re.finditer(rf"(?<![A-Za-z_./-]){re.escape(word)}(?![A-Za-z_(\[.])", bare):
                found.append(f"{where}: {word!r}: …{bare[max(0, hit.start() - 30):hit.end() + 20]}…")
    assert not found, "\n".join(found)


def test_the_glossary_and_the_avoided_words_agree() -> None:
    """A word to avoid is never the glossary's own word (the two lists cannot fight)."""
    assert not set(AVOID) & set(GLOSSARY.values())
    for korean in GLOSSARY.values():
        assert not any(word in korean for word in AVOID), korean


def test_no_english_sentence_under_lang_ko(tmp_path: Any) -> None:
    unknown = run_grade("t9l9", "--lang", "ko")
    assert unknown.returncode == 2
    assert unknown.stderr.startswith("grade: 't9l9' 레슨이 없어요. 있는 레슨: t3l1,"), unknown.stderr
    outside = run_grade("list", "--lang", "ko", cwd=tmp_path)
    assert outside.returncode == 2
    assert outside.stderr == "grade: 이 폴더와 상위 폴더에 grader.toml 파일이 없어요. 코스 폴더 안에서 grade를 실행하세요\n"


def test_codes_say_which_code() -> None:
    """A close code is `close code N`, a process's is `종료 코드 N`: never a bare `code N`."""
    bare = [f"{where}: {text}" for where, text in korean_texts()
            if re.search(r"(?<!close )(?<!close_)\bcode (?:\{|\d)", text)]
    assert not bare, "\n".join(bare)
