"""What needs me: each role's to-do list (issue 13, section 1). docs/todo-and-review.md."""

from flask import Blueprint

bp = Blueprint("todo", __name__)

from . import views  # noqa: F401  (registers the routes on bp)
