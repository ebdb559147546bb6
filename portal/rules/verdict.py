"""The engine's answer, as objects and as JSON."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field


@dataclass
class OutcomeResult:
    id: str
    met: bool
    reasons: list[str]
    evidence: list[str] = field(default_factory=list)
    earliest: dt.date | None = None
    via: set = field(default_factory=set)

    def to_json(self) -> dict:
        out = {"id": self.id, "met": self.met, "reasons": self.reasons, "evidence": self.evidence}
        if self.earliest:
            out["earliest"] = self.earliest.isoformat()
        return out


@dataclass
class NeedResult:
    id: str
    text: str
    achieved: bool
    outcomes: list[OutcomeResult]

    def to_json(self) -> dict:
        return {"id": self.id, "text": self.text, "achieved": self.achieved,
                "outcomes": [o.to_json() for o in self.outcomes]}


@dataclass
class ProblemResult:
    id: str
    title: str
    achieved: bool
    info: dict
    outcomes: list[OutcomeResult]
    reasons: list[str]
    needs: list[NeedResult] | None = None
    earliest: dt.date | None = None

    @property
    def stage(self) -> str:
        return self.info["stage"]

    def to_json(self) -> dict:
        out = {
            "id": self.id, "title": self.title, "achieved": self.achieved, "stage": self.stage,
            "indicators": sorted(self.info["indicators"]),
            "outcomes": [o.to_json() for o in self.outcomes], "reasons": self.reasons,
        }
        if self.needs is not None:
            out["needs"] = [n.to_json() for n in self.needs]
        return out


@dataclass
class Verdict:
    ref: str
    plan: str
    as_of: dt.date
    eligible: bool
    eligibility: list[str]
    turned_around: bool
    claim_type: str | None
    earliest_claim_date: dt.date | None
    problems: list[ProblemResult]
    essentials_missing: list[str]
    continuous_employment: OutcomeResult | None
    missing: list[str]
    notes: list[str] = field(default_factory=list)

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
