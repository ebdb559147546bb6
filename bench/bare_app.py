"""The baselines of bench/web.py: a bare Flask + Flask-SQLAlchemy app, served by the same gunicorn settings.

- POST /insert: one row inserted and committed (the submission's baseline);
- GET /page: a 50-row table rendered from a Jinja template (the live check's and the family page's).

Its database is BARE_DATABASE_URL (the same database server as the portal it is compared with).
"""

import os

from flask import Flask, render_template_string, request
from flask_sqlalchemy import SQLAlchemy

db = SQLAlchemy()

PAGE = """<!DOCTYPE html>
<html lang="en"><head><title>Bare page</title></head><body>
<table class="govuk-table"><caption class="govuk-table__caption">Rows</caption>
<thead class="govuk-table__head"><tr class="govuk-table__row">
<th scope="col" class="govuk-table__header">Reference</th><th scope="col" class="govuk-table__header">Name</th>
<th scope="col" class="govuk-table__header">Status</th></tr></thead>
<tbody class="govuk-table__body">
{% for row in rows %}<tr class="govuk-table__row"><td class="govuk-table__cell"><a class="govuk-link" href="/rows/{{ row.id }}">{{ row.ref }}</a></td>
<td class="govuk-table__cell">{{ row.name }}</td><td class="govuk-table__cell">{{ row.status }}</td></tr>
{% endfor %}</tbody></table></body></html>"""

ROWS = [
    {"id": i, "ref": f"B-{i:05d}", "name": f"Family {i}", "status": "Open" if i % 3 else "Closed"} for i in range(1, 51)
]


class BareItem(db.Model):
    __tablename__ = "bare_item"

    id = db.Column(db.Integer, primary_key=True)
    text = db.Column(db.Text, nullable=False)


def create_app():
    app = Flask(__name__)
    app.config["SQLALCHEMY_DATABASE_URI"] = os.environ["BARE_DATABASE_URL"]
    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = {"pool_pre_ping": True}  # as the portal
    db.init_app(app)

    @app.post("/insert")
    def insert():
        db.session.add(BareItem(text=request.form.get("text", "")))
        db.session.commit()
        return "stored", 201

    @app.get("/page")
    def page():
        return render_template_string(PAGE, rows=ROWS)

    return app
