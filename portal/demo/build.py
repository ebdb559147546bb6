"""One demo case (portal.demo.scenarios.case_for) into database rows."""

import datetime as dt
import re
from types import SimpleNamespace

from ..audit import record
from ..extensions import db
from ..models import (
    CaseClosure,
    EssentialRecord,
    Evidence,
    Family,
    FamilyPlanOutcome,
    IdentifiedProblem,
    Member,
    Review,
    TeamMembership,
)
from .documents import attach_demo_document

# The audit log's "who" for rows the command line adds: nobody signed in did it.
COMMAND_LINE = SimpleNamespace(id=None, email="", role="", agency=None)

# Which agency sent a piece of evidence, read from its source as the plan prints it.
# First match wins, so the practitioners' own records come before the data sets they cite.
SOURCE_AGENCIES = [
    (
        "early_help",
        ("contacts, documents", "practitioners?", "key worker", "professionals", "topse", "ssid", "ccis", "iyss"),
    ),
    ("youth_justice", ("yos", "cdyos", "yj", "youth justice")),
    ("police", ("police", "pnc", "constabulary", "asb", "anti-social")),
    ("dwp", ("dwp", "universal credit", "benefit", "mygo")),
    ("health", ("gp", "health", "rio", "postnatal")),
    ("housing", ("landlord", "exchequer", "housing")),
    ("school", ("school", "census", "attendance", "capita one", "synergy", "early education")),
]


def day(text):
    return dt.date.fromisoformat(text) if text else None


def at(on: dt.date, hour=10) -> dt.datetime:
    """A plausible time on a day, but never in the future: nothing was recorded later than now."""
    moment = dt.datetime.combine(on, dt.time(hour), tzinfo=dt.UTC)
    return min(moment, dt.datetime.now(dt.UTC))


def load_family(case: dict, name: str, people: dict, team=("school", "police")) -> Family:
    lead = people["users"]["lead"]
    started = min(day(d) for d in [*(p["identified_on"] for p in case["problems"]), case["engaged_on"]] if d)
    family = Family(
        ref=case["ref"],
        name=name,
        plan_id=case["plan"],
        lead_professional=lead,
        engaged_on=day(case["engaged_on"]),
        created_at=at(started, 9),
    )
    db.session.add(family)
    db.session.flush()
    facts = {"family_id": family.id, "recorded_by_id": lead.id, "recorded_at": at(started)}
    members = add_members(case["members"], facts)
    add_case_facts(case, members, facts)
    add_team(family, team, case["evidence"], people, at(started))
    add_closure(case["closed_on"], facts)
    add_evidence(case["evidence"], members, people, family)
    record("demo.load", family, detail="loaded by the demo command", user=COMMAND_LINE)
    return family


def add_members(items, facts) -> dict:
    """Case member id -> Member."""
    members = {
        m["id"]: Member(
            name=m["name"],
            role=m["role"],
            date_of_birth=day(m["date_of_birth"]),
            activity=m.get("activity") or "",
            **facts,
        )
        for m in items
    }
    db.session.add_all(members.values())
    db.session.flush()
    return members


def add_case_facts(case, members, facts):
    for p in case["problems"]:
        member = members.get(p.get("member"))
        db.session.add(
            IdentifiedProblem(
                problem_id=p["problem"],
                indicator_id=p["indicator"],
                stage=p["stage"],
                identified_on=day(p["identified_on"]),
                member_id=member.id if member else None,
                **facts,
            )
        )
    in_place_on = day(case["engaged_on"]) or facts["recorded_at"].date()
    for essential_id in case["essentials"]:
        db.session.add(EssentialRecord(essential_id=essential_id, in_place_on=in_place_on, **facts))
    for outcome_id in case["plan_outcomes"]:
        db.session.add(FamilyPlanOutcome(outcome_id=outcome_id, **facts))


def add_team(family, kinds, evidence, people, attached_at):
    kinds = dict.fromkeys([*kinds, *(agency_kind(e["source"]) for e in evidence)])
    for kind in kinds:
        db.session.add(
            TeamMembership(
                family_id=family.id,
                agency_id=people["agencies"][kind].id,
                attached_by_id=family.lead_professional_id,
                attached_at=attached_at,
            )
        )


def add_closure(closed_on, facts):
    if closed_on:
        db.session.add(
            CaseClosure(
                closed_on=day(closed_on),
                reason="Plan completed; support stepped down",
                **{**facts, "recorded_at": at(day(closed_on))},
            )
        )


def agency_kind(source: str) -> str:
    words = source.lower()
    for kind, keys in SOURCE_AGENCIES:
        if any(re.search(rf"\b{key}\b", words) for key in keys):
            return kind
    return "early_help"


def add_evidence(items, members, people, family):
    """Evidence as partners sent it, with the lead professional's reviews."""
    rows = {}
    for item in items:
        partner = people["users"][agency_kind(item["source"])]
        replaces = rows.get(item.get("replaces"))
        evidence = Evidence(
            family_id=family.id,
            outcome_id=item["outcome"],
            option=item.get("option"),
            member_ids=[members[m].id for m in item["members"]],
            source=item["source"],
            period_start=day(item["period"]["start"]),
            period_end=day(item["period"]["end"]),
            values=item["values"],
            statement=item["statement"],
            submitted_by=partner,
            agency_id=partner.agency_id,
            submitted_at=submitted_at(item, replaces),
            replaces=replaces,
            version=replaces.version + 1 if replaces else 1,
        )
        db.session.add(evidence)
        db.session.flush()  # the document names the evidence by id
        db.session.add(attach_demo_document(evidence, family.id))
        add_review(evidence, item, family.lead_professional)
        rows[item["id"]] = evidence


def submitted_at(item, replaces):
    # A few days after the period it covers; a correction only after the return it answers.
    sent = at(day(item["period"]["end"]) + dt.timedelta(days=3))
    if replaces is not None:
        sent = max(sent, at(replaces.reviews[-1].reviewed_at.date() + dt.timedelta(days=1)))
    return sent


REVIEWS = {"accepted": "accepted", "returned": "returned", "superseded": "returned"}


def add_review(evidence, item, lead):
    decision = REVIEWS.get(item["status"])
    if decision:
        reviewed_at = max(evidence.submitted_at, at(evidence.submitted_at.date() + dt.timedelta(days=2), 14))
        db.session.add(
            Review(
                evidence=evidence,
                decision=decision,
                reason=item.get("return_reason", ""),
                reviewed_by_id=lead.id,
                reviewed_at=reviewed_at,
            )
        )
