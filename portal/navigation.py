"""The service navigation for each role (templates/partials/navigation.html)."""

from flask import request, url_for
from flask_login import current_user

from .roles import Role

NAVIGATION = {
    Role.PARTNER: [("Families", "families.index")],
    Role.LEAD_PROFESSIONAL: [("Families", "families.index"), ("Check a summary", "closure.verify_form")],
    Role.VERIFIER: [("Families", "families.index"), ("Claims", "claims.index"), ("Check a summary", "closure.verify_form")],
    Role.PROGRAMME_MANAGER: [("Families", "families.index"), ("Claims", "claims.index"),
                          ("Evidence to review", "families.review_queue_page"), ("Check a summary", "closure.verify_form")],
    Role.ADMIN: [
        ("Users", "admin.users"),
        ("Agencies", "admin.agencies"),
        ("Plans", "admin.plans"),
        ("Families and audit", "audit.families"),
    ],
}


def navigation_items() -> list[dict]:
    items = [{"text": text, "href": url_for(endpoint)} for text, endpoint in NAVIGATION.get(current_user.role, [])]
    # The most specific match is active: /families/reviews is "Evidence to review", not "Families".
    matching = [item["href"] for item in items if request.path.startswith(item["href"])]
    for item in items:
        item["active"] = bool(matching) and item["href"] == max(matching, key=len)
    return items


def init_app(app):
    app.jinja_env.globals["navigation_items"] = navigation_items
