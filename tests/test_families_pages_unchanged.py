"""Nothing visible changes because the web paths load less (issue 12, section 3).

For every demo family, what the pages show is computed both ways: as before (the case
built from every evidence version and its reviews as ORM objects, decided afresh) and as
now (accepted versions as plain rows; the check's case without evidence, from plain rows;
the list's status from the stored verdict). They must be equal.
"""

import datetime as dt

import pytest

from portal import casefile, verdicts
from portal.demo import load_demo
from portal.extensions import db
from portal.families import standing
from portal.models import Evidence, Family
from portal.rules.case import parse_case
from portal.rules.submission import outcomes_open_to


@pytest.fixture
def demo(app):
    with app.app_context():
        load_demo(dt.date.today())
    return app


def before(family):
    """The verdict as the family page presented it before: every version, as ORM rows."""
    rows = Evidence.query.filter_by(family_id=family.id).order_by(Evidence.id).options(*Evidence.with_status()).all()
    verdict = casefile.verdict(family, evidence_rows=rows)
    return verdicts.present(casefile.plan_for(family), verdict, verdicts.words_for(family, rows)), verdict


def test_every_demo_familys_verdict_reads_the_same_as_before(demo):
    with demo.app_context():
        families = db.session.scalars(db.select(Family).order_by(Family.id)).all()
        assert len(families) >= 5
        shown = standing.current([f.id for f in families])
        turned = 0
        for family in families:
            old_view, old = before(family)
            new_view, _ = verdicts.family_verdict(family)
            assert new_view == old_view, family.ref
            assert (
                shown[family.id]["turned_around"],
                shown[family.id]["eligible"],
                shown[family.id]["earliest_claim_date"],
            ) == (old.turned_around, old.eligible, old.earliest_claim_date), family.ref
            turned += old.turned_around
        assert turned  # some demo family is turned around: the comparison covers both answers


def test_every_demo_familys_open_outcomes_and_checks_read_the_same_as_before(demo):
    with demo.app_context():
        for family in db.session.scalars(db.select(Family).order_by(Family.id)):
            plan = casefile.plan_for(family)
            old_case = parse_case(
                casefile.case_data(
                    family,
                    evidence_rows=Evidence.query.filter_by(family_id=family.id).options(*Evidence.with_status()).all(),
                )
            )
            assert casefile.open_outcomes(family) == outcomes_open_to(plan, old_case), family.ref
            assert casefile.check_case_data(family) == casefile.case_data(family, evidence_rows=()), family.ref
