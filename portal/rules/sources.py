"""Which kind of agency may be each plan source (frameworks/sources.yaml), validated on load.

Used by the claims integrity flags (portal/rules/integrity.py): evidence whose
source names one kind of agency (say "Police data") but was submitted by an
agency of another kind (a school) is flagged for the audit sample.
"""

from __future__ import annotations

from pathlib import Path

from .plan import PlanError, frameworks_dir, read_yaml

ANY = "any"


class SourceMap:
    def __init__(self, kinds: tuple[str, ...], sources: dict[str, tuple[str, ...] | None]):
        self.kinds, self.sources = kinds, sources

    def kinds_for(self, source: str) -> tuple[str, ...] | None:
        """The agency kinds that may give this source; None when any may (or the source is not listed)."""
        return self.sources.get(source)

    def may_give(self, sources, agency_kind: str | None) -> bool:
        """Whether an agency of this kind could give any of an outcome's sources: one listed for
        its kind, for `any`, or not listed at all (never flagged, so never ruled out here)."""
        return agency_kind is None or any(not self.mismatch(source, agency_kind) for source in sources)

    def mismatch(self, source: str, agency_kind: str | None) -> bool:
        kinds = self.kinds_for(source)
        return agency_kind is not None and kinds is not None and agency_kind not in kinds


def parse_sources(document, source: str) -> SourceMap:
    faults = []
    if not isinstance(document, dict):
        raise PlanError(source, ["expected a mapping with `kinds` and `sources`"])
    kinds = document.get("kinds")
    if not isinstance(kinds, list) or not kinds or not all(isinstance(k, str) and k for k in kinds):
        faults.append("kinds: expected a list of agency kinds")
        kinds = []
    listed = document.get("sources")
    if not isinstance(listed, dict):
        faults.append("sources: expected source names, each with a list of agency kinds or `any`")
        listed = {}
    sources: dict[str, tuple[str, ...] | None] = {}
    for name, value in listed.items():
        where = f"sources.{name}"
        if not isinstance(name, str) or not name.strip():
            faults.append(f"{where}: a source name must be text")
        elif value == ANY:
            sources[name] = None
        elif isinstance(value, list) and value and all(isinstance(k, str) for k in value):
            unknown = [k for k in value if k not in kinds]
            if unknown:
                faults.append(
                    f"{where}: unknown agency kind {', '.join(map(repr, unknown))} (the kinds are: {', '.join(kinds)})"
                )
            sources[name] = tuple(value)
        else:
            faults.append(f"{where}: expected a list of agency kinds or `any`, got {value!r}")
    if faults:
        raise PlanError(source, faults)
    return SourceMap(tuple(kinds), sources)


_CACHE: dict = {}


def load_sources(path: Path | None = None) -> SourceMap:
    """frameworks/sources.yaml, parsed once per change of the file."""
    path = Path(path or frameworks_dir() / "sources.yaml")
    stamp = path.stat().st_mtime_ns if path.exists() else None
    if _CACHE.get(path, (None,))[0] != stamp or stamp is None:
        _CACHE[path] = (stamp, parse_sources(read_yaml(path), str(path)))
    return _CACHE[path][1]
