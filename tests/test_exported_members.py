"""The public surface is what grader/__init__.py says it is."""

import grader


def test_exported_members() -> None:
    members = {name for name in dir(grader) if not name.startswith("_")}
    assert set(grader.__all__) <= members
    assert grader.__all__ == sorted(grader.__all__)
    assert set(grader.__all__) == set(grader._WHERE)
    for name in grader.__all__:
        assert getattr(grader, name) is not None
    assert {"load_exercise", "grade", "render_text", "Result", "SpecErrors"} <= set(grader.__all__)


def test_importing_the_package_does_not_import_fastapi() -> None:
    import subprocess
    import sys

    code = "import sys, grader, grader.cli; print('fastapi' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"  # the parent never pays for (or runs) the app's imports
