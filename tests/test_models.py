from datetime import UTC, datetime

import pytest
from sqlalchemy import text

from portal.extensions import db
from portal.models import PlanSetting


def test_a_plan_is_open_for_new_cases_by_default(app):
    with app.app_context():
        db.session.add(PlanSetting(plan_id="suffolk-2017"))
        db.session.commit()
        db.session.expire_all()

        setting = db.session.get(PlanSetting, "suffolk-2017")
        assert setting.open_for_new_cases is True
        assert setting.updated_at.tzinfo == UTC


def test_rows_inserted_by_sql_are_open_too(app):
    with app.app_context():
        db.session.execute(
            text("INSERT INTO plan_setting (plan_id, updated_at) VALUES ('durham-2018', :now)"),
            {"now": datetime.now(UTC)},
        )
        db.session.commit()

        assert db.session.get(PlanSetting, "durham-2018").open_for_new_cases is True


def test_updated_at_moves_on_change(app):
    with app.app_context():
        setting = PlanSetting(plan_id="suffolk-2017", updated_at=datetime(2020, 1, 1, tzinfo=UTC))
        db.session.add(setting)
        db.session.commit()

        setting.open_for_new_cases = False
        db.session.commit()
        db.session.expire_all()

        assert db.session.get(PlanSetting, "suffolk-2017").updated_at.year > 2020


def test_naive_datetimes_are_refused(app):
    with app.app_context():
        db.session.add(PlanSetting(plan_id="x", updated_at=datetime(2020, 1, 1)))
        with pytest.raises(Exception, match="timezone-aware"):
            db.session.commit()
        db.session.rollback()


def test_tables_are_emptied_between_tests(app):
    with app.app_context():
        assert db.session.query(PlanSetting).count() == 0
