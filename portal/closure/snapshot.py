"""Exactly what a closure summary is built from, its verification code, and what changed since.

A snapshot is plain JSON: the family's records that the summary prints or the
rules engine reads (every version of every row, withdrawn ones included), the
date the verdict is decided on, and the SHA-256 of the plan file (with the shared
tools file). The verification code is the first 60 bits of the SHA-256 of the
snapshot's canonical JSON, written as 12 characters of Crockford's base 32
(no I, L, O or U, so it reads aloud without confusion), grouped 4-4-4.
Same snapshot, same code, same PDF bytes (docs/closure-summary.md).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re

from ..casefile import plan_hash
from ..models import Evidence

# Bumped whenever the summary's layout or wording changes, so one code never names two
# different documents: the same records under a new layout get a new code.
FORMAT = 2  # 2: set-aside evidence named, not "Evidence e7"
ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford's base 32
CODE_LENGTH = 12
_READ_AS = str.maketrans({"O": "0", "I": "1", "L": "1"})


def _iso(value):
    return value.isoformat() if value is not None else None


def take(family, as_of: dt.date, evidence_rows=None) -> dict:
    """The snapshot of the family's records, decided as of `as_of`."""
    rows = (
        evidence_rows
        if evidence_rows is not None
        else (
            Evidence.query.filter_by(family_id=family.id).order_by(Evidence.id).options(*Evidence.with_status()).all()
        )
    )
    return {
        "format": FORMAT,
        "as_of": as_of.isoformat(),
        "plan": {"id": family.plan_id, "sha256": plan_hash(family.plan_id)},
        "family": {
            "id": family.id,
            "ref": family.ref,
            "name": family.name,
            "lead_professional": family.lead_professional.name,
            "engaged_on": _iso(family.engaged_on),
            "created_at": _iso(family.created_at),
        },
        "members": {
            str(m.id): {
                "name": m.name,
                "role": m.role,
                "date_of_birth": _iso(m.date_of_birth),
                "activity": m.activity,
                "recorded_at": _iso(m.recorded_at),
                "withdrawn_at": _iso(m.withdrawn_at),
            }
            for m in family.members
        },
        "problems": {
            str(p.id): {
                "problem": p.problem_id,
                "indicator": p.indicator_id,
                "stage": p.stage,
                "identified_on": _iso(p.identified_on),
                "member": p.member_id,
                "recorded_at": _iso(p.recorded_at),
                "withdrawn_at": _iso(p.withdrawn_at),
            }
            for p in family.problems
        },
        "essentials": {
            str(e.id): {
                "essential": e.essential_id,
                "in_place_on": _iso(e.in_place_on),
                "recorded_at": _iso(e.recorded_at),
            }
            for e in family.essentials
        },
        "plan_outcomes": {
            str(o.id): {"outcome": o.outcome_id, "recorded_at": _iso(o.recorded_at)} for o in family.plan_outcomes
        },
        "closures": {
            str(c.id): {
                "closed_on": _iso(c.closed_on),
                "reopened": c.reopened,
                "reason": c.reason,
                "recorded_at": _iso(c.recorded_at),
            }
            for c in family.closures
        },
        "evidence": {str(e.id): _evidence(e) for e in rows},
    }


def _evidence(e) -> dict:
    return {
        "outcome": e.outcome_id,
        "option": e.option,
        "members": list(e.member_ids or []),
        "source": e.source,
        "period": [_iso(e.period_start), _iso(e.period_end)],
        "values": e.values or {},
        "statement": e.statement,
        "agency": e.agency.name if e.agency else None,
        "submitted_by": e.submitted_by.name,
        "submitted_at": _iso(e.submitted_at),
        "replaces": e.replaces_id,
        "version": e.version,
        "reviews": {
            str(r.id): {"decision": r.decision, "reason": r.reason, "by": r.reviewed_by.name, "at": _iso(r.reviewed_at)}
            for r in e.reviews
        },
    }


def canonical(snapshot: dict) -> bytes:
    return json.dumps(snapshot, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def code_for(snapshot: dict) -> str:
    bits = int.from_bytes(hashlib.sha256(canonical(snapshot)).digest()[:8], "big") >> 4  # 60 bits
    return "".join(ALPHABET[(bits >> (5 * i)) & 31] for i in reversed(range(CODE_LENGTH)))


def grouped(code: str) -> str:
    """ABCD-EFGH-JKMN: read aloud in three groups of four."""
    return "-".join(code[i : i + 4] for i in range(0, len(code), 4))


def normalise(typed: str) -> str | None:
    """A typed code as stored, or None if it cannot be one (any case, spaces and dashes allowed)."""
    text = re.sub(r"[\s\-]", "", typed or "").upper().translate(_READ_AS)
    if len(text) != CODE_LENGTH or any(ch not in ALPHABET for ch in text):
        return None
    return text


def latest_record_time(snapshot: dict) -> dt.datetime:
    """When the newest record in the snapshot was made: the PDF's creation date, never the clock."""
    times = [snapshot["family"]["created_at"]]
    for table in ("members", "problems", "essentials", "plan_outcomes", "closures"):
        for row in snapshot[table].values():
            times += [row.get("recorded_at"), row.get("withdrawn_at")]
    for e in snapshot["evidence"].values():
        times += [e["submitted_at"], *(r["at"] for r in e["reviews"].values())]
    return max(dt.datetime.fromisoformat(t) for t in times if t)


# -- what changed ----------------------------------------------------------------------------------


def changes(old: dict, new: dict) -> list[str]:
    """What changed between two snapshots of one family, as sentences; [] if the records match."""
    out = []
    if old["plan"]["sha256"] != new["plan"]["sha256"]:
        out.append("The plan file changed since this summary was made.")
    out += _evidence_changes(old["evidence"], new["evidence"])
    out += _row_changes("Problem or need", old["problems"], new["problems"], _problem_words)
    out += _row_changes("Family member", old["members"], new["members"], lambda r: r["name"])
    out += _row_changes("Essential", old["essentials"], new["essentials"], lambda r: r["essential"])
    out += _row_changes(
        "Outcome in the family's plan", old["plan_outcomes"], new["plan_outcomes"], lambda r: r["outcome"]
    )
    if old["closures"] != new["closures"]:
        out.append(f"The closure changed: {_closure_words(old)} then, {_closure_words(new)} now.")
    for key, label in (
        ("lead_professional", "lead professional"),
        ("engaged_on", "date of engagement"),
        ("name", "family name"),
        ("ref", "reference"),
    ):
        if old["family"][key] != new["family"][key]:
            out.append(f"The {label} changed from {old['family'][key] or 'none'} to {new['family'][key] or 'none'}.")
    return out


def _evidence_changes(old: dict, new: dict) -> list[str]:
    out = []
    for key, item in new.items():
        name = _evidence_words(item)
        if key not in old:
            if item["replaces"] is not None:
                out.append(f"Evidence corrected: {name} (version {item['version']}).")
            else:
                out.append(f"Evidence added: {name}.")
        before = old.get(key, {"reviews": {}})
        # Reviews of evidence added since count too: they say whether it now counts.
        for review_key, review in item["reviews"].items():
            if review_key not in before["reviews"]:
                out.append(
                    f"Evidence reviewed: {name} (version {item['version']}) was {review['decision']} by "
                    f"{review['by']} on {_day(review['at'])}."
                )
        if item.get("withdrawn_at") and not before.get("withdrawn_at"):
            out.append(f"Evidence withdrawn: {name}.")
    out += [f"Evidence withdrawn: {_evidence_words(item)}." for key, item in old.items() if key not in new]
    return out


def _row_changes(label, old: dict, new: dict, words) -> list[str]:
    out = []
    for key, row in new.items():
        if key not in old:
            out.append(f"{label} added: {words(row)}.")
        elif row.get("withdrawn_at") and not old[key].get("withdrawn_at"):
            out.append(f"{label} withdrawn: {words(row)}.")
        elif row != old[key]:
            out.append(f"{label} changed: {words(row)}.")
    out += [f"{label} removed: {words(row)}." for key, row in old.items() if key not in new]
    return out


def _problem_words(row) -> str:
    return f"{row['problem']} ({row['indicator']}), identified on {_day(row['identified_on'])}"


def _evidence_words(item) -> str:
    start, end = item["period"]
    return f"\u201c{item['source']}\u201d for outcome {item['outcome']}, {_day(start)} to {_day(end)}"


def _closure_words(snapshot) -> str:
    rows = list(snapshot["closures"].values())
    if not rows or rows[-1]["reopened"]:
        return "open"
    return f"closed on {_day(rows[-1]['closed_on'])}"


def _day(iso: str) -> str:
    from ..verdicts import day

    return day(dt.date.fromisoformat(iso[:10]))
