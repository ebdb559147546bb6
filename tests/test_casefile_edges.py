"""The portal decides through the same engine: what it refuses, the portal refuses (issue 12)."""

import datetime as dt

from portal import casefile
from portal.extensions import db
from portal.models import Evidence, FamilyPlanOutcome, Review
from tests import factories as f


def _family_with_evidence(people, source):
    lp, partner = people["lead_professional"], people["partner"]
    family = f.make_family(lp, plan_id="suffolk-2017", name="Clarke family")
    parent = f.add_member(family, lp, role="parent", born=dt.date(1986, 4, 12), name="Kerry", activity="none")
    f.add_member(family, lp, role="child", born=dt.date(2012, 6, 25), name="Mia")
    f.add_problem(family, lp, "1", "a", member=parent)
    f.add_problem(family, lp, "6", "a", member=parent)
    db.session.add(FamilyPlanOutcome(family_id=family.id, outcome_id="6.2", recorded_by_id=lp.id))
    row = Evidence(
        family_id=family.id,
        outcome_id="6.2",
        member_ids=[parent.id],
        source=source,
        period_start=dt.date(2024, 2, 1),
        period_end=dt.date(2024, 8, 1),
        values={"confirmed": True, "practitioner": "Jenny Clarke, Early Help key worker"},
        statement="Kerry manages her depression well now.",
        submitted_by_id=partner.id,
        agency_id=partner.agency_id,
        version=1,
    )
    db.session.add(row)
    db.session.flush()
    db.session.add(Review(evidence_id=row.id, decision="accepted", reason="", reviewed_by_id=lp.id))
    db.session.commit()
    return family, row


def test_accepted_evidence_from_a_source_the_outcome_does_not_name_is_set_aside_with_why(app, people):
    with app.app_context():
        family, row = _family_with_evidence(people, "A neighbour's letter")
        verdict = casefile.verdict(family, as_of=dt.date(2024, 9, 1))
        outcome = next(o for p in verdict.problems for o in p.outcomes if o.id == "6.2")
        assert outcome.met is False
        assert any(
            f"Evidence e{row.id} for 6.2 is set aside" in m and "A neighbour's letter" in m for m in verdict.missing
        ), verdict.missing


def test_the_same_evidence_from_a_named_source_meets_the_outcome(app, people):
    with app.app_context():
        family, _ = _family_with_evidence(people, "Social Care and Early Help practitioners (via CareFirst & Profile)")
        verdict = casefile.verdict(family, as_of=dt.date(2024, 9, 1))
        outcome = next(o for p in verdict.problems for o in p.outcomes if o.id == "6.2")
        assert outcome.met is True
