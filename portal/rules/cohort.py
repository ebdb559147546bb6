"""Evaluating a whole cohort from JSON Lines, streaming: memory does not grow with it."""

from __future__ import annotations

import csv
import datetime as dt
import os
import sys
import time
from dataclasses import dataclass, field

import orjson

from .case import CaseError, parse_case
from .engine import Decision, check_case_against_plan
from .plan import Plan

COLUMNS = ["ref", "eligible", "turned_around", "claim_type", "problems_not_achieved", "earliest_claim_date"]


@dataclass
class Summary:
    families: int = 0
    eligible: int = 0
    claims: dict = field(default_factory=lambda: {"significant_and_sustained": 0, "continuous_employment": 0})
    malformed: int = 0
    seconds: float = 0.0

    def describe(self) -> str:
        rate = self.families / self.seconds if self.seconds else 0
        return (f"{self.families} families in {self.seconds:.2f} s ({rate:,.0f} a second): {self.eligible} eligible, "
                f"{self.claims['significant_and_sustained']} significant and sustained progress, "
                f"{self.claims['continuous_employment']} continuous employment; "
                f"{self.malformed} malformed line(s) skipped")


def decide_line(plan: Plan, line: bytes, as_of: dt.date):
    case = parse_case(orjson.loads(line))
    check_case_against_plan(plan, case)
    return Decision(plan, case, as_of).verdict()


def row(verdict) -> list:
    return [
        verdict.ref, "yes" if verdict.eligible else "no", "yes" if verdict.turned_around else "no",
        verdict.claim_type or "", ";".join(verdict.problems_not_achieved()),
        verdict.earliest_claim_date.isoformat() if verdict.earliest_claim_date else "",
    ]


def run_cohort(plan: Plan, cases_path, out_path, as_of: dt.date, progress: bool = False,
               errors=sys.stderr) -> Summary:
    summary, started = Summary(), time.perf_counter()
    bar = Progress(os.path.getsize(cases_path)) if progress else None
    with open(cases_path, "rb") as cases, open(out_path, "w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(COLUMNS)
        for number, line in enumerate(cases, 1):
            if bar:
                bar.advance(len(line))
            if not line.strip():
                continue
            verdict = _decide(plan, line, as_of, number, summary, errors)
            if verdict is not None:
                _count(summary, verdict)
                writer.writerow(row(verdict))
    if bar:
        bar.finish()
    summary.seconds = time.perf_counter() - started
    return summary


def _decide(plan, line, as_of, number, summary, errors):
    try:
        return decide_line(plan, line, as_of)
    except orjson.JSONDecodeError as error:
        message = f"not valid JSON ({error})"
    except CaseError as error:
        message = "; ".join(error.faults)
    except Exception as error:  # noqa: BLE001 - one odd family must never stop a cohort of a million
        message = f"could not be decided ({type(error).__name__}: {error})"
    summary.malformed += 1
    print(f"line {number}: skipped: {message}", file=errors)
    return None


def _count(summary, verdict):
    summary.families += 1
    summary.eligible += verdict.eligible
    if verdict.claim_type:
        summary.claims[verdict.claim_type] += 1


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
