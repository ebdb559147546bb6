"""The engine compiled from its own source (portal/rules/compiled.py, scripts/build-engine).

The test suite runs the compiled engine (the set-up scripts build it); these tests hold that it
is the build of the sources as they are, that an edited source is never shadowed by an old
build, and that compiled and interpreted decide every family alike, sentence for sentence.
"""

from __future__ import annotations

import importlib.machinery
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import msgspec
import pytest

from bench.generate import pool
from portal.rules import compiled, engine
from portal.rules.describe import plan_json
from portal.rules.plan import load_plans

ROOT = Path(__file__).resolve().parents[2]
PYTHON_ONLY = os.environ.get("PORTAL_RULES_COMPILED") == "0"
EXTENSION = importlib.machinery.EXTENSION_SUFFIXES[0]


def test_these_tests_run_the_build_of_these_sources():
    if PYTHON_ONLY:
        assert compiled.ACTIVE == "python"
        assert engine.__file__.endswith("engine.py")
    else:
        assert compiled.ACTIVE == "compiled", f"the engine runs as Python: {compiled.REASON}"
        assert engine.__file__.endswith(EXTENSION)
        assert json.loads(compiled.MANIFEST.read_text())["digest"] == compiled.source_digest()


@pytest.fixture
def copied_package(tmp_path):
    """portal/rules with its build, alone in a folder (it imports nothing else of the portal)."""
    if compiled.why_not_current() is not None:
        pytest.fail(f"the engine is not built: {compiled.why_not_current()}")
    shutil.copytree(compiled.HERE, tmp_path / "portal" / "rules", ignore=shutil.ignore_patterns("__pycache__"))
    (tmp_path / "portal" / "__init__.py").write_text("")
    return tmp_path


def imported(folder: Path, **env) -> dict:
    """Which engine a fresh interpreter imports from `folder`: compiled or not, and from which files."""
    code = (
        "import json, portal.rules as r\n"
        "from portal.rules import compiled, engine, plan\n"
        "from portal.rules.measures import base\n"
        "print(json.dumps({'active': compiled.ACTIVE, 'reason': compiled.REASON,\n"
        "  'files': [m.__file__ for m in (engine, plan, base)], 'plans': sorted(r.load_plans())}))\n"
    )
    environment = {k: v for k, v in os.environ.items() if k != "PORTAL_RULES_COMPILED"}
    environment.update(PYTHONPATH=str(folder), **env)
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=folder, env=environment, capture_output=True, text=True, check=True
    )
    return json.loads(done.stdout)


def test_a_current_build_is_imported(copied_package):
    got = imported(copied_package, PORTAL_FRAMEWORKS=str(ROOT / "frameworks"))
    assert got["active"] == "compiled", got["reason"]
    assert all(f.endswith(EXTENSION) for f in got["files"]), got["files"]
    assert len(got["plans"]) == 5


@pytest.mark.parametrize("edited", ["engine.py", "measures/base.py"])
def test_an_edited_source_is_imported_as_python_and_so_are_the_others(copied_package, edited):
    source = copied_package / "portal" / "rules" / edited
    source.write_text(source.read_text() + "\n# edited since the build\n")
    got = imported(copied_package, PORTAL_FRAMEWORKS=str(ROOT / "frameworks"))
    assert got["active"] == "python"
    assert got["reason"] == "built from other sources than these (scripts/build-engine)"
    assert [Path(f).name for f in got["files"]] == ["engine.py", "plan.py", "base.py"]


def test_the_build_can_be_turned_off(copied_package):
    got = imported(copied_package, PORTAL_FRAMEWORKS=str(ROOT / "frameworks"), PORTAL_RULES_COMPILED="0")
    assert (got["active"], got["reason"]) == ("python", "PORTAL_RULES_COMPILED=0")
    assert [Path(f).name for f in got["files"]] == ["engine.py", "plan.py", "base.py"]


def test_a_build_for_another_interpreter_is_not_used(copied_package):
    rules = copied_package / "portal" / "rules"
    (rules / f"engine{EXTENSION}").unlink()
    got = imported(copied_package, PORTAL_FRAMEWORKS=str(ROOT / "frameworks"))
    assert got["active"] == "python"
    assert got["reason"].startswith("not built for this interpreter: no compiled engine")


def test_no_build_at_all_runs_as_python(copied_package):
    (copied_package / "portal" / "rules" / "compiled.json").unlink()
    got = imported(copied_package, PORTAL_FRAMEWORKS=str(ROOT / "frameworks"))
    assert (got["active"], got["reason"]) == ("python", "not built (scripts/build-engine)")


# Each plan's synthetic families, decided by a fresh interpreter, compiled or not: the cohort's
# row and every sentence of the verdict a person reads.
DECIDE = """
import datetime as dt, json, sys
import msgspec
from portal.rules import compiled
from portal.rules.cohort import decide_data, decide_line
from portal.rules.plan import load_plans
plan = load_plans()[sys.argv[1]]
out = {"active": compiled.ACTIVE, "rows": [], "verdicts": []}
for line in open(sys.argv[2], "rb"):
    for as_of in (dt.date(2016, 3, 31), dt.date(2017, 6, 30), dt.date(2019, 9, 1)):
        out["rows"].append(decide_line(plan, line, as_of).row())
        out["verdicts"].append(decide_data(plan, json.loads(line), as_of).to_json())
print(json.dumps(out, default=str))
"""


@pytest.mark.parametrize("plan_id", sorted(load_plans()))
def test_compiled_and_python_decide_every_family_alike(plan_id, tmp_path):
    plan = load_plans()[plan_id]
    cases = tmp_path / "cases.jsonl"
    cases.write_bytes(b"\n".join(msgspec.json.encode(f) for f in pool(plan, plan_json(plan), 150, seed=23)))
    runs = {}
    for way in ("1", "0"):
        done = subprocess.run(
            [sys.executable, "-c", DECIDE, plan_id, str(cases)],
            cwd=ROOT,
            env={**os.environ, "PORTAL_RULES_COMPILED": way},
            capture_output=True,
            text=True,
            check=True,
        )
        runs[way] = json.loads(done.stdout)
    assert runs["0"]["active"] == "python"
    if not PYTHON_ONLY:
        assert runs["1"]["active"] == "compiled"
    assert runs["1"]["rows"] == runs["0"]["rows"]
    assert runs["1"]["verdicts"] == runs["0"]["verdicts"]
    assert len(runs["1"]["rows"]) == 450


def test_the_rule_tests_pass_as_python_too():
    """The suite runs compiled; the rule tests run again, interpreted, so both stay right."""
    this = "tests/rules/test_compiled.py::test_the_rule_tests_pass_as_python_too"
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests/rules", "--deselect", this],
        cwd=ROOT,
        env={**os.environ, "PORTAL_RULES_COMPILED": "0"},
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stdout[-4000:]
    assert " passed" in done.stdout.splitlines()[-1] and "failed" not in done.stdout.splitlines()[-1]
