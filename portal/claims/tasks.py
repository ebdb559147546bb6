"""The verifier's task list for one line, built from the line's snapshot (never from today's records)."""

from dataclasses import dataclass, field

from flask import url_for

from ..verdicts import NOT_NEEDED, Words, day
from . import ledger
from .plans import stored_plan


@dataclass
class Task:
    slug: str
    title: str
    status: str
    colour: str  # GOV.UK tag colour, "" for plain text


@dataclass
class Section:
    slug: str
    title: str
    rows: list = field(default_factory=list)  # (key, value) for a summary list
    reasons: list = field(default_factory=list)
    evidence: list = field(default_factory=list)  # evidence items (case item merged with line metadata)
    flags: list = field(default_factory=list)
    problem: dict | None = None
    not_needed: str = ""  # why an unachieved problem does not hold up a continuous-employment claim


def plan_of(line):
    wp = next(wp for wp in line.claim.window.plans if wp.plan_id == line.plan_id)
    return stored_plan(wp)


def words_for(line) -> Words:
    """The engine's clauses about this line in words: members by name, evidence by what it is and
    when, dates the GOV.UK way; from the line's snapshot, as the closure summary does from records."""
    case = line.case_snapshot
    members = {int(m["id"].removeprefix("m")): m["name"] for m in case.get("members", []) if "name" in m}
    evidence = {int(e["id"].removeprefix("e")): evidence_name(e) for e in case.get("evidence", [])}
    return Words(members, evidence)


def evidence_name(item) -> str:
    """How a page names an evidence item of a snapshot: what it is and the period it covers."""
    period = item.get("period") or {}
    return f"the evidence \u201c{item['source']}\u201d for {day(period.get('start'))} to {day(period.get('end'))}"


def essentials_not_needed(line) -> bool:
    """A continuous-employment claim does not wait for the essentials (as the closure summary says)."""
    return line.claim_type == "continuous_employment"


def task_list(line) -> list[Task]:
    verdict, plan = line.verdict, plan_of(line)
    if not verdict["essentials_missing"]:
        essentials = ("In place", "green")
    else:
        essentials = ("Not needed", "grey") if essentials_not_needed(line) else ("Missing", "red")
    tasks = [
        Task(
            "eligibility", "Eligibility", *(("Eligible", "green") if verdict["eligible"] else ("Not eligible", "red"))
        ),
        Task("essentials", "Essentials (lead professional, assessment, plan)", *essentials),
    ]
    if line.claim_type == "continuous_employment":
        tasks.append(Task("continuous-employment", "Continuous employment", "Met", "green"))
    for p in verdict["problems"]:
        tasks.append(
            Task(
                f"problem-{p['id']}",
                f"{plan.term('problem').capitalize()} {p['id']}: {p['title']}",
                *(
                    ("Achieved", "green")
                    if p["achieved"]
                    else ("Not needed" if not_needed(line, p) else "Not achieved", "grey")
                ),
            )
        )
    sustain = [f for f in line.flags if f["code"] in ("recurrence", "short_intervention")]
    tasks.append(Task("sustainment", "Sustainment", *(("Flagged", "orange") if sustain else ("No flags", "green"))))
    # Whether another line of the phase holds this family or a claimed member: found, or none.
    held_elsewhere = ledger.others_holding(line)
    tasks.append(
        Task("double-claim", "Double claim", *(("Found", "red") if held_elsewhere else ("None found", "green")))
    )
    decision = line.decision
    status = {"verified": ("Verified", "green"), "rejected": ("Rejected", "red"), "queried": ("Queried", "yellow")}.get(
        decision.decision if decision else "", ("Not started", "grey")
    )
    tasks.append(Task("decision", "Decision", *status))
    return tasks


def not_needed(line, problem) -> str:
    """For a continuous-employment line, why an unachieved problem does not hold it up; else ""."""
    if line.claim_type != "continuous_employment" or problem["achieved"]:
        return ""
    term = plan_of(line).term("problem")
    return f"{NOT_NEEDED}: the claim rests on the adult's work alone, so this {term} does not hold it up."


def task_href(line, task) -> str:
    if task.slug == "decision":
        return url_for("claims.decide", claim_id=line.claim_id, line_id=line.id)
    return url_for("claims.section", claim_id=line.claim_id, line_id=line.id, section=task.slug)


def evidence_items(line, ids) -> list[dict]:
    """The case's evidence items the verdict relied on, with the line's metadata (version, agency...).

    Both hold the period: the case as {start, end}, which the pages print, the metadata as
    [start, end]; the case's is kept (the metadata's once hid it: "Period: to")."""
    case = {e["id"]: e for e in line.case_snapshot.get("evidence", [])}
    meta = {e["id"]: e for e in line.evidence}
    return [{**case[i], **meta.get(i, {}), "period": case[i]["period"]} for i in dict.fromkeys(ids) if i in case]


def section(line, slug) -> Section | None:
    verdict, case, plan = line.verdict, line.case_snapshot, plan_of(line)
    names = {m["id"]: m["name"] for m in case.get("members", [])}
    words = words_for(line)
    if slug == "eligibility":
        rows = [(f"{m['name']}", f"{m['role']}, born {day(m['date_of_birth'])}") for m in case.get("members", [])]
        rows += [
            (
                f"{plan.term('problem').capitalize()} {p['problem']}, {plan.term('indicator')} {p['indicator']}",
                f"identified on {day(p['identified_on'])} at {p['stage']}"
                + (f" ({names.get(p.get('member'), 'a family member')})" if p.get("member") else ""),
            )
            for p in case.get("problems", [])
        ]
        return Section(slug, "Eligibility", rows, words.sentences(verdict["eligibility"]))
    if slug == "essentials":
        have = set(case.get("essentials", []))
        rows = [
            ("Lead professional", line.lead_professional.name),
            ("Engaged on", day(case["engaged_on"]) if case.get("engaged_on") else "Not recorded"),
        ]
        rows += [(e["text"], "In place" if e["id"] in have else "Not recorded") for e in plan.essentials]
        text = {e["id"]: e["text"] for e in plan.essentials}
        said = f"{NOT_NEEDED}: {{}}" if essentials_not_needed(line) else "Missing: {}"
        return Section(slug, "Essentials", rows, [said.format(text.get(e, e)) for e in verdict["essentials_missing"]])
    if slug == "continuous-employment" and verdict.get("continuous_employment"):
        ce = verdict["continuous_employment"]
        return Section(
            slug,
            "Continuous employment",
            reasons=words.sentences(ce["reasons"]),
            evidence=evidence_items(line, ce["evidence"]),
        )
    if slug.startswith("problem-"):
        problem = next((p for p in verdict["problems"] if f"problem-{p['id']}" == slug), None)
        if problem is None:
            return None
        ids = [e for o in problem["outcomes"] for e in o["evidence"]]
        return Section(
            slug,
            f"{plan.term('problem').capitalize()} {problem['id']}: {problem['title']}",
            reasons=words.sentences(problem["reasons"]),
            evidence=evidence_items(line, ids),
            problem=problem,
            not_needed=not_needed(line, problem),
            flags=[
                f for f in line.flags if f["code"] in ("lead_only", "source_mismatch", "left_scope", "evidence_dates")
            ],
        )
    if slug == "sustainment":
        months = plan.rule.get("sustainment_after_closure_months") or 0
        rows = [
            ("Identified on", _text(line.identified_on)),
            ("Engaged on", _text(line.engaged_on)),
            ("Closed on", _text(line.closed_on)),
            ("Claim date", day(line.claim.window.claim_date)),
            ("Sustainment after closure", f"{months} months" if months else "The plan sets none"),
        ]
        return Section(
            slug,
            "Sustainment",
            rows,
            flags=[f for f in line.flags if f["code"] in ("recurrence", "short_intervention")],
        )
    if slug == "double-claim":
        return Section(slug, "Double claim")
    return None


def _text(value) -> str:
    return day(value) if value else "Not recorded"
