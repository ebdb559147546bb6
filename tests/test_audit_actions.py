"""Every action the code records has words (portal/audit/actions.py), found by reading the code itself.

The collector walks portal/ for the calls that record an audit event and the
places an action is named: record(action, ...), refuse(action, ...),
claims' audit(user, action, ...) and read(action, ...), families' _save(action, ...),
the lockout's _refuse(user, action, ...), `action=` given to family_access (and
its default), and job kinds' `family_audit_action`. A string is taken as it is;
an f-string or a conditional is expanded into each value it can have; a name is
followed to its assignments in the same module. An action built from a value
the code cannot show (a parameter) must be listed in DYNAMIC with what it
stands for, so a new one fails here until someone says what it is.
"""

import ast
import itertools
from pathlib import Path

from portal.audit.actions import ACTION_WORDS

PORTAL = Path(__file__).resolve().parent.parent / "portal"

# call name -> position of the action among the positional arguments
CALLS = {"record": 0, "refuse": 0, "read": 0, "_save": 0, "_audit_read": 0, "audit": 1, "_refuse": 1, "expect_read": 0}
# method-style calls: audit.save(user, action, ...)
ATTRIBUTE_CALLS = {"save": 1}
KEYWORDS = {"action", "family_audit_action"}
# f-strings whose varying part is a parameter: what each can be.
DYNAMIC = {
    "claim.sample.{}": ["claim.sample.drawn", "claim.sample.redrawn", "claim.sample.widened", "claim.sample.changed"],
}
# Values that only pass an action on (their callers' values are collected where they are written).
PASS_THROUGH = {"action", "kind.family_audit_action"}
# Functions of the same names that are not the audit log's.
NOT_AUDIT = {
    ("claims/sampling.py", "_save"),  # saves a sample; its audit(...) call is collected
    ("closure/service.py", "record"),  # the closure summary's download record
    ("evidence/reading.py", "read"),  # reads a submitted form
}


def _values(node, names) -> list[str] | None:
    """Every string `node` can be, or None if it depends on something the code does not show."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    if isinstance(node, ast.IfExp):
        body, orelse = _values(node.body, names), _values(node.orelse, names)
        return None if body is None or orelse is None else body + orelse
    if isinstance(node, ast.JoinedStr):
        parts = []
        for part in node.values:
            if isinstance(part, ast.FormattedValue):
                found = _values(part.value, names)
                if found is None:
                    pattern = "".join(p.value if isinstance(p, ast.Constant) else "{}" for p in node.values)
                    return DYNAMIC.get(pattern, [f"<unresolved {pattern}>"])
                parts.append(found)
            else:
                parts.append([part.value])
        return ["".join(combo) for combo in itertools.product(*parts)]
    if isinstance(node, ast.Name):
        return names.get(node.id)
    return None


def _assigned_names(tree) -> dict:
    names = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
            found = _values(node.value, {})
            if found is not None:
                names.setdefault(node.targets[0].id, []).extend(found)
    return names


def collect_actions() -> dict[str, str]:
    """action -> where it is named (file:line)."""
    actions = {}
    for path in sorted(PORTAL.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        names = _assigned_names(tree)
        module = str(path.relative_to(PORTAL))
        shown_path = path.relative_to(PORTAL.parent)
        for node in ast.walk(tree):
            found = []
            if isinstance(node, ast.Call):
                name = node.func.id if isinstance(node.func, ast.Name) else None
                if name in CALLS and len(node.args) > CALLS[name] and (module, name) not in NOT_AUDIT:
                    found.append(node.args[CALLS[name]])
                attribute = node.func.attr if isinstance(node.func, ast.Attribute) else None
                if attribute in ATTRIBUTE_CALLS and len(node.args) > ATTRIBUTE_CALLS[attribute]:
                    found.append(node.args[ATTRIBUTE_CALLS[attribute]])
                # record(*pending): a read noted by expect_read(action, ...), collected there
                found = [value for value in found if not isinstance(value, ast.Starred)]
                if not (isinstance(node.func, ast.Attribute) and node.func.attr == "add_argument"):  # argparse
                    found += [k.value for k in node.keywords if k.arg in KEYWORDS]
            elif (
                isinstance(node, ast.AnnAssign)
                and isinstance(node.target, ast.Name)
                and node.target.id in KEYWORDS
                and isinstance(node.value, ast.Constant)
            ):
                found.append(node.value)
            elif isinstance(node, ast.FunctionDef):
                params = node.args.args[-len(node.args.defaults) :] if node.args.defaults else []
                params += [a for a, d in zip(node.args.kwonlyargs, node.args.kw_defaults, strict=True) if d]
                defaults = list(node.args.defaults) + [d for d in node.args.kw_defaults if d]
                found += [d for a, d in zip(params, defaults, strict=True) if a.arg in KEYWORDS]
            for value in found:
                values = _values(value, names)
                if values is None:
                    if ast.unparse(value) in PASS_THROUGH:
                        continue
                    values = [f"<unresolved {ast.unparse(value)}>"]
                for action in values:
                    if action:
                        actions.setdefault(action, f"{shown_path}:{node.lineno}")
    return actions


def test_the_collector_finds_the_actions_it_should():
    found = collect_actions()
    # One of each way an action is written: a string, a conditional f-string, a name, a
    # decorator's keyword, a default, a job kind, a parameter expanded through DYNAMIC.
    for action in (
        "sign-in",
        "evidence.return",
        "evidence.accept",
        "plan.open",
        "plan.close",
        "claim.access-refused",
        "evidence.check",
        "family.read",
        "closure.download",
        "claim.sample.widened",
        "sign-in refused: account locked",
        "claim.query.answer",
        "password-reset.request",
        "audit.export",
    ):
        assert action in found, action


def test_every_action_recorded_has_words():
    missing = {action: where for action, where in collect_actions().items() if action not in ACTION_WORDS}
    assert missing == {}, "add these to portal/audit/actions.py ACTION_WORDS (or to DYNAMIC here): " + repr(missing)


def test_every_action_in_words_is_still_recorded_somewhere():
    stale = set(ACTION_WORDS) - set(collect_actions())
    assert stale == set(), "no code records these any more: " + repr(stale)


def test_words_are_words_not_codes():
    for action, text in ACTION_WORDS.items():
        assert text[:1].isupper() and "." not in text and "_" not in text, (action, text)
