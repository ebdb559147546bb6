"""The demo's agencies and users: one login per role, and a partner at each agency."""

from ..auth.passwords import hash_password, password_problem
from ..extensions import db
from ..models import Agency, User
from ..roles import Role

# Demo data only, printed by `flask demo` and listed in README.md. The command
# refuses to run in production, so this password can never open a real account.
DEMO_PASSWORD = "granite harbour teapot"  # noqa: S105 - the published demo password
DEMO_DOMAIN = "demo.example"

AGENCIES = {
    "school": "Oakfield Academy",
    "police": "County Constabulary",
    "health": "Community Health NHS Trust",
    "dwp": "Jobcentre Plus (DWP)",
    "housing": "Council Housing Services",
    "youth_justice": "Youth Justice Service",
    "early_help": "Early Help Team",
}

# key, email local part, name, role, agency kind
USERS = [
    ("admin", "admin", "Priya Shah", Role.ADMIN, None),
    ("lead", "lead", "Jenny Clarke", Role.LEAD_PROFESSIONAL, "early_help"),
    ("lead2", "lead2", "Ben Carter", Role.LEAD_PROFESSIONAL, "early_help"),  # leads none: a colleague to hand over to
    ("verifier", "verifier", "Tom Okafor", Role.VERIFIER, None),
    ("programme", "programme", "Grace Mensah", Role.PROGRAMME_MANAGER, None),  # builds claims
    ("programme2", "programme2", "Owen Davies", Role.PROGRAMME_MANAGER, None),  # approves them
    ("school", "school", "Sarah Bennett", Role.PARTNER, "school"),
    ("police", "police", "Dan Hughes", Role.PARTNER, "police"),
    ("health", "health", "Aisha Malik", Role.PARTNER, "health"),
    ("dwp", "dwp", "Gary Lloyd", Role.PARTNER, "dwp"),
    ("housing", "housing", "Helen Price", Role.PARTNER, "housing"),
    ("youth_justice", "youth-justice", "Marcus Reid", Role.PARTNER, "youth_justice"),
    ("early_help", "early-help", "Lucy Ward", Role.PARTNER, "early_help"),
]


def email(local_part: str) -> str:
    return f"{local_part}@{DEMO_DOMAIN}"


def demo_loaded() -> bool:
    return db.session.scalar(db.select(User.id).filter_by(email=email("admin"))) is not None


def add_people() -> dict:
    """Agencies (by kind) and users (by key), added to the session."""
    agencies = {kind: _agency(kind, name) for kind, name in AGENCIES.items()}
    password_hash = hash_password(DEMO_PASSWORD)  # once: argon2 is slow on purpose
    users = {
        key: _user(key, local, name, role, agencies.get(kind), password_hash) for key, local, name, role, kind in USERS
    }
    db.session.flush()
    return {"agencies": agencies, "users": users}


def _agency(kind, name):
    # Reused if a developer already made one of that name (agency names are unique).
    agency = db.session.scalar(db.select(Agency).filter_by(name=name))
    if agency is None:
        agency = Agency(name=name, kind=kind)
        db.session.add(agency)
    return agency


def _user(key, local_part, name, role, agency, password_hash):
    address = email(local_part)
    problem = password_problem(DEMO_PASSWORD, address)
    if problem:  # the policy changed: the demo password must follow it too
        raise RuntimeError(f"demo password refused for {address}: {problem}")
    user = User(email=address, name=name, role=role, agency=agency, password_hash=password_hash)
    db.session.add(user)
    return user
