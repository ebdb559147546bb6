from ..audit import record
from ..extensions import db


def set_digest(user, digest: bool) -> None:
    """The user's own choice: work e-mails one by one, or held for a daily digest."""
    user.notify_digest = digest
    record("account.email-preference", detail=f"user {user.id}; {'digest' if digest else 'each'}")
    db.session.commit()
