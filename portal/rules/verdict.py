"""The engine's answer, as objects and as JSON.

Each result holds what was decided (met or achieved, the earliest date, the route)
and the facts behind it; its sentences (`reasons`, a verdict's `eligibility`,
`missing` and `notes`) are written from those only when someone reads them: the
family page, the PDF, `portal-rules evaluate`. A cohort's CSV never does.
"""

from __future__ import annotations

import datetime as dt

_NONE: frozenset[str] = frozenset()


class _Lazy:
    """A list of sentences given, or written by `explain()` the first time it is read."""

    __slots__ = ()

    def _sentences(self, name: str, explain_name: str) -> list[str]:
        value = getattr(self, name)
        if value is None:
            value = getattr(self, explain_name)()
            setattr(self, name, value)
        return value


def _listed(value):
    """A list given, or made by calling what was given (the first time it is read)."""
    return value() if callable(value) else value


class OutcomeResult(_Lazy):
    __slots__ = ("_evidence", "_explain", "_reasons", "earliest", "id", "met", "via")

    def __init__(
        self,
        id: str,
        met: bool,
        reasons: list[str] | None = None,
        evidence=(),
        earliest: dt.date | None = None,
        via=_NONE,
        explain=None,
    ):
        self.id, self.met, self._reasons, self._evidence = id, met, reasons, evidence
        self.earliest, self.via, self._explain = earliest, via, explain

    @property
    def reasons(self) -> list[str]:
        return self._sentences("_reasons", "_explain")

    @reasons.setter
    def reasons(self, value: list[str]) -> None:
        self._reasons = value

    @property
    def evidence(self) -> list[str]:
        """The ids of the evidence items it rests on (given, or listed when first read)."""
        self._evidence = _listed(self._evidence)
        return list(self._evidence)

    def to_json(self) -> dict:
        out = {"id": self.id, "met": self.met, "reasons": self.reasons, "evidence": self.evidence}
        if self.earliest:
            out["earliest"] = self.earliest.isoformat()
        return out

    def __repr__(self) -> str:
        return f"OutcomeResult({self.id!r}, met={self.met}, earliest={self.earliest}, via={set(self.via)})"


class NeedResult:
    __slots__ = ("_outcomes", "achieved", "earliest", "id", "text")

    def __init__(self, id: str, text: str, achieved: bool, outcomes, earliest: dt.date | None = None):
        self.id, self.text, self.achieved, self._outcomes, self.earliest = id, text, achieved, outcomes, earliest

    @property
    def outcomes(self) -> list[OutcomeResult]:
        """The result of every outcome that could meet this need."""
        self._outcomes = _listed(self._outcomes)
        return self._outcomes

    def to_json(self) -> dict:
        return {
            "id": self.id,
            "text": self.text,
            "achieved": self.achieved,
            "outcomes": [o.to_json() for o in self.outcomes],
        }


class ProblemResult(_Lazy):
    __slots__ = ("_explain", "_outcomes", "_reasons", "achieved", "earliest", "id", "info", "needs", "title")

    def __init__(
        self,
        id: str,
        title: str,
        achieved: bool,
        info: dict,
        outcomes,
        reasons: list[str] | None = None,
        needs: list[NeedResult] | None = None,
        earliest: dt.date | None = None,
        explain=None,
    ):
        self.id, self.title, self.achieved, self.info, self._outcomes = id, title, achieved, info, outcomes
        self._reasons, self.needs, self.earliest, self._explain = reasons, needs, earliest, explain

    @property
    def outcomes(self) -> list[OutcomeResult]:
        """The result of every outcome that could achieve the problem (given, or made when first read)."""
        self._outcomes = _listed(self._outcomes)
        return self._outcomes

    @property
    def reasons(self) -> list[str]:
        return self._sentences("_reasons", "_explain")

    @property
    def stage(self) -> str:
        return self.info["stage"]

    def to_json(self) -> dict:
        out = {
            "id": self.id,
            "title": self.title,
            "achieved": self.achieved,
            "stage": self.stage,
            "indicators": sorted(self.info["indicators"]),
            "outcomes": [o.to_json() for o in self.outcomes],
            "reasons": self.reasons,
        }
        if self.needs is not None:
            out["needs"] = [n.to_json() for n in self.needs]
        return out


class Verdict(_Lazy):
    """eligibility, missing and notes are written by `explain` (an object with those three methods)
    when first read."""

    __slots__ = (
        "_eligibility",
        "_explain",
        "_missing",
        "_notes",
        "as_of",
        "claim_type",
        "continuous_employment",
        "earliest_claim_date",
        "eligible",
        "essentials_missing",
        "plan",
        "problems",
        "ref",
        "turned_around",
    )

    def __init__(
        self,
        ref: str,
        plan: str,
        as_of: dt.date,
        eligible: bool,
        turned_around: bool,
        claim_type: str | None,
        earliest_claim_date: dt.date | None,
        problems: list[ProblemResult],
        essentials_missing: list[str],
        continuous_employment: OutcomeResult | None,
        explain,
    ):
        self.ref, self.plan, self.as_of, self.eligible, self.turned_around = ref, plan, as_of, eligible, turned_around
        self.claim_type, self.earliest_claim_date, self.problems = claim_type, earliest_claim_date, problems
        self.essentials_missing, self.continuous_employment = essentials_missing, continuous_employment
        self._explain = explain
        self._eligibility: list[str] | None = None
        self._missing: list[str] | None = None
        self._notes: list[str] | None = None

    @property
    def eligibility(self) -> list[str]:
        """Why the family is (or is not) eligible."""
        if self._eligibility is None:
            self._eligibility = self._explain.eligibility()
        return self._eligibility

    @property
    def missing(self) -> list[str]:
        """What stands between the family and a claim, in sentences a programme officer can act on."""
        if self._missing is None:
            self._missing = self._explain.missing()
        return self._missing

    @property
    def notes(self) -> list[str]:
        if self._notes is None:
            self._notes = self._explain.notes()
        return self._notes

    def problems_not_achieved(self) -> list[str]:
        return [p.id for p in self.problems if not p.achieved]

    def to_json(self) -> dict:
        ce = self.continuous_employment
        return {
            "ref": self.ref,
            "plan": self.plan,
            "as_of": self.as_of.isoformat(),
            "eligible": self.eligible,
            "eligibility": self.eligibility,
            "turned_around": self.turned_around,
            "claim_type": self.claim_type,
            "earliest_claim_date": self.earliest_claim_date.isoformat() if self.earliest_claim_date else None,
            "essentials_missing": self.essentials_missing,
            "continuous_employment": ce.to_json() if ce else None,
            "problems": [p.to_json() for p in self.problems],
            "missing": self.missing,
            "notes": self.notes,
        }
