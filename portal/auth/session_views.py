"""The timeout warning's endpoints: how long is left, "stay signed in", and keeping a form at the end."""

from flask import jsonify, redirect, request, url_for
from flask_login import current_user

from ..access import public, signed_in
from . import bp, kept_forms
from .next_page import safe_next_page
from .sessions import keep_alive as restart_idle_clock
from .sessions import seconds_left


@bp.get("/session/status")
@public
def session_status():
    """{"signed_in", "seconds_left"}; asking does not keep the session alive (sessions.load_user)."""
    if not current_user.is_authenticated:
        return jsonify(signed_in=False, seconds_left=0)
    return jsonify(signed_in=True, seconds_left=seconds_left(current_user.session_row))


@bp.post("/session/keep-alive")
@signed_in
def keep_alive():
    """ "Stay signed in": JSON for the warning's script; without JavaScript, back to the page."""
    restart_idle_clock(current_user.session_row)
    if request.headers.get("X-Requested-With") == "fetch":
        return jsonify(signed_in=True, seconds_left=seconds_left(current_user.session_row))
    return redirect(safe_next_page(request.form.get("next")) or url_for("main.home"))


@bp.post("/session/keep-form")
@public
def keep_form():
    """At the end of a session the warning's script sends the form the user was filling in:
    it is kept (never saved as real data) and offered back after they sign in again."""
    user = kept_forms.owner()
    path = safe_next_page(request.form.get("_kept_path"))
    if user is None or path is None:
        return "", 404
    fields = request.form.copy()
    fields.pop("_kept_path", None)
    kept = kept_forms.keep(user, path.split("?")[0], fields)
    return "", 204 if kept else 422
