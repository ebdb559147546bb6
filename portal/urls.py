"""URL converters: `<int:...>` matches only ids the database can hold.

Werkzeug's int converter takes numbers of any size, which PostgreSQL's integer
and SQLite's 64-bit columns refuse with an error (a 500 on /families/99999999999999999999).
Replaced app-wide before any route is added, so no view has to check.
"""

from werkzeug.routing import IntegerConverter

LARGEST_ID = 2**31 - 1  # PostgreSQL's integer, the type of every id column


class DatabaseIdConverter(IntegerConverter):
    def __init__(self, map, *args, **kwargs):
        kwargs.setdefault("max", LARGEST_ID)
        super().__init__(map, *args, **kwargs)


def init_app(app):
    app.url_map.converters["int"] = DatabaseIdConverter
