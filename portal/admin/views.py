from flask import render_template

from ..access import roles
from . import bp


# Placeholder pages: the admin feature fills these in.
@bp.get("/users")
@roles("admin")
def users():
    return render_template("admin/placeholder.html", page_title="Users")


@bp.get("/agencies")
@roles("admin")
def agencies():
    return render_template("admin/placeholder.html", page_title="Agencies")


@bp.get("/plans")
@roles("admin")
def plans():
    return render_template("admin/placeholder.html", page_title="Plans")
