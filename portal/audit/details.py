"""What an audit event's detail may say: ids and action words, never case data.

Admins read the audit log and see no case data (docs/security.md), so a detail
names rows by id ("member 12", "evidence 40 v2", "GET /families/5/evidence/40")
and never holds a name, a typed reason, a search term or any other free text.
`record()` callers build details from ids; `request_detail()` describes a
request by its method and path, with any text argument of the route left as
its placeholder.

`shown()` is the same rule on the way out: a detail whose every word is an id,
a number, a word from DETAIL_WORDS, a plan id or a path of the portal's routes
is shown; anything else (rows written before this rule, or a slip in new code)
is withheld from every reader of the log. tests/test_audit_case_data.py fails
on any detail recorded by the portal that would be withheld, so a new word has
to be added here on purpose.
"""

import re

from flask import current_app, request

from ..models.claims import CLAIM_TYPES, DECISIONS, REJECTION_REASONS
from ..models.people import ROLES
from ..rules.plan import load_plans

# Every word a detail may use besides ids, numbers, plan ids and route paths.
DETAIL_WORDS = frozenset(
    [
        "GET",
        "POST",
        "plan",
        "member",
        "problem",
        "evidence",
        "replaces",
        "essential",
        "records",
        "team",
        "membership",
        "closure",
        "search",
        "page",
        "filtered",
        "by",
        "action",
        "email",
        "added",
        "removed",
        "lead",
        "professional",
        "user",
        "to",
        "families",
        "led",
        "changed",
        "name",
        "role",
        "agency",
        "other",
        "sessions",
        "ended",
        "loaded",
        "the",
        "demo",
        "command",
        "outcome",
        "none",
        "summary",
        "matches",
        "unknown",
        "claim",
        "window",
        "line",
        "job",
        "departure",
        "withdraws",
        # How someone signed in, and two-factor events (portal/auth).
        "with",
        "a",
        "code",
        "codes",
        "from",
        "authenticator",
        "app",
        "recovery",
        "made",
        "after",
        "setting",
        "up",
        "password",
        "only",
        "account",
        "in",
        "development",
        "admin",
        "create-admin",
        # Evidence documents and the closure pack (portal/documents, portal/closure/pack.py).
        "document",
        "documents",
        "attached",
        "carried",
        "refused",
        "virus",
        "found",
        "pack",
        "family",
        # E-mail preferences and password resets (portal/notify, portal/auth/resets.py).
        "digest",
        "each",
        "locked",
        "deactivated",
        # The audit log's own filters (portal/audit/views.py).
        "date_from",
        "date_to",
        # Live checks counted on one form (portal/audit/live.py).
        "live",
        "checks",
        # Claims (portal/claims): a claim's steps, the claimable list's filters and sorts (their
        # codes), the check pages' sections, why a family was not added. Decisions, rejection
        # reasons and claim types are their codes (models/claims.py), added below.
        "lines",
        "snapshot",
        "seed",
        "size",
        "of",
        "flagged",
        "chosen",
        "plans",
        "reason",
        "note",
        "decision",
        "query",
        "adding",
        "held",
        "not-turned-around",
        "outside-window",
        "filters",
        "sort",
        "ref",
        "status",
        "date",
        "flags",
        "claimable",
        "not_yet",
        "not_claimable",
        "claimed",
        "check",
        "eligibility",
        "essentials",
        "continuous-employment",
        "sustainment",
        "double-claim",
        "same",
        "different",
        "verdict",
        "as",
        "changes",
        "since",
        "confirmation",
        "sha256",
        "csv",
        "zip",
    ]
    + list(CLAIM_TYPES)
    + list(DECISIONS)
    + list(REJECTION_REASONS)
)

WITHHELD = "Withheld: this detail may hold case data"

_PLACEHOLDER = re.compile(r"<(?:[^:<>]+:)?([^<>]+)>")
_SEPARATORS = re.compile(r"[\s,;:]+")
_NUMBER = re.compile(r"\d+")
_VERSION = re.compile(r"v\d+")
# A claim sample's seed (16 hex digits) or a sha256 (64): digests, not words anyone typed.
_DIGEST = re.compile(r"[0-9a-f]{16}|[0-9a-f]{64}")
_route_words_by_app: dict = {}


def request_detail() -> str:
    """'GET /families/5/evidence/40': the method and path; a route's text arguments stay '<name>'."""
    rule, args = request.url_rule, request.view_args or {}
    if rule is None:
        return request.method
    return f"{request.method} {_PLACEHOLDER.sub(lambda m: _arg(args, m.group(1)), rule.rule)}"


def _arg(args, name) -> str:
    value = args.get(name)
    return str(value) if isinstance(value, int) else f"<{name}>"


def shown(detail: str) -> str:
    """The detail if it holds only ids and action words; otherwise WITHHELD."""
    return detail if is_safe(detail) else WITHHELD


def is_safe(detail: str) -> bool:
    return all(_safe_word(word) for word in _SEPARATORS.split(detail or "") if word)


def _safe_word(word: str) -> bool:
    if _NUMBER.fullmatch(word) or _VERSION.fullmatch(word) or _DIGEST.fullmatch(word) or word in DETAIL_WORDS:
        return True
    if word in ROLES or word in load_plans() or word in _problem_ids():
        return True
    if word.startswith("/"):
        return all(_NUMBER.fullmatch(part) or part in _route_words() for part in word.split("/")[1:])
    return False


def _problem_ids() -> frozenset:
    """The plans' problem ids ("1", "EDU1", "CRIME3"): the plans' own words, not case data."""
    return frozenset(p.id for plan in load_plans().values() for p in plan.problems)


def _route_words() -> frozenset:
    """The fixed parts of the portal's route paths ('families', 'evidence', '<plan_id>', ...)."""
    app = current_app._get_current_object()
    if app not in _route_words_by_app:
        words = {
            part for rule in app.url_map.iter_rules() if rule.endpoint != "static" for part in rule.rule.split("/")
        }
        words |= {_PLACEHOLDER.sub(lambda m: f"<{m.group(1)}>", w) for w in words}
        _route_words_by_app[app] = frozenset(w for w in words if w and ":" not in w) | {""}
    return _route_words_by_app[app]
