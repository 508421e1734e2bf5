"""Exercise specs: YAML → a typed, validated :class:`Exercise`.

Every problem is reported as ``file:line:column: message``, all at once.
The format (version 1.2, a superset of 1.1 and 1) is described for editors by ``grader/schema.json``;
``tests/test_schema.py`` keeps that file and the tables below in step.
"""

from __future__ import annotations

import re
import textwrap
from dataclasses import dataclass, field
from pathlib import Path

from grader.errors import Mark, SpecError, SpecErrors
from grader.spec import consts, match
from grader.spec.args import DEFAULT_CLIENT  # noqa: F401 - re-exported
from grader.spec.flow import Flow
from grader.spec.shapes import LANGUAGES, PLACEHOLDER, ShapeReader, Text  # noqa: F401 - re-exported
from grader.spec.stepreader import (  # noqa: F401 - re-exported: the format's tables and its step model
    ACTIONS,
    DEFAULT_TIMEOUT,
    INCLUDE,
    STEP_COMMON_KEYS,
    TIMED,
    Step,
    StepReader,
)

# The model of each step kind's argument lives with its kind (re-exported by grader.spec).
from grader.spec.steps.connect import CONNECT_KEYS, Connect  # noqa: F401
from grader.spec.steps.disconnect import Disconnect  # noqa: F401
from grader.spec.steps.expect_close import Close  # noqa: F401
from grader.spec.steps.expect_file import FileCheck  # noqa: F401
from grader.spec.steps.expect_unordered import Expected  # noqa: F401
from grader.spec.steps.repeat import Repeat  # noqa: F401
from grader.spec.suggest import did_you_mean
from grader.spec.yamlnodes import Located, load

FORMAT_VERSION = 1.2
# Each version only adds to the one before (1.1: captures, expect_unordered, numeric and binary matchers...;
# 1.2: vars, defaults for every check key, $not, $len, after/within, expect_open, include from a file,
# send_frame, ping, expect_pong, disconnect with a raw payload):
# a 1.0 or 1.1 spec reads and runs the same. Written as a number or a string ("1.2").
FORMAT_VERSIONS = (1, 1.1, 1.2)
NEWEST = 1.2


def pick(text: Text | None, lang: str) -> str:
    """The text in ``lang``, falling back to English."""
    if not text:
        return ""
    return text.get(lang) or text["en"]


# --- the model ------------------------------------------------------------------


@dataclass(frozen=True)
class SourceRule:
    calls: tuple[str, ...] = ()
    not_calls: tuple[str, ...] = ()
    imports: tuple[str, ...] = ()  # modules imported (import m, from m import x; m.sub counts for m)
    bases: tuple[str, ...] = ()  # base classes of some class (BaseModel, pydantic.BaseModel)
    decorators: tuple[str, ...] = ()  # decorators of some function or class, dotted (app.websocket)
    keywords: tuple[tuple[str, str], ...] = ()  # (call, keyword): close(code=...)
    match: str = "all"  # "all": every item above; "any": at least one of them


@dataclass(frozen=True)
class Check:
    name: str  # in English: what variants, gradebooks and formats name the check by
    mark: Mark
    steps: tuple[Step, ...] = ()
    source: SourceRule | None = None
    hint: Text | None = None
    points: int = 1
    hidden: bool = False
    task: int | None = None  # the instructions' "## N. ..." heading this check tests (Exercism's task_id)
    fresh_app: bool = False  # run on a newly imported app: no module state left by earlier checks
    title: Text | None = None  # the name as learners read it, per language (``name: {en, ko}``)


@dataclass(frozen=True)
class Exercise:
    id: str
    title: Text
    track: int
    lesson: int
    xp: int
    file: str
    instructions: Text
    checks: tuple[Check, ...]
    path: Path
    hints: tuple[Text, ...] = ()
    wall_clock: str = "real"
    id_mark: Mark | None = None
    # The words `$re ... says:` shows learners, when given per language (grader.matchwords puts them in place).
    says: tuple[Text, ...] = ()
    # What is allowed but probably unintended (a text without Korean...): shown by ``grade validate``.
    warnings: tuple[SpecError, ...] = field(default=(), compare=False, repr=False)

    @property
    def points(self) -> int:
        return sum(c.points for c in self.checks)

    def check_text(self, check: Check) -> str:
        """The YAML a check was written as, e.g. for results that show test code."""
        try:
            lines = self.path.read_text(encoding="utf-8").splitlines()
        except OSError:
            return ""
        starts = [c.mark.line for c in self.checks]
        index = self.checks.index(check)
        end = starts[index + 1] - 1 if index + 1 < len(starts) else len(lines)
        return textwrap.dedent("\n".join(lines[check.mark.line - 1 : end])).rstrip()


# --- the format's tables (the JSON Schema is checked against these) ----------------

EXERCISE_KEYS = {
    "version": True,
    "id": True,
    "title": True,
    "track": True,
    "lesson": True,
    "xp": True,
    "file": True,
    "instructions": True,
    "hints": False,
    "wall_clock": False,
    "defaults": False,
    "vars": False,
    "fixtures": False,
    "checks": True,
}
CHECK_KEYS = {"name": True, "hint": False, "points": False, "hidden": False, "steps": False, "source": False,
              "task": False, "fresh_app": False, "shared_app": False}
# Keys that need a newer spec version than the first one, and which.
SINCE = {"vars": 1.2, "shared_app": 1.2, "after": 1.2, "within": 1.2}
# What `defaults:` may set for every check (1.0 and 1.1: timeout only).
DEFAULT_KEYS = {"timeout": 1.0, "fresh_app": 1.2, "points": 1.2, "hidden": 1.2, "wall_clock": 1.2}
# The default of fresh_app from 1.2 on (1.0 and 1.1: every check shares the app unless it says otherwise).
FRESH_APP_1_2 = True
SOURCE_KEYS = ("calls", "not_calls", "imports", "bases", "decorators", "keywords", "match")
SOURCE_MATCH = ("all", "any")
WALL_CLOCKS = ("real", "virtual")

_ID = re.compile(r"^[a-z][a-z0-9_-]*$")


def load_exercise(path: str | Path) -> Exercise:
    """Read and validate one spec file; raise SpecErrors listing every problem."""
    path = Path(path)
    name = str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise SpecErrors([SpecError(Mark(name, 1, 1), f"the spec is not UTF-8 text: {exc.reason}")]) from None
    except OSError as exc:
        raise SpecErrors([SpecError(Mark(name, 1, 1), f"cannot read the spec: {exc.strerror}")]) from None
    return parse_exercise(text, path)


def parse_exercise(text: str, path: Path) -> Exercise:
    try:
        root, structure = load(text, str(path))
    except SpecError as exc:
        raise SpecErrors([exc]) from None
    builder = _Builder()
    exercise = builder.exercise(root, path)
    # A value the YAML layer already refused (a tag, a bad !!int) is not reported again by its shape.
    refused = {e.mark for e in structure}
    errors = structure + [e for e in builder.errors if e.mark not in refused]
    if errors or exercise is None:
        raise SpecErrors(errors)
    return exercise


class _Builder(StepReader):
    """Turns located YAML into the model, collecting every error on the way: the exercise and its checks here,
    their conversations in :class:`StepReader`, the values they are made of in :class:`ShapeReader`."""

    def __init__(self) -> None:
        super().__init__()
        self.tasks: list[tuple[int, Mark]] = []  # task numbers checks name, checked against the instructions
        self.default_fresh = False
        self.default_points = 1
        self.default_hidden = False

    def exercise(self, root: Located, path: Path) -> Exercise | None:
        fields = self.mapping(root, EXERCISE_KEYS, "the exercise")
        if fields is None:
            return None
        version = _version(fields.get("version"))
        if version is not None and (isinstance(version.value, bool) or version.value not in FORMAT_VERSIONS):
            self.error(version.mark, f"unsupported spec version {match.show(version.value)}; this grader reads "
                                     f"versions {', '.join(map(str, FORMAT_VERSIONS[:-1]))} and {FORMAT_VERSIONS[-1]}")
        ident = self.string(fields.get("id"), "id", "")
        if ident and not _ID.match(ident):
            self.error(fields["id"].mark, f"id {ident!r} must be lowercase letters, digits, '-' or '_'")
        elif ident and path.suffix in (".yaml", ".yml") and ident != path.stem:
            self.error(fields["id"].mark, f"id {ident!r} does not match the file name {path.name!r}")
        if version is not None and version.value in FORMAT_VERSIONS and not isinstance(version.value, bool):
            self.version = float(version.value)
        self.path = self.here = path
        for key in fields:
            if key in SINCE:
                self.newer(root.key_mark(key), key, SINCE[key])
        constants = consts.read(fields.get("vars"), self.errors)
        if constants:
            fields = {k: v if k in ("vars", "version", "id") else consts.substitute(v, constants, self.errors)
                      for k, v in fields.items()}
        defaults = self.read_defaults(fields.get("defaults"))
        # From 1.1 on, time.time() and datetime.now() follow the grader's clock unless a spec says otherwise;
        # a 1.0 spec keeps the real wall clock it was written for.
        version_1_1 = self.version >= 1.1
        clock_node = fields.get("wall_clock")
        if clock_node is not None and "wall_clock" in defaults:
            self.error(defaults["wall_clock"].mark, "wall_clock is set twice: keep it under defaults or at the top, "
                                                    "not both")
        clock_node = defaults.get("wall_clock", clock_node)
        wall_clock = self.string(clock_node, "wall_clock", "virtual" if version_1_1 else "real")
        if wall_clock not in WALL_CLOCKS:
            assert clock_node is not None
            self.error(clock_node.mark, f"wall_clock must be one of {', '.join(WALL_CLOCKS)}")
        file = self.string(fields.get("file"), "file", "")
        if file and (Path(file).name != file or not file.endswith(".py")):
            self.error(fields["file"].mark, f"file must be a plain Python file name like {ident or 'lesson'}.py")
        hints_node = fields.get("hints")
        hints: list[Text] = []
        if hints_node is not None:
            if isinstance(hints_node.value, list):
                hints = [t for t in (self.text(h, "a hint") for h in hints_node.value) if t]
            else:
                self.error(hints_node.mark, f"hints must be a list, not {hints_node.kind}")
        self.read_fixtures(fields.get("fixtures"))
        checks = self.checks(fields.get("checks"))
        for name in sorted(self.fixtures.keys() - self.included):
            fixtures = fields["fixtures"]
            self.warnings.append(SpecError(fixtures.key_mark(name), f"fixture {name!r} is never included"))
        title = self.text(fields.get("title"), "title")
        instructions = self.text(fields.get("instructions"), "instructions")
        self.task_headings(instructions)
        track = self.integer(fields.get("track"), "track", minimum=1)
        lesson = self.integer(fields.get("lesson"), "lesson", minimum=1)
        xp = self.integer(fields.get("xp"), "xp")
        if not (ident and title and file and instructions):
            return None
        return Exercise(
            id=ident,
            title=title,
            track=track,
            lesson=lesson,
            xp=xp,
            file=file,
            instructions=instructions,
            checks=checks,
            path=path,
            hints=tuple(hints),
            wall_clock=wall_clock or ("virtual" if version_1_1 else "real"),
            id_mark=fields["id"].mark,
            says=tuple(self.said.values()),
            warnings=tuple(self.warnings),
        )

    def read_defaults(self, node: Located | None) -> dict[str, Located]:
        """What every check gets unless it says otherwise: 1.0 and 1.1 take timeout, 1.2 every check key."""
        # The version's own default, also when there is no defaults mapping at all.
        self.default_fresh = FRESH_APP_1_2 if self.version >= 1.2 else False
        if node is None:
            return {}
        if not isinstance(node.value, dict):
            self.error(node.mark, f"defaults must be a mapping, not {node.kind}")
            return {}
        fields: dict[str, Located] = {}
        for key, value in node.value.items():
            if key not in DEFAULT_KEYS:
                known = tuple(k for k, since in DEFAULT_KEYS.items() if since <= self.version)
                self.error(node.key_mark(key), f"unknown key {key!r} in defaults{did_you_mean(key, known)}")
            elif not self.newer(node.key_mark(key), f"defaults.{key}", DEFAULT_KEYS[key]):
                fields[key] = value
        self.default_timeout = self.seconds(fields.get("timeout"), "defaults.timeout", DEFAULT_TIMEOUT)
        self.default_fresh = self.boolean(fields.get("fresh_app"), "defaults.fresh_app",
                                          FRESH_APP_1_2 if self.version >= 1.2 else False)
        self.default_points = self.integer(fields.get("points"), "defaults.points", default=1)
        self.default_hidden = self.boolean(fields.get("hidden"), "defaults.hidden")
        return fields

    def checks(self, node: Located | None) -> tuple[Check, ...]:
        if node is None:
            return ()
        if not isinstance(node.value, list) or not node.value:
            self.error(node.mark, "checks must be a non-empty list")
            return ()
        checks = []
        seen: dict[str, Mark] = {}
        for item in node.value:
            check = self.check(item)
            if check is None:
                continue
            if check.name in seen:
                self.error(check.mark, f"duplicate check name {check.name!r} (first at line {seen[check.name].line})")
            seen.setdefault(check.name, check.mark)
            checks.append(check)
        return tuple(checks)

    def check(self, node: Located) -> Check | None:
        fields = self.mapping(node, CHECK_KEYS, "a check")
        if fields is None:
            return None
        # A name is plain text or {en, ko}; its English text is the check's name everywhere.
        named = fields.get("name")
        title = self.text(named, "the check's name") if named is not None and isinstance(named.value, dict) else None
        name = title["en"] if title else self.string(named, "the check's name")
        has_steps, has_source = "steps" in fields, "source" in fields
        if has_steps == has_source:
            self.error(node.mark, "a check needs exactly one of 'steps' (a conversation) or 'source' (code rules)")
        steps: tuple[Step, ...] = ()
        source = None
        self.captured = set()  # captures belong to one check
        if has_steps:
            steps = self.steps(fields["steps"], Flow(), frozenset())
        if has_source:
            source = self.source(fields["source"])
        if name is None:
            return None
        fresh = self.boolean(fields.get("fresh_app"), "fresh_app", self.default_fresh)
        if "shared_app" in fields:
            if "fresh_app" in fields:
                self.error(fields["shared_app"].mark, "say fresh_app or shared_app, not both")
            fresh = not self.boolean(fields["shared_app"], "shared_app", not fresh)
        return Check(
            name=name,
            title=title,
            mark=node.mark,
            steps=steps,
            source=source,
            hint=self.text(fields.get("hint"), "hint"),
            points=self.integer(fields.get("points"), "points", default=self.default_points),
            hidden=self.boolean(fields.get("hidden"), "hidden", self.default_hidden),
            task=self._task(fields.get("task")),
            fresh_app=fresh,
        )

    def _task(self, node: Located | None) -> int | None:
        if node is None:
            return None
        task = self.integer(node, "task", default=0, minimum=1)
        if task:
            self.tasks.append((task, node.mark))
        return task or None

    def task_headings(self, instructions: Text | None) -> None:
        """Every task a check names is a numbered heading of the English instructions."""
        headings = sorted({int(n) for n in re.findall(r"(?m)^#{1,6}[ \t]*(\d+)\.[ \t]", (instructions or {}).get("en", ""))})
        for task, mark in self.tasks:
            if task not in headings:
                known = f" (its tasks: {', '.join(map(str, headings))})" if headings else ""
                self.error(mark, f"task {task} is not a heading of the instructions{known}: "
                                 f"write a line '## {task}. <what to do>' in instructions.en")

    def source(self, node: Located) -> SourceRule | None:
        fields = self.mapping(node, SOURCE_KEYS, "source")
        if fields is None:
            return None
        mode = self.string(fields.get("match"), "match", "all") or "all"
        if mode not in SOURCE_MATCH:
            self.error(fields["match"].mark, f"match is all (every rule) or any (at least one), not {mode!r}")
        keywords: list[tuple[str, str]] = []
        if "keywords" in fields:
            raw = fields["keywords"]
            if isinstance(raw.value, dict):
                for call, names in raw.value.items():
                    keywords += [(call, name) for name in self.names(names, f"keywords of {call}")]
            else:
                self.error(raw.mark, "keywords maps a call to its keyword arguments, like {close: [code]}")
        rule = SourceRule(
            calls=self.names(fields.get("calls"), "calls"),
            not_calls=self.names(fields.get("not_calls"), "not_calls"),
            imports=self.names(fields.get("imports"), "imports"),
            bases=self.names(fields.get("bases"), "bases"),
            decorators=self.names(fields.get("decorators"), "decorators"),
            keywords=tuple(keywords),
            match=mode,
        )
        if not (rule.calls or rule.not_calls or rule.imports or rule.bases or rule.decorators or rule.keywords):
            self.error(node.mark, "source needs at least one name under calls or not_calls")
        return rule

def _version(node: Located | None) -> Located | None:
    """The version as a number: "1.2" (a string, as JSON would write it) reads as 1.2."""
    if node is not None and isinstance(node.value, str) and node.value.strip() in ("1", "1.0", "1.1", "1.2"):
        return Located(float(node.value), node.mark, node.key_marks)
    return node
