"""`flask --app portal jobs worker`: a huey consumer for the portal's jobs."""

import logging

import click
from flask import current_app
from flask.cli import AppGroup

from .queue import describe_storage, queue_for

jobs_cli = AppGroup("jobs", help="Background jobs: run a worker (docs/jobs.md).")


@jobs_cli.command("worker")
@click.option("--workers", "-w", default=2, show_default=True, help="Jobs run at once by this worker.")
@click.option(
    "--worker-type",
    "-k",
    type=click.Choice(["thread", "process"]),
    default="thread",
    show_default=True,
    help="Threads share one app; processes are forked from it.",
)
def worker(workers, worker_type):
    """Run jobs from the queue until stopped (Ctrl-C waits for running jobs; SIGTERM does not)."""
    app = current_app._get_current_object()
    huey = queue_for(app).huey
    huey.immediate = False  # a worker takes jobs from the queue, whatever the config says
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    click.echo(f"Jobs worker: {workers} {worker_type}(s), queue in {describe_storage(app)}")
    # An idle worker checks a SQLite queue at least once a second (huey's default
    # backs off to 10 s); on Redis it waits on the queue and wakes at once.
    huey.create_consumer(
        workers=workers, worker_type=worker_type, periodic=True, max_delay=1.0, check_worker_health=True
    ).run()
