"""Messages waiting for the next page are few: the latest KEPT, the older ones dropped.

Flask keeps flashed messages in the session cookie until a page shows them. A person (or a
script, or two tabs) who acts again and again without loading a page in between would
otherwise grow the cookie by one message an action; past about 4 KB a browser drops the
cookie, and with it the sign-in. Only the latest messages matter: each says what the latest
actions did, and every action is in the audit log and on the family's page anyway.
"""

from flask import session

KEPT = 3
_KEY = "_flashes"  # where Flask keeps them (flask.helpers.flash)


def keep_the_latest(response):
    # `in` first: reading the session with get() would mark it accessed, and Flask would add
    # "Vary: Cookie" to every response, static files included.
    if _KEY in session and len(waiting := session[_KEY]) > KEPT:
        session[_KEY] = waiting[-KEPT:]
    return response


def init_app(app):
    app.after_request(keep_the_latest)
