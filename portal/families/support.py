"""Small helpers the family views share: open-case guard, HTMX, optional links."""

from functools import wraps

from flask import current_app, flash, redirect, url_for
from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxesInput,
    GovDateInput,
    GovRadioInput,
    GovSelect,
    GovTextArea,
    GovTextInput,
)

from ..htmx import is_htmx  # noqa: F401 - the family views import it from here


def while_open(doing):
    """Refuse a change to a closed case (GET and POST): reopen it first.

    Sits below family_access, so the refusal is only ever shown to someone
    allowed to see the family.
    """

    def decorate(view):
        @wraps(view)
        def wrapper(*args, family, **kwargs):
            if family.closed_on is not None:
                return back_to_family(family, f"You cannot {doing} because the case is closed. Reopen the case first.")
            return view(*args, family=family, **kwargs)

        return wrapper

    return decorate


def url_if_built(endpoint, **values):
    """The URL of another feature's page, or None while that feature is not there yet."""
    if endpoint not in current_app.view_functions:
        return None
    return current_app.extensions["cached_url_for"](endpoint, **values)  # the templates' url_for


def done(family, message):
    flash(message, "success")
    return redirect(url_for("families.show", family_id=family.id))


def back_to_family(family, message):
    """Nothing to do here (already recorded, not allowed now): say so on the family page."""
    flash(message)
    return redirect(url_for("families.show", family_id=family.id))


def field_params(field) -> dict:
    """GOV.UK params for a field on a one-form page: questions as medium labels or legends."""
    widget = field.widget
    if isinstance(widget, (GovDateInput, GovRadioInput, GovCheckboxesInput)):
        # The widgets only add the legend's text when no fieldset is given, so give both;
        # and they add an empty hint (announced as nothing) unless told there is none.
        params = {"fieldset": {"legend": {"text": field.label.text, "classes": "govuk-fieldset__legend--m"}}}
        if not field.description:
            params["hint"] = None
        return params
    if isinstance(widget, GovTextArea):
        return {"label": {"classes": "govuk-label--m"}, "rows": 4}
    if isinstance(widget, (GovTextInput, GovSelect)):
        return {"label": {"classes": "govuk-label--m"}}
    return {}
