"""The worker's side of the stored verdicts (portal/families/standing.py), on the jobs queue.

Each hour at a quarter past, every family whose stored verdict is of an earlier day (or
missing) is decided again, 500 at a time, each batch its own commit. So the first family
list filtered or sorted by status after midnight in the UK does not decide every family
itself; the list still brings up to date any it finds stale (if the worker is not running),
so it is never wrong, only slower.
"""

from huey import crontab


def register_tasks(huey, app):
    @huey.periodic_task(crontab(minute="15"), name="portal.families.verdicts")
    def families_verdicts():
        from . import standing

        with app.app_context():
            standing.bring_all_up_to_date()

    return (families_verdicts,)
