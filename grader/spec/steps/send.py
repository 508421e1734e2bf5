"""``send_text``, ``send_json``, ``send_bytes``: the client sends one message.

```yaml
- send_text: hello
- send_text: {$concat: ["room ", {$var: n}]}    # repeat variables, captures ($ref) and constants are filled in
- send_json: {type: join, session: {$ref: sid}}
- send_bytes: {hex: "00ff"}                    # or a string, {base64}, {generate}, {concat}, {slice}
```

Sending never fails a step by itself: a connection the server already
closed is reported by the next step that waits for the server.
"""

from __future__ import annotations

from typing import Any, ClassVar

from grader.spec import jsonsafe, match, payload
from grader.spec.args import Payload, Template
from grader.spec.steps import StepKind, Talk


class SendText(StepKind):
    name: ClassVar[str] = "send_text"
    argument = Template(text=True)

    async def run(self, talk: Talk, step: Any, env: dict[str, Any]) -> None:
        value = match.literal(step.arg, env)
        await talk.client(step).send_text(value if isinstance(value, str) else jsonsafe.dumps(value))


class SendJson(StepKind):
    name: ClassVar[str] = "send_json"
    argument = Template()

    async def run(self, talk: Talk, step: Any, env: dict[str, Any]) -> None:
        await talk.client(step).send_json(match.literal(step.arg, env))


class SendBytes(StepKind):
    name: ClassVar[str] = "send_bytes"
    argument = Payload()

    async def run(self, talk: Talk, step: Any, env: dict[str, Any]) -> None:
        await talk.client(step).send_bytes(payload.build(step.arg))
