"""``wait: SECONDS``: let the grader's clock run, saying nothing (the app's timers fire meanwhile).

```yaml
- send_json: {type: subscribe}
- wait: 10          # ten seconds of the grader's clock: milliseconds of real time
- expect_json: {type: tick}
```
"""

from __future__ import annotations

from typing import Any, ClassVar

from grader.spec.args import Seconds
from grader.spec.steps import StepKind, Talk


class Wait(StepKind):
    name: ClassVar[str] = "wait"
    argument = Seconds("Seconds of the grader's clock to wait.")
    on_client = False  # the clock is everyone's

    async def run(self, talk: Talk, step: Any, env: dict[str, Any]) -> None:
        await talk.sleep(step.arg)
