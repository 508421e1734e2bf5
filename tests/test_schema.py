"""The published JSON Schema matches the loader and accepts the catalog."""

from __future__ import annotations

from pathlib import Path

import jsonschema
import pytest
import yaml

from grader import SpecErrors
from grader.spec import parse_exercise, schema, yamlnodes

EXERCISES = Path(__file__).resolve().parent.parent / "exercises"


def test_the_shipped_schema_is_the_generated_one() -> None:
    assert schema.SCHEMA_PATH.read_text(encoding="utf-8") == schema.render(), "run: python -m grader.spec.schema"


def test_the_schema_is_a_valid_json_schema() -> None:
    jsonschema.Draft202012Validator.check_schema(schema.build())


@pytest.mark.parametrize("path", sorted(EXERCISES.glob("*.yaml")), ids=lambda p: p.stem)
def test_the_catalog_validates_against_the_schema(path: Path) -> None:
    root, _ = yamlnodes.load(path.read_text(encoding="utf-8"), str(path))  # as the grader reads it: YAML 1.2
    jsonschema.validate(root.plain(), schema.build())


@pytest.mark.parametrize("path", sorted(EXERCISES.glob("*.yaml")), ids=lambda p: p.stem)
def test_specs_point_editors_at_the_schema(path: Path) -> None:
    assert path.read_text(encoding="utf-8").startswith("# yaml-language-server: $schema=../grader/schema.json")


@pytest.mark.parametrize(
    "check",
    [
        {"name": "x", "steps": [{"connect": "/ws", "clinet": "a"}]},
        {"name": "x", "steps": [{"expect_json": {"$regex": "a"}}]},
        {"name": "x", "steps": [{"send_text": "a", "expect_text": "b"}]},
        {"name": "x"},
        {"name": "x", "steps": [{"expect_file": {"path": "../up", "content": "x"}}]},
        {"name": "x", "steps": [{"connect": "/ws"}, {"expect_text": {"$re": {"pattern": "a", "says": {"ko": "에이"}}}}]},
    ],
)
def test_the_schema_rejects_what_the_loader_rejects(check: dict) -> None:
    spec = {"version": 1, "id": "a", "title": "t", "track": 1, "lesson": 1, "xp": 1, "file": "a.py",
            "instructions": "i", "checks": [check]}
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(spec, schema.build())
    with pytest.raises(SpecErrors):
        parse_exercise(yaml.safe_dump(spec), Path("a.yaml"))
