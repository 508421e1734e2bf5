"""``{$re: PATTERN}``: a string the regular expression matches in full (``.`` matches a newline too).

``{$re: {pattern: P, groups: {name: M}, says: WORDS}}`` also matches each
named group's text against the matcher M, and shows learners WORDS instead
of the pattern. WORDS is a string, or (spec 1.2) one per language like the
spec's other learner-facing texts, ``en`` required.

```yaml
- expect_text: {$re: "hello, .+!"}
- expect_text: {$re: {pattern: "(?P<n>\\d+) users", groups: {n: {$gte: 1}}, says: "a count of users"}}
- expect_json: {error: {$re: {pattern: '(?s)\\s*\\S.*', says: {en: "a message that is not empty", ko: "비어 있지 않은 메시지"}}}}
```
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any, ClassVar

from grader.errors import Mark, SpecError
from grader.spec.mismatch import Mismatch, show
from grader.spec.operators import Match, Operator, Validate
from grader.spec.suggest import did_you_mean
from grader.spec.yamlnodes import Located


class Re(Operator):
    name: ClassVar[str] = "$re"

    def schema(self) -> dict[str, Any]:
        return {
            "description": "A regular expression the whole string must match; with groups, named groups are matched too.",
            "oneOf": [
                {"type": "string"},
                {"type": "object", "properties": {"pattern": {"type": "string"},
                                                  "says": {"description": "The pattern in words, shown to "
                                                                          "learners instead of the pattern: a "
                                                                          "string, or one per language (1.2).",
                                                           "$ref": "#/$defs/text"},
                                                  "groups": {"type": "object",
                                                             "additionalProperties": {"$ref": "#/$defs/matcher"}}},
                 "required": ["pattern"], "additionalProperties": False},
            ],
        }

    def validate(self, operand: Located, errors: list[SpecError], validate: Validate) -> None:
        groups: dict[str, Located] = {}
        pattern = operand
        if isinstance(operand.value, dict):
            unknown = [k for k in operand.value if k not in ("pattern", "groups", "says")]
            for key in unknown:
                errors.append(SpecError(operand.key_mark(key),
                                        f"unknown key {key!r} in $re{did_you_mean(key, ('pattern', 'groups', 'says'))}"))
            says = operand.value.get("says")
            if says is not None and isinstance(says.value, dict):
                errors += _texts_problems(says)
            elif says is not None and not (isinstance(says.value, str) and says.value.strip()):
                errors.append(SpecError(says.mark, "$re says is the pattern in words for learners, a non-empty "
                                                   "string or one per language ({en: ..., ko: ...})"))
            if "pattern" not in operand.value:
                errors.append(SpecError(operand.mark, "$re needs a pattern"))
                return
            pattern = operand.value["pattern"]
            if "groups" in operand.value:
                node = operand.value["groups"]
                if not isinstance(node.value, dict):
                    errors.append(SpecError(node.mark, f"$re groups needs a mapping of group names to matchers, not {node.kind}"))
                else:
                    groups = node.value
        if not isinstance(pattern.value, str):
            errors.append(SpecError(pattern.mark, f"$re needs a pattern string, not {pattern.kind}"))
            return
        try:
            compiled = re.compile(pattern.value)
        except re.error as exc:
            errors.append(SpecError(pattern.mark, f"invalid regular expression: {exc}"))
            return
        for name, matcher in groups.items():
            if name not in compiled.groupindex:
                errors.append(SpecError(matcher.mark, f"the pattern has no group named {name!r}; write (?P<{name}>...)"))
            validate(matcher)

    def match(self, operand: Any, actual: Any, path: str, match: Match) -> Mismatch | None:
        pattern = operand["pattern"] if isinstance(operand, dict) else operand
        found = re.fullmatch(pattern, actual, re.DOTALL) if isinstance(actual, str) else None
        if found is None:
            return Mismatch(path, self.explain(operand, _explain) if isinstance(operand, dict) else
                            f"a string matching /{pattern}/", show(actual))
        for name, sub in (operand.get("groups", {}) if isinstance(operand, dict) else {}).items():
            mismatch = match(sub, found.group(name), f"{path}<{name}>")
            if mismatch:
                return mismatch
        return None

    def explain(self, operand: Any, explain: Callable[[Any], str]) -> str:
        if isinstance(operand, dict):
            parts = ", ".join(f"{name} = {explain(m)}" for name, m in operand.get("groups", {}).items())
            # A learner reads the instructor's words (`says`), not the pattern, when there are some. In
            # English: what English reports show, and the key a report in another language finds the
            # author's own words for it by (grader.matchwords).
            said = _english(operand.get("says")) or f"a string matching /{operand['pattern']}/"
            return said + (f" where {parts}" if parts else "")
        return f"a string matching /{operand}/"

    def never(self, operand: Any, kinds: frozenset[str], never: Callable[[Any, frozenset[str]], bool]) -> bool:
        return "str" not in kinds

    def later_forms(self, operand: Located) -> list[tuple[Mark, str, float]]:
        says = operand.value.get("says") if isinstance(operand.value, dict) else None
        if says is None or not isinstance(says.value, dict):
            return []
        return [(says.mark, "$re says in each language", 1.2)]

    def texts(self, operand: Located) -> list[dict[str, str]]:
        says = operand.value.get("says") if isinstance(operand.value, dict) else None
        if says is None or not isinstance(says.value, dict):
            return []
        text = {lang: node.value for lang, node in says.value.items() if isinstance(node.value, str)}
        return [text] if "en" in text else []


def _english(says: Any) -> str | None:
    """The English words of a ``says``: the string itself, or the mapping's ``en``."""
    return says.get("en") if isinstance(says, dict) else says


def _texts_problems(says: Located) -> list[SpecError]:
    """What is wrong with ``says`` in each language, read as the spec's other texts are (en required)."""
    from grader.spec.shapes import ShapeReader  # the shapes read matchers: imported when used, not at start

    reader = ShapeReader()
    reader.text(says, "$re says")
    return reader.errors


def _explain(matcher: Any) -> str:
    from grader.spec.match import explain

    return explain(matcher)
