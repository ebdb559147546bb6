"""Rate limits (Flask-Limiter): sign-in attempts per client address and per account; password
reset requests; closure summary code look-ups per signed-in user.

Each sign-in attempt runs argon2, which is slow on purpose, so a flood of
attempts would also slow every signed-in user's pages. The limiter answers
before the view runs, so an attempt over the limit costs almost nothing.

Counts live in memory by default (per process) and in Redis when REDIS_URL is
set, so that every worker and every machine shares them.
"""

import os

from flask import request
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address

limiter = Limiter(key_func=get_remote_address)


def init_app(app):
    app.config.setdefault("RATELIMIT_STORAGE_URI", os.environ.get("REDIS_URL") or "memory://")
    app.config.setdefault("RATELIMIT_HEADERS_ENABLED", True)
    limiter.init_app(app)


def sign_in_account_key() -> str:
    """The account an attempt is for: its email address as typed, normalised."""
    return "sign-in account:" + (request.form.get("email") or "").strip().lower()[:320]


def sign_in_address_limit() -> str:
    from flask import current_app

    return current_app.config["SIGN_IN_LIMIT_PER_ADDRESS"]


def sign_in_account_limit() -> str:
    from flask import current_app

    return current_app.config["SIGN_IN_LIMIT_PER_ACCOUNT"]


def reset_account_key() -> str:
    """Password reset requests for one address as typed: nobody can flood someone's inbox."""
    return "reset account:" + (request.form.get("email") or "").strip().lower()[:320]


def reset_address_limit() -> str:
    from flask import current_app

    return current_app.config["RESET_LIMIT_PER_ADDRESS"]


def reset_account_limit() -> str:
    from flask import current_app

    return current_app.config["RESET_LIMIT_PER_ACCOUNT"]


def signed_in_user_key() -> str:
    """The signed-in user (their id); the client address for anyone else."""
    from flask_login import current_user

    user_id = current_user.get_id() if current_user.is_authenticated else None
    return f"user:{user_id}" if user_id else f"address:{get_remote_address()}"


def verify_limit() -> str:
    from flask import current_app

    return current_app.config["VERIFY_LIMIT_PER_USER"]
