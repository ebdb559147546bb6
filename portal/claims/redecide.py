"""Re-deciding a claimed line: as of the claim date (must give the stored verdict) and as of today."""

from dataclasses import dataclass

from .. import casefile
from ..rules import engine
from ..rules.plan import load_plans
from ..verdicts import day
from . import loading
from .plans import current_texts, sha256, stored_plan
from .snapshot import snapshot_hash


@dataclass
class AsOfClaimDate:
    verdict: dict
    same_verdict: bool
    same_hash: bool


def as_of_claim_date(line) -> AsOfClaimDate:
    """The stored plan text and the stored case, decided again as of the claim date."""
    window = line.claim.window
    window_plan = next(wp for wp in window.plans if wp.plan_id == line.plan_id)
    verdict = engine.evaluate(stored_plan(window_plan), line.case_snapshot, window.claim_date).to_json()
    again = snapshot_hash(window_plan, window.claim_date, line.case_snapshot, verdict, line.evidence)
    return AsOfClaimDate(verdict, verdict == line.verdict, again == line.snapshot_hash)


@dataclass
class AsOfToday:
    verdict: object
    changes: list[str]


def as_of_today(line, today=None) -> AsOfToday:
    """Today's records and today's plan file, decided today, and what changed since the claim in plain words."""
    today = today or casefile.today()
    families, evidence = loading.load_families([line.plan_id], [line.family_id])
    family, rows = families[0], evidence.get(line.family_id, [])
    plan = load_plans()[line.plan_id]
    verdict = casefile.verdict(family, as_of=today, evidence_rows=rows, plan=plan)
    changes = []
    window_plan = next(wp for wp in line.claim.window.plans if wp.plan_id == line.plan_id)
    if sha256(current_texts(line.plan_id)[0]) != window_plan.plan_sha256:
        changes.append(f"The plan file {line.plan_id}.yaml has changed since the claim window opened")
    claimed = {item["id"]: item for item in line.evidence}
    by_id = {f"e{e.id}": e for e in rows}
    for eid, item in claimed.items():
        now = by_id.get(eid)
        named = _named(item["outcome"], item["source"], *item["period"])
        if now is None:
            changes.append(f"{named}: no longer on the case")
        elif now.replaced_by is not None:
            changes.append(
                f"{named}, version {item['version']}: corrected, and version {now.replaced_by.version} replaces it"
            )
        elif now.status != "accepted":
            changes.append(f"{named}: now {now.status}")
    for e in rows:
        if f"e{e.id}" not in claimed and e.status == "accepted":
            changes.append(f"{_named(e.outcome_id, e.source, e.period_start, e.period_end)}: accepted after the claim")
    current = {m.key for m in family.current_members}
    for member in line.case_snapshot.get("members", []):
        if member["id"] not in current:
            changes.append(f"{member.get('name', member['id'])} is no longer recorded as a member of the family")
    stored = line.verdict
    if verdict.turned_around != stored["turned_around"] or verdict.claim_type != stored["claim_type"]:
        changes.append(
            f"The verdict changed: {_said(stored['turned_around'], stored['claim_type'])} then, "
            f"{_said(verdict.turned_around, verdict.claim_type)} now"
        )
    before = {p["id"]: p["achieved"] for p in stored["problems"]}
    for p in verdict.problems:
        if p.id not in before:
            changes.append(f"{plan.term('problem').capitalize()} {p.id} ({p.title}) was identified after the claim")
        elif before[p.id] != p.achieved:
            changes.append(
                f"{plan.term('problem').capitalize()} {p.id} ({p.title}) is "
                f"{'achieved' if p.achieved else 'no longer achieved'}"
            )
    for pid in sorted(set(before) - {p.id for p in verdict.problems}):
        changes.append(f"{plan.term('problem').capitalize()} {pid} is no longer on the case")
    return AsOfToday(verdict, changes)


def _named(outcome, source, start, end) -> str:
    """An evidence item as a page names it: its outcome, what it is and the period it covers."""
    return f"The evidence for outcome {outcome}, \u201c{source}\u201d for {day(start)} to {day(end)}"


def _said(turned_around, claim_type) -> str:
    return f"turned around ({claim_type.replace('_', ' ')})" if turned_around else "not turned around"


def changed_since_added(lines) -> dict[int, str]:
    """Line id -> why, for each line whose family, decided again from today's records as of the
    claim date with the window's stored plan, no longer gets the verdict the line was added with
    (turned around or not, and the claim type). The claim's files are made from today's records
    (the closure summaries): such a line would be claimed on records that no longer say so.
    All the lines' families are decided at once (claimable.decided_rows: a fixed number of queries)."""
    from .claimable import decided_rows

    lines = list(lines)
    if not lines:
        return {}
    window = lines[0].claim.window
    now = {row.family.id: row.decided.verdict for row in decided_rows(window, [line.family_id for line in lines])}
    out = {}
    for line in lines:
        stored, verdict = line.verdict, now.get(line.family_id)
        then_said = _said(stored["turned_around"], stored["claim_type"])
        now_said = _said(verdict.turned_around, verdict.claim_type) if verdict else "not in the window's plans"
        if then_said != now_said:
            out[line.id] = (
                f"{line.family_ref}'s records have changed since it was added to the claim: as of the claim "
                f"date it was {then_said}, and is now {now_said}"
            )
    return out
