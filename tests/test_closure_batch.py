"""render_summaries: many closure summaries into one ZIP, rendered in worker processes."""

import datetime as dt
import zipfile

import pytest

from portal.closure.batch import render_summaries
from portal.closure.pdf import html_to_pdf
from portal.closure.summary import build
from portal.demo import load_demo
from portal.extensions import db
from portal.models import ClosureSummary, Family


@pytest.fixture
def demo(app):
    with app.app_context():
        load_demo(dt.date.today())
    return app


def test_a_batch_renders_every_family_into_the_zip_as_one_at_a_time_would(demo, tmp_path):
    out = tmp_path / "summaries.zip"
    seen = []
    with demo.test_request_context():
        families = db.session.scalars(db.select(Family).order_by(Family.id)).all()
        ids = [f.id for f in families]
        one_by_one = {f"{f.ref}-closure-summary.pdf": html_to_pdf(build(f).html) for f in families}
        codes = render_summaries(
            ids, out, progress=lambda done, total: seen.append((done, total)), processes=2, per_worker=3
        )
        rows = db.session.scalars(db.select(ClosureSummary).order_by(ClosureSummary.id)).all()
    with zipfile.ZipFile(out) as archive:
        assert sorted(archive.namelist()) == sorted(one_by_one)
        for name, pdf in one_by_one.items():
            assert archive.read(name) == pdf, name
    assert seen == [(n, len(ids)) for n in range(1, len(ids) + 1)]
    assert [(r.family_id, r.code) for r in rows] == codes and [c[0] for c in codes] == ids
    assert all(r.generated_by_id is None for r in rows)


def test_an_unknown_family_fails_the_batch_loudly(demo, tmp_path):
    with demo.app_context(), pytest.raises(LookupError):
        render_summaries([999999], tmp_path / "x.zip", processes=1)
