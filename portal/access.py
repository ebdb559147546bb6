"""Access rules for views.

Every route must declare who may reach it; tests/test_access_rules.py fails on
any view without an `_access_rule`, so a forgotten check shows up in CI rather
than in production.
"""

PUBLIC = "public"


def public(view):
    """Mark a view as deliberately open to anyone, signed in or not."""
    view._access_rule = PUBLIC
    return view
