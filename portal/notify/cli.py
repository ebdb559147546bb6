"""`flask --app portal notify send-digests` (daily, from cron or the worker) and `notify sweep`."""

import click
from flask import current_app
from flask.cli import AppGroup

notify_cli = AppGroup("notify", help="E-mail notifications (docs/notifications.md).")


@notify_cli.command("send-digests")
def send_digests_command():
    """Send each user who chose a daily digest one e-mail with what is waiting for them."""
    from .digest import send_digests

    made = send_digests(current_app._get_current_object())
    click.echo(f"{len(made)} digest{'' if len(made) == 1 else 's'} sent")


@notify_cli.command("sweep")
def sweep_command():
    """Deliver notifications still pending a minute after they were saved (the worker does this each minute)."""
    from .delivery import sweep

    ids = sweep(current_app._get_current_object())
    click.echo(f"{len(ids)} pending notification{'' if len(ids) == 1 else 's'} tried again")
