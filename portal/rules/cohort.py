"""Evaluating a whole cohort from JSON Lines, streaming: memory does not grow with it.

Each line is decoded by msgspec straight into the case format's structs (format.py:
types, dates and unknown keys checked in C), checked as `parse_case` checks a case,
and decided by the engine, which writes no sentence the CSV does not show. A
malformed line is reported by number, with the fault `portal-rules evaluate` would
name, counted and skipped.
"""

from __future__ import annotations

import csv
import datetime as dt
import os
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from operator import itemgetter

import msgspec

from .case import CaseError, check_case, faults_of, parse_case
from .engine import Decision, check_case_against_plan
from .format import decode_case
from .plan import Plan

COLUMNS = ["ref", "eligible", "turned_around", "claim_type", "problems_not_achieved", "earliest_claim_date"]
ROWS_PER_WRITE = 512  # rows handed to the CSV writer at once: fewer calls, a small fixed buffer
READ_BUFFER = 1 << 20  # fewer, larger reads of the cases file
_ELIGIBLE, _CLAIM = itemgetter(1), itemgetter(3)


@dataclass
class Summary:
    families: int = 0
    eligible: int = 0
    claims: dict = field(default_factory=lambda: {"significant_and_sustained": 0, "continuous_employment": 0})
    malformed: int = 0
    seconds: float = 0.0

    def describe(self) -> str:
        rate = self.families / self.seconds if self.seconds else 0
        return (
            f"{self.families} families in {self.seconds:.2f} s ({rate:,.0f} a second): "
            f"{self.eligible} eligible, "
            f"{self.claims['significant_and_sustained']} significant and sustained progress, "
            f"{self.claims['continuous_employment']} continuous employment; "
            f"{self.malformed} malformed line(s) skipped"
        )

    def count(self, rows: list) -> None:
        """Adds a batch of CSV rows to the counts (counted by Counter, in C, not row by row)."""
        self.families += len(rows)
        self.eligible += Counter(map(_ELIGIBLE, rows))["yes"]
        for claim, n in Counter(map(_CLAIM, rows)).items():
            if claim:
                self.claims[claim] += n


def decide_line(plan: Plan, line: bytes, as_of: dt.date) -> Decision:
    """The engine's decision for one line; raises CaseError (or msgspec's DecodeError for a line that is not JSON)."""
    try:
        case = decode_case(line)
    except msgspec.ValidationError as error:  # named as `evaluate` names it
        raise CaseError(faults_of(error, msgspec.json.decode(line))) from None
    check_case(case)
    check_case_against_plan(plan, case)
    return Decision(plan, case, as_of)


def decide_data(plan: Plan, data, as_of: dt.date):
    """The engine's verdict for a case given as Python values."""
    case = parse_case(data)
    check_case_against_plan(plan, case)
    return Decision(plan, case, as_of).verdict()


def row(verdict) -> list:
    return [
        verdict.ref,
        "yes" if verdict.eligible else "no",
        "yes" if verdict.turned_around else "no",
        verdict.claim_type or "",
        ";".join(verdict.problems_not_achieved()),
        verdict.earliest_claim_date.isoformat() if verdict.earliest_claim_date else "",
    ]


def run_cohort(plan: Plan, cases_path, out_path, as_of: dt.date, progress: bool = False, errors=None) -> Summary:
    """Decides every line of `cases_path` into CSV at `out_path`; faults go to `errors` (default: stderr)."""
    summary, started = Summary(), time.perf_counter()
    bar = Progress(os.path.getsize(cases_path)) if progress else None
    decide = Cohort(plan, as_of, summary, errors or sys.stderr)
    with (
        open(cases_path, "rb", buffering=READ_BUFFER) as cases,
        open(out_path, "w", newline="", encoding="utf-8") as out,
    ):
        writer = csv.writer(out)
        writer.writerow(COLUMNS)
        rows = []
        for number, line in enumerate(cases, 1):
            if bar:
                bar.advance(len(line))
            decided = decide(line, number)
            if decided is not None:
                rows.append(decided)
                if len(rows) == ROWS_PER_WRITE:
                    summary.count(rows)
                    writer.writerows(rows)
                    rows.clear()
        summary.count(rows)
        writer.writerows(rows)
    if bar:
        bar.finish()
    summary.seconds = time.perf_counter() - started
    return summary


class Cohort:
    """decide(line, number) -> the family's CSV row, or None for a blank or malformed line."""

    def __init__(self, plan: Plan, as_of: dt.date, summary: Summary, errors):
        self.plan, self.as_of, self.summary, self.errors = plan, as_of, summary, errors

    def __call__(self, line: bytes, number: int):
        try:
            return decide_line(self.plan, line, self.as_of).row()
        except CaseError as error:
            message = "; ".join(error.faults)
        except (msgspec.DecodeError, UnicodeDecodeError) as error:
            if not line.strip():  # a blank line is no family, and no fault
                return None
            message = f"not valid JSON ({error})"
        except Exception as error:  # noqa: BLE001 - one odd family must never stop a cohort of a million
            message = f"could not be decided ({type(error).__name__}: {error})"
        self.summary.malformed += 1
        print(f"line {number}: skipped: {message}", file=self.errors)
        return None


class Progress:
    """A one-line bar on the terminal, redrawn at most ten times a second."""

    def __init__(self, total: int):
        self.total, self.done, self.drawn = max(total, 1), 0, 0.0

    def advance(self, size: int) -> None:
        self.done += size
        now = time.monotonic()
        if now - self.drawn >= 0.1:
            self.drawn = now
            self.draw()

    def draw(self) -> None:
        share = self.done / self.total
        filled = int(share * 30)
        sys.stderr.write(f"\r[{'#' * filled}{'.' * (30 - filled)}] {share:6.1%}")
        sys.stderr.flush()

    def finish(self) -> None:
        self.done = self.total
        self.draw()
        sys.stderr.write("\n")
