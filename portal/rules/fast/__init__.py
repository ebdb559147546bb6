"""The cohort fast path: a plan compiled once, families decided straight from decoded JSON.

`portal-rules cohort` decides up to millions of families and writes six columns a
family. The engine (`engine.evaluate`) builds a Case of dataclasses, judges every
evidence item with its measure, and writes every reason a person would read; here
the plan is compiled into closures once per run (`CompiledPlan`), a family is read
only as far as the decision needs (`reader.Reader`), and outcomes are judged
without their sentences (`measures`, `evidence`, `outcomes`).

Same answers as the engine, by construction and by test:
- the reader accepts only cases the engine's parser and plan check accept, and
  returns None when unsure; such a line goes to the engine, which decides it or
  names its fault exactly as before;
- every step mirrors the engine's; outcomes with no evidence are not judged, as
  their answer is known (a plan whose satisfied_by outcomes loop is left to the
  engine, whose answers there depend on the order it asks); any error raised here
  sends the line to the engine;
- tests/rules/test_cohort_fast.py decides synthetic cohorts, the worked examples
  and every rule case both ways and compares each row and each outcome.
"""

from .decide import CompiledPlan, compile_plan

__all__ = ["CompiledPlan", "compile_plan"]
