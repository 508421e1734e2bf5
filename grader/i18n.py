"""The CLI's own words in English and Korean, chosen by ``--lang`` or the locale.

Exercise texts (titles, instructions, hints) come from the specs; everything
the grader itself says to a learner comes from here. A missing Korean text
falls back to English, never to a key.
"""

from __future__ import annotations

import errno
import locale
import os

LANGUAGES = ("en", "ko")

MESSAGES: dict[str, dict[str, str]] = {
    # the report
    "expected": {"en": "expected", "ko": "기대"},
    "got": {"en": "got", "ko": "실제"},
    "your_code": {"en": "your code:", "ko": "내 코드:"},
    "led_to": {"en": "which led to:", "ko": "그 때문에 생긴 오류:"},
    "transcript": {"en": "transcript:", "ko": "주고받은 메시지:"},
    "hint": {"en": "hint", "ko": "힌트"},
    "at": {"en": "at", "ko": "위치:"},
    "failed": {"en": "failed", "ko": "실패"},
    "not_run": {"en": "not run", "ko": "실행 안 됨"},
    "same_for": {"en": "(the same for {n} more: {names})", "ko": "(다음 {n}개도 같아요: {names})"},
    "printed": {"en": "What your app printed:", "ko": "앱이 출력한 내용:"},
    "more_output": {"en": "… {n} more bytes of output not shown", "ko": "… 출력 {n}바이트는 생략했어요"},
    "hidden_pending": {
        "en": "… and {n} hidden checks, which your instructor runs on the file you hand in (grade submit {id})",
        "en_one": "… and 1 hidden check, which your instructor runs on the file you hand in (grade submit {id})",
        "ko": "… 그리고 숨겨진 검사 {n}개: 제출한 파일로 강사가 실행해요 (grade submit {id})",
    },
    "all_passed": {"en": "All {n} checks passed.", "en_one": "The lesson's one check passed.",
                   "ko": "검사 {n}개를 모두 통과했어요."},
    "worth": {"en": "This lesson is worth {xp} XP.", "ko": "이 레슨은 {xp} XP예요."},
    "all_visible_passed": {
        "en": "All {n} checks you can run here passed; ",
        "en_one": "The one check you can run here passed; ",
        "ko": "여기서 실행할 수 있는 검사 {n}개를 모두 통과했어요. ",
    },
    "hidden_worth": {
        "en": "{n} hidden checks, worth {hidden_points} of the lesson's {all_points} points, are run by your "
              "instructor on the file you hand in.",
        "en_one": "1 hidden check, worth {hidden_points} of the lesson's {all_points} points, is run by your "
                  "instructor on the file you hand in.",
        "ko": "레슨 {all_points}점 중 {hidden_points}점인 숨겨진 검사 {n}개는 제출한 파일로 강사가 실행해요.",
    },
    "summary": {
        "en": "{passed}/{total} checks passed · {points}/{max_points} points",
        "ko": "검사 {passed}/{total}개 통과 · {points}/{max_points}점",
    },
    "summary_hidden": {"en": " · {n} hidden checks left to your instructor", "en_one": " · 1 hidden check left to your instructor",
                       "ko": " · 숨겨진 검사 {n}개는 강사가 실행해요"},
    "running": {"en": "running {index}/{total}: {name}", "ko": "실행 중 {index}/{total}: {name}"},
    "under uvicorn": {
        "en": "Under a real uvicorn on a loopback port, with a real client, on real time (waits take as long as "
              "they say). Not recorded in your progress.",
        "ko": "실제 uvicorn을 loopback 포트에서 실행하고 실제 클라이언트로, 실제 시간으로 채점해요 (기다리는 단계는 "
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
        "ko": "다시 통과했어요. 이 레슨의 {xp} XP는 처음 통과할 때 이미 받았어요.",
    },
    "not_recorded_reference": {
        "en": "Not recorded: this file is one the course keeps (a reference solution or a known variant), not your work. "
              "Grade your own file, e.g. grade {id}.",
        "ko": "기록하지 않았어요: 이 파일은 코스가 보관하는 파일(모범 답안이나 알려진 변형)이라서 작성한 코드가 아니에요. "
              "직접 작성한 파일을 채점해 주세요. 예: grade {id}",
    },
    "not_recorded_course_starter": {
        "en": "Not recorded: this is the course's starter file itself. Run grade start {id} to get your own copy.",
        "ko": "기록하지 않았어요: 이 파일은 코스의 시작 파일 그 자체예요. 내 사본을 만들려면 grade start {id} 명령을 실행하세요.",
    },
    "still_starter": {
        "en": "Your file is still the untouched starter, so this run is not counted as an attempt yet.",
        "ko": "파일이 아직 손대지 않은 시작 코드라서 이번 실행은 시도로 세지 않아요.",
    },
    "same_as_reference": {
        "en": "Your file is identical to the lesson's reference solution; it is recorded as your work.",
        "ko": "파일이 레슨의 모범 답안과 똑같아요. 작성한 코드로 기록해요.",
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
        "ko": "모든 검사를 통과하면 XP를 받아요.",
    },
    "unlocked": {"en": "Achievement unlocked: {name} — {description}", "ko": "업적 달성: {name} — {description}"},
    "progress_where": {"en": "Kept in {path} (GRADER_DATA_DIR moves it).",
                       "ko": "저장 위치: {path} (GRADER_DATA_DIR 환경 변수로 바꿀 수 있어요)"},
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
        "ko": "시작 코드를 만들었어요: {path}. 고친 다음 실행하세요: grade {id}",
    },
    "start_kept": {
        "en": "Your file was moved aside to {path}.",
        "ko": "원래 파일은 {path} 경로로 옮겨 두었어요.",
    },
    "show_checks": {"en": "Checks ({n}):", "ko": "검사 ({n}개):"},
    "show_hidden": {"en": "+ {n} hidden, run by your instructor on what you submit",
                    "ko": "+ 숨겨진 검사 {n}개: 제출한 파일로 강사가 실행해요"},
    "help_head": {
        "en": "grade: exercises for FastAPI WebSockets, graded check by check.",
        "ko": "grade: FastAPI WebSocket 레슨을 검사 하나하나 채점해요.",
    },
    "help_learners": {"en": "Learners:", "ko": "학습자:"},
    "help_next_cmd": {"en": "start (or grade) the next lesson you have not passed",
                      "ko": "아직 통과하지 않은 다음 레슨을 시작 (또는 채점)"},
    "help_list_cmd": {"en": "lessons, with your status and XP", "ko": "레슨 목록과 내 상태, XP"},
    "help_show_cmd": {"en": "a lesson's instructions and its checks", "ko": "레슨 설명과 검사 목록"},
    "help_start_cmd": {"en": "write the starter to your file (--force: yours is kept aside first)",
                       "ko": "시작 파일 만들기 (--force: 내 파일은 먼저 옆에 보관)"},
    "help_grade_cmd": {"en": "grade your file (--watch: again on every save)",
                       "ko": "내 파일 채점 (--watch: 저장할 때마다 다시)"},
    "help_uvicorn_cmd": {"en": "confirm the verdict under a real uvicorn", "ko": "실제 uvicorn으로 결과 확인"},
    "help_hint_cmd": {"en": "the next hint", "ko": "다음 힌트"},
    "help_progress_cmd": {"en": "level, XP, lessons, achievements", "ko": "레벨, XP, 레슨, 업적"},
    "help_submit_cmd": {"en": "package your file and its result for your instructor",
                        "ko": "강사에게 낼 파일과 결과를 묶기"},
    "submit_changed": {
        "en": "{path} changed while it was being graded; nothing was packed. Save it and run grade submit {id} again",
        "ko": "채점하는 동안 {path} 파일이 바뀌어서 아무것도 묶지 않았어요. 저장한 뒤 다시 실행하세요: grade submit {id}",
    },
    "submit_missing": {
        "en": "there is nothing to submit yet: {path} does not exist (grade start {id} writes the starter)",
        "ko": "아직 제출할 파일이 없어요: {path} 파일이 없어요 (시작 파일은 grade start {id} 명령으로 만들어요)",
    },
    "submit_wrote": {
        "en": "Wrote {path} (your file, this result, and its SHA-256 {digest}…): hand it in as your course says. "
              "Your instructor grades that file again, with the {n} hidden checks.",
        "en_one": "Wrote {path} (your file, this result, and its SHA-256 {digest}…): hand it in as your course says. "
                  "Your instructor grades that file again, with the hidden check.",
        "ko": "{path} 파일을 만들었어요 (내 파일, 이 결과, SHA-256 {digest}…). 코스에서 안내한 대로 제출하세요. "
              "강사가 그 파일을 숨겨진 검사 {n}개와 함께 다시 채점해요.",
    },
    "help_try_cmd": {"en": "serve your app under uvicorn and talk to it from the terminal",
                     "ko": "내 앱을 uvicorn으로 띄우고 터미널에서 직접 메시지 주고받기"},
    "try_serving": {
        "en": "Your app is served by uvicorn at {url}. Type a message and press Enter to send it; /help lists "
              "the rest (/json, /hex, /close, /save, /quit).",
        "ko": "uvicorn이 내 앱을 실행 중이에요 (주소: {url}). 메시지를 입력하고 Enter를 누르면 보내요. 나머지 명령은 "
              "/help로 볼 수 있어요 (/json, /hex, /close, /save, /quit).",
    },
    "try_help": {
        "en": "  text            sent as a text frame (//text sends /text)\n  /json {{...}}     sent as JSON text\n"
              "  /hex 00 ff      sent as a binary frame\n  /close [CODE [REASON]]  close the connection\n"
              "  /reconnect      connect again, after the app closed or dropped the connection\n"
              "  /save FILE      write the transcript so far\n  /quit           close and end (or Ctrl-D)",
        "ko": "  텍스트          텍스트 프레임으로 보내요 (//텍스트는 /텍스트를 보내요)\n  /json {{...}}     JSON 텍스트로 보내요\n"
              "  /hex 00 ff      바이너리 프레임으로 보내요\n  /close [코드 [이유]]  연결을 닫아요\n"
              "  /reconnect      앱이 연결을 닫거나 연결이 끊긴 뒤에 다시 연결해요\n"
              "  /save 파일      지금까지 주고받은 메시지를 저장해요\n  /quit           닫고 끝내요 (또는 Ctrl-D)",
    },
    "try_offer": {
        "en": "The connection is over. Type /reconnect to connect again, or /quit (Ctrl-D) to end.",
        "ko": "연결이 끝났어요. 다시 연결하려면 /reconnect, 끝내려면 /quit(또는 Ctrl-D)를 입력하세요.",
    },
    "try_not_connected": {
        "en": "not sent: there is no connection. /reconnect connects again, /quit ends.",
        "ko": "보내지 않았어요: 연결이 없어요. /reconnect로 다시 연결하거나 /quit으로 끝내세요.",
    },
    "try_still_connected": {"en": "still connected: /close first to connect again",
                            "ko": "아직 연결되어 있어요. 다시 연결하려면 먼저 /close를 입력하세요"},
    "try_why_1011": {
        "en": " (1011: your app raised an exception; its log above shows where)",
        "ko": " (1011: 앱에서 예외가 발생했어요. 위 로그에서 위치를 볼 수 있어요)",
    },
    "try_bad_json": {"en": "not sent: that is not JSON ({error})", "ko": "보내지 않았어요: JSON이 아니에요 ({error})"},
    "try_bad_hex": {"en": "not sent: write bytes as hex pairs, e.g. /hex 00 ff 10",
                    "ko": "보내지 않았어요: 바이트는 16진수 두 자리씩 쓰세요. 예: /hex 00 ff 10"},
    "try_unknown": {"en": "unknown command {command}: /help lists them (//text sends text starting with /)",
                    "ko": "알 수 없는 명령이에요 ({command}). /help로 목록을 볼 수 있어요 (//텍스트 는 / 로 시작하는 텍스트를 보내요)"},
    "try_saved": {"en": "Transcript saved to {path}.", "ko": "주고받은 내용을 저장했어요: {path}"},
    "try_refused": {
        "en": "The connection was not accepted: {why}. Grading the file (grade ID) says why, check by check; "
              "--path picks another route.",
        "ko": "연결이 accept 되지 않았어요: {why}. 파일을 채점하면 (grade ID) 검사마다 이유를 알려 줘요. 다른 경로는 "
              "--path로 고를 수 있어요.",
    },
    "try_import_hang": {
        "en": "Your file did not finish importing within {seconds} s: put uvicorn.run(...) and other long-running "
              "calls under `if __name__ == \"__main__\":`",
        "ko": "파일 import가 {seconds}초 안에 끝나지 않았어요. uvicorn.run(...) 같은 오래 걸리는 호출은 "
              "`if __name__ == \"__main__\":` 아래에 두세요",
    },
    "try_connected": {"en": "connected", "ko": "연결됨"},
    "try_server_closed": {"en": "the server closed the connection: code {code}", "ko": "서버가 연결을 닫음: close code {code}"},
    "try_dropped": {"en": "the connection dropped without a close frame (code 1006)",
                    "ko": "close 프레임 없이 연결이 끊김 (close code 1006)"},
    "try_you_closed": {"en": "closed by you: code {code}", "ko": "내가 닫음: close code {code}"},
    "try_no_start": {
        "en": "The server did not start within 30 s. `grade doctor` shows whether the grader's sandbox works on "
              "this machine; `grade {id}` grades the same file.",
        "ko": "서버가 30초 안에 시작되지 않았어요. 이 컴퓨터에서 채점기 샌드박스가 동작하는지는 `grade doctor`로, "
              "같은 파일의 채점은 `grade {id}`로 볼 수 있어요.",
    },
    "help_instructors": {"en": "Instructors and CI:", "ko": "강사와 CI:"},
    "help_next": {
        "en": "Next: {id} · {title}. Run: {command}",
        "ko": "다음 레슨: {id} · {title}. 실행하세요: {command}",
    },
    "help_all_done": {"en": "Every lesson is passed. Well done!", "ko": "모든 레슨을 통과했어요. 잘했어요!"},
    "next_all_done": {
        "en": "Every lesson is passed; `grade list` shows them all.",
        "ko": "모든 레슨을 통과했어요. `grade list`로 전체를 볼 수 있어요.",
    },
    "start_exists": {
        "en": "{path} already exists: your work is left as it is. Run: grade {id}",
        "ko": "{path} 파일이 이미 있어요. 작업한 내용은 그대로 두었어요. 실행하세요: grade {id}",
    },
    "hint_tier": {"en": "Hint {n} of {total}", "ko": "힌트 {n}/{total}"},
    "hint_more": {"en": "Run `grade hint {id}` again for the next hint.", "ko": "다음 힌트를 보려면 `grade hint {id}` 명령을 다시 실행하세요."},
    "hint_last": {"en": "That was the last hint.", "ko": "마지막 힌트였어요."},
    "no_hints": {"en": "This lesson has no hints.", "ko": "이 레슨에는 힌트가 없어요."},
    "reset_confirm": {"en": "Reset all your progress? Type yes to confirm: ",
                      "ko": "진행 상황을 모두 초기화할까요? 확인하려면 yes를 입력하세요: "},
    "reset_confirm_one": {"en": "Reset your progress in {id}? Type yes to confirm: ",
                          "ko": "{id} 레슨의 진행 상황을 초기화할까요? 확인하려면 yes를 입력하세요: "},
    "reset_done": {"en": "Reset all your progress.", "ko": "진행 상황을 모두 초기화했어요."},
    "reset_done_one": {"en": "Reset your progress in {id}.", "ko": "{id} 레슨의 진행 상황을 초기화했어요."},
    "reset_cancelled": {"en": "Nothing was reset.", "ko": "아무것도 초기화하지 않았어요."},
    "watching": {
        "en": "Watching {path}: grading again on every save. Ctrl-C to stop.",
        "ko": "{path} 파일을 지켜보고 있어요. 저장할 때마다 다시 채점해요. 멈추려면 Ctrl-C.",
    },
    "no_exercise": {"en": "no exercise '{id}' (known: {known})",
                    "ko": "'{id}' 레슨이 없어요. 있는 레슨: {known}"},
    "no_config": {"en": "no {name} here or in any parent folder: run grade inside a course checkout",
                  "ko": "이 폴더와 상위 폴더에 {name} 파일이 없어요. 코스 폴더 안에서 grade를 실행하세요"},
    "warning": {"en": "warning: {text}", "ko": "경고: {text}"},
    "page_written": {"en": "Course page written to {path}", "ko": "코스 페이지를 만들었어요: {path}"},
    "no_browser": {"en": "No browser could be opened; open {path} yourself.", "ko": "브라우저를 열 수 없었어요. 직접 여세요: {path}"},
}


def t(key: str, lang: str = "en", **values: object) -> str:
    """The text of ``key`` in ``lang``; a count ``n`` of 1 picks the singular where a language has one."""
    texts = MESSAGES[key]
    if values.get("n") == 1 and f"{lang}_one" in texts:
        return texts[f"{lang}_one"].format(**values)
    return (texts.get(lang) or texts["en"]).format(**values)


def language(explicit: str | None = None) -> str:
    """``--lang`` if given, else the locale's language if we speak it, else English."""
    if explicit in LANGUAGES:
        return explicit
    # GNU's LANGUAGE is a list of preferences (ko:en); like gettext, it counts unless the locale is C.
    preferences = os.environ.get("LANGUAGE", "")
    locale_name = os.environ.get("LC_ALL") or os.environ.get("LC_MESSAGES") or os.environ.get("LANG") or ""
    if preferences and locale_name not in ("C", "POSIX"):
        for item in preferences.split(":"):
            code = item.split("_")[0].split(".")[0].lower()
            if code in LANGUAGES:
                return code
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


# What the operating system says of a file it would not open, for the errors learners meet most.
_OS_ERRORS = {
    errno.ENOENT: {"ko": "파일이나 폴더가 없어요"},
    errno.EACCES: {"ko": "권한이 없어요"},
    errno.EPERM: {"ko": "허용되지 않은 작업이에요"},
    errno.EISDIR: {"ko": "파일이 아니라 폴더예요"},
    errno.ENOTDIR: {"ko": "경로 중간에 폴더가 아닌 것이 있어요"},
    errno.ENOSPC: {"ko": "디스크에 남은 공간이 없어요"},
    errno.EROFS: {"ko": "읽기 전용 파일 시스템이에요"},
}


def os_error(lang: str, exc: OSError) -> str:
    """``exc``'s reason in ``lang`` (the system's own words where there is no translation)."""
    return _OS_ERRORS.get(exc.errno or 0, {}).get(lang) or exc.strerror or str(exc)
