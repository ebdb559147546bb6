"""The service navigation for each role (templates/partials/navigation.html)."""

from flask import request, url_for
from flask_login import current_user

NAVIGATION = {
    "partner": [("Families", "families.index")],
    "lead_professional": [("Families", "families.index")],
    "verifier": [("Families", "families.index"), ("Claims", "claims.index")],
    "programme_manager": [("Families", "families.index"), ("Claims", "claims.index")],
    "admin": [
        ("Users", "admin.users"),
        ("Agencies", "admin.agencies"),
        ("Plans", "admin.plans"),
        ("Families and audit", "audit.families"),
    ],
}


def navigation_items() -> list[dict]:
    items = []
    for text, endpoint in NAVIGATION.get(current_user.role, []):
        href = url_for(endpoint)
        items.append({"text": text, "href": href, "active": request.path.startswith(href)})
    return items


def init_app(app):
    app.jinja_env.globals["navigation_items"] = navigation_items
