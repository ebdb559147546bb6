"""The queue for huey's own consumer: `huey_consumer portal.jobs.worker.huey -w 2`.

Builds the app once for the consumer process (from the same environment as the
web server: PORTAL_CONFIG, DATABASE_URL, REDIS_URL, ...). `flask --app portal
jobs worker` does the same with the portal's defaults.
"""

from portal import create_app
from portal.jobs.queue import queue_for

app = create_app()
huey = queue_for(app).huey
huey.immediate = False
