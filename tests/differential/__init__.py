"""Differential tests: every case app under real uvicorn and under the grader's judge, compared.

``model.py`` (cases and observations), ``cases.py`` (the corpus), ``real.py``
(uvicorn + the websockets client), ``judged.py`` (the grader's judge, relay
and host), ``report.py`` (writes tests/DIFFERENTIAL.md). The test is
tests/test_differential.py; the table and the disagreements are in
tests/DIFFERENTIAL.md.
"""
