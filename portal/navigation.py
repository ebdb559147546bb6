"""The service navigation for each role (templates/partials/navigation.html)."""

import logging

from flask import g, request, url_for
from flask_login import current_user
from sqlalchemy.exc import SQLAlchemyError

from .evidence.counts import TODO_COUNT
from .extensions import db
from .roles import Role

TO_DO_ITEM = ("To do", "todo.index")  # shows the count of what waits for the user (portal/todo)
NAVIGATION = {
    Role.PARTNER: [TO_DO_ITEM, ("Families", "families.index")],
    Role.LEAD_PROFESSIONAL: [TO_DO_ITEM, ("Families", "families.index"), ("Check a summary", "closure.verify_form")],
    Role.VERIFIER: [
        TO_DO_ITEM,
        ("Families", "families.index"),
        ("Claims", "claims.index"),
        ("Check a summary", "closure.verify_form"),
    ],
    Role.PROGRAMME_MANAGER: [
        TO_DO_ITEM,
        ("Families", "families.index"),
        ("Claims", "claims.index"),
        ("Evidence to review", "families.review_queue_page"),
        ("Check a summary", "closure.verify_form"),
    ],
    Role.ADMIN: [
        ("Users", "admin.users"),
        ("Agencies", "admin.agencies"),
        ("Plans", "admin.plans"),
        ("Families and audit", "audit.families"),
        ("Outbox", "notify.outbox"),
    ],
}


def navigation_items() -> list[dict]:
    items = [_item(text, endpoint) for text, endpoint in NAVIGATION.get(current_user.role, [])]
    # The most specific match is active: /families/reviews is "Evidence to review", not "Families".
    matching = [item["href"] for item in items if request.path.startswith(item["href"])]
    for item in items:
        item["active"] = bool(matching) and item["href"] == max(matching, key=len)
    return items


def _item(text, endpoint) -> dict:
    if (text, endpoint) != TO_DO_ITEM:
        return {"text": text, "href": url_for(endpoint)}
    count = todo_count()
    # "To do (3)": a screen reader hears the same words; nothing waiting, no number.
    return {"text": f"{text} ({count})" if count else text, "href": url_for(endpoint)}


def todo_count() -> int:
    """What waits for the signed-in user, counted once per request (portal/todo/lists.py)."""
    if TODO_COUNT not in g:  # a page may have read it already, with its own counts (families/page.py)
        from .todo.lists import count_for

        try:
            g.setdefault(TODO_COUNT, count_for(current_user))
        except SQLAlchemyError:  # an error page after a failed transaction: the page matters, not the count
            logging.getLogger(__name__).exception("the to-do count could not be read")
            db.session.rollback()
            g.setdefault(TODO_COUNT, 0)
    return g.get(TODO_COUNT)


def init_app(app):
    app.jinja_env.globals["navigation_items"] = navigation_items
