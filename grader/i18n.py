"""The CLI's own words in English and Korean, chosen by ``--lang`` or the locale.

Exercise texts (titles, instructions, hints) come from the specs; everything
the grader itself says to a learner comes from here. A missing Korean text
falls back to English, never to a key.
"""

from __future__ import annotations

import locale
import os

LANGUAGES = ("en", "ko")

MESSAGES: dict[str, dict[str, str]] = {
    # the report
    "expected": {"en": "expected", "ko": "기대한 것"},
    "got": {"en": "got", "ko": "받은 것"},
    "your_code": {"en": "your code:", "ko": "내 코드:"},
    "led_to": {"en": "which led to:", "ko": "그 때문에 생긴 오류:"},
    "transcript": {"en": "transcript:", "ko": "주고받은 메시지:"},
    "hint": {"en": "hint", "ko": "힌트"},
    "at": {"en": "at", "ko": "위치"},
    "failed": {"en": "failed", "ko": "실패"},
    "not_run": {"en": "not run", "ko": "실행 안 됨"},
    "same_for": {"en": "(the same for {n} more: {names})", "ko": "(다음 {n}개도 같아요: {names})"},
    "printed": {"en": "What your app printed:", "ko": "앱이 출력한 내용:"},
    "more_output": {"en": "… {n} more bytes of output not shown", "ko": "… 출력 {n} 바이트는 생략했어요"},
    "hidden_pending": {
        "en": "… {n} hidden check(s) will be run when you submit",
        "ko": "… 숨겨진 검사 {n}개는 제출할 때 실행돼요",
    },
    "all_passed": {"en": "All {n} checks passed.", "ko": "검사 {n}개를 모두 통과했어요."},
    "worth": {"en": "This lesson is worth {xp} XP.", "ko": "이 레슨은 {xp} XP 예요."},
    "all_visible_passed": {
        "en": "All {n} checks you can run here passed; {hidden} hidden check(s), worth {hidden_points} "
        "of the lesson's {all_points} points, will be run when you submit.",
        "ko": "여기서 실행할 수 있는 검사 {n}개를 모두 통과했어요. 레슨 {all_points}점 중 {hidden_points}점인 "
        "숨겨진 검사 {hidden}개는 제출할 때 실행돼요.",
    },
    "summary": {
        "en": "{passed}/{total} checks passed · {points}/{max_points} points",
        "ko": "검사 {passed}/{total}개 통과 · {points}/{max_points}점",
    },
    "summary_hidden": {"en": " · {n} hidden check(s) run when you submit", "ko": " · 숨겨진 검사 {n}개는 제출할 때 실행돼요"},
    "running": {"en": "running {index}/{total}: {name}", "ko": "실행 중 {index}/{total}: {name}"},
    "under uvicorn": {
        "en": "Under a real uvicorn on a loopback port, with a real client, on real time (waits take as long as "
              "they say). Not recorded in your progress.",
        "ko": "실제 uvicorn 을 loopback 포트에서 실행하고 실제 클라이언트로, 실제 시간으로 채점해요 (기다리는 단계는 "
              "적힌 만큼 걸려요). 진행 상황에는 기록하지 않아요.",
    },
    # progress
    "xp_gained": {"en": "+{xp} XP", "ko": "+{xp} XP"},
    "level_line": {"en": "Level {number} · {name}", "ko": "레벨 {number} · {name}"},
    "level_up": {"en": "Level up! Now Level {number} · {name}", "ko": "레벨 업! 이제 레벨 {number} · {name}"},
    "to_next": {"en": "{have}/{need} XP to next level", "ko": "다음 레벨까지 {have}/{need} XP"},
    "max_level": {"en": "top level reached", "ko": "최고 레벨이에요"},
    "already_banked": {
        "en": "Passed again: the {xp} XP of this lesson were banked on its first pass.",
        "ko": "다시 통과했어요. 이 레슨의 {xp} XP 는 처음 통과할 때 이미 받았어요.",
    },
    "not_recorded_reference": {
        "en": "Not recorded: this is the lesson's reference solution (or a variant the course keeps), not your work.",
        "ko": "기록하지 않았어요: 이 파일은 레슨의 모범 답안 (또는 코스가 보관하는 변형) 이에요. 내 작업이 아니에요.",
    },
    "not_recorded_starter": {
        "en": "Not recorded: {path} is still the untouched starter. Write your solution there, then grade again.",
        "ko": "기록하지 않았어요: {path} 파일은 아직 손대지 않은 시작 파일이에요. 답을 작성한 뒤 다시 채점하세요.",
    },
    "same_file": {
        "en": "Same file as your last attempt: not counted as a new attempt.",
        "ko": "지난번과 같은 파일이에요: 새 시도로 세지 않아요.",
    },
    "same_verdict": {
        "en": "Same verdict as the last save: not counted as a new attempt.",
        "ko": "지난번 저장과 결과가 같아요: 새 시도로 세지 않아요.",
    },
    "no_xp_yet": {
        "en": "XP is banked when every check passes.",
        "ko": "모든 검사를 통과하면 XP 를 받아요.",
    },
    "unlocked": {"en": "Achievement unlocked: {name} — {description}", "ko": "업적 달성: {name} — {description}"},
    "progress_title": {"en": "Your progress (local only)", "ko": "내 진행 상황 (이 컴퓨터에만 저장돼요)"},
    "xp_total": {"en": "{xp} XP", "ko": "{xp} XP"},
    "lessons_done": {"en": "Track {track}: {done}/{total} lessons", "ko": "트랙 {track}: 레슨 {done}/{total}개"},
    "course_done": {"en": "{done}/{total} lessons", "ko": "레슨 {done}/{total}개"},
    "achievements": {"en": "{done}/{total} achievements", "ko": "업적 {done}/{total}개"},
    "locked": {"en": "locked: {how}", "ko": "잠김: {how}"},
    "status_passed": {"en": "passed", "ko": "통과"},
    "status_attempted": {"en": "attempted", "ko": "시도함"},
    "status_new": {"en": "new", "ko": "새 레슨"},
    "list_title": {"en": "Lessons", "ko": "레슨"},
    "track": {"en": "Track {track}", "ko": "트랙 {track}"},
    "start_wrote": {
        "en": "Wrote the starter to {path}. Edit it, then run: grade {id}",
        "ko": "{path} 에 시작 코드를 만들었어요. 고친 다음 실행하세요: grade {id}",
    },
    "start_exists": {
        "en": "{path} already exists: your work is left as it is. Run: grade {id}",
        "ko": "{path} 가 이미 있어요. 작업한 내용은 그대로 두었어요. 실행하세요: grade {id}",
    },
    "hint_tier": {"en": "Hint {n} of {total}", "ko": "힌트 {n}/{total}"},
    "hint_more": {"en": "Run `grade hint {id}` again for the next hint.", "ko": "다음 힌트는 `grade hint {id}` 를 다시 실행하세요."},
    "hint_last": {"en": "That was the last hint.", "ko": "마지막 힌트였어요."},
    "no_hints": {"en": "This lesson has no hints.", "ko": "이 레슨에는 힌트가 없어요."},
    "reset_confirm": {"en": "Reset {what}? Type yes to confirm: ", "ko": "{what} 을(를) 초기화할까요? 확인하려면 yes 를 입력하세요: "},
    "reset_all": {"en": "all your progress", "ko": "모든 진행 상황"},
    "reset_done": {"en": "Reset {what}.", "ko": "{what} 을(를) 초기화했어요."},
    "reset_cancelled": {"en": "Nothing was reset.", "ko": "아무것도 초기화하지 않았어요."},
    "watching": {
        "en": "Watching {path}: grading again on every save. Ctrl-C to stop.",
        "ko": "{path} 를 지켜보고 있어요. 저장할 때마다 다시 채점해요. 멈추려면 Ctrl-C.",
    },
    "warning": {"en": "warning: {text}", "ko": "경고: {text}"},
    "page_written": {"en": "Course page written to {path}", "ko": "코스 페이지를 만들었어요: {path}"},
    "no_browser": {"en": "No browser could be opened; open {path} yourself.", "ko": "브라우저를 열 수 없었어요. 직접 여세요: {path}"},
}


def t(key: str, lang: str = "en", **values: object) -> str:
    texts = MESSAGES[key]
    return (texts.get(lang) or texts["en"]).format(**values)


def language(explicit: str | None = None) -> str:
    """``--lang`` if given, else the locale's language if we speak it, else English."""
    if explicit in LANGUAGES:
        return explicit
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(name)
        if value:
            return "ko" if value.lower().startswith("ko") else "en"
    code = locale.getlocale()[0] or ""
    return "ko" if code.lower().startswith("ko") else "en"


def say(lang: str, text: str, **values: object) -> str:
    """A sentence about the learner's code: ``text`` is the English template and the key.

    Kept in English at the call site so the code reads naturally; the Korean
    is looked up in :mod:`grader.locale_ko`.
    """
    if lang == "ko":
        from grader.locale_ko import KO

        text = KO.get(text, text)
    return text.format(**values) if values else text
