"""``shutdown``: stop the app as uvicorn does on Ctrl-C.

Open connections are closed with 1012, the endpoints end (within the
step's timeout), then the lifespan shutdown runs. What the clients see is
for the next steps to check; a lifespan shutdown that raises or runs out
of time fails this step.

```yaml
- shutdown:
- expect_close: {client: a, code: 1012}     # what each client sees
```
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from grader.errors import Mark
from grader.result import Kind
from grader.spec.args import Reader
from grader.spec.flow import Flow
from grader.spec.steps import StepKind, Talk
from grader.spec.yamlnodes import Located


@dataclass(frozen=True)
class Nothing:
    """No value: ``- shutdown:``; its timeout is how long the endpoints may take to end."""

    def schema(self) -> dict[str, Any]:
        return {"type": "null",
                "description": "Stop the app as uvicorn does: open connections are closed with 1012, the "
                               "endpoints end (within the step's timeout), then the lifespan shutdown runs."}

    def read(self, reader: Reader, node: Located, what: str, variables: frozenset[str]) -> None:
        if node.value is not None:
            reader.error(node.mark, "shutdown takes no value (write `- shutdown:`); its timeout is how long the "
                                    "endpoints may take to end")


class Shutdown(StepKind):
    name: ClassVar[str] = "shutdown"
    argument = Nothing()
    on_client = False
    no_client_why = "it stops the whole app"

    def follow(self, flow: Flow, reader: Reader, client: str, arg: Any, where: Mark) -> None:
        if flow.stopped:
            reader.error(where, "the app has shut down already")
        flow.stopped = True

    async def run(self, talk: Talk, step: Any, env: dict[str, Any]) -> None:
        op, reason, message, errors = await talk.shut_down(step.timeout)
        if op == "stopped":
            return
        if reason == "timeout":
            why = talk.say("your app's lifespan shutdown did not finish within {seconds} s", seconds=message)
        elif errors:
            why = talk.say("your app's lifespan shutdown raised {error} (uvicorn logs 'Application shutdown failed')",
                           error=errors[-1].headline())
        else:
            why = talk.say("your app's lifespan shutdown failed: {message}", message=message)
        raise talk.fail(Kind.ERROR, why, expected=talk.say("the app shuts down cleanly"),
                        actual=errors[-1].type if errors else reason, errors=errors)
