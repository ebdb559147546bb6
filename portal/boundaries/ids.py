"""Ids from outside: in URLs and in forms (a chosen agency, member or evidence version).

Every table's primary key is an integer that PostgreSQL stores in 32 bits and
SQLite in 64; an id past either limit made the database driver raise (a 500)
rather than find nothing. So an id is read here, once, as 1 to 2^31 - 1 written
in ASCII digits without leading zeros; anything else is no id (a 404 in a URL,
"choose from the list" in a form), the same on both databases.
"""

import re

from werkzeug.routing import BaseConverter, ValidationError

MAX_ID = 2**31 - 1  # PostgreSQL's INTEGER; SQLite would take more, but the two must agree
_ID = re.compile(r"[1-9][0-9]{0,9}")  # ASCII only: str.isdigit() and int() also take "²" and "٣"


def parse_id(text) -> int | None:
    """The id written in `text`, or None if it is not one (never raises)."""
    if not isinstance(text, str) or not _ID.fullmatch(text):
        return None
    value = int(text)
    return value if value <= MAX_ID else None


class IdConverter(BaseConverter):
    """`<id:family_id>`: a URL id the database can hold; anything else does not match (404)."""

    regex = _ID.pattern
    weight = 50  # as werkzeug's int converter, so routing prefers it to a plain string part

    def to_python(self, value):
        number = parse_id(value)
        if number is None:
            raise ValidationError()
        return number

    def to_url(self, value):
        return str(int(value))
