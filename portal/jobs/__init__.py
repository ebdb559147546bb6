"""Background jobs: files built away from the web request, with progress on a page.

For other features (docs/jobs.md):
- register(JobKind(...)) once, at import, to define a kind of job;
- start_job(kind, requested_by, params=..., subject=(...)) to ask for one;
  then send the user to url_for("jobs.show", job_id=job.id).
"""

from .kinds import JobKind, register
from .service import start_job

__all__ = ["JobKind", "init_app", "register", "start_job"]


def init_app(app):
    from .cli import jobs_cli

    app.cli.add_command(jobs_cli)
