"""The engine compiled from its own source, and the guard that never lets it run stale.

The rules are written once, in Python (engine.py, plan.py, case.py, the measures). For the
cohort's speed (issue 12), `scripts/build-engine` compiles those same files to C with mypyc,
which the set-up scripts run whenever their source has changed: the extension modules sit
beside the sources (`engine.cpython-311-x86_64-linux-gnu.so` ...) with `compiled.json`, the
digest of the sources they were built from. Nothing is written by hand twice, and nothing
generated is committed (.gitignore).

Python imports an extension module in preference to the `.py` beside it, so an edited source
would otherwise be shadowed by the old build. `use_current_build()`, called by the package
before anything else is imported, checks the digest: unless every compiled module's source is
byte for byte what was built, or when `PORTAL_RULES_COMPILED=0` is set, every one of them is
imported from its `.py` instead (all or none: compiled modules call each other directly, so a
mix would run old code). `ACTIVE` says which ran, and `REASON` why.

Only the standard library here: this runs before the rest of the package.
"""

from __future__ import annotations

import hashlib
import importlib.machinery
import importlib.util
import json
import os
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
MANIFEST = HERE / "compiled.json"
PACKAGE = "portal.rules"
GROUP = f"{PACKAGE}.native"  # the shared library holding every compiled module: native__mypyc.*.so

# What is compiled, as module names under portal.rules. The rest of the package (the case
# format's msgspec structs, the CLI, the readings and their sentences) stays interpreted.
MODULES = (
    "calendar",
    "dated",
    "case",
    "plan",
    "engine",
    "measures.base",
    "measures.attendance",
    "measures.choice",
    "measures.counts",
    "measures.judgement",
    "measures.registry",
    "measures.scores",
    "measures.windows",
    "measures.work",
)

ACTIVE = "python"
REASON = "not checked yet"


def source_path(module: str, root: Path = HERE) -> Path:
    return root.joinpath(*module.split(".")).with_suffix(".py")


def source_digest(root: Path = HERE) -> str:
    """One digest of every compiled module's source, in order, with the interpreter's tag."""
    digest = hashlib.sha256(sys.implementation.cache_tag.encode())
    for module in MODULES:
        digest.update(module.encode() + b"\0")
        digest.update(source_path(module, root).read_bytes())
    return digest.hexdigest()


def built_digest(manifest: Path = MANIFEST) -> str | None:
    try:
        return json.loads(manifest.read_text())["digest"]
    except (OSError, ValueError, KeyError, TypeError):
        return None


def why_not_current() -> str | None:
    """Why the build (if any) is not of these sources for this interpreter, or None when it is."""
    built = built_digest()
    if built is None:
        return "not built (scripts/build-engine)"
    if built != source_digest():
        return "built from other sources than these (scripts/build-engine)"
    suffix = importlib.machinery.EXTENSION_SUFFIXES[0]
    missing = [m for m in MODULES if not source_path(m).with_suffix(suffix).exists()]
    if missing:
        return f"not built for this interpreter: no compiled {missing[0]} (scripts/build-engine)"
    return None


def why_not_compiled() -> str | None:
    """Why the compiled modules must not be used now, or None when they may."""
    if os.environ.get("PORTAL_RULES_COMPILED", "") == "0":
        return "PORTAL_RULES_COMPILED=0"
    return why_not_current()


class _FromSource:
    """A finder that imports the compiled modules from their `.py` files."""

    names = frozenset(f"{PACKAGE}.{m}" for m in MODULES)

    @classmethod
    def find_spec(cls, name, path=None, target=None):
        if name not in cls.names:
            return None
        module = name.removeprefix(f"{PACKAGE}.")
        return importlib.util.spec_from_file_location(name, source_path(module))


def use_current_build() -> None:
    """Before the package imports its modules: the compiled ones only if built from these sources."""
    global ACTIVE, REASON
    reason = why_not_compiled()
    if reason is None:
        ACTIVE, REASON = "compiled", "built from these sources"
        if _FromSource in sys.meta_path:
            sys.meta_path.remove(_FromSource)
        return
    ACTIVE, REASON = "python", reason
    if _FromSource not in sys.meta_path:
        sys.meta_path.insert(0, _FromSource)
