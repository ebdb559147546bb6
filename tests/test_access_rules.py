"""Every route must say who may use it (see portal/access.py)."""

# Flask's own static route serves the vendored CSS, JS, fonts and images, which
# every page (the sign-in page included) needs before anyone has signed in.
# It is not our view function, so it cannot carry a decorator.
EXEMPT_ENDPOINTS = {"static"}


def test_every_endpoint_has_an_access_rule(app):
    missing = sorted(
        rule.endpoint
        for rule in app.url_map.iter_rules()
        if rule.endpoint not in EXEMPT_ENDPOINTS
        and not getattr(app.view_functions[rule.endpoint], "_access_rule", None)
    )

    assert missing == [], f"endpoints without an access rule: {missing}"


def test_the_start_page_is_public(app):
    assert app.view_functions["main.index"]._access_rule == "public"
