"""Per-plan settings chosen by admins (plans themselves are frameworks/*.yaml)."""

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from .types import UTCDateTime, utcnow


class PlanSetting(db.Model):
    __tablename__ = "plan_setting"

    # The plan's id as in frameworks/<plan-id>.yaml, e.g. "suffolk-2017".
    plan_id: Mapped[str] = mapped_column(sa.String(100), primary_key=True)
    # server_default as well, so rows added by SQL or data migrations are open too.
    # Spelt as the literal `true` (SQLite >= 3.23 and PostgreSQL both accept it):
    # sa.true() would be rendered into migrations as the generating database's
    # `1`, which PostgreSQL rejects for a boolean.
    open_for_new_cases: Mapped[bool] = mapped_column(sa.Boolean, default=True, server_default=sa.text("true"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    def __repr__(self) -> str:
        return f"<PlanSetting {self.plan_id} open={self.open_for_new_cases}>"
