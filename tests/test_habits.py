"""The habits' own checks stay complete as the code grows (docs/developing.md, "Checks").

scripts/check runs ruff, mypy, import-linter and deptry; these tests make sure that
.importlinter keeps up with new view modules, and that the rules engine stays free of
cycles between a package and its own modules.
"""

import configparser
import re
from pathlib import Path

import grimp

ROOT = Path(__file__).resolve().parents[1]


def _contracts():
    config = configparser.ConfigParser()
    config.read(ROOT / ".importlinter")
    return {
        name.split(":", 2)[2]: section for name, section in config.items() if name.startswith("importlinter:contract:")
    }


def _lines(value: str) -> set[str]:
    return {line.strip() for line in value.splitlines() if line.strip() and not line.strip().startswith("#")}


def _view_modules() -> dict[str, set[str]]:
    """Feature package -> its view modules (views.py and *_views.py)."""
    found: dict[str, set[str]] = {}
    for path in sorted((ROOT / "portal").glob("*/*views.py")):
        found.setdefault(path.parent.name, set()).add(f"portal.{path.parent.name}.{path.stem}")
    return found


def test_every_feature_with_views_has_a_contract_forbidding_every_other_features_views():
    contracts, views = _contracts(), _view_modules()
    assert len(views) >= 8
    for feature in views:
        contract = contracts.get(f"{feature}-views")
        assert contract is not None, f"add a [importlinter:contract:{feature}-views] to .importlinter"
        assert _lines(contract["source_modules"]) == {f"portal.{feature}"}
        others = set().union(*(v for f, v in views.items() if f != feature))
        missing = others - _lines(contract["forbidden_modules"])
        assert not missing, f"{feature}-views in .importlinter does not forbid {sorted(missing)}"


def test_no_module_of_the_rules_engine_imports_the_package_it_is_in():
    # measures/choice.py once imported measures/__init__.py, which imports choice.py.
    graph = grimp.build_graph("portal", cache_dir=None)
    for module in sorted(graph.find_descendants("portal.rules")):
        parent = module.rsplit(".", 1)[0]
        imported = graph.find_modules_directly_imported_by(module)
        assert parent == "portal" or parent not in imported, f"{module} imports {parent}, which imports it"


def test_templates_ask_what_a_user_may_do_never_which_role():
    # current_user.can.<capability> and the family page's caps.<capability> (portal/roles.py).
    asks_role = re.compile(r"\brole\s*(==|!=|\bin\b|\bnot in\b)|(?<!form)\.role\b(?!_label)")
    found = [
        f"{path.relative_to(ROOT)}:{n}: {line.strip()}"
        for path in sorted((ROOT / "templates").rglob("*.html"))
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if asks_role.search(line)
    ]
    assert found == [], "ask current_user.can or caps instead:\n" + "\n".join(found)


def test_views_never_write_to_the_database_themselves():
    # Every write is a named service function that takes the acting user (audit.save for a
    # read or a refusal); views call it.
    writes = re.compile(r"db\.session\.(commit|add|add_all|flush|delete|merge)\(")
    found = [
        f"{path.relative_to(ROOT)}:{n}: {line.strip()}"
        for path in sorted((ROOT / "portal").rglob("*views.py"))
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if writes.search(line)
    ]
    assert found == [], "move these writes into the feature's service:\n" + "\n".join(found)


def _role_literals(tree) -> list:
    """String constants naming a role where code decides by role: a comparison (either side, or
    inside the tuple, list or set it tests against) or a module constant named ..._ROLE(S)."""
    import ast

    from portal.roles import Role

    names = {role.value for role in Role}

    def literals(node):
        # The value itself, or the members of a tuple, list or set of values (not a call's
        # arguments: `email("admin") is not None` compares an address, not a role).
        members = node.elts if isinstance(node, (ast.Tuple, ast.List, ast.Set)) else [node]
        return [n for n in members if isinstance(n, ast.Constant) and n.value in names]

    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Compare):
            for operand in (node.left, *node.comparators):
                found += literals(operand)
        elif isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Name) and re.search(r"ROLES?$", t.id) for t in node.targets
        ):
            found += literals(node.value)
    return sorted(found, key=lambda n: (n.lineno, n.col_offset))


def test_python_code_names_roles_through_the_enum_never_as_strings():
    # Role is a StrEnum, so `user.role == "partner"` works, but the role is then named twice
    # and a misspelt one is silently never true (portal/roles.py).
    import ast

    found = [
        f"{path.relative_to(ROOT)}:{node.lineno}: {node.value!r}"
        for path in sorted((ROOT / "portal").rglob("*.py"))
        if path.name != "roles.py"
        for node in _role_literals(ast.parse(path.read_text(encoding="utf-8")))
    ]
    assert found == [], "name the role as Role.<NAME> (portal/roles.py):\n" + "\n".join(found)


def test_the_role_literal_check_finds_each_kind_of_comparison():
    import ast

    source = (
        'a = user.role == "partner"\n'
        'b = "verifier" != user.role\n'
        'c = user.role in ("admin", "x")\n'
        'HOME_ROLES = ("programme_manager",)\n'
        'd = {"lead_professional": 1}\n'  # a data key, not a decision: allowed
        "e = user.role == Role.PARTNER\n"
        'f = email("admin") is not None\n'  # an address: allowed
    )
    assert [(n.lineno, n.value) for n in _role_literals(ast.parse(source))] == [
        (1, "partner"),
        (2, "verifier"),
        (3, "admin"),
        (4, "programme_manager"),
    ]
