"""Background jobs: one row per file the portal builds away from the web request.

The row is the job's truth (huey's queue only carries its id): who asked, for
what, how far it got, and where the finished file is. A job moves
queued -> running -> done or failed by conditional UPDATEs (portal/jobs/runner.py),
so two workers can never both run it. docs/jobs.md explains the life of a job.
"""

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .people import User
from .types import UTCDateTime, utcnow

JOB_STATES = {
    "queued": "Waiting to start",
    "running": "Being built",
    "done": "Ready",
    "failed": "Failed",
}
FINISHED_STATES = ("done", "failed")


class Job(db.Model):
    __tablename__ = "job"
    __table_args__ = (
        sa.CheckConstraint(sa.text("state IN ('queued', 'running', 'done', 'failed')"), name="state"),
        # The housekeeping task looks for running jobs whose heartbeat stopped.
        sa.Index("ix_job_state_heartbeat_at", "state", "heartbeat_at"),
        sa.Index("ix_job_subject", "subject_kind", "subject_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # The registered JobKind's name, e.g. "closure-summaries-zip" (portal/jobs/kinds.py).
    kind: Mapped[str] = mapped_column(sa.String(60))
    requested_by_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id"), index=True)
    # What it is for: ("families", None), ("family", 12), ("claim", 3)...
    subject_kind: Mapped[str] = mapped_column(sa.String(30), default="")
    subject_id: Mapped[int | None] = mapped_column()
    # The kind's own parameters, e.g. {"family_ids": [...]}.
    params: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    state: Mapped[str] = mapped_column(sa.String(20), default="queued")
    progress_done: Mapped[int] = mapped_column(default=0, server_default="0")
    progress_total: Mapped[int | None] = mapped_column()
    # Shown to the user: why it failed, or that it is being tried again.
    message: Mapped[str] = mapped_column(sa.Text, default="")
    # Relative to JOBS_RESULT_DIR; None until done, and again once the file is deleted.
    result_path: Mapped[str | None] = mapped_column(sa.String(300))
    result_name: Mapped[str | None] = mapped_column(sa.String(200))
    result_bytes: Mapped[int | None] = mapped_column(sa.BigInteger)
    attempts: Mapped[int] = mapped_column(default=0, server_default="0")
    # The current attempt's token: every write a worker makes names it, so a
    # worker whose job was taken from it (thought dead) can no longer write.
    run_id: Mapped[str | None] = mapped_column(sa.String(32))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Written with every progress report (and on queueing); stale means the worker stopped.
    heartbeat_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    file_deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    requested_by: Mapped[User] = relationship()

    @property
    def finished(self) -> bool:
        return self.state in FINISHED_STATES

    @property
    def state_label(self) -> str:
        return JOB_STATES.get(self.state, self.state)

    @property
    def file_ready(self) -> bool:
        return self.state == "done" and self.result_path is not None

    def __repr__(self) -> str:
        return f"<Job {self.id} {self.kind} {self.state}>"
