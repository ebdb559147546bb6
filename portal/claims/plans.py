"""The plans a claim window decides with: the file content stored when it opened, never the file of today."""

import hashlib

from ..rules.plan import frameworks_dir, plan_from_text

_PARSED: dict = {}


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def current_texts(plan_id: str) -> tuple[str, str]:
    """Today's plan file and tools.yaml, as text."""
    directory = frameworks_dir()
    return (
        (directory / f"{plan_id}.yaml").read_text(encoding="utf-8"),
        (directory / "tools.yaml").read_text(encoding="utf-8"),
    )


def stored_plan(window_plan):
    """The Plan parsed from a window's stored text (parsed once per content)."""
    key = (window_plan.plan_id, window_plan.plan_sha256, window_plan.tools_sha256)
    if key not in _PARSED:
        _PARSED[key] = plan_from_text(window_plan.plan_text, window_plan.tools_text, window_plan.plan_id)
    return _PARSED[key]


def window_plans(window) -> dict:
    return {wp.plan_id: stored_plan(wp) for wp in window.plans}
