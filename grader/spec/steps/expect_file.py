"""``expect_file``: the app wrote a file in its working folder, holding exactly these bytes.

```yaml
- expect_file: {path: out/log.txt, content: "joined: ann\\n"}
- expect_file: {path: data.bin, content: {hex: "00ff"}}     # any payload
```

The file is read without following links and without blocking (a FIFO is
named, never waited on); paths stay inside the folder.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

from grader.errors import Mark
from grader.files import Refused, Why
from grader.result import Kind
from grader.spec import payload
from grader.spec.args import Reader
from grader.spec.flow import Flow
from grader.spec.match import show
from grader.spec.steps import StepFailed, StepKind, Talk
from grader.spec.yamlnodes import Located


@dataclass(frozen=True)
class FileCheck:
    path: str
    content: Any  # a payload description


@dataclass(frozen=True)
class FileAndContent:
    """{path: a relative path, content: a payload}."""

    def schema(self) -> dict[str, Any]:
        return {
            "type": "object",
            "properties": {"path": {"type": "string", "not": {"pattern": "(^/|(^|/)\\.\\.(/|$))"}},
                           "content": {"$ref": "#/$defs/payload"}},
            "required": ["path", "content"],
            "additionalProperties": False,
        }

    def read(self, reader: Reader, node: Located, what: str, variables: frozenset[str]) -> FileCheck | None:
        fields = reader.mapping(node, {"path": True, "content": True}, "expect_file")
        if fields is None or "path" not in fields or "content" not in fields:
            return None
        path = reader.string(fields["path"], "path", "") or ""
        parts = Path(path).parts
        if Path(path).is_absolute() or ".." in parts or path.startswith("~"):
            reader.error(fields["path"].mark, "expect_file paths stay inside the grading folder: no '..' or absolute paths")
        for error in payload.validate(fields["content"]):
            reader.error(error.mark, error.message)
        return FileCheck(path, fields["content"].plain())


class ExpectFile(StepKind):
    name: ClassVar[str] = "expect_file"
    argument = FileAndContent()

    def follow(self, flow: Flow, reader: Reader, client: str, arg: Any, where: Mark) -> None:
        pass  # about the app's folder, not a client

    async def run(self, talk: Talk, step: Any, env: dict[str, Any]) -> None:
        spec: FileCheck = step.arg
        wanted = payload.describe(spec.content)
        expected = payload.build(spec.content)
        try:
            # The app may still be running: the file is read without following links, never blocking.
            data = talk.read_file(spec.path, len(expected))
        except Refused as refused:
            raise _refused(talk, spec.path, refused, wanted, len(expected)) from None
        if data != expected:
            raise talk.fail(Kind.FILE, talk.say("{path} does not hold the expected bytes", path=spec.path) + " "
                            + payload.first_difference(expected, data),
                            expected=wanted, actual=f"{len(data)} bytes {show(data, 60)}")


def _refused(talk: Talk, path: str, refused: Refused, wanted: str, expected_size: int) -> StepFailed:
    if refused.why in (Why.LINK, Why.LINKED_FOLDER):
        return talk.fail(Kind.FILE, talk.say("{path} is a link out of the working directory; write a regular file",
                                             path=path), expected=wanted, actual=talk.say("a symbolic link"))
    if refused.why is Why.MISSING:
        return talk.fail(Kind.FILE, talk.say("your app did not write {path} in its working directory", path=path),
                         expected=talk.say("{path} holding {content}", path=path, content=wanted),
                         actual=talk.say("no such file"))
    if refused.why is Why.TOO_LARGE:
        return talk.fail(Kind.FILE, talk.say("{path} does not hold the expected bytes", path=path) + " "
                         + f"(expected {expected_size} bytes, got {refused.size})",
                         expected=wanted, actual=f"{refused.size} bytes")
    if refused.why is Why.NOT_REGULAR:
        return talk.fail(Kind.FILE, talk.say("{path} is {kind}, not a regular file: write a regular file",
                                             path=path, kind=talk.file_kind(refused.kind)),
                         expected=wanted, actual=talk.file_kind(refused.kind))
    return talk.fail(Kind.FILE, talk.say("{path} cannot be read: {error}", path=path, error=refused.error),
                     expected=wanted, actual=refused.error)
