"""UK local time (Europe/London: GMT in winter, BST in summer), as people in English councils read it."""

from datetime import datetime
from zoneinfo import ZoneInfo

from .wording import day

UK = ZoneInfo("Europe/London")


def uk_time(moment: datetime) -> datetime:
    return moment.astimezone(UK)


def uk_when(moment: datetime | None) -> str:
    """'10 August 2026 at 11:00 BST': a moment on a page, in the words of the GOV.UK style guide."""
    if moment is None:
        return ""
    local = uk_time(moment)
    return f"{day(local.date())} at {local:%H:%M} {local.tzname()}"


def uk_text(moment: datetime | None, seconds: bool = True) -> str:
    """'28 Nov 2026 11:35:38 GMT' or '1 Jul 2026 09:00:00 BST'."""
    if moment is None:
        return ""
    local = uk_time(moment)
    return f"{local.day} {local.strftime('%b %Y %H:%M' + (':%S' if seconds else ''))} {local.tzname()}"
