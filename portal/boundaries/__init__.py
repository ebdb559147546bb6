"""Input boundaries: what the portal accepts from a request before any view or database sees it.

One module per kind of input, each the only reader of its kind:
- `ids`: ids in URLs (the `<id:...>` converter) and ids chosen in forms, 1 to 2^31 - 1;
- `dates`: the GOV.UK date input (day, month, year), for every date field;
- `text`: control characters, refused in every query parameter and form field;
- `pages`: ?page= numbers.
The limits and the reasons for them are in docs/security.md ("Input boundaries").
"""


def init_app(app):
    """Register the id converter (before any blueprint) and the control-character check."""
    from . import ids, text

    app.url_map.converters["id"] = ids.IdConverter
    text.init_app(app)
