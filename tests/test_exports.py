"""Each export, produced by the real `grade export` and run end to end in an emulation of its platform.

- Gradescope: an image whose `python3` is 3.10 (Ubuntu 22.04, the default
  base image) first on PATH, with `apt-get` replaced by a recorder that
  "installs" python3.11 by linking a real one; `setup.sh` builds the real
  virtual environment from the pinned requirements, `run_autograder` grades
  as root. Also an image whose `python3` is new enough (no apt calls).
- Exercism: the Docker image's steps without Docker: the pinned
  requirements installed with `--no-deps` into an environment that holds
  nothing else, `bin/run.sh` run as an unprivileged user on a solution
  folder it cannot write to.
- Classroom: the workflow's own commands, run in a copy of the template.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import stat
import subprocess
import sys
import tempfile
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

import pytest
import yaml

from conftest import ROOT, run_grade
from grader import load_exercise

T3L1 = load_exercise(ROOT / "exercises" / "t3l1.yaml")
T3L2 = load_exercise(ROOT / "exercises" / "t3l2.yaml")
HIDDEN = "unusual values survive the echo"
SUBMISSIONS = {
    "correct": ROOT / "solutions" / "t3l2.py",
    "wrong": ROOT / "tests" / "variants" / "t3l2" / "answers_once.py",
    "hostile": ROOT / "tests" / "submissions" / "hostile_markup.py",
}
WRONG_FAILS = {"many messages on one connection", "two clients are served independently", HIDDEN}
# Right on every visible check, wrong only on the hidden one (an empty "type" is not echoed as it came).
HIDDEN_ONLY = '''\
from fastapi import FastAPI, WebSocket

app = FastAPI()


@app.websocket("/ws")
async def router(websocket: WebSocket) -> None:
    await websocket.accept()
    async for msg in websocket.iter_json():
        if msg.get("type") == "ping":
            await websocket.send_json({"type": "pong"})
        elif msg.get("type") == "":
            await websocket.send_json({"type": "echo", "data": {}})
        else:
            await websocket.send_json({"type": "echo", "data": msg})
'''
# Tries to read the lesson (hidden checks included) and to overwrite the results, and tells what it got.
PEEK = '''\
from pathlib import Path

from fastapi import FastAPI, WebSocket

app = FastAPI()


def peek() -> list[str]:
    found = []
    try:
        found.append(Path({spec!r}).read_text())
    except OSError as exc:
        found.append(type(exc).__name__)
    try:
        Path({results!r}).write_text('{{"score": 1000, "tests": []}}')
        found.append("overwrote the results")
    except OSError as exc:
        found.append(type(exc).__name__)
    print(found, flush=True)
    return found


@app.websocket("/ws")
async def router(websocket: WebSocket) -> None:
    await websocket.accept()
    async for msg in websocket.iter_json():
        await websocket.send_json({{"type": "echo", "data": peek()}})
'''
SPEC_ONLY = "yaml-language-server"  # the first line of every spec: in no result unless a spec was read
HANGUL = re.compile("[\uac00-\ud7a3]")


def run(command: list[str], cwd: Path, env: dict[str, str], timeout: float = 600) -> subprocess.CompletedProcess[str]:
    return subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)


def unzip(archive: Path, target: Path) -> None:
    """As Gradescope does, keeping the scripts executable."""
    with zipfile.ZipFile(archive) as opened:
        for info in opened.infolist():
            path = Path(opened.extract(info, target))
            mode = info.external_attr >> 16
            if mode:
                path.chmod(mode & 0o777)


def package_index_env() -> dict[str, str]:
    """How pip reaches packages here (an index, a proxy, a wheel folder): what a platform's network gives."""
    keep = {"http_proxy", "https_proxy", "no_proxy", "ssl_cert_file", "requests_ca_bundle"}
    return {k: v for k, v in os.environ.items() if k.startswith("PIP_") or k.lower() in keep}


def interpreter(version: str) -> str | None:
    """A real python<version> on this machine, by its own path (pyenv shims need their shell)."""
    candidates = [shutil.which(f"python{version}") or "", f"/usr/bin/python{version}", f"/usr/local/bin/python{version}",
                  *sorted(str(p) for p in Path.home().glob(f".pyenv/versions/{version}*/bin/python{version}"))]
    for candidate in candidates:
        if not candidate:
            continue
        try:
            proc = subprocess.run([candidate, "-c", "import sys; print(sys.executable, '%d.%d' % sys.version_info[:2])"],
                                  capture_output=True, text=True, timeout=60)
        except OSError:
            continue
        if proc.returncode == 0 and proc.stdout.split()[-1:] == [version]:
            return proc.stdout.split()[0]
    return None


# When no real 3.10 is installed: a python3 that says it is 3.10, fails the version test as 3.10
# would, and refuses pip installs as pip does for a package that requires Python 3.11.
SHIM_310 = """#!/bin/bash
case "$1" in
    --version|-V) echo "Python 3.10.12"; exit 0 ;;
    -m) if [ "$2" = pip ]; then echo "ERROR: Package requires a different Python: 3.10.12 not in '>=3.11'" >&2; fi ;;
esac
exit 1
"""

# apt-get, recorded; `install python3.11` links a real interpreter where Ubuntu's package would put it.
APT_GET = """#!/bin/bash
echo "apt-get $*" >> {log}
for word in "$@"; do
    case "$word" in
        update|install|-y|-qq|--no-install-recommends) ;;
        python3.11) ln -sf {python311} {bin}/python3.11 ;;
        python3.11-venv) ;;
        *) echo "E: Unable to locate package $word" >&2; exit 100 ;;
    esac
done
"""


@dataclass
class Image:
    root: Path
    source: Path
    apt_log: Path
    env: dict[str, str]
    setup: subprocess.CompletedProcess[str]


def build_image(root: Path, archive: Path, python3: str | None, apt_get: str | None = None) -> Image:
    """A Gradescope image: its python3 first on PATH, apt-get recorded, every other tool the machine's own."""
    bin_dir, tools = root / "bin", root / "tools"
    bin_dir.mkdir(parents=True, exist_ok=True)
    tools.mkdir()
    # The machine's tools, without its Pythons, pips or apt: the image decides which exist.
    hidden = re.compile(r"^(python|pip|pydoc|idle|2to3|apt)")
    for folder in ("/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin", "/bin"):
        if not Path(folder).is_dir():
            continue
        for tool in Path(folder).iterdir():
            if not hidden.match(tool.name) and not (tools / tool.name).exists():
                (tools / tool.name).symlink_to(tool)
    if python3 is None:
        (bin_dir / "python3").write_text(SHIM_310, encoding="utf-8")
        (bin_dir / "python3").chmod(0o755)
    else:
        (bin_dir / "python3").symlink_to(python3)
    log = root / "apt.log"
    log.touch()
    python311 = interpreter("3.11") or str(Path(sys.base_prefix) / "bin" / f"python{sys.version_info[0]}.{sys.version_info[1]}")
    (bin_dir / "apt-get").write_text(apt_get or APT_GET.format(log=log, python311=python311, bin=bin_dir),
                                     encoding="utf-8")
    (bin_dir / "apt-get").chmod(0o755)
    source = root / "autograder" / "source"
    unzip(archive, source)
    env = {"PATH": f"{bin_dir}:{tools}", "HOME": str(root), "LANG": "C.UTF-8", **package_index_env()}
    setup = run(["bash", str(source / "setup.sh")], source, env)
    return Image(root, source, log, env, setup)


@pytest.fixture(scope="module")
def gradescope_zip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    archive = tmp_path_factory.mktemp("gradescope") / "autograder.zip"
    proc = run_grade("export", "gradescope", "t3l2", "-o", str(archive))
    assert proc.returncode == 0, proc.stderr
    return archive


@pytest.fixture(scope="module")
def ubuntu_2204(gradescope_zip: Path, tmp_path_factory: pytest.TempPathFactory) -> Image:
    """Gradescope's default base image: python3 is 3.10."""
    return build_image(tmp_path_factory.mktemp("ubuntu-22.04"), gradescope_zip, interpreter("3.10"))


def autograde(image: Image, tmp_path: Path, name: str, app_text: str | None,
              **env: str) -> tuple[subprocess.CompletedProcess[str], Path]:
    """Gradescope's run: the submission as uploaded from GitHub (one folder down), run_autograder as root."""
    submission = tmp_path / name / "submission"
    (submission / "repo").mkdir(parents=True)
    if app_text is not None:
        (submission / "repo" / "t3l2.py").write_text(app_text, encoding="utf-8")
    results = tmp_path / name / "results"
    proc = run([str(image.source / "run_autograder")], tmp_path,
               {**image.env, "GRADER_SOURCE_DIR": str(image.source), "GRADER_SUBMISSION_DIR": str(submission),
                "GRADER_RESULTS_DIR": str(results), **env})
    return proc, results / "results.json"


def test_gradescope_setup_builds_on_the_default_image(ubuntu_2204: Image) -> None:
    image = ubuntu_2204
    assert image.setup.returncode == 0, image.setup.stdout + image.setup.stderr
    # The emulation is faithful: this python3 is the one the old setup used, and pip refuses the grader there.
    old = run(["python3", "-m", "pip", "install", "--dry-run", "--no-deps", "-r",
               str(image.source / "requirements.txt")], image.root, image.env)
    assert old.returncode != 0 and ">=3.11" in old.stdout + old.stderr
    assert image.apt_log.read_text(encoding="utf-8").splitlines() == [
        "apt-get update -qq", "apt-get install -y -qq --no-install-recommends python3.11 python3.11-venv"]
    venv_python = image.source / "venv" / "bin" / "python"
    version = run([str(venv_python), "-c", "import sys; print(sys.version_info >= (3, 11))"], image.root, image.env)
    assert version.stdout.strip() == "True"
    # The lesson is root's alone; nothing in the autograder is writable by anyone else.
    for path in (image.source / "course").rglob("*"):
        assert stat.S_IMODE(path.stat().st_mode) & 0o007 == 0, path
    for path in [image.source, *image.source.rglob("*")]:
        if not path.is_symlink():
            assert stat.S_IMODE(path.stat().st_mode) & 0o022 == 0, path
    readme = (image.source / "README.md").read_text(encoding="utf-8")
    assert "python3.11" in readme and "user id of its own" in readme and "autograder failed to execute" in readme


def test_gradescope_grades_on_the_default_image(ubuntu_2204: Image, tmp_path: Path) -> None:
    assert ubuntu_2204.setup.returncode == 0, ubuntu_2204.setup.stderr
    scores = {}
    for name, app in SUBMISSIONS.items():
        proc, results = autograde(ubuntu_2204, tmp_path, name, app.read_text(encoding="utf-8"))
        assert proc.returncode == 0, proc.stdout + proc.stderr
        data = json.loads(results.read_text(encoding="utf-8"))
        assert data["max_score"] == T3L2.points == sum(t["max_score"] for t in data["tests"])
        assert [t["name"] for t in data["tests"]] == [c.name for c in T3L2.checks]  # hidden checks run too
        hidden = next(t for t in data["tests"] if t["name"] == HIDDEN)
        assert hidden["visibility"] == "after_published"
        scores[name] = data["score"]
        failed = {t["name"] for t in data["tests"] if t["status"] == "failed"}
        if name == "wrong":
            assert failed == WRONG_FAILS
        if name == "hostile":
            assert "<script>document.title='pwned'" in json.dumps(data, ensure_ascii=False).replace("\\", "")
    assert scores["correct"] == T3L2.points and scores["wrong"] < T3L2.points and scores["hostile"] < T3L2.points


def test_gradescope_missing_file_says_what_to_submit(ubuntu_2204: Image, tmp_path: Path) -> None:
    proc, results = autograde(ubuntu_2204, tmp_path, "missing", None)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    data = json.loads(results.read_text(encoding="utf-8"))
    assert data["score"] == 0 and data["max_score"] == T3L2.points
    text = json.dumps(data)
    assert "submit again with t3l2.py" in text and "grade start" not in text


def test_gradescope_submission_cannot_read_the_lesson_or_write_results(ubuntu_2204: Image, tmp_path: Path) -> None:
    results = tmp_path / "peek" / "results" / "results.json"
    spec = ubuntu_2204.source / "course" / "exercises" / "t3l2.yaml"
    proc, written = autograde(ubuntu_2204, tmp_path, "peek", PEEK.format(spec=str(spec), results=str(results)))
    assert written == results and proc.returncode == 0, proc.stdout + proc.stderr
    data = json.loads(results.read_text(encoding="utf-8"))
    text = json.dumps(data, ensure_ascii=False)
    assert data["max_score"] == T3L2.points and data["score"] < T3L2.points
    assert SPEC_ONLY not in text and "overwrote the results" not in text
    assert "Error" in text  # what the app got back: an OSError for each attempt


def test_gradescope_grader_failure_is_an_autograder_failure_not_a_zero(ubuntu_2204: Image, tmp_path: Path) -> None:
    assert ubuntu_2204.setup.returncode == 0, ubuntu_2204.setup.stderr
    app = SUBMISSIONS["correct"].read_text(encoding="utf-8")
    # A stale results file (an earlier run in the same folder) must not stand in for this run's.
    stale = tmp_path / "old" / "results" / "results.json"
    stale.parent.mkdir(parents=True)
    stale.write_text('{"score": 20}', encoding="utf-8")
    # The interpreter is too old: the runner starts, says so, and leaves no results.
    old_python = shutil.which("python3", path=ubuntu_2204.env["PATH"]) or "python3"
    proc, results = autograde(ubuntu_2204, tmp_path, "old", app, GRADER_PYTHON=old_python)
    assert proc.returncode == 1 and not results.exists()
    assert "no results.json (exit status 1)" in proc.stdout and "Traceback" not in proc.stdout + proc.stderr
    if interpreter("3.10"):  # a real one runs the runner, which says why (the shim cannot)
        assert "Python 3.10" in proc.stdout and "3.11" in proc.stdout
    # The environment was never built.
    proc, results = autograde(ubuntu_2204, tmp_path, "no-venv", app, GRADER_PYTHON=str(tmp_path / "missing-python"))
    assert proc.returncode == 1 and not results.exists() and "setup.sh did not finish" in proc.stdout
    # The lesson's spec is damaged: the grader cannot load it.
    broken = tmp_path / "broken-source"
    shutil.copytree(ubuntu_2204.source, broken, symlinks=True)
    (broken / "course" / "exercises" / "t3l2.yaml").write_text("version: 1\nid: [broken\n", encoding="utf-8")
    proc, results = autograde(ubuntu_2204, tmp_path, "broken", app, GRADER_SOURCE_DIR=str(broken),
                              GRADER_PYTHON=str(ubuntu_2204.source / "venv" / "bin" / "python"))
    assert proc.returncode == 1 and not results.exists()
    assert "t3l2.yaml" in proc.stdout and "Traceback" not in proc.stdout + proc.stderr


# Ubuntu 24.04's python3 (3.12) without python3.12-venv: the venv module is there, ensurepip is not.
NO_ENSUREPIP = """#!/bin/bash
if [ -d {stub} ]; then export PYTHONPATH={stub}; fi
exec {python} "$@"
"""
APT_VENV = """#!/bin/bash
echo "apt-get $*" >> {log}
for word in "$@"; do
    case "$word" in
        update|install|-y|-qq|--no-install-recommends) ;;
        python{version}-venv) rm -rf {stub} ;;
        *) echo "E: Unable to locate package $word" >&2; exit 100 ;;
    esac
done
"""


def test_gradescope_setup_adds_venv_where_python_lacks_it(gradescope_zip: Path, tmp_path: Path) -> None:
    version = f"{sys.version_info[0]}.{sys.version_info[1]}"
    real = str(Path(sys.base_prefix) / "bin" / f"python{version}")
    stub = tmp_path / "no-ensurepip"
    stub.mkdir()
    (stub / "ensurepip.py").write_text("raise ImportError('ensurepip is in the python3-venv package')\n",
                                       encoding="utf-8")
    wrapper = tmp_path / "python3"
    wrapper.write_text(NO_ENSUREPIP.format(stub=stub, python=real), encoding="utf-8")
    wrapper.chmod(0o755)
    root = tmp_path / "noble"
    (root / "bin").mkdir(parents=True)
    log = root / "apt.log"
    # build_image writes its own apt-get; this image's archive has python3.X-venv instead.
    image = build_image(root, gradescope_zip, str(wrapper), apt_get=APT_VENV.format(
        log=log, version=version, stub=stub))
    assert image.setup.returncode == 0, image.setup.stdout + image.setup.stderr
    assert log.read_text(encoding="utf-8").splitlines() == [
        "apt-get update -qq", f"apt-get install -y -qq --no-install-recommends python{version}-venv"]
    assert (image.source / "venv" / "bin" / "python").exists() and not stub.exists()


def test_gradescope_setup_on_a_newer_image_installs_nothing(gradescope_zip: Path, tmp_path: Path) -> None:
    newer = interpreter("3.12") or str(Path(sys.base_prefix) / "bin" / f"python{sys.version_info[0]}.{sys.version_info[1]}")
    image = build_image(tmp_path / "newer", gradescope_zip, newer)
    assert image.setup.returncode == 0, image.setup.stdout + image.setup.stderr
    assert image.apt_log.read_text(encoding="utf-8") == ""
    proc, results = autograde(image, tmp_path, "correct", SUBMISSIONS["correct"].read_text(encoding="utf-8"))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert json.loads(results.read_text(encoding="utf-8"))["score"] == T3L2.points


# --- Exercism ------------------------------------------------------------------------------------


@dataclass
class Runner:
    folder: Path
    python: str
    user: list[str]  # the command prefix that runs as the unprivileged user
    runs: Path  # where each run's mounts are made: a folder everyone can pass through, as Docker's mounts


@pytest.fixture(scope="module")
def exercism_image() -> Iterator[Runner]:
    """The Dockerfile's steps: an interpreter with only the pinned requirements (--no-deps), run as nobody."""
    runuser = shutil.which("runuser") or shutil.which("runuser", path="/usr/sbin:/sbin")
    as_nobody = [runuser, "-u", "nobody", "--"] if os.geteuid() == 0 and runuser else []
    # docker run --network none: a network namespace with nothing in it, where this machine allows one.
    unshare = shutil.which("unshare")
    if unshare and run([unshare, "--net", "--", "true"], Path("/"), {"PATH": "/usr/bin:/bin"}).returncode == 0:
        as_nobody = [unshare, "--net", "--", *as_nobody]
    if os.geteuid() == 0 and not as_nobody:
        pytest.skip("running as root without runuser: the unprivileged run cannot be emulated")
    version = f"{sys.version_info[0]}.{sys.version_info[1]}"
    base = next((p for p in (f"/usr/bin/python{version}", f"/usr/local/bin/python{version}", interpreter(version))
                 if p and run([*as_nobody, p, "-c", "import venv"], Path("/"), {"PATH": "/usr/bin:/bin"}).returncode == 0),
                None)
    if base is None:
        pytest.skip(f"no python{version} that an unprivileged user can run")
    root = Path(tempfile.mkdtemp(prefix="grader-exercism-"))
    try:
        root.chmod(0o755)
        runner = root / "opt" / "test-runner"
        proc = run_grade("export", "exercism", "t3l1:echo", "t3l2:json-router", "-o", str(runner))
        assert proc.returncode == 0, proc.stderr
        python = root / "py"
        assert run([base, "-m", "venv", "--without-pip", str(python)], root, {"PATH": "/usr/bin:/bin"}).returncode == 0
        site = next(python.glob("lib/python*/site-packages"))
        install = run([sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--target", str(site), "-r",
                       str(runner / "requirements.txt")], root, {"PATH": os.environ["PATH"], **package_index_env()})
        assert install.returncode == 0, install.stderr
        for path in [root, *root.rglob("*")]:
            if not path.is_symlink():
                path.chmod(path.stat().st_mode & ~0o222 | 0o444 | (0o111 if path.is_dir() else 0))
        runs = Path(tempfile.mkdtemp(prefix="grader-exercism-runs-"))
        runs.chmod(0o755)
        try:
            yield Runner(runner, str(python / "bin" / "python"), as_nobody, runs)
        finally:
            shutil.rmtree(runs, ignore_errors=True)
    finally:
        for path in [root, *root.rglob("*")]:
            if not path.is_symlink():
                path.chmod(path.stat().st_mode | 0o200)
        shutil.rmtree(root, ignore_errors=True)


def exercism_run(runner: Runner, name: str, slug: str,
                 files: dict[str, str]) -> tuple[subprocess.CompletedProcess[str], dict]:
    """One run as Exercism makes it: SLUG /solution/ /output/; the solution folder cannot be written to."""
    tmp = Path(tempfile.mkdtemp(prefix=f"{name}-", dir=runner.runs))
    tmp.chmod(0o755)
    solution, output = tmp / "solution", tmp / "output"
    solution.mkdir(parents=True)
    output.mkdir()
    for name, text in files.items():
        (solution / name).write_text(text, encoding="utf-8")
        (solution / name).chmod(0o444)
    solution.chmod(0o555)
    before = sorted((p.name, p.stat().st_mtime_ns) for p in solution.iterdir())
    if runner.user:
        shutil.chown(output, "nobody")
    env = {"PATH": "/usr/bin:/bin", "GRADER_PYTHON": runner.python, "TMPDIR": "/tmp"}
    proc = run([*runner.user, str(runner.folder / "bin" / "run.sh"), slug, f"{solution}/", f"{output}/"], tmp, env)
    assert sorted((p.name, p.stat().st_mtime_ns) for p in solution.iterdir()) == before  # read, never written
    assert [p.name for p in output.iterdir()] == ["results.json"], proc.stderr
    return proc, json.loads((output / "results.json").read_text(encoding="utf-8"))


def test_exercism_slug_selects_the_lesson(exercism_image: Runner) -> None:
    t3l1 = (ROOT / "solutions" / "t3l1.py").read_text(encoding="utf-8")
    t3l2 = SUBMISSIONS["correct"].read_text(encoding="utf-8")
    proc, data = exercism_run(exercism_image, "a", "echo", {"echo.py": t3l1})
    assert proc.returncode == 0 and data["status"] == "pass", data
    assert [t["name"] for t in data["tests"]] == [c.name for c in T3L1.checks]
    proc, data = exercism_run(exercism_image, "b", "json-router", {"json_router.py": t3l2})
    assert proc.returncode == 0 and data["status"] == "pass", data
    assert len(data["tests"]) == len(T3L2.checks)
    # The t3l1 solution under the t3l2 slug is graded as t3l2, and fails there.
    proc, data = exercism_run(exercism_image, "c", "json-router", {"echo.py": t3l1})
    assert proc.returncode == 0 and data["status"] == "fail"
    # Beside the solution named after the slug, other exercise files (a test file) change nothing.
    proc, data = exercism_run(exercism_image, "e", "json-router",
                              {"json_router.py": t3l2, "json_router_test.py": "import json_router\n"})
    assert proc.returncode == 0 and data["status"] == "pass", data
    proc, data = exercism_run(exercism_image, "d", "two-fer", {"two_fer.py": t3l2})
    assert proc.returncode == 0 and data["status"] == "error" and data["tests"] == []
    assert "'two-fer'" in data["message"] and "'echo'" in data["message"] and "'json-router'" in data["message"]


def test_exercism_results_follow_the_interface(exercism_image: Runner) -> None:
    statuses = {}
    for name, app in SUBMISSIONS.items():
        proc, data = exercism_run(exercism_image, name, "json-router",
                                  {"json_router.py": app.read_text(encoding="utf-8")})
        assert proc.returncode == 0, proc.stderr
        assert data["version"] == 3
        numbers = iter(range(1, 10))
        assert [t["name"] for t in data["tests"]] == [
            f"hidden check {next(numbers)}" if c.hidden else c.name for c in T3L2.checks]
        text = json.dumps(data, ensure_ascii=False)
        assert HIDDEN not in text and "12345678901234567890" not in text  # neither its name nor its inputs
        for test in data["tests"]:
            assert test["test_code"], test  # the interface: MUST for concept exercises
            assert test["status"] == "pass" or test["message"], test
            assert not HANGUL.search(test["test_code"].replace("안녕하세요", "")), test  # no translations
            assert "hint" not in test["test_code"] and "points" not in test["test_code"]
        statuses[name] = data["status"]
        if name == "wrong":
            assert {t["name"] for t in data["tests"] if t["status"] != "pass"} == (WRONG_FAILS - {HIDDEN}) | {
                "hidden check 1"}
        if name == "hostile":
            printed = [t["output"] for t in data["tests"] if t.get("output")]
            assert printed and all("<script>" in text for text in printed)
    assert statuses == {"correct": "pass", "wrong": "fail", "hostile": "fail"}


def test_exercism_test_code_is_the_steps(exercism_image: Runner) -> None:
    proc, data = exercism_run(exercism_image, "run", "json-router",
                              {"json_router.py": SUBMISSIONS["correct"].read_text(encoding="utf-8")})
    codes = {t["name"]: t["test_code"] for t in data["tests"]}
    assert codes["ping gets pong"] == 'connect: /ws\nsend_json: {"type": "ping"}\nexpect_json: {"type": "pong"}'
    assert codes["reads messages with iter_json"] == "source: calls iter_json"
    assert codes["two clients are served independently"].splitlines()[0] == "connect: /ws  (client alice)"
    assert codes["ends cleanly when the client leaves"].splitlines()[-2:] == ["disconnect", "ends_cleanly"]
    repeat = codes["many messages on one connection"].splitlines()
    assert repeat[1].startswith("repeat (") and repeat[2].startswith("  send_json: ")


def test_exercism_hidden_check_alone_failing_is_not_an_empty_failure(exercism_image: Runner) -> None:
    proc, data = exercism_run(exercism_image, "run", "json-router", {"json_router.py": HIDDEN_ONLY})
    assert data["status"] == "fail"
    failed = [t for t in data["tests"] if t["status"] != "pass"]
    assert [t["name"] for t in failed] == ["hidden check 1"]
    message = failed[0]["message"]
    assert message.startswith("This hidden check failed: an answer was not the one the instructions ask for")
    assert "12345678901234567890" not in message and "key with spaces" not in message


def test_exercism_missing_file_says_what_to_do_there(exercism_image: Runner) -> None:
    proc, data = exercism_run(exercism_image, "none", "json-router", {})
    assert proc.returncode == 0 and data["status"] == "error"
    assert "exercism submit t3l2.py" in data["message"] and "grade start" not in data["message"]
    # Two Python files and neither named as the lesson: which one is the solution is not guessed.
    proc, data = exercism_run(exercism_image, "two", "json-router", {"a.py": "", "b.py": ""})
    assert data["status"] == "error" and "no Python file to grade" in data["message"]


def test_exercism_image_is_non_root_read_only_and_pinned(tmp_path: Path) -> None:
    runner = tmp_path / "runner"
    assert run_grade("export", "exercism", "t3l2", "-o", str(runner)).returncode == 0
    dockerfile = (runner / "Dockerfile").read_text(encoding="utf-8").splitlines()
    users = [line.split()[1] for line in dockerfile if line.startswith("USER ")]
    assert users == ["runner"]
    assert dockerfile[-1] == 'ENTRYPOINT ["/opt/test-runner/bin/run.sh"]'
    assert any("--no-deps -r requirements.txt" in line for line in dockerfile)
    assert any("chmod -R a-w /opt/test-runner" in line for line in dockerfile)
    # The whole run-time set: every installed distribution the grader's import pulls in is pinned.
    pinned = {re.sub(r"[-_.]+", "-", line.split("==")[0]).lower()
              for line in (runner / "requirements.txt").read_text(encoding="utf-8").splitlines()}
    assert {"starlette", "pydantic", "pydantic-core", "anyio", "h11", "wsproto", "idna", "click"} <= pinned
    assert not pinned & {"pytest", "hypothesis", "jsonschema", "pytest-xdist"}  # test extras stay out
    # The versions graded with here, exactly.
    for line in (runner / "requirements.txt").read_text(encoding="utf-8").splitlines():
        name, version = line.split(" ;")[0].split("==")
        assert version == metadata.version(name), line
    readme = (runner / "README.md").read_text(encoding="utf-8")
    assert "--network none" in readme and "`t3l2`" in readme


@pytest.mark.parametrize("slug", ["Json_Router", "json--router", "-x", "x y"])
def test_exercism_export_refuses_a_slug_exercism_would_not_use(slug: str, tmp_path: Path) -> None:
    proc = run_grade("export", "exercism", f"t3l2:{slug}", "-o", str(tmp_path / "r"))
    assert proc.returncode == 2 and "is not an Exercism slug" in proc.stderr


def test_exercism_export_refuses_one_slug_for_two_lessons(tmp_path: Path) -> None:
    proc = run_grade("export", "exercism", "t3l1:echo", "t3l2:echo", "-o", str(tmp_path / "r"))
    assert proc.returncode == 2 and "given to both t3l1 and t3l2" in proc.stderr


# --- Classroom -----------------------------------------------------------------------------------

# The reporter's own test of its input (education/autograding-grading-reporter, src/main.js): when
# anything fails and the list does not match, it reports the list instead of the real error.
REPORTER_RUNNERS = re.compile(r"^([a-zA-Z0-9]+,)*[a-zA-Z0-9]+$")


def classroom_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"  # `python` is this interpreter
    return env


def test_classroom_workflow(tmp_path: Path) -> None:
    template = tmp_path / "template"
    proc = run_grade("export", "classroom", "t3l2", "-o", str(template))
    assert proc.returncode == 0, proc.stderr
    workflow = yaml.safe_load((template / ".github" / "workflows" / "classroom.yml").read_text(encoding="utf-8"))
    steps = workflow["jobs"]["run-autograding-tests"]["steps"]
    tests = [s for s in steps if s.get("uses") == "education/autograding-command-grader@v1"]
    visible = [c for c in T3L2.checks if not c.hidden]  # learners can read their repository: no hidden checks
    assert [(t["with"]["test-name"], t["with"]["max-score"]) for t in tests] == [(c.name, c.points) for c in visible]
    reporter = steps[-1]
    assert reporter["uses"] == "education/autograding-grading-reporter@v1"
    assert REPORTER_RUNNERS.match(reporter["with"]["runners"])
    assert reporter["with"]["runners"].split(",") == [t["id"] for t in tests]
    # The reporter reads `${runner.toUpperCase()}_RESULTS` for each runner.
    assert reporter["env"] == {f"{t['id'].upper()}_RESULTS": f"${{{{steps.{t['id']}.outputs.result}}}}" for t in tests}
    assert HIDDEN not in (template / ".grader" / "course" / "exercises" / "t3l2.yaml").read_text(encoding="utf-8")
    assert "Protections it expects" in (template / ".grader" / "README.md").read_text(encoding="utf-8")
    grading = next(s for s in steps if str(s.get("name", "")).startswith("Grade "))
    env = classroom_env()
    cases = {**{name: app.read_text(encoding="utf-8") for name, app in SUBMISSIONS.items()}, "missing": None}
    for name, text in cases.items():
        repo = tmp_path / name
        shutil.copytree(template, repo)
        if text is not None:
            (repo / "t3l2.py").write_text(text, encoding="utf-8")
        proc = run(["bash", "-c", grading["run"]], repo, env)
        assert proc.returncode == 0, proc.stderr
        failed, printed = set(), ""
        for test in tests:
            proc = run(["bash", "-c", test["with"]["command"]], repo, env)
            if proc.returncode != 0:
                failed.add(test["with"]["test-name"])
            assert test["with"]["test-name"] in proc.stdout
            printed += proc.stdout
        expected = {"correct": set(), "wrong": WRONG_FAILS - {HIDDEN}, "missing": {c.name for c in visible}}.get(name)
        if expected is not None:
            assert failed == expected, name
        else:
            assert failed and len(failed) < len(tests)
        if name == "missing":
            assert "add it at the top of the repository, commit and push" in printed and "grade start" not in printed


def test_classroom_grader_failure_fails_the_grading_step(tmp_path: Path) -> None:
    template = tmp_path / "template"
    assert run_grade("export", "classroom", "t3l2", "-o", str(template)).returncode == 0
    (template / ".grader" / "course" / "exercises" / "t3l2.yaml").write_text("version: 1\nid: [broken\n",
                                                                             encoding="utf-8")
    (template / "t3l2.py").write_text(SUBMISSIONS["correct"].read_text(encoding="utf-8"), encoding="utf-8")
    workflow = yaml.safe_load((template / ".github" / "workflows" / "classroom.yml").read_text(encoding="utf-8"))
    steps = workflow["jobs"]["run-autograding-tests"]["steps"]
    grading = next(s for s in steps if str(s.get("name", "")).startswith("Grade "))
    proc = run(["bash", "-c", grading["run"]], template, classroom_env())
    # A failed step stops the job: no test runs, the reporter sends no score, the log says why.
    assert proc.returncode == 1
    assert "the grader itself failed" in proc.stderr and "t3l2.yaml" in proc.stderr and "Traceback" not in proc.stderr
    # Were a test run anyway (a workflow edited to continue), it fails saying why, never passes.
    first = next(s for s in steps if s.get("uses") == "education/autograding-command-grader@v1")
    proc = run(["bash", "-c", first["with"]["command"]], template, classroom_env())
    assert proc.returncode == 1 and "not the submission's fault" in proc.stdout
    (template / ".grader" / "result.json").unlink()
    proc = run(["bash", "-c", first["with"]["command"]], template, classroom_env())
    assert proc.returncode == 1 and "the grading step left no readable result" in proc.stdout


# --- every export ---------------------------------------------------------------------------------


@pytest.mark.parametrize("platform", ["gradescope", "exercism", "classroom"])
def test_export_ships_no_solution_or_variant(platform: str, tmp_path: Path) -> None:
    out = tmp_path / ("autograder.zip" if platform == "gradescope" else "out")
    assert run_grade("export", platform, "t3l2", "-o", str(out)).returncode == 0
    if platform == "gradescope":
        unzip(out, tmp_path / "unzipped")
        out = tmp_path / "unzipped"
    secrets = {p.read_bytes() for folder in (ROOT / "solutions", ROOT / "tests" / "variants") for p in folder.rglob("*.py")}
    files = [p for p in out.rglob("*") if p.is_file()]
    assert files and not [p for p in files if p.read_bytes() in secrets]
    assert not [p for p in files if p.suffix == ".py" and p.stem in {"t3l2", "answers_once"}]
    readmes = [p for p in files if p.name == "README.md" and "grader-src" not in p.parts]
    assert [p.relative_to(out).as_posix() for p in readmes] == [
        ".grader/README.md" if platform == "classroom" else "README.md"]
    # The package says what it is, how the platform runs it and which protections it expects.
    readme = readmes[0].read_text(encoding="utf-8")
    names = {"gradescope": "Gradescope", "exercism": "Exercism", "classroom": "GitHub Classroom"}
    for heading in ("## What this is", f"## How {names[platform]} runs it", "## Protections it expects"):
        section = readme.split(heading + "\n", 1)[1].split("\n## ", 1)[0] if heading + "\n" in readme else ""
        assert len(section.split()) >= 15, (platform, heading, readme[:400])
    assert "t3l2" in readme


def test_export_refuses_to_ship_a_solution(tmp_path: Path) -> None:
    """A course whose grader package holds a copy of a solution: the export stops instead of shipping it."""
    from grader.course.config import load
    from grader.course.export.bundle import check_no_course_code
    from grader.errors import UsageError

    course = load(ROOT / "grader.toml")
    (tmp_path / "pkg").mkdir()
    shutil.copy(ROOT / "solutions" / "t3l2.py", tmp_path / "pkg" / "innocent.py")
    with pytest.raises(UsageError, match="innocent.py is a copy of one of the course's reference solutions"):
        check_no_course_code(tmp_path, course)


def test_a_check_the_grader_could_not_judge_is_the_graders_failure() -> None:
    """Kind.INTERNAL is the grader's own breakage: the run as a whole is a grader failure, not a failed check."""
    from grader.course.export.runner import grader_fault
    from grader.result import CheckResult, Failure, Kind, Result, Status

    def result(*kinds: Kind) -> Result:
        checks = tuple(CheckResult(name=f"check {n}", status=Status.FAILED, max_points=1, failure=Failure(kind, "why"))
                       for n, kind in enumerate(kinds))
        return Result(exercise="t3l2", title="t", app="t3l2.py", xp=1, checks=checks)

    assert grader_fault(result(Kind.MISMATCH, Kind.ERROR, Kind.CRASH, Kind.IMPORT)) is None
    assert grader_fault(result(Kind.MISMATCH, Kind.INTERNAL)) == "while running the check 'check 1': why"


@pytest.mark.parametrize("platform", ["gradescope", "exercism", "classroom"])
def test_export_needs_a_known_lesson(platform: str, tmp_path: Path) -> None:
    proc = run_grade("export", platform, "nope", "-o", str(tmp_path / "x"))
    assert proc.returncode == 2 and "no exercise 'nope'" in proc.stderr


@pytest.mark.parametrize("platform", ["gradescope", "classroom"])
def test_one_lesson_platforms_refuse_several(platform: str, tmp_path: Path) -> None:
    proc = run_grade("export", platform, "t3l1", "t3l2", "-o", str(tmp_path / "x"))
    assert proc.returncode == 2 and "holds one lesson" in proc.stderr
    proc = run_grade("export", platform, "t3l2:json-router", "-o", str(tmp_path / "x"))
    assert proc.returncode == 2 and "only an exercism export takes a slug" in proc.stderr
