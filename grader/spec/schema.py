"""The JSON Schema of the spec format, built from the same tables the loader uses.

``grader/schema.json`` is this schema written out (``python -m grader.schema``
rewrites it; a test fails when the two drift apart). Editors read it through
the ``yaml-language-server`` line at the top of each spec.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from grader.spec import loader as spec
from grader.spec import match, payload
from grader.spec.operators import OPERATORS
from grader.spec.steps import KINDS

SCHEMA_PATH = Path(__file__).parent.parent / "schema.json"
SCHEMA_ID = "https://example.invalid/grader/exercise-spec-v1.json"


def _text(description: str) -> dict[str, Any]:
    return {
        "description": description + " A string, or one per language.",
        "oneOf": [
            {"type": "string", "minLength": 1},
            {
                "type": "object",
                "properties": {lang: {"type": "string", "minLength": 1} for lang in spec.LANGUAGES},
                "required": ["en"],
                "additionalProperties": False,
            },
        ],
    }


def _seconds(description: str) -> dict[str, Any]:
    return {"type": "number", "exclusiveMinimum": 0, "maximum": 3600, "description": description}


def operator_schemas() -> dict[str, Any]:
    """Each matcher operator's operand, by name."""
    # Each matching operator declares its operand in its module (grader/spec/operators/); listed in the order
    # they joined the format (the templates came with 1.0 and 1.1).
    return {
        **{name: op.schema() for name, op in OPERATORS.items() if op.since < 1.2},
        "$var": {"type": "string", "description": "A repeat variable; a.b reads key b of it."},
        "$ref": {"type": "string", "description": "A value captured earlier in the check; a.b reads key b of it."},
        "$concat": {"type": "array", "minItems": 1,
                    "items": {"oneOf": [{"type": ["string", "number"]}, {"$ref": "#/$defs/var"},
                                        {"$ref": "#/$defs/ref"}]}},
        **{name: op.schema() for name, op in OPERATORS.items() if op.since >= 1.2},
    }


def operator_object(op: str) -> dict[str, Any]:
    """{op: operand}, and nothing else."""
    return {"type": "object", "properties": {op: operator_schemas()[op]}, "required": [op],
            "additionalProperties": False}


def _values() -> dict[str, Any]:
    """The $defs of the values steps take: matchers, templates, payloads, close codes."""
    ops = operator_schemas()
    operator_objects = [operator_object(op) for op in ops]
    template_objects = [o for o in operator_objects if next(iter(o["required"])) in match.TEMPLATE_OPERATORS]
    plain_object = {"type": "object", "propertyNames": {"not": {"pattern": "^\\$"}}}
    defs: dict[str, Any] = {
        "text": _text("Learner-facing text."),
        "var": operator_objects[list(ops).index("$var")],
        "ref": operator_objects[list(ops).index("$ref")],
        "matcher": {
            "description": "Plain data matches exactly; {$op: ...} objects are matchers.",
            "anyOf": [
                {"type": ["string", "number", "boolean", "null"]},
                {"type": "array", "items": {"$ref": "#/$defs/matcher"}},
                {**plain_object, "additionalProperties": {"$ref": "#/$defs/matcher"}},
                *operator_objects,
            ],
        },
        "string_matcher": {
            "description": "A string matched exactly, or a {$op: ...} matcher.",
            "anyOf": [{"type": "string"}, *operator_objects],
        },
        "template": {
            "description": "A value to send; {$var: ...} and {$concat: [...]} are filled in.",
            "anyOf": [
                {"type": ["string", "number", "boolean", "null"]},
                {"type": "array", "items": {"$ref": "#/$defs/template"}},
                {**plain_object, "additionalProperties": {"$ref": "#/$defs/template"}},
                *template_objects,
            ],
        },
        "payload": {
            "description": "Bytes: a string (UTF-8), or one of text, hex, base64, generate.",
            "oneOf": [
                {"type": "string"},
                {
                    "type": "object",
                    "properties": {
                        "text": {"type": "string"},
                        "hex": {"type": "string", "pattern": "^\\s*(?:[0-9a-fA-F]{2}\\s*)*$",
                                "description": "Pairs of hex digits, spaces allowed between pairs."},
                        "base64": {"type": "string"},
                        "generate": {"enum": list(payload.GENERATORS)},
                        "concat": {"type": "array", "minItems": 1, "items": {"$ref": "#/$defs/payload"}},
                        "slice": {"type": "object", "properties": {"of": {"$ref": "#/$defs/payload"},
                                                                   "start": {"type": "integer"},
                                                                   "end": {"type": "integer"}},
                                  "required": ["of"], "additionalProperties": False},
                        "size": {"type": "integer", "minimum": 0, "maximum": payload.MAX_SIZE},
                        "seed": {"type": "integer"},
                        "byte": {"type": "integer", "minimum": 0, "maximum": 255},
                    },
                    "additionalProperties": False,
                    "oneOf": [{"required": [k]} for k in ("text", "hex", "base64", "generate", "concat", "slice")],
                },
            ],
        },
        "close_code": {"type": "integer", "minimum": 1000, "maximum": 4999},
    }
    return defs


def _steps() -> dict[str, Any]:
    """The $defs of steps: each step kind declares its argument (and any $defs it needs) in its module."""
    defs: dict[str, Any] = {}
    for kind in KINDS.values():
        defs.update(kind.defs())
    actions = {name: kind.argument.schema() for name, kind in KINDS.items()}
    common = {"client": {"anyOf": [{"type": "string", "pattern": "^[A-Za-z_][A-Za-z0-9_-]*$"}, {"$ref": "#/$defs/var"}],
                         "description": "The client's name; {$var: NAME} inside a repeat over client names."},
              "timeout": _seconds("How long this step waits, in seconds of the grader's clock."),
              "after": _seconds("The message arrives no sooner than this many seconds of the grader's clock after "
                                "the previous step (1.2)."),
              "within": _seconds("The message arrives at most this many seconds of the grader's clock after the "
                                 "previous step (1.2).")}
    no_client = {name for name, kind in KINDS.items() if not kind.on_client}

    def keys(action: str) -> dict[str, Any]:
        # repeat takes no client: each step inside names its own; only steps that wait for the server are timed.
        return {k: v for k, v in common.items()
                if not (k == "client" and action in no_client) and not (k in ("after", "within")
                                                                        and action not in spec.TIMED)}

    defs["step"] = {
        "oneOf": [
            {"type": "object", "properties": {action: schema, **keys(action)},
             "required": [action], "additionalProperties": False}
            for action, schema in actions.items()
        ]
    }
    defs["step"]["oneOf"].append({"type": "object", "properties": {"include": {"oneOf": [
        {"type": "string", "description": "A fixture of this file."},
        {"type": "object", "properties": {"file": {"type": "string", "pattern": "\\.ya?ml$"},
                                          "fixture": {"type": "string"}},
         "required": ["file", "fixture"], "additionalProperties": False,
         "description": "A fixture of another spec in the exercises folder (1.2)."}]}},
                                  "required": ["include"], "additionalProperties": False,
                                  "description": "The steps of a fixture, in place."})
    defs["steps"] = {"type": "array", "minItems": 1, "items": {"$ref": "#/$defs/step"}}
    return defs


def _check() -> dict[str, Any]:
    check: dict[str, Any] = {
        "type": "object",
        "properties": {
            "name": {"$ref": "#/$defs/text"},
            "hint": {"$ref": "#/$defs/text"},
            "points": {"type": "integer", "minimum": 0},
            "hidden": {"type": "boolean"},
            "fresh_app": {"type": "boolean",
                          "description": "Run this check on a newly imported app (no state from earlier checks)."},
            "shared_app": {"type": "boolean",
                           "description": "Run this check on the app earlier checks used (1.2; the opposite of "
                                          "fresh_app)."},
            "task": {"type": "integer", "minimum": 1,
                     "description": "The '## N. ...' heading of the instructions this check tests."},
            "steps": {"$ref": "#/$defs/steps"},
            "source": {
                "type": "object",
                "properties": {
                    **{k: {"type": "array", "items": {"type": "string"}}
                       for k in spec.SOURCE_KEYS if k not in ("keywords", "match")},
                    "keywords": {"type": "object", "additionalProperties": {"type": "array", "items": {"type": "string"}},
                                 "description": "Calls and the keyword arguments they must be given: {close: [code]}."},
                    "match": {"enum": list(spec.SOURCE_MATCH),
                              "description": "all: every rule above holds (default); any: at least one."},
                },
                "additionalProperties": False,
            },
        },
        "required": ["name"],
        "oneOf": [{"required": ["steps"]}, {"required": ["source"]}],
        "additionalProperties": False,
    }
    assert set(check["properties"]) == set(spec.CHECK_KEYS)
    return check


def _exercise() -> dict[str, Any]:
    properties: dict[str, Any] = {
        "version": {"enum": [*spec.FORMAT_VERSIONS, "1", "1.0", "1.1", "1.2"]},
        "id": {"type": "string", "pattern": "^[a-z][a-z0-9_-]*$", "description": "Must match the file name."},
        "title": {"$ref": "#/$defs/text"},
        "track": {"type": "integer", "minimum": 1},
        "lesson": {"type": "integer", "minimum": 1},
        "xp": {"type": "integer", "minimum": 0},
        "file": {"type": "string", "pattern": "^[^/\\\\]+\\.py$", "description": "The learner's file name."},
        "instructions": {"$ref": "#/$defs/text"},
        "hints": {"type": "array", "items": {"$ref": "#/$defs/text"}},
        "wall_clock": {"enum": list(spec.WALL_CLOCKS),
                       "description": "virtual: time.time() and datetime.now() follow the grader's clock."},
        "defaults": {"type": "object", "properties": {
            "timeout": _seconds("Default step timeout."),
            "fresh_app": {"type": "boolean", "description": "Every check on a newly imported app (1.2)."},
            "points": {"type": "integer", "minimum": 0, "description": "Points of a check (1.2)."},
            "hidden": {"type": "boolean", "description": "Every check hidden (1.2)."},
            "wall_clock": {"enum": list(spec.WALL_CLOCKS), "description": "As wall_clock at the top (1.2)."}},
                     "additionalProperties": False,
                     "description": "What every check gets unless it says otherwise (1.0 and 1.1: timeout only)."},
        "vars": {"type": "object", "propertyNames": {"pattern": "^[A-Za-z_][A-Za-z0-9_]*$"},
                 "description": "Named constants (1.2): {$var: NAME} anywhere a value goes stands for the value."},
        "fixtures": {"type": "object", "additionalProperties": {"$ref": "#/$defs/steps"},
                     "propertyNames": {"pattern": "^[A-Za-z_][A-Za-z0-9_]*$"},
                     "description": "Step lists shared by checks: a step {include: NAME} stands for them."},
        "checks": {"type": "array", "minItems": 1, "items": {"$ref": "#/$defs/check"}},
    }
    assert set(properties) == set(spec.EXERCISE_KEYS)
    return properties


def build() -> dict[str, Any]:
    defs = {**_values(), **_steps(), "check": _check()}
    properties = _exercise()
    # A constant ({$var: NAME}, 1.2) may stand wherever a value goes, except in what names the spec.
    properties = {k: v if k in ("version", "id", "vars") else _or_constant(v) for k, v in properties.items()}
    defs = {k: v if k == "var" else _constants_inside(v) for k, v in defs.items()}
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_ID,
        "title": f"Exercise spec (version {spec.FORMAT_VERSION})",
        "type": "object",
        "properties": properties,
        "required": [k for k, needed in spec.EXERCISE_KEYS.items() if needed],
        "additionalProperties": False,
        "$defs": defs,
    }


def _or_constant(schema: dict[str, Any]) -> dict[str, Any]:
    return {"anyOf": [_constants_inside(schema), {"$ref": "#/$defs/var"}]}


def _constants_inside(schema: Any) -> Any:
    """The schema with every value position (a property, an item, a mapping's values) also taking a constant."""
    if isinstance(schema, list):
        return [_constants_inside(s) for s in schema]
    if not isinstance(schema, dict):
        return schema
    result: dict[str, Any] = {}
    for key, value in schema.items():
        if key == "properties":
            result[key] = {name: _or_constant(sub) for name, sub in value.items()}
        elif key in ("items", "additionalProperties") and isinstance(value, dict):
            result[key] = _or_constant(value)
        elif key in ("oneOf", "anyOf", "allOf"):
            result[key] = _constants_inside(value)
        else:
            result[key] = value
    return result


def render() -> str:
    return json.dumps(build(), indent=2, ensure_ascii=False) + "\n"


if __name__ == "__main__":
    SCHEMA_PATH.write_text(render(), encoding="utf-8")
    print(f"wrote {SCHEMA_PATH}")
