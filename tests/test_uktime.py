"""Moments on pages are UK time, as the councils read them (GMT in winter, BST in summer)."""

from datetime import UTC, datetime

from portal.uktime import uk_text, uk_when
from tests.test_evidence import durham  # noqa: F401  (a fixture)


def test_a_summer_moment_is_shown_in_british_summer_time_and_a_winter_one_in_gmt():
    assert uk_when(datetime(2026, 8, 10, 10, 0, tzinfo=UTC)) == "10 August 2026 at 11:00 BST"
    assert uk_when(datetime(2026, 11, 29, 23, 30, tzinfo=UTC)) == "29 November 2026 at 23:30 GMT"
    assert uk_text(datetime(2026, 8, 10, 23, 30, tzinfo=UTC), seconds=False) == "11 Aug 2026 00:30 BST"  # the UK day
    assert uk_when(None) == ""


def test_the_evidence_page_says_when_it_was_submitted_in_uk_time(app, client, people, durham):
    from portal.extensions import db
    from portal.models import Evidence
    from tests import factories as f
    from tests.test_evidence import attendance

    f.sign_in(client, people["partner"])
    assert client.post(f"{durham.url}/new", data=attendance(durham.child)).status_code == 302
    with app.app_context():
        evidence = db.session.scalar(db.select(Evidence))
        shown, evidence_id = uk_when(evidence.submitted_at), evidence.id
    page = " ".join(client.get(f"{durham.url}/{evidence_id}").get_data(as_text=True).split())
    assert shown in page and "(UTC)" not in page
