"""Claim rules with no Flask and no database: programme phase, integrity flags, the audit sample.

The portal's claims package (portal/claims) gathers the facts from the database and
asks this module; views never judge a claim line themselves.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import math
from dataclasses import dataclass

from . import calendar as cal
from .engine import member_fits
from .sources import SourceMap

# -- programme phase: a family is claimed once per phase ---------------------------

PHASES = {
    "troubled-families-2": "Troubled Families phase 2 (2015 to 2020)",
    "supporting-families-2022": "Supporting Families (from October 2022)",
}


def phase_of(programme: str) -> str:
    """The programme phase a plan's `programme` line belongs to (its own text if not a known one)."""
    text = programme.lower()
    if "troubled families phase 2" in text:
        return "troubled-families-2"
    if "supporting families" in text:
        return "supporting-families-2022"
    return text.strip() or "unknown"


def phase_label(phase: str) -> str:
    return PHASES.get(phase, phase)


# -- integrity flags ---------------------------------------------------------------

FLAGS = {
    "short_intervention": "Short intervention",
    "evidence_dates": "Evidence dated outside the intervention",
    "lead_only": "Only the lead professional's own statements",
    "recurrence": "Problem recorded after closure",
    "left_scope": "Relies on a member now outside the outcome",
    "source_mismatch": "Source does not match the agency",
    "perfect_numbers": "Suspiciously perfect numbers",
}


@dataclass(frozen=True)
class Flag:
    code: str
    text: str

    @property
    def title(self) -> str:
        return FLAGS[self.code]

    def to_json(self) -> dict:
        return {"code": self.code, "text": self.text}


@dataclass(frozen=True)
class EvidenceFacts:
    """What the portal knows about an evidence item beyond the case: who sent it."""

    agency_kind: str | None
    by_lead_professional: bool


def relied_on(verdict) -> dict[str, set[str]]:
    """Evidence ids the verdict's result rests on, by the problem (or "continuous employment") they count for."""
    out: dict[str, set[str]] = {}
    if verdict.claim_type == "continuous_employment" and verdict.continuous_employment:
        out["continuous employment"] = set(verdict.continuous_employment.evidence)
        return out
    for problem in verdict.problems:
        ids = {e for r in problem.outcomes if r.met for e in r.evidence}
        if ids:
            out[problem.id] = ids
    return out


def integrity_flags(
    plan,
    case: dict,
    verdict,
    claim_date: dt.date,
    minimum_days: int,
    facts: dict[str, EvidenceFacts],
    sources: SourceMap,
    departures: dict[str, dt.date] | None = None,
) -> list[Flag]:
    """The integrity flags for one family decided as of the claim date. They never block a claim.

    `departures`: member id (case format, "m12") -> the day the lead professional recorded
    that they left the household (withdrawn records left out).
    """
    departures = departures or {}
    flags: list[Flag] = []
    evidence = {e["id"]: e for e in case.get("evidence", []) if e.get("status") == "accepted"}
    relied = relied_on(verdict)
    relied_ids = set().union(*relied.values()) if relied else set()
    identified = min((_day(p["identified_on"]) for p in case.get("problems", [])), default=None)
    engaged, closed = _day(case.get("engaged_on")), _day(case.get("closed_on"))

    start = engaged or identified
    if closed and start and (closed - start).days < minimum_days:
        flags.append(
            Flag(
                "short_intervention",
                f"the case was closed {(closed - start).days} days after it "
                f"started ({start.isoformat()}); the window's minimum is "
                f"{minimum_days} days",
            )
        )

    for eid, ev in sorted(evidence.items()):
        end = _day(ev["period"]["end"])
        if identified and end < identified:
            flags.append(
                Flag(
                    "evidence_dates",
                    f"evidence {eid} covers a period that ended on {end.isoformat()}, "
                    f"before the family was identified ({identified.isoformat()})",
                )
            )
        elif end > claim_date:
            flags.append(
                Flag(
                    "evidence_dates",
                    f"evidence {eid} covers a period that ends on {end.isoformat()}, "
                    f"after the claim date ({claim_date.isoformat()})",
                )
            )

    for problem_id, ids in relied.items():
        if ids and all(facts.get(e) and facts[e].by_lead_professional for e in ids):
            flags.append(
                Flag(
                    "lead_only",
                    f"{problem_id}: every evidence item it rests on "
                    f"({', '.join(sorted(ids))}) was given by the lead professional",
                )
            )

    if closed:
        months = plan.rule.get("sustainment_after_closure_months") or 0
        until = cal.add_months(closed, months) if months else claim_date
        for p in case.get("problems", []):
            on = _day(p["identified_on"])
            if closed < on <= until:
                flags.append(
                    Flag(
                        "recurrence",
                        f"{plan.term('indicator')} {p['problem']}/{p['indicator']} was "
                        f"recorded on {on.isoformat()}, after closure on "
                        f"{closed.isoformat()} and inside the sustainment window "
                        f"(to {until.isoformat()})",
                    )
                )

    members = {m["id"]: m for m in case.get("members", [])}
    for eid in sorted(relied_ids):
        ev = evidence.get(eid)
        if ev is None:
            continue
        outcome = plan.outcome_by_id.get(ev["outcome"])
        for mid in ev.get("members", []):
            member = members.get(mid)
            if outcome is None or member is None:
                continue
            left_on = _day(departures.get(mid))
            if left_on is not None and left_on <= claim_date:
                when = (
                    f"on the claim date ({govuk_date(claim_date)})"
                    if left_on == claim_date
                    else f"on {govuk_date(left_on)}, before the claim date ({govuk_date(claim_date)})"
                )
                flags.append(
                    Flag(
                        "left_scope",
                        f"evidence {eid} for {outcome.id} is about "
                        f"{member.get('name', mid)}, who left the household {when}",
                    )
                )
            elif not member_fits(_Member(member), outcome.about, outcome.ages, claim_date, claim_date):
                flags.append(
                    Flag(
                        "left_scope",
                        f"evidence {eid} for {outcome.id} is about {member.get('name', mid)}, "
                        f"who on the claim date is no longer in the outcome's scope",
                    )
                )

    for eid in sorted(relied_ids):
        ev, fact = evidence.get(eid), facts.get(eid)
        if ev and fact and sources.mismatch(ev["source"], fact.agency_kind):
            kinds = ", ".join(sources.kinds_for(ev["source"]) or ())
            flags.append(
                Flag(
                    "source_mismatch",
                    f"evidence {eid} names the source \u201c{ev['source']}\u201d "
                    f"({kinds}) but was sent by a {fact.agency_kind} agency",
                )
            )

    flags.extend(perfect_numbers(evidence, relied_ids))
    return flags


# -- suspiciously perfect numbers ----------------------------------------------------
# Figures are the numbers an evidence item's values hold (attendance by term, counts,
# scores). Three plain tests, on the evidence a line's result rests on:
#   - perfect attendance: every attendance figure relied on is 100%, over at least
#     PERFECT_ATTENDANCE_TERMS terms in all;
#   - the same figures twice: two evidence items of the family with exactly the same
#     figures (at least SAME_FIGURES_MIN numbers, not all zero);
#   - the same figures as another family's evidence in the same claim (shared_figures,
#     computed by the claim-building service, which sees the other lines).

PERFECT_ATTENDANCE_TERMS = 3
SAME_FIGURES_MIN = 3


def figures(values: dict | None) -> tuple | None:
    """The item's figures as a comparable key, or None when there are too few to compare."""
    out, count, nonzero = [], 0, False
    values = values or {}
    for name in sorted(values):
        value = values[name]
        numbers = value if isinstance(value, list) else [value]
        if not numbers or not all(_is_number(n) for n in numbers):
            continue
        out.append((name, tuple(numbers)))
        count += len(numbers)
        nonzero = nonzero or any(n != 0 for n in numbers)
    return tuple(out) if count >= SAME_FIGURES_MIN and nonzero else None


def describe_figures(key: tuple) -> str:
    """'attendance 91, 92, 88; fixed term exclusions 0'."""
    return "; ".join(f"{name.replace('_', ' ')} {', '.join(_number(n) for n in numbers)}" for name, numbers in key)


def perfect_numbers(evidence: dict[str, dict], relied_ids) -> list[Flag]:
    """Perfect attendance, and the same figures in two of the family's own evidence items."""
    flags = []
    terms: list[float] = []
    for eid in sorted(relied_ids):
        value = (evidence.get(eid) or {}).get("values", {}).get("attendance")
        numbers = value if isinstance(value, list) else [value] if value is not None else []
        terms.extend(n for n in numbers if _is_number(n))
    if len(terms) >= PERFECT_ATTENDANCE_TERMS and all(n == 100 for n in terms):
        flags.append(
            Flag("perfect_numbers", f"every attendance figure the result rests on is 100% ({len(terms)} terms in all)")
        )
    by_key: dict[tuple, list[str]] = {}
    for eid in sorted(relied_ids):
        key = figures((evidence.get(eid) or {}).get("values"))
        if key is not None:
            by_key.setdefault(key, []).append(eid)
    for key, ids in by_key.items():
        if len(ids) > 1:
            flags.append(
                Flag(
                    "perfect_numbers",
                    f"evidence {', '.join(ids)} record exactly the same figures ({describe_figures(key)})",
                )
            )
    return flags


def relied_ids_json(verdict: dict) -> set[str]:
    """relied_on's evidence ids, read from a verdict's stored JSON (a claim line's)."""
    if verdict.get("claim_type") == "continuous_employment" and verdict.get("continuous_employment"):
        return set(verdict["continuous_employment"].get("evidence") or ())
    return {
        e
        for p in verdict.get("problems", [])
        for o in p.get("outcomes", [])
        if o.get("met")
        for e in o.get("evidence") or ()
    }


def relied_figures(case: dict, verdict) -> dict[str, tuple]:
    """Evidence id -> figures, for the accepted evidence the result rests on that has enough of them.

    `verdict`: the engine's verdict, or its stored JSON.
    """
    evidence = {e["id"]: e for e in case.get("evidence", []) if e.get("status") == "accepted"}
    if isinstance(verdict, dict):
        ids = relied_ids_json(verdict)
    else:
        relied = relied_on(verdict)
        ids = set().union(*relied.values()) if relied else set()
    out = {}
    for eid in sorted(ids):
        key = figures((evidence.get(eid) or {}).get("values"))
        if key is not None:
            out[eid] = key
    return out


def shared_figures(ref: str, mine: dict[str, tuple], others: dict[tuple, list[tuple[str, str]]]) -> list[Flag]:
    """Flags for this family's evidence whose figures match another family's in the same claim.

    `others`: figures -> [(family reference, evidence id)] of the other families compared with.
    """
    flags = []
    for eid, key in sorted(mine.items()):
        matches = [(r, e) for r, e in others.get(key, ()) if r != ref]
        if matches:
            named = ", ".join(f"{e} of family {r}" for r, e in matches[:3])
            more = f" and {len(matches) - 3} more" if len(matches) > 3 else ""
            flags.append(
                Flag(
                    "perfect_numbers",
                    f"evidence {eid} records exactly the same figures "
                    f"({describe_figures(key)}) as evidence {named}{more} "
                    f"in the same claim",
                )
            )
    return flags


def _is_number(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _number(value) -> str:
    return str(int(value)) if isinstance(value, float) and value.is_integer() else str(value)


def govuk_date(day: dt.date) -> str:
    """'3 March 2025' (GOV.UK style)."""
    return f"{day.day} {day:%B %Y}"


@dataclass
class _Member:
    data: dict

    @property
    def born(self) -> dt.date:
        return _day(self.data["date_of_birth"])

    date_of_birth = born  # what the engine's member_fits reads


def _day(text) -> dt.date | None:
    if text is None or isinstance(text, dt.date):
        return text
    return dt.date.fromisoformat(text)


# -- the audit sample --------------------------------------------------------------


def sample_size(lines: int, percent: int, minimum: int) -> int:
    """A percentage of the lines, at least the minimum, at most every line."""
    return min(lines, max(minimum, math.ceil(lines * percent / 100)))


def rank(seed: str, line_id: int) -> str:
    return hashlib.sha256(f"{seed}:{line_id}".encode()).hexdigest()


def draw_sample(line_ids, flagged_ids, seed: str, size: int) -> list[int]:
    """Every flagged line, then the others in the seed's order until the sample has `size` lines.

    The same seed, lines and size always give the same sample, and a bigger size
    with the same seed gives a sample containing the smaller one (widening).
    """
    flagged = sorted(set(flagged_ids) & set(line_ids))
    others = sorted((i for i in set(line_ids) - set(flagged)), key=lambda i: rank(seed, i))
    return sorted(flagged + others[: max(0, size - len(flagged))])


def widening(sampled: int, rejected: int, tolerance_percent: int, total: int) -> int | None:
    """How many more lines to check so the rate could fall to the tolerance; None if within it.

    The answer assumes none of the extra lines is rejected; the rest of the lines
    (total - sampled) when even that would not be enough.
    """
    if sampled == 0 or rejected * 100 <= tolerance_percent * sampled:
        return None
    remaining = total - sampled
    if tolerance_percent <= 0:
        return remaining
    needed = math.ceil(rejected * 100 / tolerance_percent) - sampled
    return min(max(needed, 1), remaining)
