"""Measure kinds by name, and reading a plan's `measure` into one.

Its own module so that a measure made of measures (any_of, in choice.py) reads its parts
without importing the package that imports it (no import cycle); the package fills KINDS.
"""

from .. import spec as s

KINDS: dict = {}

# Tools are plan-wide data; the loader sets them before walking a plan file.
_TOOLS: dict = {}


def use_tools(tools: dict) -> None:
    _TOOLS.clear()
    _TOOLS.update(tools)


def measure_spec(value, path, walk):
    if not isinstance(value, dict):
        walk.fault(path, f"expected a measure (a mapping with a kind), got {s.shown(value)}")
        return None
    cls = KINDS.get(value.get("kind"))
    if cls is None:
        walk.fault(
            s.join(path, "kind"), f"expected one of {', '.join(sorted(KINDS))}, got {s.shown(value.get('kind'))}"
        )
        return None
    before = len(walk.faults)
    params = s.mapping(cls.schema())(value, path, walk)
    if len(walk.faults) == before:
        cls.check_params(params, path, walk)
    _check_tools(params, path, walk)
    return None if len(walk.faults) > before else cls(params, _TOOLS)


def _check_tools(params, path, walk):
    for i, tool in enumerate(params.get("tools") or []):
        if tool and tool not in _TOOLS:
            walk.fault(f"{path}.tools[{i}]", f'unknown tool "{tool}"; tools are listed in frameworks/tools.yaml')
