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
from typing import Any

from grader.errors import Mark, SpecError, SpecErrors
from grader.spec import consts, library, match
from grader.spec.args import CLIENT_NAME, CLIENT_VAR, DEFAULT_CLIENT, VARIABLE
from grader.spec.flow import Flow
from grader.spec.operators import OPERATORS
from grader.spec.steps import KINDS

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
# 1.2: vars, defaults for every check key, $not, $len, after/within, expect_open, include from a file):
# a 1.0 or 1.1 spec reads and runs the same. Written as a number or a string ("1.2").
FORMAT_VERSIONS = (1, 1.1, 1.2)
NEWEST = 1.2
DEFAULT_TIMEOUT = 2.0
LANGUAGES = ("en", "ko")
# Texts `grade new` leaves for the author to write start with this; validate warns until they are.
PLACEHOLDER = "TODO:"

Text = dict[str, str]
"""Learner-facing text by language code; ``en`` is always present."""


def pick(text: Text | None, lang: str) -> str:
    """The text in ``lang``, falling back to English."""
    if not text:
        return ""
    return text.get(lang) or text["en"]


# --- the model ------------------------------------------------------------------


@dataclass(frozen=True)
class Step:
    """One step of a conversation; ``arg`` depends on ``action`` (see ACTIONS)."""

    action: str
    arg: Any
    client: str
    timeout: float
    mark: Mark
    # Arrival-time bounds (spec 1.2): seconds of the grader's clock since the previous step ended.
    after: float | None = None
    within: float | None = None

    def label(self) -> str:
        return f"{self.action} ({self.client})" if self.client != DEFAULT_CLIENT else self.action


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
FRESH_APP_1_2 = False
SOURCE_KEYS = ("calls", "not_calls", "imports", "bases", "decorators", "keywords", "match")
SOURCE_MATCH = ("all", "any")
STEP_COMMON_KEYS = ("client", "timeout", "after", "within")
# Every step kind, in the format's order (one module each: grader/spec/steps/).
ACTIONS = tuple(KINDS)
# The steps whose arrival can be timed with after/within: each waits for something the server sends.
TIMED = tuple(name for name, kind in KINDS.items() if kind.timed)
INCLUDE = "include"  # a step that stands for a fixture's steps


WALL_CLOCKS = ("real", "virtual")

_ID = re.compile(r"^[a-z][a-z0-9_-]*$")
_CLIENT = CLIENT_NAME
_VARIABLE = VARIABLE


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


class _Builder:
    """Turns located YAML into the model, collecting every error on the way."""

    def __init__(self) -> None:
        self.errors: list[SpecError] = []
        self.warnings: list[SpecError] = []
        self.default_timeout = DEFAULT_TIMEOUT
        self.tasks: list[tuple[int, Mark]] = []  # task numbers checks name, checked against the instructions
        self.captured: set[str] = set()  # names captured so far in the current check
        self.fixtures: dict[str, Located] = {}  # shared step lists, by name
        self.included: set[str] = set()
        self.including: list[str] = []  # the fixtures being expanded, to refuse a cycle
        self.client_rounds: dict[str, str] = {}  # repeat variables naming clients -> the client of this reading
        self.version = 1.0
        self.path = Path()
        self.here = Path()  # the file whose steps are being read (another one inside an include from a file)
        self.default_fresh = False
        self.default_points = 1
        self.default_hidden = False
        self.libraries: dict[Path, library.Library] = {}  # other files fixtures are included from, read once
        self.flow = Flow()  # the step being read: what each client can do there, and its client
        self.client = DEFAULT_CLIENT

    def newer(self, mark: Mark, what: str, since: float) -> bool:
        """Whether ``what`` needs a newer spec version than this one (and say so)."""
        if since <= self.version:
            return False
        self.error(mark, f"{what} needs version: {since} (this spec reads as version {self.version:g}); "
                         f"write version: {since} at the top")
        return True

    def error(self, mark: Mark, message: str) -> None:
        self.errors.append(SpecError(mark, message))

    def matcher(self, node: Located, variables: frozenset[str]) -> bool:
        """Whether a matcher is well formed (its problems are reported)."""
        errors = match.validate(node, variables)
        self.errors += errors
        return not errors

    # -- generic shapes --

    def mapping(self, node: Located, keys: dict[str, bool] | tuple[str, ...], what: str) -> dict[str, Located] | None:
        if not isinstance(node.value, dict):
            self.error(node.mark, f"{what} must be a mapping, not {node.kind}")
            return None
        required = {k for k, needed in keys.items() if needed} if isinstance(keys, dict) else set()
        for key in node.value:
            if key not in keys:
                self.error(node.key_mark(key), f"unknown key {key!r} in {what}{did_you_mean(key, keys)}")
        for key in sorted(required - node.value.keys()):
            self.error(node.mark, f"{what} needs the key {key!r}")
        return node.value

    def string(self, node: Located | None, what: str, default: str | None = None) -> str | None:
        if node is None:
            return default
        if not isinstance(node.value, str):
            self.error(node.mark, f"{what} must be a string, not {node.kind} ({match.show(node.value)})")
            return default
        if not node.value.strip():
            self.error(node.mark, f"{what} must not be empty")
            return default
        return node.value

    def integer(self, node: Located | None, what: str, default: int = 0, minimum: int = 0) -> int:
        if node is None:
            return default
        value = node.value
        if not isinstance(value, int) or isinstance(value, bool) or value < minimum:
            self.error(node.mark, f"{what} must be an integer ≥ {minimum}, not {match.show(value)}")
            return default
        return value

    def seconds(self, node: Located | None, what: str, default: float) -> float:
        if node is None:
            return default
        value = node.value
        if not isinstance(value, int | float) or isinstance(value, bool) or not 0 < value <= 3600:
            self.error(node.mark, f"{what} is a number of seconds, more than 0 and at most 3600, not {match.show(value)}")
            return default
        return float(value)

    def boolean(self, node: Located | None, what: str, default: bool = False) -> bool:
        if node is None:
            return default
        if not isinstance(node.value, bool):
            self.error(node.mark, f"{what} must be true or false, not {match.show(node.value)}")
            return default
        return node.value

    def text(self, node: Located | None, what: str) -> Text | None:
        if node is None:
            return None
        if isinstance(node.value, str):
            result = {"en": node.value}
        else:
            fields = self.mapping(node, {lang: lang == "en" for lang in LANGUAGES}, what)
            if fields is None:
                return None
            result = {}
            for lang, item in fields.items():
                value = self.string(item, f"{what} ({lang})")
                if value is not None and lang in LANGUAGES:
                    result[lang] = value
        for lang, value in result.items():
            if value.startswith(PLACEHOLDER):
                where = node.value[lang].mark if isinstance(node.value, dict) else node.mark
                self.warnings.append(SpecError(where, f"{what} ({lang}) is still a placeholder: "
                                                          f"replace the text after {PLACEHOLDER!r}"))
        missing = [lang for lang in LANGUAGES if lang not in result]
        if "en" in result and missing:
            self.warnings.append(SpecError(node.mark, f"{what} has no {', '.join(missing)} text: learners who "
                                                      f"chose {' or '.join(missing)} will read it in English"))
        return result if "en" in result else None

    def string_map(self, node: Located | None, what: str, scalars: bool = False) -> dict[str, Any]:
        if node is None:
            return {}
        if not isinstance(node.value, dict):
            self.error(node.mark, f"{what} must be a mapping, not {node.kind}")
            return {}
        result: dict[str, Any] = {}
        for key, item in node.value.items():
            ok = isinstance(item.value, str | int | float) and not isinstance(item.value, bool)
            if scalars and isinstance(item.value, list):
                ok = all(isinstance(v.value, str | int | float) for v in item.value)
            if not ok:
                self.error(item.mark, f"{what} values must be strings or numbers, not {item.kind}")
                continue
            result[key] = item.plain() if isinstance(item.value, list) else str(item.value)
        return result

    def names(self, node: Located | None, what: str) -> tuple[str, ...]:
        if node is None:
            return ()
        if not isinstance(node.value, list):
            self.error(node.mark, f"{what} must be a list of names, not {node.kind}")
            return ()
        return tuple(n for n in (self.string(item, f"an entry of {what}") for item in node.value) if n)

    # -- the exercise --

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
            warnings=tuple(self.warnings),
        )

    def read_defaults(self, node: Located | None) -> dict[str, Located]:
        """What every check gets unless it says otherwise: 1.0 and 1.1 take timeout, 1.2 every check key."""
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

    # -- conversations --

    def read_fixtures(self, node: Located | None) -> None:
        if node is None:
            return
        if not isinstance(node.value, dict):
            self.error(node.mark, f"fixtures is a mapping of names to step lists, not {node.kind}")
            return
        for name, steps in node.value.items():
            if not _VARIABLE.match(name):
                self.error(node.key_mark(name), f"a fixture name is a word (letters, digits, _), not {name!r}")
            elif not isinstance(steps.value, list) or not steps.value:
                self.error(steps.mark, f"fixture {name!r} needs a non-empty list of steps")
            else:
                self.fixtures[name] = steps

    def steps(self, node: Located, flow: Flow, variables: frozenset[str]) -> tuple[Step, ...]:
        if not isinstance(node.value, list) or not node.value:
            self.error(node.mark, "steps must be a non-empty list")
            return ()
        result: list[Step] = []
        for item in node.value:
            if isinstance(item.value, dict) and INCLUDE in item.value:
                result += self.include(item, flow, variables)
            else:
                step = self.step(item, flow, variables)
                if step:
                    result.append(step)
        return tuple(result)

    def include(self, node: Located, flow: Flow, variables: frozenset[str]) -> list[Step]:
        """The steps of a fixture, read in place: as if written here, with the fixture's own lines."""
        extra = [k for k in node.value if k != INCLUDE]
        for key in extra:
            self.error(node.key_mark(key), f"include stands alone: {key!r} belongs on the fixture's steps")
        name_node = node.value[INCLUDE]
        if isinstance(name_node.value, dict):
            return library.include(self, name_node, flow, variables)
        name = name_node.value
        if not isinstance(name, str) or name not in self.fixtures:
            known = did_you_mean(str(name), sorted(self.fixtures)) if self.fixtures else "; no fixtures are defined"
            self.error(name_node.mark, f"no fixture named {name!r}{known}")
            return []
        if name in self.including:
            self.error(name_node.mark, f"fixture {name!r} includes itself ({' → '.join([*self.including, name])})")
            return []
        self.included.add(name)
        self.including.append(name)
        try:
            return list(self.steps(self.fixtures[name], flow, variables))
        finally:
            self.including.pop()

    def step(self, node: Located, flow: Flow, variables: frozenset[str]) -> Step | None:
        if not isinstance(node.value, dict):
            self.error(node.mark, f"a step must be a mapping like {{send_text: hi}}, not {node.kind}")
            return None
        actions = [k for k in node.value if k in ACTIONS]
        for key in node.value:
            if key not in ACTIONS and key not in STEP_COMMON_KEYS:
                self.error(node.key_mark(key), f"unknown step key {key!r}"
                           + did_you_mean(key, (*ACTIONS, *STEP_COMMON_KEYS),
                                          listing=f"a step is one action ({', '.join(ACTIONS)}) with optional "
                                                  f"{' and '.join(STEP_COMMON_KEYS)}; known"))
        if len(actions) != 1:
            if not actions and all(k in STEP_COMMON_KEYS for k in node.value):
                self.error(node.mark, f"a step needs one action: {', '.join(ACTIONS)}")
            elif len(actions) > 1:
                self.error(node.key_mark(actions[1]), f"a step has one action, this one has {', '.join(actions)}")
            return None
        action = actions[0]
        fields = node.value
        marker, client = self._client(fields.get("client"), variables)
        timeout = self.seconds(fields.get("timeout"), "timeout", self.default_timeout)
        value = fields[action]
        where = node.key_mark(action)
        kind = KINDS[action]
        self.newer(where, action, kind.since)
        if not kind.on_client and "client" in fields:
            self.error(fields["client"].mark, f"{action} takes no client: {kind.no_client_why}")
        after, within = self.arrival(fields, action)
        self.flow, self.client = flow, client  # the step being read, for the kind's reader
        arg = kind.parse(self, value, where, variables)
        if not kind.holds_steps:  # the steps inside are read (and checked) one by one
            self.refs(value)
            if not kind.own_operators:
                for op, mark in _operators_in(value):
                    if op in OPERATORS:
                        self.newer(mark, op, OPERATORS[op].since)
        kind.follow(flow, self, client, arg, where)
        return Step(action, arg, marker or client, timeout, where, after, within)

    def arrival(self, fields: dict[str, Located], action: str) -> tuple[float | None, float | None]:
        """after:/within: seconds since the previous step, for a step that waits for the server."""
        given = {k: fields[k] for k in ("after", "within") if k in fields}
        if not given:
            return None, None
        if action not in TIMED:
            first = next(iter(given))
            self.error(given[first].mark, f"{first} times what the server sends: it goes on {', '.join(TIMED)}, "
                                          f"not on {action}")
            return None, None
        if any(self.newer(v.mark, k, 1.2) for k, v in given.items()):
            return None, None
        after = self.seconds(given.get("after"), "after", 0.0) if "after" in given else None
        within = self.seconds(given.get("within"), "within", 0.0) if "within" in given else None
        if after is not None and within is not None and after >= within:
            self.error(given["within"].mark, f"within {within:g} s must be more than after {after:g} s: "
                                             "no arrival time fits between them")
        return after, within

    def _client(self, node: Located | None, variables: frozenset[str]) -> tuple[str | None, str]:
        """(the marker a repeat fills in at run time, or None; the client name this round of reading stands for)."""
        if node is not None and match.operator_of(node.value) == "$var":
            name = node.value["$var"].value
            if name not in self.client_rounds:
                self.error(node.mark, f"client {{$var: {name}}} needs a repeat over client names with as: {name}")
                return None, DEFAULT_CLIENT
            return CLIENT_VAR + name, self.client_rounds[name]
        client = self.string(node, "client", DEFAULT_CLIENT) or DEFAULT_CLIENT
        if node is not None and not _CLIENT.match(client):
            self.error(node.mark, f"client name {client!r} must be a word (letters, digits, _ or -)")
        return None, client

    def refs(self, node: Located) -> None:
        """Every $ref reads a capture an earlier step made; then this step's captures become readable."""
        plain = node.plain()
        for name in match.refs_in(plain):
            if name not in self.captured:
                self.error(node.mark, f"$ref {name!r} reads a capture no earlier step of this check makes"
                           + (did_you_mean(name, sorted(self.captured)) if self.captured
                              else f"; capture it first, e.g. expect_json: {{id: {{$capture: {name}}}}}"))
        self.captured.update(match.captures_in(plain))

    def never(self, node: Located, kinds: frozenset[str], why: str, instead: str = "") -> None:
        """Flag a (valid) matcher that no value of these kinds can satisfy: the check could never pass."""
        value = node.plain()
        if match.never_matches(value, kinds):
            self.error(node.mark, f"{why}, so {match.explain(value)} can never match it{instead}")

def _version(node: Located | None) -> Located | None:
    """The version as a number: "1.2" (a string, as JSON would write it) reads as 1.2."""
    if node is not None and isinstance(node.value, str) and node.value.strip() in ("1", "1.0", "1.1", "1.2"):
        return Located(float(node.value), node.mark, node.key_marks)
    return node


def _operators_in(node: Located) -> list[tuple[str, Mark]]:
    """Every operator a value uses, with where it is written."""
    if isinstance(node.value, dict):
        return [(k, node.key_mark(k)) for k in node.value if k.startswith("$")] + [
            found for v in node.value.values() for found in _operators_in(v)]
    if isinstance(node.value, list):
        return [found for v in node.value for found in _operators_in(v)]
    return []
