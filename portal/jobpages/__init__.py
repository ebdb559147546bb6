"""The job pages (blueprint "jobs"): a job's progress, its file, asking again. The jobs
themselves (kinds, queue, runner) are portal.jobs, which portal.access reads to decide who
may see a job; these pages sit above portal.access like any other feature."""

from flask import Blueprint

bp = Blueprint("jobs", __name__, url_prefix="/jobs")

from . import views  # noqa: F401
