"""Targeted mutation testing for the modules that decide verdicts and records.

Each mutant below breaks one behaviour of one module by an exact source-text
replacement (an operator flipped, a constant changed, a condition or a
statement removed, a branch swapped). The runner applies one mutant at a time
to the module in this checkout and runs the module's *own* focused tests first
(``OWN`` below: seconds to a minute; ``pytest -x -q``, with a timeout per
mutant). A mutant they let through then meets the full suite (``--confirm
full``, the default) or the wider list of tests named with the module
(``--confirm listed``), only to confirm it: killed there, it still marks a
focused test missing. Files are restored after each mutant. Mutants judged
equivalent (no behaviour a user could observe changes) carry their reason, are
not run unless asked, and do not count in the score. Two scores per module:
module-only = killed by its own tests / (mutants - equivalent), and with the
confirming run.

Usage (from anywhere; it works on the checkout it lives in)::

    python tests/mutate.py                                   # every module
    python tests/mutate.py --module grader/spec/match.py     # one module (repeatable)
    python tests/mutate.py --id match.subset-ignores-values  # one mutant (repeatable)
    python tests/mutate.py --list                            # the mutants, checked against the source, not run
    python tests/mutate.py --include-equivalent              # run the equivalent ones too (they should survive)
    python tests/mutate.py --timeout 300 --workers 0         # per-mutant timeout (s); pytest -n value (0: no xdist)
    python tests/mutate.py --confirm listed                  # confirm survivors with the module's listed tests
    python tests/mutate.py --markdown                        # the table as Markdown (for tests/MUTATION.md)

It refuses to run when one of its target modules has uncommitted changes
(``git status``), when ``grader`` would be imported from another checkout
than this one, or when a module's tests fail before any mutation. Files are
always restored (also on Ctrl-C or SIGTERM), with their modification time,
and their cached bytecode removed. A mutant whose text no longer matches the
source exactly once is reported as stale (update it after editing the module).

A full run takes over an hour on two busy cores (see tests/MUTATION.md);
it is not part of the normal test run.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Mutant:
    id: str
    what: str
    edits: tuple[tuple[str, str], ...]
    equivalent: str | None = None  # why no observable behaviour changes


@dataclass
class Module:
    path: str
    tests: tuple[str, ...]  # pytest arguments (files or node ids), fastest first: every test known to cover it
    slow: bool = False  # also run the tests skipped by default as too slow (GRADER_SLOW_TESTS=1)
    mutants: list[Mutant] = field(default_factory=list)
    own: tuple[str, ...] = ()  # the module's own focused tests (seconds): run first, for every mutant
    prefix: str = ""  # the mutant ids' prefix (default: the file's name)

    @property
    def first(self) -> tuple[str, ...]:
        """The tests each mutant meets first: the module's own (those present), else every test listed for it."""
        present = tuple(t for t in self.own if (ROOT / t.split("::")[0]).exists())
        return present or self.tests


MODULES: dict[str, Module] = {}


def module(path: str, *tests: str, slow: bool = False, prefix: str = "") -> Module:
    MODULES[path] = Module(path, tests, slow, prefix=prefix)
    return MODULES[path]


def mutant(mod: Module, ident: str, what: str, old: str, new: str, *more: str, equivalent: str | None = None) -> None:
    """``more`` holds further (old, new) pairs applied in the same mutant."""
    pairs = [(old, new), *zip(more[::2], more[1::2], strict=True)]
    prefix = mod.prefix or Path(mod.path).stem
    mod.mutants.append(Mutant(f"{prefix}.{ident}", what, tuple(pairs), equivalent))


# --- grader/spec/match.py --------------------------------------------------------------------------------------

m = module("grader/spec/match.py", "tests/test_pinned_spec.py", "tests/test_match.py", "tests/test_spec.py",
           "tests/test_spec_1_1.py", "tests/test_pinned_1_1.py", "tests/test_dialect.py", "tests/test_conversation.py",
           "tests/test_pinned_judge.py::test_the_lifespan_runs_around_the_checks_on_the_virtual_wall_clock")
mutant(m, "subset-ignores-values", "$subset checks that its keys exist, not their values",
       "        found = match(sub, actual[key], where, literal=literal, captures=captures)\n        if found:",
       "        found = match(sub, actual[key], where, literal=literal, captures=captures) if exact else None\n"
       "        if found:")
mutant(m, "extra-keys-allowed", "objects no longer need the same keys",
       "    if exact:\n        extra =", "    if False:\n        extra =")
mutant(m, "bool-equals-number", "true == 1 between scalars",
       "return isinstance(expected, bool) and isinstance(actual, bool) and expected == actual",
       "return expected == actual")
mutant(m, "int-not-float", "2 and 2.0 are different numbers",
       "    if is_number(expected) and is_number(actual):\n        return expected == actual",
       "    if is_number(expected) and is_number(actual):\n        return type(expected) is type(actual) and expected == actual")
mutant(m, "scalar-type-unchecked", "scalars of different types compared by Python ==",
       "    if type(expected) is not type(actual):\n        return False", "    if False:\n        return False",
       equivalent="numbers and booleans are settled above it; for the other JSON scalars (str, None) Python == is "
                  "already False across types")
mutant(m, "longer-array-accepted", "an array with extra items matches",
       "if len(actual) != len(expected):", "if len(actual) < len(expected):",
       "enumerate(zip(expected, actual, strict=True))", "enumerate(zip(expected, actual))")
mutant(m, "eq-reads-operators", "$eq reads operators inside its value",
       "return match(expected, actual, path, literal=True)", "return match(expected, actual, path, literal=False)")
mutant(m, "operator-with-siblings", "an operator next to other keys loads",
       "    if len(value) != 1:\n", "    if len(value) > 2:\n")
mutant(m, "matcher-in-send", "matchers are accepted in values to send",
       "allowed = OPERATORS if allow_match else TEMPLATE_OPERATORS", "allowed = OPERATORS")
mutant(m, "variable-read-as-matcher", "a $var whose value looks like an operator is read as one",
       'return {"$eq": lookup(env, value["$var"])}', 'return lookup(env, value["$var"])')
mutant(m, "concat-float-as-written", "$concat writes 2.0 as 2.0",
       "    if isinstance(value, float) and value.is_integer():\n        return str(int(value))",
       "    if False:\n        return str(int(value))")
mutant(m, "var-list-index-refused", "$var a.1 cannot read a list item",
       "elif isinstance(value, list) and key.isdigit() and int(key) < len(value):", "elif False:")
# spec language 1.1
mutant(m, "ref-read-as-matcher", "a captured value that looks like an operator is read as one by $ref",
       'return {"$eq": lookup(env.get(CAPTURES, {}), value["$ref"])}', 'return lookup(env.get(CAPTURES, {}), value["$ref"])')

# --- grader/spec/operators/: one block per matching operator module ---------------------------------------------

OPERATOR_TESTS = ("tests/test_verdict_rules.py", "tests/test_pinned_spec.py", "tests/test_match.py", "tests/test_spec.py", "tests/test_spec_1_1.py",
                  "tests/test_pinned_1_1.py", "tests/test_dialect.py", "tests/test_conversation.py",
                  "tests/test_pinned_judge.py::test_the_lifespan_runs_around_the_checks_on_the_virtual_wall_clock")

m = module("grader/spec/mismatch.py", *OPERATOR_TESTS)
mutant(m, "type-int-accepts-bool", "$type int/number accept true and false",
       "return isinstance(value, int | float) and not isinstance(value, bool)",
       "return isinstance(value, int | float)")

m = module("grader/spec/operators/re_.py", *OPERATOR_TESTS)
mutant(m, "regex-prefix-match", "$re matches a prefix, not the whole string",
       "re.fullmatch(pattern, actual, re.DOTALL)", "re.match(pattern, actual, re.DOTALL)")
mutant(m, "regex-dot-stops-at-newline", "$re's . no longer matches a newline",
       "re.fullmatch(pattern, actual, re.DOTALL)", "re.fullmatch(pattern, actual)")
mutant(m, "regex-groups-ignored", "$re groups are not matched",
       'for name, sub in (operand.get("groups", {}) if isinstance(operand, dict) else {}).items():',
       "for name, sub in {}.items():")
mutant(m, "group-name-unchecked", "$re groups may name a group the pattern lacks",
       "            if name not in compiled.groupindex:\n", "            if False:\n")

m = module("grader/spec/operators/datetime_.py", *OPERATOR_TESTS)
mutant(m, "datetime-window-wider", "$datetime allows a minute more than within",
       "        if off > within:", "        if off > within + 60:")
mutant(m, "datetime-judge-clock", "$datetime compares with the judge's clock, not the one the app reads",
       "        now = NOW.get()()", "        now = datetime.now()")
mutant(m, "datetime-offset-ignored", "a date-time with a UTC offset is compared as if local",
       "            moment = moment.astimezone().replace(tzinfo=None)", "            moment = moment.replace(tzinfo=None)")
mutant(m, "datetime-zero-within", "$datetime within 0 (or below) loads",
       "or not is_number(within.value) or within.value <= 0:", "or not is_number(within.value):")

m = module("grader/spec/operators/type_.py", *OPERATOR_TESTS)
mutant(m, "int-rejects-whole-float", "$type int rejects 2.0",
       "return is_number(value) and (isinstance(value, int) or (math.isfinite(value) and value.is_integer()))",
       "return is_number(value) and isinstance(value, int)")
mutant(m, "null-matches-falsy", "$type null accepts 0, '' and false",
       "        return value is None\n", "        return not value\n")
mutant(m, "unknown-type-accepted", "an unknown $type name loads",
       "if not isinstance(operand.value, str) or operand.value not in TYPES:",
       "if not isinstance(operand.value, str):")
mutant(m, "never-type-unflagged", "{$type: int} on a text (never passes) is not flagged",
       "        return _KIND_OF_TYPE.get(operand, operand) not in kinds", "        return False")

m = module("grader/spec/operators/any_.py", *OPERATOR_TESTS)
mutant(m, "any-false-accepted", "{$any: false} loads",
       "if operand.value is not True:", "if operand.value is None:")

m = module("grader/spec/operators/one_of.py", *OPERATOR_TESTS)
mutant(m, "one-of-needs-all", "$one_of needs every matcher",
       "        for m in operand:\n            tried = match.trying()  # what a branch that did not match captured is "
       "dropped with it\n            if tried(m, actual, path) is None:\n                match.captures.update(tried.captures)\n"
       "                return None\n",
       "        tried = match.trying()\n        if all(tried(m, actual, path) is None for m in operand):\n"
       "            match.captures.update(tried.captures)\n            return None\n")
mutant(m, "one-of-empty", "an empty $one_of loads",
       'if not isinstance(operand.value, list) or not operand.value:\n            errors.append(SpecError(operand.mark, "$one_of',
       'if not isinstance(operand.value, list):\n            errors.append(SpecError(operand.mark, "$one_of')
# spec language 1.1
mutant(m, "one-of-capture-lost", "a $capture inside the $one_of branch that matched is forgotten",
       "                match.captures.update(tried.captures)\n                return None\n", "                return None\n")

m = module("grader/spec/operators/capture.py", *OPERATOR_TESTS)
mutant(m, "capture-match-unchecked", "{$capture: {as, match}} captures without checking its matcher",
       "            mismatch = match(operand[\"match\"], actual, path)\n            if mismatch:\n",
       "            mismatch = None\n            if mismatch:\n")
mutant(m, "capture-name-any", "a capture name that is not a word loads",
       "if not isinstance(name.value, str) or not NAME.match(name.value):", "if not isinstance(name.value, str):")

m = module("grader/spec/operators/numeric.py", *OPERATOR_TESTS)
mutant(m, "gt-inclusive", "$gt accepts its bound", "        return value > operand\n", "        return value >= operand\n")
mutant(m, "gte-exclusive", "$gte refuses its bound", "        return value >= operand\n", "        return value > operand\n")
mutant(m, "lt-inclusive", "$lt accepts its bound", "        return value < operand\n", "        return value <= operand\n")
mutant(m, "lte-exclusive", "$lte refuses its bound", "        return value <= operand\n", "        return value < operand\n")
mutant(m, "between-open", "$between refuses its bounds", "return bool(operand[0] <= value <= operand[1])",
       "return bool(operand[0] < value < operand[1])")
mutant(m, "between-open-top", "$between refuses its upper bound", "return bool(operand[0] <= value <= operand[1])",
       "return bool(operand[0] <= value < operand[1])")
mutant(m, "approx-one-sided", "$approx without abs(): any value below the target passes",
       'return bool(abs(value - operand["value"]) <= operand["tol"])', 'return bool(value - operand["value"] <= operand["tol"])')
mutant(m, "approx-exact", "$approx ignores its tolerance", 'return bool(abs(value - operand["value"]) <= operand["tol"])',
       'return bool(value == operand["value"])')
mutant(m, "numeric-accepts-bool", "numeric matchers accept true and false",
       "return None if is_number(actual) and self.holds(operand, actual) else Mismatch(",
       "return None if isinstance(actual, int | float) and self.holds(operand, actual) else Mismatch(")
mutant(m, "between-reversed-loads", "$between [HIGH, LOW] (never passes) loads",
       "        elif value[0].value > value[1].value:\n", "        elif False:\n")
mutant(m, "approx-negative-tol", "$approx with a negative tol (never passes) loads",
       '        elif fields["tol"].value < 0:\n', "        elif False:\n")
mutant(m, "never-numeric-unflagged", "a numeric matcher on a text (never passes) is not flagged",
       '        return "number" not in kinds\n', "        return False\n")

# --- grader/spec/payload.py (binary matchers) -------------------------------------------------------------------

m = module("grader/spec/payload.py", "tests/test_spec_1_1.py", "tests/test_pinned_1_1.py", "tests/test_pinned_judge.py")
mutant(m, "len-unchecked", "{$len: N} accepts any length",
       'return None if match.match(operand, len(data)) is None else f"{len(data)} bytes"', "return None")
mutant(m, "prefix-anywhere", "{$prefix: P} accepts P anywhere in the message",
       "return None if data.startswith(prefix) else", "return None if prefix in data else")
mutant(m, "sha256-unchecked", "{$sha256: HEX} accepts any message",
       "return None if digest == operand.lower() else", "return None if True else")
mutant(m, "sha256-case-sensitive", "{$sha256: HEX} written in capitals never matches",
       "return None if digest == operand.lower() else", "return None if digest == operand else")
mutant(m, "len-negative-loads", "{$len: -1} (never passes) loads",
       "if isinstance(value, int) and not isinstance(value, bool) and value >= 0:",
       "if isinstance(value, int) and not isinstance(value, bool):")
mutant(m, "sha256-any-hex", "a $sha256 that is not 64 hex digits loads",
       'not re.fullmatch(r"[0-9a-fA-F]{64}", operand.value)', 'not re.fullmatch(r"[0-9a-fA-F]+", operand.value)')
mutant(m, "slice-end-ignored", "slice: {end: E} sends the payload to its end",
       'return build(part["of"])[part.get("start"):part.get("end")]', 'return build(part["of"])[part.get("start"):]')

# --- grader/spec/dialect.py (YAML 1.2 scalars) --------------------------------------------------------------------

m = module("grader/spec/dialect.py", "tests/test_dialect.py", "tests/test_pinned_1_1.py", "tests/test_pinned_spec.py")
mutant(m, "yes-is-true", "yes/no/on/off read as booleans (YAML 1.1)",
       'CoreResolver.add_implicit_resolver(TAG + "bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF"))',
       'CoreResolver.add_implicit_resolver(TAG + "bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE|yes|no|on|off)$"), '
       'list("tTfFyno"))',
       '        if text.lower() not in ("true", "false"):\n', '        if text.lower() not in ("true", "false", "yes", "no", "on", "off"):\n',
       '        return text.lower() == "true"', '        return text.lower() in ("true", "yes", "on")')
mutant(m, "leading-zero-octal", "010 reads as octal 8 (YAML 1.1)",
       '        if re.fullmatch(r"[-+]?[0-9]+", text):\n            return int(text, 10)',
       '        if re.fullmatch(r"[-+]?[0-9]+", text):\n            return int(text, 8) if re.fullmatch(r"0[0-7]+", text) else int(text, 10)')
mutant(m, "hex-as-decimal-digits", "0x1F is not read as hexadecimal",
       "            return int(text[2:], 16)", "            return text")
mutant(m, "sexagesimal", "12:30 reads as the base-60 number 750 (YAML 1.1)",
       'CoreResolver.add_implicit_resolver(TAG + "int", re.compile(r"^(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$"),',
       'CoreResolver.add_implicit_resolver(TAG + "int", re.compile(r"^(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+|[0-9]+:[0-5][0-9])$"),',
       '        if re.fullmatch(r"[-+]?[0-9]+", text):\n', '        if ":" in text:\n            a, b = text.split(":")\n'
       '            return int(a) * 60 + int(b)\n        if re.fullmatch(r"[-+]?[0-9]+", text):\n')
mutant(m, "tilde-not-null", "~ is read as the string '~'",
       'CoreResolver.add_implicit_resolver(TAG + "null", re.compile(r"^(?:~|null|Null|NULL|)$"), ["~", "n", "N", ""])',
       'CoreResolver.add_implicit_resolver(TAG + "null", re.compile(r"^(?:null|Null|NULL|)$"), ["n", "N", ""])')

# --- grader/spec/suggest.py (did you mean) -----------------------------------------------------------------------

m = module("grader/spec/suggest.py", "tests/test_pinned_spec.py", "tests/test_spec_1_1.py", "tests/test_dialect.py",
           "tests/test_authoring.py", "tests/test_pinned_1_1.py")
mutant(m, "no-close-match", "a misspelt key gets no 'did you mean'",
       "    close = difflib.get_close_matches(word, choices, n=1, cutoff=0.6)\n", "    close = []\n")
mutant(m, "no-prefix-match", "$regex for $re (a prefix) gets no 'did you mean'",
       "        close = [c for c in choices if len(c) > 2", "        close = [c for c in choices if False and len(c) > 2")
mutant(m, "no-known-list", "an unknown word with no close match does not list the known ones",
       "    return f\"; {listing}: {', '.join(choices)}\" if choices else \"\"", '    return ""')

# --- grader/spec/args.py and grader/spec/steps/ (arguments declared once; step kinds with a module each) -----------

m = module("grader/spec/args.py", "tests/test_pinned_spec.py", "tests/test_spec.py", "tests/test_spec_1_2.py")
mutant(m, "close-code-range", "a close code of 5000 loads",
       "not 1000 <= value <= 4999", "not 1000 <= value")

m = module("grader/spec/steps/disconnect.py", "tests/test_pinned_spec.py", "tests/test_spec.py",
           "tests/test_pinned_judge.py", "tests/test_conversation.py")
mutant(m, "bare-disconnect-code", "a bare disconnect sends 1001",
       "        if node.value is None:\n            return Disconnect()\n        if isinstance(node.value, dict):",
       "        if node.value is None:\n            return Disconnect(1001)\n        if isinstance(node.value, dict):")
mutant(m, "long-close-reason", "a client close reason over 123 bytes loads",
       "                if len(reason.encode()) > MAX_REASON_BYTES:", "                if len(reason) > MAX_REASON_BYTES:")
mutant(m, "disconnect-code-dropped", "disconnect: CODE closes with 1000",
       "await talk.client(step).leave(leave.code, leave.reason, raw=raw)",
       "await talk.client(step).leave(1000, leave.reason, raw=raw)")
mutant(m, "disconnect-reason-dropped", "disconnect: {reason} closes without the reason",
       "await talk.client(step).leave(leave.code, leave.reason, raw=raw)",
       'await talk.client(step).leave(leave.code, "", raw=raw)')

# --- spec 1.2: its step kind, operators, constants, includes, arrival windows ----------------------------------------

m = module("grader/spec/steps/expect_open.py", "tests/test_spec_1_2.py")
mutant(m, "close-ignored", "expect_open passes a connection the server closed",
       "return bool(client.closed or client.side.ended", "return bool(client.side.ended")
mutant(m, "message-ends-wait", "a message arriving during expect_open ends (and fails) the wait",
       "return bool(client.closed or client.side.ended or", "return bool(client.inbox or client.closed or client.side.ended or")

m = module("grader/spec/operators/not_.py", "tests/test_spec_1_2.py")
mutant(m, "not-not-negated", "$not matches what its matcher matches",
       "        if match(operand, actual, path) is None:\n            return Mismatch",
       "        if match(operand, actual, path) is not None:\n            return Mismatch")

m = module("grader/spec/operators/len_.py", "tests/test_spec_1_2.py")
mutant(m, "len-of-anything", "$len accepts a number as a size-0 value",
       "        if isinstance(actual, bool) or not isinstance(actual, str | list | dict):",
       "        if False:")
mutant(m, "len-off-by-one", "$len counts one more than there is",
       "        size = len(actual)\n", "        size = len(actual) + 1\n")

m = module("grader/spec/consts.py", "tests/test_spec_1_2.py")
mutant(m, "shadow-allowed", "a repeat variable may take a constant's name",
       "        if alias is not None and alias.value in constants:", "        if False:")

m = module("grader/spec/library.py", "tests/test_spec_1_2.py")
mutant(m, "outside-allowed", "an include may read a file outside the exercises folder",
       "    if not target.is_relative_to(root.resolve()):", "    if False:")

# --- grader/spec/loader.py -------------------------------------------------------------------------------------

m = module("grader/spec/loader.py", "tests/test_pinned_spec.py", "tests/test_spec.py", "tests/test_match.py",
           "tests/test_spec_1_1.py", "tests/test_pinned_1_1.py", "tests/test_dialect.py", "tests/test_authoring.py",
           "tests/test_pinned_judge.py", "tests/test_conversation.py")
mutant(m, "version-unchecked", "any spec version loads",
       "if version is not None and (isinstance(version.value, bool) or version.value not in FORMAT_VERSIONS):", "if False:")
mutant(m, "id-pattern-unchecked", "an id with capitals or spaces loads",
       "        if ident and not _ID.match(ident):\n", "        if False:\n")
mutant(m, "id-file-name-unchecked", "the id need not match the file name",
       'elif ident and path.suffix in (".yaml", ".yml") and ident != path.stem:', "elif False:")
mutant(m, "file-any-extension", "file: may name a non-Python file",
       'if file and (Path(file).name != file or not file.endswith(".py")):', "if file and Path(file).name != file:")
mutant(m, "file-may-be-a-path", "file: may hold folders",
       'if file and (Path(file).name != file or not file.endswith(".py")):', 'if file and not file.endswith(".py"):')
mutant(m, "check-without-body", "a check with neither steps nor source loads",
       "if has_steps == has_source:", "if has_steps and has_source:")
mutant(m, "points-default-zero", "a check is worth 0 points by default",
       'self.default_points = self.integer(fields.get("points"), "defaults.points", default=1)',
       'self.default_points = self.integer(fields.get("points"), "defaults.points", default=0)')
mutant(m, "hidden-ignored", "hidden: true is ignored",
       'hidden=self.boolean(fields.get("hidden"), "hidden", self.default_hidden),', "hidden=False,")
mutant(m, "defaults-timeout-ignored", "defaults.timeout is ignored",
       'self.default_timeout = self.seconds(fields.get("timeout"), "defaults.timeout", DEFAULT_TIMEOUT)',
       "self.default_timeout = DEFAULT_TIMEOUT")
mutant(m, "empty-source-rule", "source: with no names loads",
       "if not (rule.calls or rule.not_calls or rule.imports or rule.bases or rule.decorators or rule.keywords):",
       "if False:")
m = module("grader/spec/shapes.py", "tests/test_pinned_spec.py", "tests/test_spec.py", "tests/test_match.py",
           "tests/test_spec_1_1.py", "tests/test_pinned_1_1.py", "tests/test_dialect.py", "tests/test_spec_1_2.py")
mutant(m, "negative-integer", "points, track and lesson may be below their minimum",
       "if not isinstance(value, int) or isinstance(value, bool) or value < minimum:",
       "if not isinstance(value, int) or isinstance(value, bool):")
mutant(m, "bool-as-integer", "points: true loads as 1",
       "if not isinstance(value, int) or isinstance(value, bool) or value < minimum:",
       "if not isinstance(value, int) or value < minimum:")
mutant(m, "zero-seconds", "a timeout of 0 seconds loads",
       "not 0 < value <= 3600", "not 0 <= value <= 3600")
mutant(m, "non-boolean-flag", "hidden: yes-as-a-string loads",
       "        if not isinstance(node.value, bool):\n", "        if False:\n")
mutant(m, "matcher-errors-dropped", "a malformed matcher (in any step kind's argument) loads",
       "        self.errors += errors\n        return not errors", "        return not errors")
mutant(m, "never-flag-off", "no never-passing matcher is flagged",
       "        if match.never_matches(value, kinds):\n", "        if False:\n")
mutant(m, "no-did-you-mean-key", "an unknown key is reported without a suggestion",
       'self.error(node.key_mark(key), f"unknown key {key!r} in {what}{did_you_mean(key, keys)}")',
       'self.error(node.key_mark(key), f"unknown key {key!r} in {what}")')

m = module("grader/spec/stepreader.py", "tests/test_pinned_spec.py", "tests/test_spec.py", "tests/test_spec_1_1.py",
           "tests/test_pinned_1_1.py", "tests/test_spec_1_2.py", "tests/test_pinned_judge.py")
mutant(m, "step-timeout-ignored", "a step's own timeout is ignored",
       'timeout = self.seconds(fields.get("timeout"), "timeout", self.default_timeout)',
       "timeout = self.default_timeout")
mutant(m, "ref-before-capture", "a $ref to a capture no earlier step makes loads",
       "            if name not in self.captured:\n", "            if False:\n")

m = module("grader/spec/flow.py", "tests/test_pinned_spec.py", "tests/test_spec.py", "tests/test_spec_1_1.py")
mutant(m, "closed-client-usable", "a step on a client the server closed loads",
       "        if state != self.OPEN:\n", "        if False:\n")
mutant(m, "new-client-usable", "a step on a client that never connected loads",
       "        if state == self.NEW:\n", "        if False:\n")

# --- grader/spec/steps/: one block per step kind (its load-time rules and its run) --------------------------------

STEP_TESTS = ("tests/test_pinned_spec.py", "tests/test_spec.py", "tests/test_pinned_judge.py", "tests/test_conversation.py",
              "tests/test_spec_1_1.py", "tests/test_pinned_1_1.py", "tests/test_spec_1_2.py", "tests/test_lifespan.py",
              "tests/test_shutdown.py", "tests/test_one_cause.py", "tests/test_dialect.py", "tests/test_match.py",
              "tests/test_intake.py::test_expect_file_names_a_fifo_and_never_waits_on_it")
# The focused tests of the step kinds: how each loads (test_spec, test_pinned_spec) and what each judges.
STEP_OWN = ("tests/test_verdict_rules.py", "tests/test_spec.py", "tests/test_pinned_spec.py", "tests/test_conversation.py",
            "tests/test_pinned_judge.py", "tests/test_intake.py::test_expect_file_names_a_fifo_and_never_waits_on_it")


def step_module(name: str, *own: str) -> Module:
    """A step kind's module: its own tests are the step kinds' focused tests and ``own``, those of this kind alone."""
    made = module(f"grader/spec/steps/{name}.py", *STEP_TESTS, slow=True)
    made.own = (*STEP_OWN, *own)
    return made


m = step_module("connect")
mutant(m, "refused-any-code", "refused: 5000 loads", "1000 <= raw <= 4999", "1000 <= raw")
mutant(m, "query-in-path", "a query string in the path loads", '    if "?" in path:\n', "    if False:\n")
mutant(m, "double-connect", "connecting an open client again loads",
       "        if flow.states.get(client, flow.NEW) == flow.OPEN:\n", "        if False:\n")
mutant(m, "refused-leaves-open", "a refused client counts as open",
       "flow.states[client] = flow.CLOSED if refused else flow.OPEN", "flow.states[client] = flow.OPEN")
mutant(m, "status-any-number", "status: 200 loads as a refusal status",
       "400 <= raw <= 599", "100 <= raw <= 599")
mutant(m, "status-refusal-leaves-open", "a client refused by HTTP status counts as open",
       "refused = isinstance(arg, Connect) and (arg.refused not in (None, False) or arg.status is not None)",
       "refused = isinstance(arg, Connect) and arg.refused not in (None, False)")
mutant(m, "subprotocol-matcher-unchecked", "a connect's subprotocol matcher is not validated",
       '    if reader.matcher(node, variables):\n        reader.never(node, frozenset({"str", "null"})',
       '    if True:\n        reader.never(node, frozenset({"str", "null"})')
mutant(m, "subprotocol-ignored", "the subprotocol the server picked is never compared",
       "            if spec.subprotocol is not None:\n", "            if False:\n")
mutant(m, "accepted-instead-of-refused", "an accepted handshake passes where a refusal is expected",
       '            if wanted not in (None, False):\n                raise talk.fail(Kind.REFUSED, talk.say("the server accepted',
       '            if False:\n                raise talk.fail(Kind.REFUSED, talk.say("the server accepted')
mutant(m, "refusal-code-ignored", "any refusal code passes", "if wanted is not True and handshake.code != wanted:",
       "if False:")
mutant(m, "refusal-where-accept-wanted", "a refusal where a connection is expected reads as a code mismatch",
       "    if wanted in (None, False):\n        routes = talk.routes()",
       "    if False:\n        routes = talk.routes()")
mutant(m, "status-ignored", "the HTTP status of a refusal is never compared",
       "if spec.status is not None and (handshake.status or 403) != spec.status:", "if False:")
mutant(m, "status-is-not-a-refusal", "connect: {status: 403} expects an accepted connection",
       "wanted = spec.refused if spec.status is None or spec.refused not in (None, False) else True",
       "wanted = spec.refused")

m = step_module("expect_text")
mutant(m, "expect-text-object", "expect_text of a plain object loads",
       "elif isinstance(node.value, dict) and match.operator_of(node.value) is None:", "elif False:")
mutant(m, "never-matching-text", "an expect_text matcher that can never match a string loads",
       '            if reader.matcher(node, variables):\n                reader.never(node, frozenset({"str"}), '
       '"expect_text receives',
       '            if False:\n                reader.never(node, frozenset({"str"}), "expect_text receives')
mutant(m, "binary-as-text", "expect_text accepts a binary frame",
       '        if message.kind != "text":\n            raise talk.fail(Kind.MISMATCH, talk.say("a text message was expected',
       '        if False:\n            raise talk.fail(Kind.MISMATCH, talk.say("a text message was expected')
mutant(m, "text-difference-off-by-one", "the first differing character is numbered from 0",
       "n=at + 1, want=want, got=got)", "n=at, want=want, got=got)")
mutant(m, "text-difference-unnamed-space", "a space at the first difference is shown as '\" \"'",
       '        if char == " ":\n', "        if False:\n")

m = step_module("expect_json")
mutant(m, "binary-as-json", "expect_json accepts a binary frame holding JSON",
       '        if message.kind != "text":\n            raise talk.fail(Kind.MISMATCH, talk.say("a JSON text message',
       '        if False:\n            raise talk.fail(Kind.MISMATCH, talk.say("a JSON text message')

m = step_module("expect_bytes", "tests/test_spec_1_1.py::test_binary_matchers_are_checked_where_written",
                "tests/test_spec_1_1.py::test_a_lost_chunk_fails_with_the_length")
mutant(m, "bytes-unknown-matcher", "expect_bytes with an unknown $operator is read as a payload",
       "        elif op is not None:\n            reader.error(node.key_mark(op), f\"expect_bytes takes",
       "        elif False:\n            reader.error(node.key_mark(op), f\"expect_bytes takes")
mutant(m, "bytes-not-compared", "expect_bytes accepts any binary frame", "        if message.data != data:\n",
       "        if False:\n")
mutant(m, "bytes-matcher-ignored", "expect_bytes {$len/$prefix/$sha256} accepts any binary message",
       '            if differs:\n                raise talk.fail(Kind.MISMATCH, talk.say("the binary message differs: {how}"',
       '            if False:\n                raise talk.fail(Kind.MISMATCH, talk.say("the binary message differs: {how}"')

m = step_module("expect_unordered", "tests/test_pinned_1_1.py::test_an_empty_expect_unordered_is_refused",
                "tests/test_pinned_1_1.py::test_a_capture_inside_expect_unordered_is_kept_for_later_steps",
                "tests/test_spec_1_1.py::test_expect_unordered_needs_open_clients_and_one_kind_per_message")
mutant(m, "unordered-empty", "an empty expect_unordered loads",
       "        if not isinstance(node.value, list) or not node.value:\n            reader.error(node.mark, \"expect_unordered",
       "        if not isinstance(node.value, list):\n            reader.error(node.mark, \"expect_unordered")
mutant(m, "unordered-closed-client", "expect_unordered on a client that is not connected loads",
       "            if flow.states.get(who, Flow.NEW) != Flow.OPEN:\n", "            if False:\n")
mutant(m, "unordered-two-kinds", "an expect_unordered message with both text and json loads",
       "            if len(kinds) != 1:\n", "            if not kinds:\n")
mutant(m, "unordered-captures-lost", "captures inside expect_unordered are forgotten",
       "                talk.matches(expected.matcher, talk.value_of(expected, messages[index]))  # keeps its captures",
       "                pass")

m = step_module("expect_close")
mutant(m, "close-reason-matcher-unchecked", "an expect_close reason matcher is not validated",
       '            if reader.matcher(fields["reason"], variables):\n', "            if True:\n")
mutant(m, "close-reason-ignored", "the close reason is never compared",
       "        if spec.reason is not None:\n", "        if False:\n")
mutant(m, "close-code-ignored", "the close code is never compared",
       "if spec.code is not None and closed.code != spec.code:", "if False:")
mutant(m, "message-instead-of-close", "a message before the close frame is skipped by expect_close",
       '        if client.inbox:\n            message = client.take()\n            assert message is not None\n'
       '            raise talk.fail(Kind.MISMATCH, talk.say("the server sent a message instead of closing',
       '        if False:\n            message = client.take()\n            assert message is not None\n'
       '            raise talk.fail(Kind.MISMATCH, talk.say("the server sent a message instead of closing')
mutant(m, "raised-reads-as-returned", "an endpoint that raised where a close is expected reads as one that returned",
       "            if client.side.error is not None:\n                raise talk.raised(client)\n            if client.side.ended:",
       "            if False:\n                raise talk.raised(client)\n            if client.side.ended:")
mutant(m, "returned-without-close", "an endpoint that returns without closing times out instead",
       "            if client.side.ended:\n                raise talk.fail(Kind.CLOSED, talk.say(\"the endpoint returned without closing",
       "            if False:\n                raise talk.fail(Kind.CLOSED, talk.say(\"the endpoint returned without closing")

m = step_module("expect_silence")
mutant(m, "silence-broken-quietly", "a message during expect_silence is taken as the next answer",
       "        if client.inbox:\n            message = client.inbox[0]", "        if False:\n            message = client.inbox[0]")

m = step_module("ends_cleanly")
mutant(m, "ends-cleanly-ignores-errors", "an exception after the client left passes ends_cleanly",
       "        if error is None:\n            return\n        errors = error.errors",
       "        return\n        errors = error.errors")
mutant(m, "ends-cleanly-no-wait", "ends_cleanly does not wait for the endpoint to return",
       "if not await client.wait_ended(step.timeout):", "if False:")

m = step_module("repeat")
mutant(m, "repeat-unbalanced", "a repeat may leave a client in another state",
       "if flow.states != before.states:", "if False:")
mutant(m, "repeat-first-round-only", "repeat runs only its first round",
       "for round_number, value in enumerate(spec.values, 1):", "for round_number, value in enumerate(spec.values[:1], 1):")

m = step_module("expect_file")
mutant(m, "expect-file-absolute", "expect_file may name an absolute path",
       'if Path(path).is_absolute() or ".." in parts or path.startswith("~"):',
       'if ".." in parts or path.startswith("~"):')
mutant(m, "file-link-unexplained", "expect_file calls a link or a linked folder an unreadable file",
       "    if refused.why in (Why.LINK, Why.LINKED_FOLDER):\n", "    if False:\n")
mutant(m, "file-fifo-unexplained", "expect_file does not say that a FIFO is not a regular file",
       "    if refused.why is Why.NOT_REGULAR:\n", "    if False:\n")
mutant(m, "file-prefix-accepted", "expect_file accepts a file holding only the start of the expected bytes",
       "        if data != expected:\n            raise talk.fail(Kind.FILE",
       "        if not expected.startswith(data):\n            raise talk.fail(Kind.FILE")
mutant(m, "file-longer-accepted", "expect_file accepts a file holding more than the expected bytes",
       "        if data != expected:\n            raise talk.fail(Kind.FILE",
       "        if not data.startswith(expected):\n            raise talk.fail(Kind.FILE")
mutant(m, "file-content-ignored", "expect_file accepts any content",
       "        if data != expected:\n            raise talk.fail(Kind.FILE", "        if False:\n            raise talk.fail(Kind.FILE")
mutant(m, "file-missing-unexplained", "a missing file is not reported as missing",
       "    if refused.why is Why.MISSING:\n        return talk.fail(Kind.FILE, talk.say(\"your app did not",
       "    if False:\n        return talk.fail(Kind.FILE, talk.say(\"your app did not")

m = step_module("shutdown", "tests/test_shutdown.py")
mutant(m, "shutdown-failure-passes", "a lifespan shutdown that fails passes the shutdown step",
       '        if op == "stopped":\n            return', '        if True:\n            return')
mutant(m, "shutdown-timeout-unexplained", "a shutdown that runs out of time is not said to",
       '        if reason == "timeout":\n', "        if False:\n")

# --- grader/judge/conversation.py, grader/judge/answers.py --------------------------------------------------------

m = module("grader/judge/conversation.py", "tests/test_pinned_judge.py", "tests/test_conversation.py",
           "tests/test_lifespan.py", "tests/test_spec_1_1.py", "tests/test_pinned_1_1.py", "tests/test_shutdown.py",
           "tests/test_one_cause.py", "tests/test_intake.py::test_expect_file_names_a_fifo_and_never_waits_on_it",
           "tests/test_spec_1_2.py", slow=True)
mutant(m, "too-early-passes", "a message before after: passes",
       "        if step.after is not None and took < step.after:", "        if False:")
mutant(m, "too-late-passes", "a message after within: passes",
       "        if step.within is not None and took > step.within:", "        if False:")
mutant(m, "failed-check-scores", "a failed conversation keeps its points",
       "points=check.points if failure is None else 0,", "points=check.points,")
mutant(m, "no-transcript", "failures come without a transcript",
       "transcript=conversation.transcript.frames() if failure is not None or ctx.transcripts else (),",
       "transcript=conversation.transcript.frames() if ctx.transcripts else (),")
# spec language 1.1
mutant(m, "captures-never-kept", "what $capture took is never kept for a later $ref",
       "        if mismatch is None:\n            self.captured.update(taken)", "        if False:\n            self.captured.update(taken)")
mutant(m, "captures-kept-on-mismatch", "a capture from a message that did not match is kept",
       "        if mismatch is None:\n            self.captured.update(taken)", "        if True:\n            self.captured.update(taken)",
       equivalent="a mismatch in expect_text/expect_json fails the step and ends the check, so no later step "
                  "reads what it captured (expect_unordered pairs with match() and keeps captures only once paired)")
mutant(m, "unordered-in-order", "expect_unordered needs the messages in the order written",
       "        return unordered.pair(expected, messages, lambda m, v: match(m, v) is None)",
       "        return ((list(range(len(expected))), -1) if all(match(e.matcher, unordered.value_of(e, msg)[1]) is None "
       "and unordered.value_of(e, msg)[0] for e, msg in zip(expected, messages, strict=True)) else (None, 0))")
mutant(m, "runaway-learnt-late", "the host's word that an endpoint ignored its cancellation is not awaited at teardown",
       "                return\n            await self._settled(client)\n", "                return\n")

m = module("grader/judge/answers.py", "tests/test_pinned_judge.py", "tests/test_conversation.py", "tests/test_link_frames.py",
           "tests/test_spec_1_1.py", "tests/test_one_cause.py", slow=True)
m.own = ("tests/test_verdict_rules.py", "tests/test_link_frames.py", "tests/test_conversation.py")
mutant(m, "flood-read-as-message", "a client that stopped reading hands out its queued messages instead of the flood",
       "    talk.flooded(client)\n    if client.inbox:\n        message = client.take()",
       "    if client.inbox:\n        message = client.take()")
mutant(m, "raised-reads-as-close", "an endpoint's exception is reported as a close",
       "    if client.side.error is not None:\n        raise raised(talk, client)\n    if client.closed is not None and",
       "    if False:\n        raise raised(talk, client)\n    if client.closed is not None and")


# --- grader/files.py ----------------------------------------------------------------------------------------------

m = module("grader/files.py", "tests/test_intake.py", "tests/test_pinned_judge.py")
mutant(m, "final-link-followed", "the file itself is opened through a symbolic link",
       "flags = os.O_RDONLY | _NOFOLLOW | _NONBLOCK | _CLOEXEC | _NOCTTY", "flags = os.O_RDONLY | _NONBLOCK | _CLOEXEC | _NOCTTY")
mutant(m, "linked-folder-walked", "a folder on the way is entered through a symbolic link",
       "return os.open(part, os.O_RDONLY | _DIRECTORY | _NOFOLLOW | _CLOEXEC, dir_fd=folder)",
       "return os.open(part, os.O_RDONLY | _DIRECTORY | _CLOEXEC, dir_fd=folder)")
mutant(m, "fifo-opened-blocking", "a FIFO is opened without O_NONBLOCK (open waits for a writer)",
       "flags = os.O_RDONLY | _NOFOLLOW | _NONBLOCK | _CLOEXEC | _NOCTTY", "flags = os.O_RDONLY | _NOFOLLOW | _CLOEXEC | _NOCTTY")
mutant(m, "non-regular-read", "what was opened is read whatever its type",
       "        if not stat.S_ISREG(info.st_mode):\n", "        if False:\n")
mutant(m, "hard-link-taken", "a file with other hard links is taken from a submission",
       "if single_name and info.st_nlink > 1:", "if False:")
mutant(m, "size-unchecked", "a file over the limit is read and taken",
       "        if info.st_size > limit:\n", "        if False:\n",
       "        if size > limit:  # it grew after fstat\n", "        if False:\n")

# --- grader/judge/driver.py ---------------------------------------------------------------------------------------

m = module("grader/judge/driver.py", "tests/test_pinned_judge.py", "tests/test_conversation.py", "tests/test_link_frames.py",
           "tests/test_differential.py", slow=True)
mutant(m, "flood-cap-removed", "the client reads a flood of unread messages forever",
       "                if len(self.inbox) > INBOX_LIMIT_MESSAGES or self.inbox_bytes > INBOX_LIMIT_BYTES:",
       "                if False:")
mutant(m, "flood-cap-bytes-only", "only the byte cap stops a flood",
       "                if len(self.inbox) > INBOX_LIMIT_MESSAGES or self.inbox_bytes > INBOX_LIMIT_BYTES:",
       "                if self.inbox_bytes > INBOX_LIMIT_BYTES:")
mutant(m, "query-dropped", "connect's query never reaches the app",
       "query = spec.query if isinstance(spec.query, str) else _query(spec.query)", 'query = ""')
mutant(m, "refusal-code-lost", "a refusal reads as code 1000",
       'self.handshake = Handshake(accepted=False, code=exc.code, reason=exc.reason or "", status=403)',
       'self.handshake = Handshake(accepted=False, code=1000, reason=exc.reason or "", status=403)')
mutant(m, "leave-code-ignored", "the client always leaves with 1000",
       "        self.left = True\n        self._leave_code = code\n", "        self.left = True\n")

# --- grader/judge/clock.py ------------------------------------------------------------------------------------------

m = module("grader/judge/clock.py", "tests/test_pinned_judge.py", "tests/test_clock.py", "tests/test_conversation.py",
           "tests/test_cli.py::test_learner_code_that_blocks_the_loop_gets_a_verdict_at_its_line")
mutant(m, "deadline-ignored", "the whole-run limit is never enforced",
       "        if now >= link.deadline:\n", "        if False:\n")
mutant(m, "overtime-as-freeze", "a host still busy at the run's deadline is reported as frozen",
       '_death("OVERTIME")', '_death("STALLED")')
mutant(m, "stall-never-declared", "a frozen host is never declared frozen",
       "            if link.frozen(now):\n", "            if False:\n")
mutant(m, "later-timer-first", "the clock jumps to the later of the two next timers",
       "if host_next is not None and (mine is None or host_next <= mine):",
       "if host_next is not None and (mine is None or host_next >= mine):")
mutant(m, "jump-untold", "the host is not told when the clock jumps to its timer",
       '            loop.advance_to_ns(host_next)\n            assert link is not None\n            link.send({"op": "time"})',
       "            loop.advance_to_ns(host_next)\n            assert link is not None")
mutant(m, "clock-may-go-back", "the clock may move backwards",
       "self.now_ns = max(self.now_ns, target)", "self.now_ns = target",
       equivalent="every target is ahead of the clock except a host timer the judge overtook while it followed "
                  "real time through its own busy spell (over 0.25 s of judge CPU); setting the clock back then "
                  "delays the judge's next timer by that much, which no verdict waits on")
mutant(m, "idle-while-host-works", "the clock jumps while the host is still working",
       "host_working = link is not None and not link.idle", "host_working = False")
mutant(m, "idle-not-skipped", "idle time is waited out in real time instead of skipped",
       "        loop.advance_to_ns(mine)\n        return []\n\n    def _wait_for_host",
       "        self._inner.select((mine - loop.now_ns) / 1e9)\n        loop.advance_to_ns(mine)\n        return []\n\n"
       "    def _wait_for_host")
mutant(m, "host-work-never-moves-clock", "a host that is never idle never moves the clock (its frames wait for ever)",
       "            loop.advance_to_ns(due)\n            link.release_due()\n", "            link.release_due()\n")
mutant(m, "judge-timer-overtaken", "a host frame stamped later is read before a timer of the judge's due earlier",
       "            if mine is not None and mine < due:\n", "            if False:\n")


# --- grader/host/clock.py (the host's one clock: real time while it works, plus the idle time skipped) ---------

m = module("grader/host/clock.py", "tests/test_host_clock.py", "tests/test_clock_rules.py", "tests/test_clocks.py",
           "tests/test_monotonic.py", "tests/test_pinned_judge.py", prefix="hostclock")
mutant(m, "idle-counted", "real time while the host is idle is counted instead of standing still",
       "        now = self.now_ns()\n        self._state = (now, 0)\n        return now",
       "        now = self.now_ns()\n        return now")
mutant(m, "skip-not-followed", "an idle host does not jump to the time the judge skipped to",
       "            if judge_ns > frozen:\n                self._state = (judge_ns, offset)\n",
       "            if False:\n                self._state = (judge_ns, offset)\n")
mutant(m, "running-clock-not-caught-up", "a working host whose clock is behind the judge's stays behind",
       "        if ahead > 0:\n            self._state = (None, offset + ahead)",
       "        if False:\n            self._state = (None, offset + ahead)")
mutant(m, "work-stands-still", "after its first idle moment the host's clock never runs with its real work",
       "            self._state = (None, frozen - _REAL_MONOTONIC_NS())", "            self._state = (frozen, 0)")
mutant(m, "clock-may-go-back", "an idle host's clock may jump back to an earlier judge time",
       "            if judge_ns > frozen:\n", "            if True:\n")
mutant(m, "perf-counter-real", "time.perf_counter() reads real time, not the host's clock",
       "    time.perf_counter = clock.monotonic\n", "")
mutant(m, "threads-do-not-hold", "a thread of the app does not hold the skipping while it lives",
       "    _hold_for_app_threads(clock)\n    _hold_for_pool_jobs(clock)\n", "    _hold_for_pool_jobs(clock)\n")
mutant(m, "pool-jobs-do-not-hold", "a job on the app's own thread pool does not hold the skipping",
       "    _hold_for_app_threads(clock)\n    _hold_for_pool_jobs(clock)\n", "    _hold_for_app_threads(clock)\n")
mutant(m, "held-ignored", "the loop counts as idle while threads of the app hold the clock",
       "        return self._held > 0 or _REAL_MONOTONIC() - self._released_at < _RELEASE_GRACE",
       "        return _REAL_MONOTONIC() - self._released_at < _RELEASE_GRACE")
mutant(m, "busy-untimed", "a never-idle host's signs of life carry no time (the judge's clock cannot follow it)",
       '            self._report({"op": "busy", "held": self.held, "t": self.clock.now_ns()})',
       '            self._report({"op": "busy", "held": self.held})')
mutant(m, "idle-next-timer-lost", "the host's idle report carries no next timer (its timers wait for the judge's)",
       '            self._report({"op": "idle", "seen": self.seen, "next": next_ns, "t": now})',
       '            self._report({"op": "idle", "seen": self.seen, "next": None, "t": now})')

# --- grader/judge/link.py -------------------------------------------------------------------------------------------

m = module("grader/judge/link.py", "tests/test_pinned_judge.py", "tests/test_link.py", "tests/test_link_frames.py",
           "tests/test_conversation.py", "tests/test_launch.py", "tests/test_differential.py")
mutant(m, "idle-before-reading", "the host counts as idle before it read what was sent",
       "return self.dead is not None or (self.idle_seen == self.sent and not self.reader.partial)",
       "return self.dead is not None or (self.idle_seen >= 0 and not self.reader.partial)")
mutant(m, "host-timer-ignored", "the host's next timer is ignored",
       "self.idle_seen, self.host_next = seen, following", "self.idle_seen, self.host_next = seen, None")
mutant(m, "held-ignored", "the host's worker threads never hold the clock",
       'self.held = header.get("held") is True', "self.held = False")
mutant(m, "routes-lost", "the app's routes are not known when a path is wrong",
       'self.routes, self.protections = event["routes"], event["protections"]',
       'self.routes, self.protections = [], event["protections"]')
mutant(m, "wait-past-death", "waiting on a dead host never ends",
       "            if value is not None or self.dead is not None:\n                return value",
       "            if value is not None:\n                return value")
mutant(m, "real-time-end-crashes", "under a real uvicorn, the end of the host's wire crashes the link's reader",
       "            if self.deferred is not None:  # none on real time: frames were read as they came\n"
       "                self.release_due(everything=True)",
       "            if True:\n                self.release_due(everything=True)")
mutant(m, "message-for-ended-connection", "a message the host sends for a connection that ended is believed",
       'hf.want(conn is not None and not conn.side.ended, f"a {op} for a connection that is not open")',
       'hf.want(conn is not None, f"a {op} for a connection that is not open")')

m = module("grader/judge/relayconn.py", "tests/test_pinned_judge.py", "tests/test_link.py", "tests/test_link_frames.py",
           "tests/test_conversation.py", "tests/test_trust.py", "tests/test_differential.py")
m.own = ("tests/test_link_frames.py", "tests/test_link.py",
         "tests/test_pinned_judge.py::test_disconnect_sends_its_close_code_to_the_app")
mutant(m, "subprotocol-lost", "the subprotocol the app accepted with is lost",
       'subprotocol = hf.text(header, "subprotocol", None)\n', "subprotocol = None\n")
mutant(m, "close-reason-lost", "the close reason is lost on the way",
       'code, reason = hf.number(header, "code", 0, 65535), hf.text(header, "reason")',
       'code, reason = hf.number(header, "code", 0, 65535), ""')
mutant(m, "message-outside-open", "a message sent before the accept or after the close is believed",
       'hf.want(side.accepted and side.close is None, "a message outside an open connection")',
       'hf.want(True, "a message outside an open connection")')
mutant(m, "second-close-allowed", "a second close frame from the host is believed",
       'hf.want(side.close is None, "a second close")', 'hf.want(True, "a second close")',
       equivalent="the host's own ASGI checks refuse a second close before it reaches the wire; only a forged frame "
                  "(tests/test_trust.py) could show it, and the relay ignores frames after a close")
mutant(m, "disconnect-code-lost", "the client's close code never reaches the app",
       '"code": message.get("code", 1006),', '"code": 1006,')
mutant(m, "where-unknown", "where an endpoint waits is never known",
       "return future.result() if future.done() else []", "return []")

m = module("grader/judge/framestream.py", "tests/test_raw_frames.py", "tests/test_pinned_judge.py",
           "tests/test_conversation.py", "tests/test_differential.py")
m.own = ("tests/test_raw_frames.py",)
mutant(m, "dropped-connection-never-ends", "a connection the app dropped never ends for its client (no end of stream)",
       "            if self._sending_closed:\n                raise anyio.EndOfStream\n", "")
mutant(m, "messages-out-of-order", "the in-memory connection hands messages on newest first",
       "return self._items.popleft()", "return self._items.pop()")

m = module("grader/judge/pool.py", "tests/test_launch.py", "tests/test_instructor_tools.py", "tests/test_ci_rules.py")
m.own = ("tests/test_launch.py::test_batch_grades_in_parallel_under_a_temporary_folder_too_long_for_a_socket_path",
         "tests/test_launch.py::test_grade_and_batch_leave_no_scratch_behind")
mutant(m, "no-fallback-from-the-fork-server", "a fork server that cannot start fails the batch instead of spawning judges",
       "        except OSError:\n            pass\n        else:\n            return context\n",
       "        finally:\n            return context\n")

m = module("grader/judge/liveness.py", "tests/test_link.py", "tests/test_link_frames.py", "tests/test_pinned_judge.py")
m.own = ("tests/test_link.py",)
mutant(m, "starved-is-frozen", "an app starved of CPU by a busy machine counts as frozen",
       'return not (state == "R" and share < 0.1)', "return True")
mutant(m, "starved-for-ever", "an app starved of CPU is never declared frozen",
       "if sample is None or self.quiet_for(now) >= self.stall_seconds * 4:", "if sample is None:")

m = module("grader/judge/hostframes.py", "tests/test_link_frames.py", "tests/test_trust.py", "tests/test_pinned_judge.py",
           "tests/test_conversation.py")
m.own = ("tests/test_link_frames.py",)
mutant(m, "exit-unclassified", "sys.exit() in an endpoint reads as an ordinary exception",
       'stops if stops in ("SystemExit", "KeyboardInterrupt")', 'None if stops in ("SystemExit", "KeyboardInterrupt")')
mutant(m, "first-cause-only", "only the first exception of a chain is reported",
       "for e in data[:8] if isinstance(e, dict))", "for e in data[:1] if isinstance(e, dict))")

# --- grader/judge/hostframes.py (what the judge believes of a host's frames) --------------------------------------

m = module("grader/judge/hostframes.py", "tests/test_host_frames.py", "tests/test_link_frames.py",
           "tests/test_pinned_judge.py", "tests/test_trust.py")
mutant(m, "exit-unclassified", "sys.exit() in an endpoint reads as an ordinary exception",
       'stops if stops in ("SystemExit", "KeyboardInterrupt")\n                    else None)', "None)")
mutant(m, "routes-lost", "the app's routes are not known when a path is wrong",
       'event["routes"] = [_cut(r, 500) for r in routes[:200]]', 'event["routes"] = []')
mutant(m, "first-cause-only", "only the first exception of a chain is reported",
       "                 for e in data[:8] if isinstance(e, dict))", "                 for e in data[:1] if isinstance(e, dict))")
mutant(m, "bool-is-number", "true and false are read as the numbers 1 and 0",
       "    want(type(value) is int and low <= value <= high,", "    want(isinstance(value, int) and low <= value <= high,")
mutant(m, "number-unbounded", "a number above its field's range is believed (more frames seen than were sent)",
       "    want(type(value) is int and low <= value <= high,", "    want(type(value) is int and low <= value,")
mutant(m, "headers-unbounded", "any number of HTTP headers is believed",
       "want(isinstance(value, list) and len(value) <= 1000,", "want(isinstance(value, list),")
mutant(m, "header-pair-unchecked", "an HTTP header that is not a pair of texts is believed",
       "        want(isinstance(pair, list) and len(pair) == 2 and all(isinstance(p, str) for p in pair),",
       "        want(isinstance(pair, list),")
mutant(m, "text-unchecked", "a text field that is not text is believed",
       "    want(value is None or isinstance(value, str),", "    want(True,")
mutant(m, "messages-uncut", "an exception's message is kept whole, however long",
       '_cut(e.get("message"), 2000)', '_cut(e.get("message"), 1 << 30)')
mutant(m, "lines-unbounded", "any number of source lines per exception is kept",
       "    for f in data[:64]:\n", "    for f in data:\n")
mutant(m, "negative-line-kept", "a source line numbered below zero is kept",
       "        if type(line) is not int or not 0 <= line <= MAX_INT:", "        if type(line) is not int:")

# --- grader/judge/run.py --------------------------------------------------------------------------------------------

m = module("grader/judge/run.py", "tests/test_pinned_judge.py", "tests/test_pinned_course.py",
           "tests/test_pinned_formats.py", "tests/test_cli.py", "tests/test_launch.py")
mutant(m, "hidden-always-run", "hidden checks run locally too",
       "self.runs = [i for i, c in enumerate(exercise.checks) if options.run_hidden or not c.hidden]",
       "self.runs = list(range(len(exercise.checks)))")
mutant(m, "hidden-never-run", "hidden checks never run, even with --all-checks",
       "if options.run_hidden or not c.hidden]", "if not c.hidden]")
mutant(m, "hidden-pending-zero", "a local run says no hidden check is pending",
       "hidden_pending=len(exercise.checks) - len(run.runs),", "hidden_pending=0,")
mutant(m, "hidden-points-zero", "a local run says the hidden checks are worth nothing",
       "hidden_points=exercise.points - sum(exercise.checks[i].points for i in run.runs),", "hidden_points=0,")
mutant(m, "freeze-not-remembered", "after a freeze the remaining checks run (and freeze) again",
       "            if ending.death is Death.STALLED:\n                self.froze", "            if False:\n                self.froze")
mutant(m, "deadline-verdict-dropped", "past the run deadline the remaining checks are graded anyway",
       "            if not done and pending and time.monotonic() >= self.deadline:",
       "            if False:")
mutant(m, "source-rules-ignored", "source rules always pass",
       "results[index] = self._verdict(check, source.check(check.source, self.app_copy, self.options.lang))",
       "results[index] = self._verdict(check, None)")
mutant(m, "failed-check-scores", "a failed source check keeps its points",
       "points=check.points if failure is None else 0,", "points=check.points,")
mutant(m, "import-failure-counts-as-run", "checks of a file that never imported read as failed, not not run",
       "                results[index] = self._not_run(index, failure)\n            return True",
       "                results[index] = self._verdict(self.exercise.checks[index], failure)\n            return True")
mutant(m, "setup-failure-ignored", "a failed lifespan startup is not reported",
       'if started["op"] != "started":', "if False:")
mutant(m, "import-stall-unexplained", "a file that never finishes importing reads as a frozen endpoint",
       "if importing and ending.death is Death.STALLED:", "if False:")
mutant(m, "death-blames-all", "a host that dies during one check fails every remaining check",
       "        if current is not None:\n            index, step = current",
       "        if False:\n            index, step = current")
mutant(m, "runaway-host-kept", "a host running an endpoint that ignores cancellation grades the next checks",
       "            if link.runaways:\n", "            if False:\n")
mutant(m, "output-limit-ignored", "learner output is kept whole",
       "AppOutput(self.output_path, self.limits.output_kb * 1024,",
       "AppOutput(self.output_path, self.limits.output_kb * 1024 * 1024,")
mutant(m, "wall-clock-real", "wall_clock: virtual is never passed to the host",
       "wall_clock=self.exercise.wall_clock,", 'wall_clock="real",')

# --- grader/host/serve.py -------------------------------------------------------------------------------------------

m = module("grader/host/serve.py", "tests/test_pinned_judge.py", "tests/test_conversation.py",
           "tests/test_lifespan.py", "tests/test_launch.py", "tests/test_differential.py")
mutant(m, "lifespan-not-run", "the app's lifespan never starts",
       "            await self.lifespan.startup()\n", "            pass\n")
mutant(m, "lifespan-state-not-shared", "what the lifespan yields never reaches the connections",
       '            scope["state"] = dict(self.lifespan.state)\n', '            scope["state"] = {}\n')
mutant(m, "setup-failure-reported-as-started", "a failed lifespan startup reads as started",
       'self.emit({"op": "setup_failed", "reason": exc.reason,', 'self.emit({"op": "started", "reason": exc.reason,')
mutant(m, "lifespan-shutdown-skipped", "the app's lifespan never shuts down",
       "            await self.lifespan.shutdown()\n", "            pass\n")
mutant(m, "send-before-accept", "the app may send before accepting",
       "    if not conn.accepted and not conn.responding and not conn.closed:\n",
       "    if False:\n")
mutant(m, "double-accept", "the app may accept twice",
       "    raise RuntimeError(f\"Expected ASGI message 'websocket.send' or 'websocket.close', but got '{kind}'.\")",
       "    return {\"op\": \"accept\", \"conn\": conn.id, \"subprotocol\": None, \"headers\": []}, b\"\"")
mutant(m, "send-after-close", "the app may send after closing",
       "    if conn.closed:\n        raise RuntimeError", "    if False:\n        raise RuntimeError")
mutant(m, "send-to-departed", "sending to a client that left does not raise",
       "        if conn.closing:\n            return ClientDisconnected()", "        if False:\n            return ClientDisconnected()")
mutant(m, "lost-connection-unnoticed", "a send after the connection is lost does not raise",
       "    if conn.disconnected:\n        return ClientDisconnected()", "    if False:\n        return ClientDisconnected()")
mutant(m, "disconnected-at-once", "the connection counts as lost as soon as the client's close frame arrives",
       'self.loop.call_soon(setattr, conn, "disconnected", True)', "conn.disconnected = True")
mutant(m, "exit-unclassified", "sys.exit() in an endpoint reads as an ordinary exception",
       '            error = {"errors": self.code.raised(exc), "exit": stops}',
       '            error = {"errors": self.code.raised(exc), "exit": None}')
mutant(m, "text-as-bytes", "text frames reach the app as bytes",
       '        if header.get("kind") == "text":\n', "        if False:\n")
mutant(m, "disconnect-code-lost", "the client's close code never reaches the app",
       '"code": int(header.get("code", 1005)),', '"code": 1005,')
mutant(m, "close-reason-dropped", "the app's close reason is dropped",
       'return {"op": "close", "conn": conn.id, "code": code, "reason": reason}, b""',
       'return {"op": "close", "conn": conn.id, "code": code, "reason": ""}, b""')
mutant(m, "close-default-code", "a close without a code goes out as 1001",
       '        code = message.get("code", 1000)\n', '        code = message.get("code", 1001)\n')
mutant(m, "close-unchecked", "a close code or reason no peer may receive is sent anyway",
       "        _check_close(code, reason)\n", "        pass\n")
mutant(m, "refusal-reason-dropped", "the reason of a close before accept is dropped",
       '"reason": str(message.get("reason") or "")}, b""', '"reason": ""}, b""')
mutant(m, "subprotocol-dropped", "the subprotocol the app accepts with is dropped",
       '            subprotocol = message.get("subprotocol")\n', "            subprotocol = None\n")
mutant(m, "where-unknown", "the host never says where an endpoint waits",
       "lines = self.code.suspended_at(task.get_coro()) if task is not None and not task.done() else []",
       "lines = []")
mutant(m, "return-value-ignored", "a raw ASGI app that returns a value is not reported (uvicorn logs it)",
       "            if returned is not None:\n", "            if False:\n")
mutant(m, "errors-dropped", "an endpoint's exception never reaches the judge",
       'self.emit({"op": "ended", "conn": conn.id, "error": error,', 'self.emit({"op": "ended", "conn": conn.id, "error": None,')
mutant(m, "cancel-reported", "a cancelled endpoint reports its CancelledError",
       "            if not conn.cancelled:\n", "            if True:\n",
       equivalent="the judge cancels an endpoint only while tearing a check down, after its verdict; the report "
                  "arrives for a connection nobody waits on")
mutant(m, "routes-not-sent", "the real host does not say which routes the app has",
       'channel.send({"op": "loaded", "routes": websocket_paths(app),', 'channel.send({"op": "loaded", "routes": [],')

# --- grader/host/lifespan.py ----------------------------------------------------------------------------------------

m = module("grader/host/lifespan.py", "tests/test_pinned_judge.py", "tests/test_lifespan.py")
mutant(m, "failed-as-raised", "lifespan.startup.failed is not read as a failure",
       '        if kind == "lifespan.startup.failed":\n', "        if False:\n")
mutant(m, "raised-as-unsupported", "an app that raises its own error in lifespan is taken as not supporting it",
       "if self._error is not None and not _is_unsupported(self._error):", "if False:")
mutant(m, "everything-unsupported", "every exception in lifespan means 'no lifespan'",
       "return isinstance(exc, AssertionError | KeyError | ValueError | TypeError | NotImplementedError)",
       "return True")
mutant(m, "startup-timeout-ignored", "a startup that never finishes is taken as done",
       '            raise LifespanFailed("timeout", f"{self.timeout:g}") from None\n        kind = message["type"]',
       '            return\n        kind = message["type"]')

# --- grader/host/learner.py -----------------------------------------------------------------------------------------

m = module("grader/host/learner.py", "tests/test_pinned_judge.py")
mutant(m, "frozen-frames-owned", "Python's import machinery is shown as the learner's code",
       "        if not os.path.isabs(filename):\n", "        if False:\n")
mutant(m, "libraries-owned", "frames in installed libraries are shown as the learner's code",
       "        return not (real.startswith(_LIBRARY_DIRS) or \"site-packages\" in real)", "        return True")

# --- grader/judge/source.py ----------------------------------------------------------------------------------------

m = module("grader/judge/source.py", "tests/test_pinned_spec.py", "tests/test_source.py")
mutant(m, "bare-reference-counts", "a bare reference (no call) counts as a call",
       "        if isinstance(node, ast.Call):\n            func = node.func",
       "        if isinstance(node, ast.Name | ast.Attribute):\n            func = node")
mutant(m, "method-calls-ignored", "websocket.iter_json() does not count",
       "            elif isinstance(func, ast.Attribute):\n                found[func.attr]",
       "            elif False:\n                found[func.attr]")
mutant(m, "not-calls-ignored", "forbidden calls pass", "    if banned:\n", "    if False:\n")
mutant(m, "keyword-by-dotted-name", "a keyword rule matches the call's dotted name, not its last name",
       'name = dotted(node.func).rsplit(".", 1)[-1]', "name = dotted(node.func)")
mutant(m, "keywords-ignored", "a keyword rule passes without its keyword",
       "              for c, k in rule.keywords],", "              for c, k in rule.keywords if False],")
mutant(m, "calls-ignored", "required calls need not be there", "    if missing:\n", "    if False:\n")

# --- grader/course/catalog.py --------------------------------------------------------------------------------------

m = module("grader/course/catalog.py", "tests/test_pinned_course.py", "tests/test_authoring.py",
           "tests/test_cli.py::test_check_prints_the_table_and_passes_for_a_proven_exercise",
           "tests/test_cli.py::test_check_fails_when_a_wrong_variant_slips_through",
           "tests/test_instructor_tools.py",
           "tests/test_spec_1_2.py::test_a_variant_can_ask_that_its_check_is_the_first_to_fail")
mutant(m, "first-ignored", "# expect-fail-first: passes when another check failed first",
       "    if subject.first and failed[0].name != subject.fails:", "    if False:")
mutant(m, "wrong-fails-anything", "a wrong variant is accepted if it fails any check, not the one it names",
       "    if names[subject.fails].status is Status.PASSED:", "    if not failed:")
mutant(m, "reference-may-fail", "a reference solution that fails is accepted",
       '    if subject.role in ("reference", "correct"):\n        if not failed:',
       '    if subject.role in ("reference", "correct"):\n        if True:')
mutant(m, "correct-may-fail", "a correct variant that fails is accepted",
       '        if not failed:\n            return True, "passes"',
       '        if subject.role == "correct" or not failed:\n            return True, "passes"')
mutant(m, "starter-may-pass", "a starter that passes is accepted",
       'return (True, "fails") if failed else (False, "should fail, but passes every check")',
       'return (True, "fails")')
mutant(m, "unknown-check-crashes", "a variant naming an unknown check crashes the proof",
       "    if subject.fails not in names:\n", "    if False:\n")
mutant(m, "variants-ignored", "variants are never graded", "            if variant.exercise == exercise.id:",
       "            if False:")
mutant(m, "roles-swapped", "expect: pass variants are taken as wrong ones",
       'role = "correct" if variant.fails is None else "wrong"', 'role = "wrong" if variant.fails is None else "correct"')
mutant(m, "table-counts-all", "the table counts every variant as caught",
       "            good = sum(o.ok for o in picked)", "            good = len(picked)")
mutant(m, "table-reference-always-fine", "the table never shows a reference or starter as WRONG",
       'return ("passes" if role == "reference" else "fails") if picked and picked[0].ok else "WRONG"',
       'return "passes" if role == "reference" else "fails"')
mutant(m, "problems-unexplained", "the table does not say what went wrong",
       "    if problems:\n", "    if False:\n")
mutant(m, "ungradable-accepted", "a subject that could not be graded counts as proven",
       'outcomes.append(Outcome(subject, False, f"could not be graded: {result}", 0.0))',
       'outcomes.append(Outcome(subject, True, f"could not be graded: {result}", 0.0))')
mutant(m, "variant-rules-unchecked", "grade check does not report the variant rules an exercise breaks",
       "    problems = [p for exercise in exercises for p in variant_problems(course, exercise)]",
       "    problems: list[SpecError] = []")

m = module("grader/course/variants.py", "tests/test_pinned_course.py", "tests/test_variants.py",
           "tests/test_authoring.py", "tests/test_instructor_tools.py", "tests/test_cli.py")
mutant(m, "too-few-unchecked", "an exercise with fewer variants than the course asks for passes",
       "        if count < need:\n", "        if False:\n")
mutant(m, "unknown-check-unchecked", "a variant naming a check the spec lacks is not reported",
       "for v in variants if v.exercise == ident and v.fails is not None and v.fails not in checks]",
       "for v in variants if False]")
mutant(m, "fail-without-check", "'# expect-fail:' without a check name is read as a correct variant",
       "        if not found.group(\"check\"):\n            raise SpecError", "        if False:\n            raise SpecError")
mutant(m, "headerless-ignored", "a variant without a header is silently read as correct",
       "    raise SpecError(start, f\"a variant's first line says what it proves",
       "    return Variant(path.parent.name, path, None)\n    raise SpecError(start, f\"a variant's first line says what it proves")

# --- grader/course/pytest_plugin.py ------------------------------------------------------------------------------

m = module("grader/course/pytest_plugin.py", "tests/test_pinned_course.py", "tests/test_instructor_tools.py")
mutant(m, "hidden-skipped", "the plugin grades without the hidden checks",
       "launcher=self.config.stash[_ZYGOTE], run_hidden=True)", "launcher=self.config.stash[_ZYGOTE], run_hidden=False)")
mutant(m, "wrong-may-pass", "a wrong variant that passes its check is accepted",
       "if not self.must_pass and found.status is Status.PASSED:", "if False:")
mutant(m, "reference-may-fail", "a reference or correct variant that fails a check is accepted",
       "if self.must_pass and found.status is not Status.PASSED:", "if False:")
mutant(m, "starter-may-pass", "a starter that passes every check is accepted",
       "            if result.passed:\n                raise CheckFailed", "            if False:\n                raise CheckFailed")
mutant(m, "wrong-by-any-failure", "a wrong variant counts as caught by any failing check, not the one it names",
       "if not self.must_pass and found.status is Status.PASSED:", "if not self.must_pass and result.passed:")
mutant(m, "first-ignored", "# expect-fail-first: a wrong variant that an earlier check catches first is accepted",
       "        if not self.must_pass and self.subject.first:\n", "        if False:\n")

# --- grader/course/progress.py -----------------------------------------------------------------------------------

m = module("grader/course/progress.py", "tests/test_pinned_course.py", "tests/test_progress.py", "tests/test_recording.py")
mutant(m, "pass-record-rewritten", "every pass rewrites the lesson's pass record",
       "first_pass = passed and exercise not in progress.passed", "first_pass = passed")
mutant(m, "xp-for-attempts", "a failed attempt banks the lesson's XP",
       "first_pass = passed and exercise not in progress.passed", "first_pass = exercise not in progress.passed")
mutant(m, "always-first-try", "every first pass counts as a first try",
       '"first_try": not earlier,', '"first_try": True,')
mutant(m, "failed-before-counts-all", "failed_before counts every earlier attempt",
       '"failed_before": sum(1 for a in earlier if not a.get("passed")),', '"failed_before": len(earlier),',
       equivalent="attempts before a lesson's first pass are all failures (a pass would have banked it; reset "
                  "forgets the attempts with the pass)")
mutant(m, "attempt-not-recorded", "attempts are not recorded",
       "            progress.attempts.append({\n", "            [].append({\n")
mutant(m, "level-needs-more", "a level is reached one XP after its threshold",
       "            if xp >= level.xp:\n", "            if xp > level.xp:\n")
mutant(m, "next-level-is-current", "at a threshold, the next level is the one just reached",
       "following = next((lv for lv in self.levels if lv.xp > xp), None)",
       "following = next((lv for lv in self.levels if lv.xp >= xp), None)")
mutant(m, "levels-may-tie", "two levels at the same XP are accepted",
       "any(a.xp >= b.xp for a, b in zip(levels, levels[1:], strict=False))",
       "any(a.xp > b.xp for a, b in zip(levels, levels[1:], strict=False))")
mutant(m, "passes-off-by-one", "the passes rule needs one more pass", "        return len(passed) >= n\n",
       "        return len(passed) > n\n")
mutant(m, "empty-track-earned", "an achievement for a track without lessons is earned at once",
       "return bool(lessons) and all(e in passed for e in lessons)", "return all(e in passed for e in lessons)")
mutant(m, "day-rule-by-month", "the day rule counts passes per month", 'day = str(record.get("at", ""))[:10]',
       'day = str(record.get("at", ""))[:7]')
mutant(m, "written-in-place", "the progress file is rewritten in place instead of replaced whole",
       'fd, temp = tempfile.mkstemp(prefix=".progress-", suffix=".tmp", dir=self.folder)',
       "fd, temp = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), str(self.path)")
mutant(m, "corrupt-file-replaced", "an unreadable progress file is replaced, not kept aside",
       "            os.replace(self.path, backup)\n", "            pass\n")
mutant(m, "achievements-announced-again", "achievements are announced on every pass",
       "new = tuple(a for a in unlocked(progress, rules, course) if a.id not in before_unlocked)",
       "new = tuple(unlocked(progress, rules, course))")
mutant(m, "xp-gained-is-total", "the XP gained is the total XP",
       "return Award(after_xp - before_xp, after_xp,", "return Award(after_xp, after_xp,")
mutant(m, "hints-past-the-last", "the hint tier count goes past the last hint",
       "seen = min(progress.hints_seen.get(exercise, 0) + 1, available)",
       "seen = progress.hints_seen.get(exercise, 0) + 1",
       equivalent="the count is only stored: `grade hint` shows hints[:seen] and says 'last hint' for any count at "
                  "or past the number of hints, so what the learner sees is the same")
mutant(m, "reset-one-forgets-all-attempts", "resetting one lesson forgets every lesson's attempts",
       '                progress.attempts[:] = [a for a in progress.attempts if a.get("exercise") != exercise]',
       "                progress.attempts.clear()")
mutant(m, "version-unchecked", "a progress file of another version is read",
       'if not isinstance(data, dict) or data.get("version") != STORE_VERSION:', "if not isinstance(data, dict):")
mutant(m, "same-file-recounted", "grading the same file again counts as a new attempt",
       'repeated = digest is not None and bool(earlier) and earlier[-1].get("sha256") == digest', "repeated = False")
mutant(m, "same-file-ever-seen", "a file graded once before, anywhere in the history, never counts again",
       'repeated = digest is not None and bool(earlier) and earlier[-1].get("sha256") == digest',
       'repeated = digest is not None and any(a.get("sha256") == digest for a in earlier)')
mutant(m, "digest-not-stored", "the file's digest is not stored with the attempt",
       '                    **({"sha256": digest} if digest is not None else {}),\n', "")
mutant(m, "repeat-not-said", "a repeated attempt is not reported as one",
       "new, first_pass, repeated)", "new, first_pass, False)")

# --- grader/course/batch.py and grader/cli.py (hidden checks, records) ---------------------------------------------

m = module("grader/course/batch.py", "tests/test_pinned_course.py",
           "tests/test_instructor_tools.py::test_batch_grades_a_class_and_writes_a_complete_gradebook")
mutant(m, "hidden-skipped", "grade batch skips the hidden checks",
       "    options = Options(limits=limits, run_hidden=True, transcripts=transcripts, lang=lang)",
       "    options = Options(limits=limits, run_hidden=False, transcripts=transcripts, lang=lang)")
mutant(m, "max-points-visible-only", "the gradebook's max_points leaves the hidden checks out",
       '"points": self.result.points if self.result else 0,\n            "max_points": exercise.points,',
       '"points": self.result.points if self.result else 0,\n            "max_points": sum(c.points for c in exercise.checks if not c.hidden),')
mutant(m, "passed-ignores-complete", "a row passes without the hidden checks having run",
       '"passed": bool(self.result and self.result.passed and self.result.complete),',
       '"passed": bool(self.result and self.result.passed),',
       equivalent="batch always runs the hidden checks, so every result it records is complete")

m = module("grader/cli.py", "tests/test_pinned_course.py", "tests/test_pinned_formats.py", "tests/test_recording.py",
           "tests/test_format_specs.py", "tests/test_cli.py", "tests/test_authoring.py")
mutant(m, "check-hidden-skipped", "grade check skips the hidden checks",
       "Options(limits=course.limits, run_hidden=True), opts.jobs)",
       "Options(limits=course.limits, run_hidden=False), opts.jobs)")
mutant(m, "check-exit-zero", "grade check exits 0 whatever it found", "return 0 if bad == 0 and not problems else 1",
       "return 0")
mutant(m, "check-variant-rules-pass", "grade check exits 0 when an exercise breaks the variant rules",
       "return 0 if bad == 0 and not problems else 1", "return 0 if bad == 0 else 1")
mutant(m, "uvicorn-recorded", "a --server uvicorn run is recorded as an attempt",
       "        opts.no_record = True  # a confirmation, not an attempt\n", "        pass\n")
mutant(m, "submit-runs-hidden", "grade submit runs the hidden checks on the learner's machine",
       "    result = grade(exercise, app_path, Options(attr=attr, lang=lang, limits=course.limits))\n    if _take(",
       "    result = grade(exercise, app_path, Options(attr=attr, lang=lang, limits=course.limits, run_hidden=True))\n"
       "    if _take(")
mutant(m, "exercism-exit-one", "the Exercism runner exits 1 when a test fails",
       'code = 0 if result.passed or opts.format == "exercism" else 1', "code = 0 if result.passed else 1")

m = module("grader/course/learn.py", "tests/test_recording.py", "tests/test_guided.py", "tests/test_pinned_course.py")
mutant(m, "show-lists-hidden", "grade show lists hidden checks by name",
       "                                                         for check in visible]",
       "                                                         for check in exercise.checks]")
mutant(m, "course-starter-recorded", "grading the course's own starter file records an attempt",
       "    if resolved.is_relative_to(course.starters.resolve()):\n", "    if False:\n")
mutant(m, "starter-copy-recorded", "grading an untouched copy of the starter that fails records an attempt",
       '    if not passed and _same(course.starters / f"{exercise.id}.py", content):\n', "    if False:\n")
mutant(m, "reference-copy-not-counted", "a learner's file identical to the reference is not counted as theirs",
       '        return True, t("same_as_reference", lang)', '        return False, t("same_as_reference", lang)')
mutant(m, "variant-recorded", "grading one of the course's wrong variants records an attempt",
       "for folder in (course.solutions, course.variants)):", "for folder in (course.solutions,)):")
mutant(m, "reference-recorded", "grading the reference solution itself records an attempt",
       "for folder in (course.solutions, course.variants)):", "for folder in (course.variants,)):")
mutant(m, "not-yours-recorded", "grading the course's own files records an attempt",
       "        reason = not_yours(self.course, self.exercise, app, self.lang)\n", "        reason = None\n")
mutant(m, "digest-not-passed", "the same file graded again counts as a new attempt",
       "digest=hashlib.sha256(content).hexdigest())", "digest=None)")
mutant(m, "xp-needs-complete-run", "XP is banked only by a run with every hidden check",
       "award = store.record(self.exercise.id, self.exercise.xp, result.passed, result.passed_count,",
       "award = store.record(self.exercise.id, self.exercise.xp, result.passed and result.complete, result.passed_count,")
mutant(m, "watch-repeats-recorded", "in watch mode a save with the same verdict is recorded as a new attempt",
       "        if self.watching and verdict == self.last and", "        if False and")


# --- grader/render: scores ------------------------------------------------------------------------------------------

m = module("grader/render/gradescope.py", "tests/test_pinned_formats.py", "tests/test_formats.py",
           "tests/test_format_specs.py")
mutant(m, "max-score-drops-hidden", "max_score leaves out the hidden checks' points",
       '"max_score": result.max_points + result.hidden_points,', '"max_score": result.max_points,')
mutant(m, "score-is-max", "the score is the maximum", '"score": result.points,', '"score": result.max_points,')
mutant(m, "test-score-is-max", "each test scores its maximum", '"score": check.points,', '"score": check.max_points,')
mutant(m, "hidden-visible", "hidden checks are visible at once",
       '"visibility": HIDDEN if check.hidden else "visible",', '"visibility": "visible",')
mutant(m, "pending-hidden-unlisted", "hidden checks not run are not listed as a test (the sum over tests is short)",
       "    if result.hidden_pending:\n", "    if False:\n")
mutant(m, "summary-tells-hidden", "the top-level output counts the hidden checks' results",
       "    visible = [c for c in result.checks if not c.hidden]", "    visible = list(result.checks)")
mutant(m, "status-always-passed", "every test says passed",
       '"status": "passed" if check.status is Status.PASSED else "failed",', '"status": "passed",')
mutant(m, "no-output", "failed tests carry no explanation", '"output": failure_text(check),', '"output": "",')

m = module("grader/render/exercism.py", "tests/test_pinned_formats.py", "tests/test_formats.py",
           "tests/test_format_specs.py")
mutant(m, "errors-as-fails", "a crash or exception reads as a plain failure",
       'status = "pass" if check.passed else ("error" if _errored(check) else "fail")',
       'status = "pass" if check.passed else "fail"')
mutant(m, "import-error-not-top-level", "a file that cannot be imported is not an error at the top",
       "        if failure.kind is Kind.IMPORT:\n            return failure.message",
       "        if False:\n            return failure.message")
mutant(m, "output-uncut", "the output is not cut at 500 characters",
       "    if len(text) <= OUTPUT_LIMIT:\n", "    if True:\n")
mutant(m, "task-id-dropped", "tests carry no task_id",
       '            if spec.task is not None:\n                test["task_id"]', '            if False:\n                test["task_id"]')
mutant(m, "hidden-name-shown", "a hidden check is listed under its own name",
       'tests.append({"name": f"hidden check {hidden}", "status": status, "test_code": HIDDEN_CODE,',
       'tests.append({"name": check.name, "status": status, "test_code": HIDDEN_CODE,')
mutant(m, "paths-absolute", "messages name the learner's files by absolute path",
       "            text = text.replace(prefix, \"\")\n", "            pass\n")
mutant(m, "test-code-dropped", "tests carry no test_code",
       '            test["test_code"] = steps_text(spec, written.get(check.name))\n', "            pass\n")
mutant(m, "hidden-failure-silent", "a hidden check that failed says nothing",
       '    if check.passed:\n        return None\n    kind =', '    if True:\n        return None\n    kind =')

m = module("grader/render/junit.py", "tests/test_pinned_formats.py", "tests/test_formats.py",
           "tests/test_format_specs.py")
mutant(m, "errors-as-failures", "exceptions, hangs and crashes count as failures",
       "    return kind in (Kind.ERROR, Kind.HANG, Kind.CRASH, Kind.IMPORT, Kind.INTERNAL)", "    return False")
mutant(m, "skipped-uncounted", "checks not run are not counted as skipped",
       "    skipped = sum(c.status is Status.NOT_RUN and not _is_error(", "    skipped = 0 * sum(c.status is Status.NOT_RUN and not _is_error(",
       equivalent="unreachable today: every check not run carries a HANG failure (run.py: a freeze or the run deadline), which is an error; no run produces a check not run without one")
mutant(m, "not-run-as-failed", "checks not run are reported as failed or errors",
       "        if check.status is Status.NOT_RUN and not _is_error(kind):\n", "        if False:\n",
       equivalent="unreachable today: every check not run carries a HANG failure (run.py: a freeze or the run deadline), which is an error; no run produces a check not run without one")
mutant(m, "import-error-skipped", "checks a file that will not import could not run are skipped, not errors",
       "        if check.status is Status.NOT_RUN and not _is_error(kind):\n", "        if check.status is Status.NOT_RUN:\n")
mutant(m, "xml-unsafe", "control characters the learner printed are written raw (malformed XML)",
       "    return _NOT_XML.sub(", "    return text\n    return _NOT_XML.sub(")
mutant(m, "errors-uncounted", "the suite's errors attribute is 0", "    errors = sum(c.status is not Status.PASSED and",
       "    errors = 0 * sum(c.status is not Status.PASSED and")

# --- grader/judge/unordered.py ------------------------------------------------------------------------------------

m = module("grader/judge/unordered.py", "tests/test_spec_1_1.py", "tests/test_pinned_1_1.py")
mutant(m, "greedy-pairing", "messages are paired greedily: a pairing that needs a matcher to move is missed",
       "if current is None or place(current, seen):", "if current is None:")
mutant(m, "one-message-twice", "one message may answer two matchers",
       "            if good and j not in seen:\n", "            if good:\n                owner[j] = None\n")
mutant(m, "wrong-matcher-named", "the matcher left without a message is not the one named",
       "            return None, i\n", "            return None, 0\n")

# --- grader/host/sandbox.py (the protections, observed from inside the app) -----------------------------------

m = module("grader/host/sandbox.py", "tests/test_sandbox.py", "tests/test_trust.py")
mutant(m, "cpu-limit-dropped", "the CPU-time rlimit is not applied",
       '        "cpu_seconds": (resource.RLIMIT_CPU, 1),\n', "")
mutant(m, "memory-limit-dropped", "the address-space rlimit is not applied",
       '        "memory_mb": (resource.RLIMIT_AS, 1 << 20),\n', "")
mutant(m, "file-limit-dropped", "the file-size rlimit is not applied",
       '        "file_mb": (resource.RLIMIT_FSIZE, 1 << 20),\n', "")
mutant(m, "descriptor-limit-dropped", "the open-descriptor rlimit is not applied",
       '        "open_files": (resource.RLIMIT_NOFILE, 1),\n', "")
mutant(m, "limit-in-wrong-unit", "memory is limited in kilobytes read as bytes",
       '        "memory_mb": (resource.RLIMIT_AS, 1 << 20),', '        "memory_mb": (resource.RLIMIT_AS, 1 << 10),')
mutant(m, "no-new-privs-unset", "no_new_privs is not set",
       "            libc.call(\"prctl\", PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0)\n", "            pass\n")
mutant(m, "descriptors-inherited", "descriptors the launcher or template left open stay open in the sandbox",
       "    _close_other_descriptors(keep)\n", "    pass\n")
mutant(m, "environment-inherited", "the host's environment reaches the app",
       "    os.environ.clear()\n", "    pass\n")

# --- grader/judge/launch.py (starting and ending hosts) ------------------------------------------------------------

m = module("grader/judge/launch.py", "tests/test_launch.py", "tests/test_sandbox.py", "tests/test_trust.py")
mutant(m, "killed-by-pid", "the host is killed by pid, not by process group: what it started lives on",
       "            with contextlib.suppress(ProcessLookupError, PermissionError):\n                os.killpg(self.pid, signal.SIGKILL)\n",
       "")
mutant(m, "no-own-session", "a spawned host does not lead a process group of its own",
       "                             **({wire.TEMPLATE_FD_ENV: str(keep[-1])} if channel is not None else {})),\n"
       "                start_new_session=True,",
       "                             **({wire.TEMPLATE_FD_ENV: str(keep[-1])} if channel is not None else {})),\n"
       "                start_new_session=False,")

# --- grader/wire.py (the frames between judge and host) ------------------------------------------------------------

m = module("grader/wire.py", "tests/test_link.py", "tests/test_trust.py")
mutant(m, "frame-any-size", "the reader accepts a frame of any claimed size",
       "        if size < 4 or size > self.max_frame:\n", "        if size < 4:\n")
mutant(m, "header-any-size", "the reader accepts a header of any size",
       "            if head > min(size - 4, MAX_HEADER_BYTES):\n", "            if head > size - 4:\n")
mutant(m, "header-without-op", "a header without an op is accepted",
       '    if not isinstance(header, dict) or not isinstance(header.get("op"), str):\n',
       "    if not isinstance(header, dict):\n")

# --- grader/course/submit.py, grader/result.py, grader/render/text.py (what a learner hands in and reads) ---------

m = module("grader/course/submit.py", "tests/test_cli.py")
mutant(m, "written-in-place", "the package is written where it ends, not renamed into place",
       '    handle, temporary = tempfile.mkstemp(prefix=f".{out.name}.", dir=out.parent)\n    os.close(handle)\n',
       "    temporary = str(out)\n")
mutant(m, "hidden-count-dropped", "the package does not say how many hidden checks are left",
       '"hidden_checks_left": result.hidden_pending,', '"hidden_checks_left": 0,')

m = module("grader/result.py", "tests/test_formats.py", "tests/test_pinned_formats.py")
mutant(m, "not-run-as-passed", "checks that did not run are passed in JSON",
       'check["passed"] = check["status"] == Status.PASSED', 'check["passed"] = check["status"] != Status.FAILED')
mutant(m, "nothing-run-passes", "a result with no check counts as passed",
       "return bool(self.checks) and all(c.passed for c in self.checks)", "return all(c.passed for c in self.checks)")

m = module("grader/render/causes.py", "tests/test_terminal.py", "tests/test_one_cause.py", "tests/test_cli.py")
mutant(m, "hint-before-reached", "the hint is shown for a check that never reached what it tests",
       "    if not check.hint or failure is None or shared or not reached(failure):\n",
       "    if not check.hint or failure is None or shared:\n")

m = module("grader/course/intake.py", "tests/test_intake.py", "tests/test_instructor_tools.py")
mutant(m, "lone-file-missed", "a lone *.py of another name in a submission folder is not found",
       "    if len(python) == 1:\n        return python[0]\n", "    if False:\n        return python[0]\n")
mutant(m, "first-of-many-taken", "of several *.py in a submission folder, the first is graded",
       "    if len(python) == 1:\n        return python[0]\n", "    if python:\n        return python[0]\n")

# --- a second set for modules above: each at an edge a plausible slip gets wrong (a bound made exclusive, a ------
# --- default changed, a field swapped), pinned by the focused tests tests/MUTATION.md names -------------------------
m = MODULES["grader/course/batch.py"]
mutant(m, 'at-formula-unescaped', 'a CSV cell starting with @ is not made inert',
       '_FORMULA = ("=", "+", "-", "@", ', '_FORMULA = ("=", "+", "-", ')
mutant(m, 'report-names-collide', 'two submissions whose names sanitize alike write one report over the other',
       '    taken.add(candidate.lower())\n', '')
mutant(m, 'plain-name-order', 'learner10 is listed before learner2 in the gradebook',
       'sorted(path.iterdir(), key=_natural)', 'sorted(path.iterdir())')

m = MODULES["grader/course/catalog.py"]
mutant(m, 'reference-names-last-failure', 'a failing reference is reported by its last failing check, not its first',
       '        first = failed[0]\n', '        first = failed[-1]\n')
mutant(m, 'need-shown-when-met', 'the table says (need N) when the exercise has exactly N variants',
       'if len(picked) < need else ""', 'if len(picked) <= need else ""')

m = MODULES["grader/course/learn.py"]
mutant(m, 'level-up-every-pass', 'every first pass announces a level up',
       'if award.level.number > award.level_before.number:', 'if award.level.number >= award.level_before.number:')
mutant(m, 'more-hints-at-last', 'grade hint says more hints remain after the last',
       'if seen < len(exercise.hints) else', 'if seen <= len(exercise.hints) else')
mutant(m, 'to-next-counts-total', 'grade progress counts all XP towards the next level, not what was earned since this one',
       'have, need = xp - level.xp, following.xp - level.xp', 'have, need = xp, following.xp - level.xp')

m = MODULES["grader/course/progress.py"]
mutant(m, 'reset-keeps-hints', 'grade reset ID keeps the hints seen for that lesson',
       '                progress.hints_seen.pop(exercise, None)\n', '')
mutant(m, 'levels-may-start-above-zero', 'levels whose first needs XP load',
       'if levels[0].xp != 0 or any(', 'if any(')
mutant(m, 'at-least-default-zero', 'an achievement without at_least is earned with nothing done',
       'at_least=int(item.get("at_least", 1)),', 'at_least=int(item.get("at_least", 0)),')

m = MODULES["grader/course/pytest_plugin.py"]
mutant(m, 'any-yaml-collected', 'any YAML file in a course (a workflow, a config) is collected as a spec',
       '    if file_path.resolve().parent != course.exercises.resolve():\n        return None\n', '')
mutant(m, 'variant-problems-hidden', 'pytest exercises/ does not fail for unreadable variant headers or too few variants',
       '        if problems:\n            yield SpecErrorItem', '        if False:\n            yield SpecErrorItem')

m = MODULES["grader/course/submit.py"]
mutant(m, 'points-are-max', 'submission.json says the file scored full points here',
       '"points_here": result.points,', '"points_here": result.max_points,')

m = MODULES["grader/host/sandbox.py"]
mutant(m, 'process-limit-dropped', 'the process-count rlimit is not applied',
       '        "processes": (resource.RLIMIT_NPROC, 1),\n', '')
mutant(m, 'file-size-signal-kills', 'writing past the file-size limit kills the app (SIGXFSZ) instead of raising OSError',
       '    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)\n', '',
       equivalent="CPython itself sets SIGXFSZ to SIG_IGN at start-up (the line is belt and braces; signal.getsignal(SIGXFSZ) is SIG_IGN in a bare interpreter; cpython's _Py_RestoreSignals undoes exactly that for children). test_a_write_past_the_file_size_limit_fails_without_killing_the_app added anyway: passes both ways, fails if the file-size rlimit goes")
mutant(m, 'app-folder-writable', "the learner's folder is writable from inside the sandbox",
       '    bind(plan["app_dir"], target=wire.SANDBOX_APP_DIR)\n', '    bind(plan["app_dir"], target=wire.SANDBOX_APP_DIR, writable=True)\n')
mutant(m, 'root-writable', "the sandbox's new root stays writable",
       'libc.call("mount", None, b"/", None, MS_BIND | MS_REMOUNT | MS_RDONLY | MS_NOSUID, None)', 'libc.call("mount", None, b"/", None, MS_BIND | MS_REMOUNT | MS_NOSUID, None)')

m = MODULES["grader/judge/clock.py"]
mutant(m, 'tie-goes-to-judge', "when the host's and the judge's timers are due together, the host is not told the time",
       'if host_next is not None and (mine is None or host_next <= mine):', 'if host_next is not None and (mine is None or host_next < mine):',
       equivalent="it differs only when a judge timer and a host timer fall on the same nanosecond; the host's clock runs with real time while it works, so a timer the app sets is always some ns after any instant the judge chose; and in a tie only the order of two same-instant events changes (the judge's timer fires one loop turn before the host is told)")

m = MODULES["grader/judge/launch.py"]
mutant(m, 'too-many-files-assumed-safe', 'a course too large to look through is taken as unreadable by strangers',
       '                return True  # too much to look at: assume the worst', '                return False  # too much to look at: assume the worst')

m = MODULES["grader/judge/link.py"]
mutant(m, 'last-words-lost', 'what a host said (stamped ahead of the clock) before its process ended is dropped',
       '                self.release_due(everything=True)  # what the host said before it ended still counts\n', '                pass\n')
mutant(m, 'dead-host-leaves-clients-waiting', 'when the host dies, its open connections are not ended for their clients',
       '                conn.outgoing.put_nowait(None)\n', '                pass\n')

m = MODULES["grader/judge/relayconn.py"]
mutant(m, 'abrupt-leave-as-1000', 'a client that leaves without a close frame reads as a normal close (1000) in the app',
       '"code": message.get("code", 1006),', '"code": message.get("code", 1000),',
       equivalent="the default is unreachable: every websocket.disconnect the relay forwards comes from grader/judge/framestream.py (Left/Failed, always with a code: clientframes.Left.code is an int) and framestream's own aclose() sends no disconnect message")
mutant(m, 'shutdown-close-1001', "clients see 1001 instead of uvicorn's 1012 when the app shuts down",
       'conn.outgoing.put_nowait({"type": "websocket.close", "code": 1012, "reason": ""})', 'conn.outgoing.put_nowait({"type": "websocket.close", "code": 1001, "reason": ""})')
mutant(m, 'max-size-exclusive', 'a client message of exactly 16 MiB is refused (1009)',
       'size > MAX_INCOMING:', 'size >= MAX_INCOMING:')

m = MODULES["grader/judge/source.py"]
mutant(m, 'any-needs-all', 'match: any fails unless every listed item is present',
       'not any(present for _, present in wanted)', 'not all(present for _, present in wanted)')
mutant(m, 'banned-lines-first-only', 'a forbidden call used on several lines is reported on its first line only',
       'lines = ", ".join(str(n) for n in sorted(set(called[name])))', 'lines = str(called[name][0])')
mutant(m, 'dotted-suffix-unmet', 'a rule for BaseModel is not met by pydantic.BaseModel',
       'return any(n == wanted or n.endswith("." + wanted) or n.startswith(wanted + ".") for n in names)', 'return any(n == wanted or n.startswith(wanted + ".") for n in names)')

m = MODULES["grader/render/exercism.py"]
mutant(m, 'output-at-limit-cut', 'output of exactly 500 characters is cut',
       '    if len(text) <= OUTPUT_LIMIT:\n', '    if len(text) < OUTPUT_LIMIT:\n')
mutant(m, 'one-not-run-is-error', 'one check not run makes the whole result an error',
       'if all(c.status is Status.NOT_RUN for c in result.checks):', 'if any(c.status is Status.NOT_RUN for c in result.checks):')

m = MODULES["grader/render/gradescope.py"]
mutant(m, 'sandbox-warning-dropped', 'the Gradescope output does not warn that protections were off',
       '        summary = result.protection_note() + "\\n" + summary\n', '        pass\n')

m = MODULES["grader/render/junit.py"]
mutant(m, 'check-output-dropped', "a failed check's own output is not in its testcase's system-out",
       '        if check.output:\n', '        if False:\n')
mutant(m, 'hang-as-failure', 'a blocked event loop counts as a failure, not an error',
       'return kind in (Kind.ERROR, Kind.HANG, Kind.CRASH, Kind.IMPORT, Kind.INTERNAL)', 'return kind in (Kind.ERROR, Kind.CRASH, Kind.IMPORT, Kind.INTERNAL)')

m = MODULES["grader/result.py"]
mutant(m, 'where-outermost', 'an exception is placed at the outermost learner frame, not the line that raised',
       'return self.frames[-1] if self.frames else None', 'return self.frames[0] if self.frames else None')
mutant(m, 'carriage-return-raw', 'a carriage return (and VT/FF) the learner printed reaches the terminal raw',
       '*range(0x0B, 0x20)', '*range(0x0E, 0x20)')

m = MODULES["grader/spec/match.py"]
mutant(m, 'literal-lost-in-arrays', '$eq reads operators inside an array it holds',
       'found = match(e, a, f"{path}[{i}]", literal=literal, captures=captures)', 'found = match(e, a, f"{path}[{i}]", captures=captures)')
mutant(m, 'concat-empty-loads', 'an empty $concat loads (sends or expects the empty string)',
       '        if not isinstance(operand.value, list) or not operand.value:\n            errors.append(SpecError(operand.mark, "$concat', '        if not isinstance(operand.value, list):\n            errors.append(SpecError(operand.mark, "$concat')

m = MODULES["grader/spec/operators/capture.py"]
mutant(m, 'match-unvalidated', 'the matcher inside {$capture: {as, match}} is not checked at load',
       '            validate(operand.value["match"])\n', '')

m = MODULES["grader/spec/operators/datetime_.py"]
mutant(m, 'within-exclusive', '$datetime refuses a time exactly `within` seconds away',
       '        if off > within:', '        if off >= within:')

m = MODULES["grader/spec/operators/one_of.py"]
mutant(m, 'never-if-any-branch-never', 'a $one_of with one branch that cannot match the kind is refused as never matching',
       'return all(never(m, kinds) for m in operand)', 'return any(never(m, kinds) for m in operand)')

m = MODULES["grader/spec/steps/ends_cleanly.py"]
mutant(m, 'keyerror-bytes-unexplained', "a KeyError 'bytes' after the client left gets the generic explanation",
       'in ("text", "bytes"):', 'in ("text",):')

m = MODULES["grader/spec/steps/repeat.py"]
mutant(m, 'times-zero-loads', 'repeat: {times: 0} (checks nothing) loads',
       '"times", default=1, minimum=1)', '"times", default=1, minimum=0)')

m = MODULES["grader/wire.py"]
mutant(m, 'scheme-as-http', "the app's scope says http/https instead of ws/wss",
       '"scheme": {"http": "ws", "https": "wss"}.get(scope.get("scheme", "ws"), scope.get("scheme", "ws")),', '"scheme": scope.get("scheme", "ws"),')
mutant(m, 'to-ns-may-fall-short', 'a time sent on the wire may read back a nanosecond before the timer it stands for',
       '    while ns / 1e9 < when:\n        ns += 1\n', '')

del m

# The module's own focused tests, run first for each of its mutants; the full suite runs only to confirm a
# mutant they let through. A module missing here meets the tests listed with it above first.
OWN: dict[str, tuple[str, ...]] = {
    "grader/spec/match.py": ("tests/test_verdict_rules.py", "tests/test_match.py", "tests/test_pinned_spec.py",
                             "tests/test_pinned_1_1.py", "tests/test_spec_1_1.py"),
    "grader/judge/unordered.py": ("tests/test_verdict_rules.py",),
    **{f"grader/spec/{name}.py": ("tests/test_verdict_rules.py", "tests/test_match.py", "tests/test_pinned_spec.py",
                                  "tests/test_pinned_1_1.py", "tests/test_spec_1_1.py", "tests/test_spec.py")
       for name in ("mismatch", "operators/re_", "operators/datetime_", "operators/type_", "operators/any_",
                    "operators/one_of", "operators/capture", "operators/numeric")},
    "grader/judge/conversation.py": ("tests/test_verdict_rules.py", "tests/test_conversation.py",
                                     "tests/test_pinned_judge.py::"
                                     "test_a_host_whose_endpoint_ignores_cancellation_grades_no_further_check"),
    "grader/judge/source.py": ("tests/test_verdict_rules.py", "tests/test_source.py"),
    "grader/host/lifespan.py": ("tests/test_verdict_rules.py", "tests/test_lifespan.py"),
    "grader/host/sandbox.py": ("tests/test_protections.py", "tests/test_sandbox.py"),
    "grader/judge/launch.py": ("tests/test_protections.py", "tests/test_launch.py"),
    "grader/wire.py": ("tests/test_wire.py", "tests/test_link.py"),
    "grader/judge/link.py": ("tests/test_link.py", "tests/test_wire.py", "tests/test_link_frames.py"),
    "grader/judge/driver.py": ("tests/test_link_frames.py", "tests/test_pinned_judge.py", "tests/test_conversation.py"),
    "grader/course/catalog.py": ("tests/test_ci_rules.py",),
    "grader/course/pytest_plugin.py": ("tests/test_ci_rules.py",),
    "grader/course/batch.py": ("tests/test_ci_rules.py", "tests/test_records.py"),
    "grader/course/submit.py": ("tests/test_ci_rules.py",),
    "grader/course/progress.py": ("tests/test_records.py", "tests/test_progress.py"),
    "grader/result.py": ("tests/test_records.py",),
    "grader/render/causes.py": ("tests/test_records.py",),
    "grader/course/intake.py": ("tests/test_ci_rules.py", "tests/test_records.py"),
    "grader/cli.py": ("tests/test_records.py", "tests/test_ci_rules.py"),
    "grader/course/learn.py": ("tests/test_ci_rules.py", "tests/test_recording.py",
                               "tests/test_pinned_course.py::test_a_local_pass_banks_the_lessons_xp_though_hidden_checks_are_pending"),
    "grader/judge/clock.py": ("tests/test_clock.py", "tests/test_host_clock.py", "tests/test_clock_rules.py",
                              "tests/test_clocks.py", "tests/test_link_frames.py::test_a_host_past_the_run_deadline_is_overtime",
                              "tests/test_link_frames.py::test_a_host_that_says_busy_without_progress_is_frozen"),
    "grader/host/clock.py": ("tests/test_host_clock.py", "tests/test_clock_rules.py", "tests/test_clocks.py",
                             "tests/test_monotonic.py"),
    "grader/judge/hostframes.py": ("tests/test_host_frames.py", "tests/test_link_frames.py"),
}
for _path, _own in OWN.items():
    MODULES[_path].own = _own
FULL_SUITE = ("tests/",)


# --- the runner ------------------------------------------------------------------------------------------------------


@dataclass
class Outcome:
    mutant: Mutant
    verdict: str  # killed, timeout, killed-full (only by the full suite), survived, equivalent, stale, error
    seconds: float = 0.0
    detail: str = ""


_IDS = [mu.id for mod in MODULES.values() for mu in mod.mutants]
assert len(_IDS) == len(set(_IDS)), f"mutant ids used twice: {sorted({i for i in _IDS if _IDS.count(i) > 1})}"


def mutated(source: str, mut: Mutant) -> str:
    """The source with the mutant's edits applied; ValueError if an edit no longer matches exactly once."""
    text = source
    for old, new in mut.edits:
        count = text.count(old)
        if count != 1:
            raise ValueError(f"{count} matches for {old.splitlines()[0].strip()[:70]!r}")
        text = text.replace(old, new)
    if text == source:
        raise ValueError("the edit changes nothing")
    compile(text, "<mutant>", "exec")
    return text


def dirty(paths: list[str]) -> list[str]:
    proc = subprocess.run(["git", "status", "--porcelain", "--", *paths], cwd=ROOT, capture_output=True, text=True)
    if proc.returncode != 0:
        raise SystemExit(f"mutate: git status failed here ({ROOT}): {proc.stderr.strip()}")
    return [line[3:] for line in proc.stdout.splitlines() if line.strip()]


def imported_from_here() -> bool:
    proc = subprocess.run([sys.executable, "-c", "import grader, sys; sys.stdout.write(grader.__file__)"],
                          cwd=ROOT / "tests", capture_output=True, text=True)
    found = Path(proc.stdout.strip()).resolve() if proc.returncode == 0 and proc.stdout else None
    return found is not None and found.is_relative_to(ROOT)


def drop_bytecode(path: Path) -> None:
    cache = path.parent / "__pycache__"
    for pyc in cache.glob(f"{path.stem}.*.pyc"):
        with contextlib.suppress(OSError):
            pyc.unlink()


def run_tests(tests: tuple[str, ...], timeout: float, workers: str, slow: bool = False) -> tuple[str, float, str]:
    """Run pytest; return (passed | failed | timeout | error, seconds, the first failed test or the last lines)."""
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    if slow:
        env["GRADER_SLOW_TESTS"] = "1"
    cmd = [sys.executable, "-m", "pytest", "-x", "-q", "-n", workers, "-p", "no:cacheprovider", *tests]
    started = time.monotonic()
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env,
                            start_new_session=True)
    try:
        out, _ = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.communicate()
        return "timeout", time.monotonic() - started, ""
    finally:
        if proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    seconds = time.monotonic() - started
    failed = [line.split(" - ")[0].removeprefix("FAILED ").removeprefix("ERROR ")
              for line in out.splitlines() if line.startswith(("FAILED tests/", "ERROR tests/"))]
    tail = failed[0] if failed else "\n".join(out.strip().splitlines()[-3:])
    if proc.returncode == 0:
        return "passed", seconds, tail
    if proc.returncode in (1, 2, 3) or failed:  # failed, interrupted (a collection error), internal error
        # A test reported failed whatever the exit status (pytest ended by a signal after its summary).
        return "failed", seconds, tail
    return "error", seconds, tail  # 4: usage error, 5: nothing collected


def existing(tests: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(t for t in tests if (ROOT / t.split("::")[0]).exists())


def run_module(mod: Module, chosen: list[Mutant], timeout: float, workers: str, baseline: bool,
               confirm: tuple[str, ...] | None, confirm_timeout: float) -> list[Outcome]:
    """Each mutant against the module's own tests; a survivor then against ``confirm`` (the full suite)."""
    path = ROOT / mod.path
    original = path.read_bytes()
    stat = path.stat()
    source = original.decode("utf-8")
    outcomes: list[Outcome] = []
    tests = existing(mod.first)
    confirmable: list[bool] = []  # whether the confirming run passes unmutated (run once, when first needed)
    if baseline:
        state, seconds, tail = run_tests(tests, timeout, workers, mod.slow)
        print(f"  baseline: {state} in {seconds:.0f} s", flush=True)
        if state != "passed":
            return [Outcome(mu, "error", 0, f"baseline {state}: {tail}") for mu in chosen]
    for mu in chosen:
        try:
            text = mutated(source, mu)
        except (ValueError, SyntaxError) as exc:
            outcomes.append(Outcome(mu, "stale", 0, str(exc)))
            print(f"  {mu.id:<50} stale: {exc}", flush=True)
            continue
        try:
            path.write_text(text, encoding="utf-8")
            # A distinct mtime, and no cached bytecode, so no process runs a stale compiled module.
            os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 2_000_000_000))
            drop_bytecode(path)
            state, seconds, tail = run_tests(tests, timeout, workers, mod.slow)
            if state == "passed" and confirm and not mu.equivalent and not confirmable:
                path.write_bytes(original)
                drop_bytecode(path)
                clean, _, clean_tail = run_tests(confirm, confirm_timeout, workers, mod.slow)
                confirmable.append(clean == "passed")
                print(f"  confirming baseline: {clean}" + ("" if clean == "passed" else f" ({clean_tail})"), flush=True)
                path.write_text(text, encoding="utf-8")
                os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 2_000_000_000))
                drop_bytecode(path)
            if state == "passed" and confirm and not mu.equivalent and confirmable[0]:
                print(f"  {mu.id:<50} survived its module's tests ({seconds:.0f} s); confirming with "
                      f"{' '.join(confirm)}", flush=True)
                wide, more, wide_tail = run_tests(confirm, confirm_timeout, workers, mod.slow)
                seconds += more
                if wide in ("failed", "timeout"):
                    state, tail = "killed-full", wide_tail
        finally:
            path.write_bytes(original)
            os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))
            drop_bytecode(path)
        verdict = {"failed": "killed", "passed": "survived", "timeout": "timeout",
                   "killed-full": "killed-full"}.get(state, "error")
        if verdict == "survived" and mu.equivalent:
            verdict = "equivalent"
        outcomes.append(Outcome(mu, verdict, seconds, tail))
        by = f"  by {tail}" if verdict in ("killed", "killed-full") and "\n" not in tail else ""
        print(f"  {mu.id:<50} {verdict:<11} {seconds:5.0f} s{by}", flush=True)
    return outcomes


def table(results: dict[str, list[Outcome]], markdown: bool, wider: str = "the full suite") -> str:
    """Per module: the score of its own tests alone, and with the full suite where survivors were confirmed."""
    rows = []
    total = {"mutants": 0, "killed": 0, "full": 0, "equivalent": 0, "survived": 0}
    for path, outcomes in results.items():
        # Stale mutants and those whose baseline failed (an error) were not measured: they do not count.
        runnable = [o for o in outcomes if o.verdict not in ("stale", "error")]
        killed = sum(o.verdict in ("killed", "timeout") for o in runnable)
        full = [o.mutant.id for o in runnable if o.verdict == "killed-full"]
        # Judged equivalent and let through by the tests. One judged equivalent that a test kills counts as
        # killed: the test shows a difference, so the judgement was wrong (reported under the table).
        equivalent = [o.mutant.id for o in runnable if o.verdict == "equivalent"]
        survived = [o.mutant.id for o in runnable if o.verdict == "survived"]
        counted = len(runnable) - len(equivalent)
        own = f"{100 * killed / counted:.0f}%" if counted else "-"
        wide = f"{100 * (killed + len(full)) / counted:.0f}%" if counted else "-"
        rows.append((path, str(len(runnable)), str(killed), ", ".join(full) or "-", ", ".join(survived) or "-",
                     ", ".join(equivalent) or "-", own, wide))
        total["mutants"] += len(runnable)
        total["killed"] += killed
        total["full"] += len(full)
        total["equivalent"] += len(equivalent)
        total["survived"] += len(survived)
    head = ("module", "mutants", "killed by its own tests", f"killed only by {wider}", "survived",
            "equivalent", "module-only score", f"with {wider}")
    counted = total["mutants"] - total["equivalent"]
    overall = (f"module-only score: {100 * total['killed'] / counted:.0f}%, with {wider}: "
               f"{100 * (total['killed'] + total['full']) / counted:.0f}%" if counted else "score: -")
    summary = (f"{total['mutants']} mutants, {total['killed']} killed by their module's own tests, {total['full']} "
               f"only by {wider}, {total['survived']} survived, {total['equivalent']} equivalent; {overall}")
    if markdown:
        lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
        lines += ["| " + " | ".join(f"`{c}`" if i == 0 else c for i, c in enumerate(r)) + " |" for r in rows]
        return "\n".join(lines) + "\n\n" + summary + "\n"
    lines = [f"{r[0]:<34} {r[1]:>4} {r[2]:>4} own {r[6]:>5} wider {r[7]:>5}  killed only by {wider}: {r[3]}  "
             f"survived: {r[4]}  equivalent: {r[5]}" for r in rows]
    return "\n".join(lines) + "\n\n" + summary + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--module", action="append", default=[], help="a module path, e.g. grader/spec/match.py")
    parser.add_argument("--id", action="append", default=[], help="a mutant id, e.g. match.subset-ignores-values")
    parser.add_argument("--list", action="store_true", help="list the mutants (checked against the source) and exit")
    parser.add_argument("--include-equivalent", action="store_true", help="run the mutants judged equivalent too")
    parser.add_argument("--timeout", type=float, default=300, help="seconds per mutant's test run (default 300)")
    parser.add_argument("--workers", default="0", help="pytest -n value (default 0: no xdist, the machine is shared)")
    parser.add_argument("--no-baseline", action="store_true", help="skip the unmutated run of each module's tests")
    parser.add_argument("--confirm", choices=("full", "listed", "none"), default="full",
                        help="what a survivor of the module's own tests meets next: the full suite (default), the "
                             "tests listed for the module, or nothing")
    parser.add_argument("--confirm-timeout", type=float, default=3600, help="seconds for a confirming run (default 3600)")
    parser.add_argument("--markdown", action="store_true", help="print the table as Markdown")
    opts = parser.parse_args(argv)

    unknown = [p for p in opts.module if p not in MODULES]
    if unknown:
        parser.error(f"unknown module {', '.join(unknown)}; known: {', '.join(MODULES)}")
    modules = [MODULES[p] for p in (opts.module or MODULES)]
    if opts.id:
        known = {mu.id for mod in MODULES.values() for mu in mod.mutants}
        missing = [i for i in opts.id if i not in known]
        if missing:
            parser.error(f"unknown mutant {', '.join(missing)}")
        modules = [mod for mod in modules if any(mu.id in opts.id for mu in mod.mutants)]

    def chosen(mod: Module) -> list[Mutant]:
        return [mu for mu in mod.mutants
                if (not opts.id or mu.id in opts.id) and (opts.include_equivalent or opts.id or not mu.equivalent)]

    if opts.list:
        bad = 0
        for mod in modules:
            source = (ROOT / mod.path).read_text(encoding="utf-8")
            print(f"{mod.path}  (its own tests: {' '.join(mod.first)}; listed: {' '.join(mod.tests)})")
            for mu in mod.mutants:
                try:
                    mutated(source, mu)
                    state = "equivalent" if mu.equivalent else "ok"
                except (ValueError, SyntaxError) as exc:
                    state, bad = f"STALE ({exc})", bad + 1
                print(f"  {mu.id:<50} {state:<10} {mu.what}")
        print(f"\n{sum(len(mod.mutants) for mod in modules)} mutants in {len(modules)} modules, {bad} stale")
        return 1 if bad else 0

    changed = dirty([mod.path for mod in modules])
    if changed:
        print("mutate: refusing to run: these target modules have uncommitted changes (commit or stash them "
              "first, so that restoring them is never in doubt):\n  " + "\n  ".join(changed), file=sys.stderr)
        return 2
    if not imported_from_here():
        print(f"mutate: refusing to run: {sys.executable} does not import grader from {ROOT} "
              "(pip install -e . in this checkout's environment)", file=sys.stderr)
        return 2

    def stop(signum: int, _frame: object) -> None:
        raise KeyboardInterrupt(f"signal {signum}")

    signal.signal(signal.SIGTERM, stop)
    started = time.monotonic()
    results: dict[str, list[Outcome]] = {}
    try:
        for mod in modules:
            picked = chosen(mod)
            if not picked:
                continue
            confirm = {"full": FULL_SUITE, "listed": existing(mod.tests), "none": ()}[opts.confirm]
            print(f"{mod.path}: {len(picked)} mutants; its own tests: {' '.join(existing(mod.first))}", flush=True)
            results[mod.path] = run_module(mod, picked, opts.timeout, opts.workers, not opts.no_baseline,
                                           confirm if confirm != existing(mod.first) else (), opts.confirm_timeout)
    except KeyboardInterrupt:
        print("\nmutate: interrupted; every file is restored", file=sys.stderr)
        return 130
    # Equivalent mutants that were not run still count in the table.
    for mod in modules:
        if mod.path in results and not opts.include_equivalent and not opts.id:
            results[mod.path] += [Outcome(mu, "equivalent") for mu in mod.mutants if mu.equivalent]
    print()
    wider = {"full": "the full suite", "listed": "the listed tests", "none": "nothing more"}[opts.confirm]
    print(table(results, opts.markdown, wider))
    survivors = [o for outcomes in results.values() for o in outcomes if o.verdict == "survived"]
    for o in survivors:
        print(f"survived: {o.mutant.id}: {o.mutant.what}")
    for o in (o for outcomes in results.values() for o in outcomes if o.verdict == "killed-full"):
        print(f"killed only by {wider} (a missing focused test): {o.mutant.id}: {o.mutant.what} ({o.detail})")
    for o in (o for outcomes in results.values() for o in outcomes if o.verdict in ("stale", "error")):
        print(f"{o.verdict}: {o.mutant.id}: {o.detail}")
    for o in (o for outcomes in results.values() for o in outcomes if o.verdict == "equivalent"):
        print(f"equivalent: {o.mutant.id}: {o.mutant.equivalent}")
    for o in (o for outcomes in results.values() for o in outcomes
              if o.mutant.equivalent and o.verdict in ("killed", "timeout", "killed-full")):
        print(f"judged equivalent, yet killed (a test sees a difference; drop its reason): {o.mutant.id}: {o.detail}")
    print(f"\n{time.monotonic() - started:.0f} s in all")
    return 1 if survivors else 0


if __name__ == "__main__":
    sys.exit(main())
