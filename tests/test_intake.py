"""Intake: the learner's file is read once, as a regular file, and no link leads grading elsewhere.

Submissions (``grade batch``, the platform runner) refuse every link below the
submission folder by name, and zips with hostile entries; the learner's own
``--app`` follows the path they typed but reads only a regular file; a file
over the size limit is told its size and the limit. Files the judge reads from
the app's work folder are read the same way, while the app races to swap them.
What learners name reaches terminals and spreadsheets inert.
"""

from __future__ import annotations

import csv
import hashlib
import json
import os
import socket
import stat
import subprocess
import sys
import threading
import uuid
import zipfile
from pathlib import Path

import pytest
from fastapi import FastAPI, WebSocket

from conftest import ROOT, grade_bin, learners_copy, run_grade
from grader import files
from grader.files import Refused, Why

SOLUTION = ROOT / "solutions" / "t3l2.py"
STARTER = ROOT / "starters" / "t3l2.py"
RAW = ("\x1b", "\x07", "\x9b", "\x9d", "\u202e", "\u2066")


# --- grader.files: what one read may take --------------------------------------------------------------


def refusal(root: Path, relative: str, limit: int = 1 << 20, single_name: bool = False) -> Refused:
    with pytest.raises(Refused) as caught:
        files.read_below(root, relative, limit, single_name=single_name)
    return caught.value


def test_a_regular_file_is_read_whole(tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "a.py").write_bytes(b"x = 1\n")
    assert files.read_below(tmp_path, "sub/a.py", 6).data == b"x = 1\n"


def test_links_of_every_kind_are_refused_with_their_target(tmp_path: Path) -> None:
    tmp_path.mkdir(exist_ok=True)
    (tmp_path / "real").mkdir()
    (tmp_path / "real" / "a.py").write_text("x = 1\n")
    (tmp_path / "to_file.py").symlink_to(tmp_path / "real" / "a.py")
    (tmp_path / "to_folder").symlink_to(tmp_path / "real", target_is_directory=True)
    (tmp_path / "to_environ").symlink_to("/proc/self/environ")
    (tmp_path / "dangling.py").symlink_to(tmp_path / "nowhere.py")
    assert (refusal(tmp_path, "to_file.py").why, refusal(tmp_path, "to_file.py").target) == (
        Why.LINK, str(tmp_path / "real" / "a.py"))
    linked = refusal(tmp_path, "to_folder/a.py")
    assert (linked.why, linked.name, linked.file, linked.target) == (
        Why.LINKED_FOLDER, "to_folder", "to_folder/a.py", str(tmp_path / "real"))
    assert refusal(tmp_path, "to_environ").why is Why.LINK
    assert refusal(tmp_path, "dangling.py").why is Why.LINK
    assert refusal(tmp_path, "real/a.py/deeper").why is Why.MISSING
    assert refusal(tmp_path, "absent.py").why is Why.MISSING
    with pytest.raises(ValueError):
        files.read_below(tmp_path, "../x.py", 10)


def test_without_openat_each_part_is_still_checked(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Where open() takes no folder descriptor (Windows), the same refusals come from lstat before the open."""
    monkeypatch.setattr(files, "AT_FUNCTIONS", False)
    test_links_of_every_kind_are_refused_with_their_target(tmp_path / "links")
    os.mkfifo(tmp_path / "pipe.py")
    assert (refusal(tmp_path, "pipe.py").why, refusal(tmp_path, "pipe.py").kind) == (
        Why.NOT_REGULAR, "a FIFO (named pipe)")
    (tmp_path / "ok.py").write_bytes(b"x = 1\n")
    os.link(tmp_path / "ok.py", tmp_path / "twin.py")
    assert files.read_below(tmp_path, "ok.py", 6).data == b"x = 1\n"
    assert refusal(tmp_path, "twin.py", single_name=True).why is Why.HARD_LINK
    assert refusal(tmp_path, "ok.py", limit=5).why is Why.TOO_LARGE


def test_a_fifo_a_socket_and_a_folder_are_refused_without_blocking(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "pipe.py")
    server = socket.socket(socket.AF_UNIX)
    server.bind(str(tmp_path / "sock.py"))
    (tmp_path / "folder.py").mkdir()
    outcomes: dict[str, Refused] = {}

    def read_all() -> None:
        for name in ("pipe.py", "sock.py", "folder.py"):
            outcomes[name] = refusal(tmp_path, name)

    reader = threading.Thread(target=read_all, daemon=True)
    reader.start()
    reader.join(timeout=30)
    if reader.is_alive():  # release it before failing: a writer unblocks a reader stuck in open()
        os.close(os.open(tmp_path / "pipe.py", os.O_WRONLY | os.O_NONBLOCK))
    server.close()
    assert not reader.is_alive(), "reading a FIFO blocked"
    assert {name: (r.why, r.kind) for name, r in outcomes.items()} == {
        "pipe.py": (Why.NOT_REGULAR, "a FIFO (named pipe)"),
        "sock.py": (Why.NOT_REGULAR, "a socket"),
        "folder.py": (Why.NOT_REGULAR, "a folder"),
    }


def test_size_and_hard_links(tmp_path: Path) -> None:
    (tmp_path / "big.py").write_bytes(b"#" * 2000)
    too_large = refusal(tmp_path, "big.py", limit=1999)
    assert (too_large.why, too_large.size, too_large.limit) == (Why.TOO_LARGE, 2000, 1999)
    assert len(files.read_below(tmp_path, "big.py", 2000).data) == 2000
    os.link(tmp_path / "big.py", tmp_path / "other.py")
    assert files.read_below(tmp_path, "other.py", 2000).links == 2  # a work folder's hard link is still a file
    hard = refusal(tmp_path, "other.py", limit=2000, single_name=True)
    assert (hard.why, hard.links) == (Why.HARD_LINK, 2)


# --- grade batch: a class with links of every kind -------------------------------------------------------


def zipped(path: Path, entries: list[tuple[str, bytes, bool]]) -> Path:
    """A zip as an edited `grade submit` package would be: entries made on Unix, links with a link's mode."""
    with zipfile.ZipFile(path, "w") as archive:
        for name, data, link in entries:
            info = zipfile.ZipInfo(name)
            info.create_system = 3
            info.external_attr = ((stat.S_IFLNK | 0o777) if link else (stat.S_IFREG | 0o644)) << 16
            archive.writestr(info, data)
    return path


@pytest.fixture
def full(course: Path) -> Path:
    import shutil

    for folder in ("solutions", "starters"):
        shutil.copytree(ROOT / folder, course / folder)
    return course


def big_but_valid(path: Path) -> Path:
    """The reference solution padded to 1.2 MB with a comment: a valid file over the 1 MiB limit."""
    path.write_text(SOLUTION.read_text() + "#" + "x" * 1_200_000 + "\n")
    return path


EVIL_NAME = "evil\x1b]0;pwned\x07\x1b]52;c;cHduZWQ=\x07"
FORMULAS = ['=HYPERLINK("x","click")', "+1+1", "-2+3", "@SUM(A1)", "\tTAB", "\uff1d1+1"]


def test_batch_refuses_every_link_and_gives_every_other_row_its_honest_score(full: Path, tmp_path: Path) -> None:
    klass = tmp_path / "class"
    klass.mkdir()
    solution = full / "solutions" / "t3l2.py"
    honest: dict[str, int] = {}

    def learner(name: str) -> Path:
        folder = klass / name
        folder.mkdir()
        return folder

    learner("alice")
    learners_copy(SOLUTION, klass / "alice")
    honest["alice"] = 20
    (learner("starter") / "t3l2.py").write_bytes(STARTER.read_bytes())
    (learner("link_to_solution") / "t3l2.py").symlink_to(solution)
    (learner("link_to_classmate") / "t3l2.py").symlink_to(klass / "alice" / "t3l2.py")
    (learner("relative_link") / "t3l2.py").symlink_to(Path("..") / "alice" / "t3l2.py")
    (klass / "linked_folder").symlink_to(klass / "alice", target_is_directory=True)
    (learner("lone_linked_py") / "mine.py").symlink_to(solution)
    os.link(solution, learner("hard_link") / "t3l2.py")
    (learner("nested_link") / "src").symlink_to(full / "solutions", target_is_directory=True)
    (learner("deep") / "src" / "app").mkdir(parents=True)
    learners_copy(SOLUTION, klass / "deep" / "src" / "app")
    honest["deep"] = 20
    big_but_valid(learner("big") / "t3l2.py")
    learners_copy(SOLUTION, learner(EVIL_NAME))
    honest[EVIL_NAME] = 20
    for name in FORMULAS:
        learners_copy(SOLUTION, learner(name))
        honest[name] = 20
    learners_copy(SOLUTION, learner("bidi\u202eyp.exe"))
    honest["bidi\u202eyp.exe"] = 20

    # A zip made by the real `grade submit`, and the same zip edited.
    mine = learners_copy(SOLUTION, tmp_path / "bob")
    made = run_grade("submit", "t3l2", "--app", str(mine), "-o", str(klass / "bob.zip"), cwd=full)
    assert made.returncode == 0, made.stdout + made.stderr
    honest["bob"] = 20
    with zipfile.ZipFile(klass / "bob.zip") as archive:
        kept = [(i.filename, archive.read(i), False) for i in archive.infolist() if i.filename != "t3l2.py"]
    zipped(klass / "zip_link.zip", [("t3l2.py", str(solution).encode(), True), *kept])
    zipped(klass / "zip_absolute.zip", [("t3l2.py", mine.read_bytes(), False), ("/tmp/evil.py", b"x = 1\n", False)])
    zipped(klass / "zip_dotdot.zip", [("t3l2.py", mine.read_bytes(), False), ("../../solutions/x.py", b"x\n", False)])
    zipped(klass / "zip_linked_folder.zip", [("src", b"../../solutions", True), ("src/t3l2.py", b"", False)])
    zipped(klass / "zip_nested.zip", [("handin/t3l2.py", mine.read_bytes(), False)])
    honest["zip_nested"] = 20
    zipped(learner("uploaded_zip") / "handin.zip", [("t3l2.py", mine.read_bytes(), False)])
    honest["uploaded_zip"] = 20
    zipped(learner("uploaded_link_zip") / "handin.zip", [("t3l2.py", str(solution).encode(), True)])

    out = tmp_path / "book"
    proc = run_grade("batch", "t3l2", str(klass), "--out", str(out), "--jobs", "2", cwd=full, timeout=600)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    rows = {row["submission"]: row for row in json.loads((out / "gradebook.json").read_text())["submissions"]}

    refused = {
        "link_to_solution": "t3l2.py is a symbolic link (to " + str(solution),
        "link_to_classmate": "link_to_classmate/t3l2.py is a symbolic link",
        "relative_link": "relative_link/t3l2.py is a symbolic link (to ../alice/t3l2.py)",
        "linked_folder": "linked_folder/t3l2.py is reached through linked_folder, a symbolic link to a folder",
        "lone_linked_py": "lone_linked_py/mine.py is a symbolic link",
        "hard_link": "hard_link/t3l2.py is one of 2 names of the same file (a hard link)",
        "nested_link": "nested_link/src/t3l2.py is reached through nested_link/src, a symbolic link to a folder",
        "big": "big/t3l2.py is 1.1 MB (1,20",
        "zip_link": "zip_link.zip holds the entry 't3l2.py', a symbolic link",
        "zip_absolute": "zip_absolute.zip holds the entry '/tmp/evil.py', an absolute path",
        "zip_dotdot": "zip_dotdot.zip holds the entry '../../solutions/x.py', a path that climbs out",
        "zip_linked_folder": "zip_linked_folder.zip holds the entry 'src', a symbolic link",
        "uploaded_link_zip": "handin.zip holds the entry 't3l2.py', a symbolic link",
    }
    problems = []
    for name, says in refused.items():
        row = rows[name]
        if row["points"] != 0 or row["passed"] or says not in row["error"]:
            problems.append(f"{name}: {row['points']} points, error {row['error']!r} (wanted {says!r})")
    for name, points in honest.items():
        if rows[name]["points"] != points or not rows[name]["passed"]:
            problems.append(f"{name}: {rows[name]['points']}/{points} ({rows[name]['error']!r})")
    if rows["starter"]["passed"] or rows["starter"]["error"]:
        problems.append(f"starter: {rows['starter']}")
    assert "does not exist" not in rows["big"]["error"] and "1,048,576 bytes" in rows["big"]["error"]
    assert not problems, "\n".join(problems)
    assert len(rows) == len(refused) + len(honest) + 1

    # The terminal gets no raw control character; the names are shown escaped.
    assert not [c for c in RAW if c in proc.stdout], proc.stdout
    assert "evil\\x1b]0;pwned\\x07" in proc.stdout and "bidi\\u202eyp.exe" in proc.stdout

    # The spreadsheet: every text cell quoted, no cell starting like a formula.
    text = (out / "gradebook.csv").read_text(encoding="utf-8")
    cells = {row["submission"]: row for row in csv.DictReader(text.splitlines())}
    for name in FORMULAS:
        assert "'" + name in cells and cells["'" + name]["points"] == "20", sorted(cells)
    for row in csv.reader(text.splitlines()):
        for value in row:
            assert not value.startswith(("=", "+", "-", "@", "\t", "\r", "\uff1d")), value
    assert '"\'=HYPERLINK(""x"",""click"")"' in text  # quoted, the quote doubled, a leading '
    assert not [c for c in RAW if c in text]


# --- the learner's own file: --app, submit -----------------------------------------------------------------


def test_a_large_valid_file_is_told_its_size_never_called_missing(course: Path, tmp_path: Path) -> None:
    big = big_but_valid(tmp_path / "t3l2.py")
    proc = run_grade("t3l2", "--app", str(big), "--no-record", cwd=course)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert f"is 1.1 MB ({big.stat().st_size:,} bytes), more than the 1.0 MB (1,048,576 bytes)" in proc.stdout
    assert "does not exist" not in proc.stdout
    # The limit is the course's: raised, the same file is graded (and passes).
    toml = course / "grader.toml"
    toml.write_text(toml.read_text().replace("[limits]\n", "[limits]\napp_kb = 2048\n"))
    assert run_grade("t3l2", "--app", str(big), "--no-record", cwd=course).returncode == 0


def test_a_fifo_or_a_folder_as_the_app_is_named_not_waited_on(course: Path, tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "t3l2.py")
    proc = run_grade("t3l2", "--app", str(tmp_path / "t3l2.py"), "--no-record", cwd=course, timeout=60)
    assert proc.returncode == 1 and "is a FIFO (named pipe), not a regular file" in proc.stdout, proc.stdout
    submit = run_grade("submit", "t3l2", "--app", str(tmp_path / "t3l2.py"), cwd=course, timeout=60)
    assert submit.returncode == 2 and "is a FIFO (named pipe)" in submit.stderr, submit.stderr
    (tmp_path / "dir.py").mkdir()
    folder = run_grade("t3l2", "--app", str(tmp_path / "dir.py"), "--no-record", cwd=course, timeout=60)
    assert folder.returncode == 1 and "dir.py is a folder, not a regular file" in folder.stdout, folder.stdout


def test_a_learner_may_grade_through_their_own_link(full: Path, tmp_path: Path) -> None:
    """An editor's workspace often links to the real file: the learner's own path is followed, as cp does."""
    mine = learners_copy(SOLUTION, tmp_path / "projects")
    workspace = tmp_path / "workspace"
    workspace.mkdir()
    (workspace / "t3l2.py").symlink_to(mine)
    proc = run_grade("t3l2", "--app", str(workspace / "t3l2.py"), cwd=full)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "+20 XP" in proc.stdout
    # A link to the course's own solution is graded too, and recorded as nothing.
    (workspace / "copy.py").symlink_to(full / "solutions" / "t3l2.py")
    again = run_grade("t3l2", "--app", str(workspace / "copy.py"), cwd=full)
    assert again.returncode == 0 and "Not recorded" in again.stdout, again.stdout


def test_submit_packs_the_bytes_it_graded_as_a_plain_entry(course: Path, tmp_path: Path) -> None:
    mine = learners_copy(SOLUTION, tmp_path / "me")
    link = tmp_path / "me" / "link.py"
    link.symlink_to(mine)
    proc = run_grade("submit", "t3l2", "--app", str(link), "-o", str(tmp_path / "out.zip"), cwd=course)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    with zipfile.ZipFile(tmp_path / "out.zip") as archive:
        entry = archive.getinfo("t3l2.py")
        assert not stat.S_ISLNK(entry.external_attr >> 16)
        about = json.loads(archive.read("submission.json"))
        assert archive.read(entry) == mine.read_bytes()
    assert about["sha256"] == hashlib.sha256(mine.read_bytes()).hexdigest()


# --- the platform runner ---------------------------------------------------------------------------------------


def test_the_platform_runner_refuses_links_in_the_submission(tmp_path: Path) -> None:
    cases = {"honest": None, "linked": "t3l2.py", "linked_folder": "src"}
    scores = {}
    for name, link in cases.items():
        submission = tmp_path / name / "submission"
        submission.mkdir(parents=True)
        if link is None:
            learners_copy(SOLUTION, submission)
        elif link == "src":
            (submission / "src").symlink_to(ROOT / "solutions", target_is_directory=True)
        else:
            (submission / link).symlink_to(SOLUTION)
        out = tmp_path / name / "results.json"
        env = {k: v for k, v in os.environ.items() if k != "NO_COLOR"}
        proc = subprocess.run([sys.executable, "-m", "grader.course.export.runner", "gradescope", "--exercise", "t3l2",
                               "--course", str(ROOT), "--submission", str(submission), "--output", str(out)],
                              capture_output=True, text=True, timeout=300, env=env)
        assert proc.returncode == 0, proc.stderr
        results = json.loads(out.read_text())
        scores[name] = (results["score"], " ".join(t.get("output", "") for t in results["tests"]))
    assert scores["honest"][0] == 20
    assert scores["linked"][0] == 0 and "t3l2.py is a symbolic link" in scores["linked"][1]
    assert scores["linked_folder"][0] == 0 and "src/t3l2.py is reached through src" in scores["linked_folder"][1]


# --- expect_file: a FIFO, and an app that swaps the file while the judge reads --------------------------------

FIFO_STEPS = """\
- connect: /ws
- send_text: go
- expect_text: written
- expect_file: {path: received_file.bin, content: "payload"}
"""


def test_expect_file_names_a_fifo_and_never_waits_on_it(converse, tmp_path: Path) -> None:
    app = FastAPI()

    @app.websocket("/ws")
    async def pipe(websocket: WebSocket) -> None:
        await websocket.accept()
        await websocket.receive_text()
        os.mkfifo(tmp_path / "received_file.bin")  # no writer ever comes: a blocking open() would wait for ever
        await websocket.send_text("written")
        await websocket.receive_text()

    done: list[object] = []
    reader = threading.Thread(target=lambda: done.append(converse(app, FIFO_STEPS)[0]), daemon=True)
    reader.start()
    reader.join(timeout=60)
    if reader.is_alive():
        os.close(os.open(tmp_path / "received_file.bin", os.O_WRONLY | os.O_NONBLOCK))
    assert done, "expect_file blocked on a FIFO"
    failure = done[0].failure  # type: ignore[attr-defined]
    assert failure is not None and failure.message == (
        "received_file.bin is a FIFO (named pipe), not a regular file: write a regular file")
    assert failure.actual == "a FIFO (named pipe)"

SWAPPER = '''\
import os
import threading

from fastapi import FastAPI

app = FastAPI()

# Fixed hostile files, there from the start (a host started again finds them made).
for make, name in ((lambda n: os.symlink("/proc/self/environ", n), "environ.bin"), (os.mkfifo, "fifo.bin"),
                   (lambda n: os.symlink("/proc/self", n), "proc")):
    try:
        make(name)
    except FileExistsError:
        pass


def swap(name, odd):
    """The file, swapped for a link to the judge's /proc/self/environ or a FIFO and back, for ever."""
    n = 0
    while True:
        n += 1
        temporary = f".{name}.{n % 2}"
        try:
            os.unlink(temporary)
        except OSError:
            pass
        if n % 2:
            odd(temporary)
        else:
            with open(temporary, "w") as f:
                f.write("ok")
        os.replace(temporary, name)


threading.Thread(target=swap, args=("linked.bin", lambda t: os.symlink("/proc/self/environ", t)), daemon=True).start()
threading.Thread(target=swap, args=("piped.bin", os.mkfifo), daemon=True).start()
'''


def swap_spec(folder: Path, rounds: int) -> None:
    fixed = ["environ.bin", "fifo.bin", "proc/environ"]
    names = fixed + ["linked.bin" if i % 2 else "piped.bin" for i in range(rounds)]
    checks = "".join(f"  - name: file {i} ({name})\n    steps:\n      - expect_file: {{path: {name}, content: ok}}\n"
                     for i, name in enumerate(names))
    (folder / "exercises" / "t9l9.yaml").write_text(
        "version: 1\nid: t9l9\ntitle: Swap\ntrack: 9\nlesson: 9\nxp: 1\nfile: t9l9.py\ninstructions: x\n"
        "checks:\n" + checks)


def test_expect_file_never_follows_a_swapped_link_nor_blocks_on_a_fifo(course: Path, tmp_path: Path) -> None:
    swap_spec(course, rounds=40)
    app = tmp_path / "t9l9.py"
    app.write_text(SWAPPER)
    secret = uuid.uuid4().hex
    env = {k: v for k, v in os.environ.items() if k != "NO_COLOR"} | {"GRADER_TEST_SECRET": secret}
    outputs = {}
    for fmt in ("json", "gradescope", "junit", "html", "exercism"):
        out = tmp_path / f"report.{fmt}"
        proc = subprocess.run([grade_bin(), "t9l9", "--app", str(app), "--no-record", "--format", fmt, "--output",
                               str(out)], cwd=course, capture_output=True, text=True, timeout=300, env=env)
        assert proc.returncode in (0, 1), proc.stderr
        outputs[fmt] = out.read_text(encoding="utf-8")
        outputs[f"{fmt} terminal"] = proc.stdout + proc.stderr
    leaked = [name for name, text in outputs.items() if secret in text or "GRADER_TEST_SECRET" in text]
    assert not leaked, f"the judge's environment appears in {leaked}"
    result = json.loads(outputs["json"])
    allowed = ("is a link out of the working directory", "is a FIFO (named pipe), not a regular file",
               "your app did not write")
    odd = [(c["name"], c["message"]) for c in result["checks"]
           if not c["passed"] and not any(a in c["message"] for a in allowed)]
    assert not odd, odd
    fixed = {c["name"]: c["message"] for c in result["checks"][:3]}
    assert fixed == {
        "file 0 (environ.bin)": "environ.bin is a link out of the working directory; write a regular file",
        "file 1 (fifo.bin)": "fifo.bin is a FIFO (named pipe), not a regular file: write a regular file",
        "file 2 (proc/environ)": "proc/environ is a link out of the working directory; write a regular file",
    }


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="openat is Linux's here")
def test_on_linux_files_are_opened_below_a_folder_descriptor_never_checked_then_opened_by_path() -> None:
    # The path-by-path fallback checks each part with lstat and then opens the path: a folder swapped for a
    # link in between is followed. Where openat exists it must be the one used.
    assert files.AT_FUNCTIONS
