"""Reading the YAML values a spec is made of, each problem reported at its file:line:column.

The base of the spec loader (:mod:`grader.spec.loader`): a mapping with its
known keys (and "did you mean"), a string, an integer, seconds, a flag, a
text in each language, a matcher. Step kinds read their arguments through
these (see :class:`grader.spec.args.Reader`).
"""

from __future__ import annotations

from typing import Any

from grader.errors import Mark, SpecError
from grader.spec import match
from grader.spec.suggest import did_you_mean
from grader.spec.yamlnodes import Located

LANGUAGES = ("en", "ko")
# Texts `grade new` leaves for the author to write start with this; validate warns until they are.
PLACEHOLDER = "TODO:"

Text = dict[str, str]
"""Learner-facing text by language code; ``en`` is always present."""


class ShapeReader:
    """Reads values of the shapes a spec uses, collecting every error (and warning) on the way."""

    def __init__(self) -> None:
        self.errors: list[SpecError] = []
        self.warnings: list[SpecError] = []
        self.version = 1.0  # the spec's version: what it may use

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
            self.error(node.mark, f"{what} must be a string, not {node.kind} ({match.show(node.plain())})")
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
            self.error(node.mark, f"{what} must be true or false, not {match.show(node.plain())}")
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

    def never(self, node: Located, kinds: frozenset[str], why: str, instead: str = "") -> None:
        """Flag a (valid) matcher that no value of these kinds can satisfy: the check could never pass."""
        value = node.plain()
        if match.never_matches(value, kinds):
            try:
                shown = match.explain(value)
            except (KeyError, TypeError, ValueError, AttributeError):
                # Part of it is not a matcher the operators can word (a $type of null inside a $subset's
                # literal): the spec's own words are shown, and the step is still reported.
                shown = match.show(value)
            self.error(node.mark, f"{why}, so {shown} can never match it{instead}")
