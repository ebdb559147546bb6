"""Loading a plan file: YAML -> validated, cross-checked Plan."""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from . import spec as s
from .compiled import HERE
from .measures import AnyOf, ContinuousEmployment, Measure, measure_spec, use_tools
from .measures.choice import ABOUT, ages_spec

_Loader: type
try:  # the C loader is several times faster; the pure one reads the same YAML
    _Loader = yaml.CSafeLoader
except AttributeError:  # pragma: no cover
    _Loader = yaml.SafeLoader

ACHIEVEMENT = ("every_outcome_in_family_plan", "every_problem", "every_indicator")


class PlanError(Exception):
    """A plan file that cannot be used; `faults` each name the place."""

    def __init__(self, source: str, faults: list[str]):
        self.source, self.faults = source, faults
        super().__init__("\n".join(f"{source}: {fault}" for fault in faults))


@dataclass
class Indicator:
    id: str
    text: str


@dataclass
class Outcome:
    id: str
    text: str
    measure: Measure
    problem: str
    sources: list[str]
    frequency: str = ""
    answers: frozenset | None = None  # None: answers every indicator of its problem
    about: str = "any"
    ages: tuple | None = None
    each: bool = False
    mandatory: dict | None = None
    also_evidences: list[str] = field(default_factory=list)
    satisfied_by: list[str] = field(default_factory=list)
    notes: str = ""

    def __post_init__(self):
        # Worked out once per plan: the sources as compared (same_text), and the routes of an any_of
        # measure that are about someone else than the outcome is (Suffolk 2.1's 16-17 route).
        self.source_keys = frozenset(same_text(s) for s in self.sources)  # a plan always names one
        options = self.measure.p.get("options") or () if isinstance(self.measure, AnyOf) else ()
        self.route_scope = {o["id"]: (o["about"], o["ages"]) for o in options if o.get("about")}
        self.plain = not self.each and not self.satisfied_by
        self.bounds = age_bounds(self.about, self.ages)
        self.route_bounds = {oid: age_bounds(*scope) for oid, scope in self.route_scope.items()}
        self._sources: dict = {}
        self.no_evidence: Any = None  # the answer while nobody has evidenced it (reading.no_evidence)

    def names_source(self, source: str) -> bool:
        """Whether this outcome names the source (as people read it), remembered per text."""
        known = self._sources.get(source)
        if known is None:
            if len(self._sources) > 256:
                self._sources.clear()
            known = self._sources[source] = same_text(source) in self.source_keys
        return known

    def bounds_for(self, option=None):
        """The ages that fit this outcome, or this route of it (None: anyone)."""
        return self.route_bounds.get(option, self.bounds) if type(option) is str else self.bounds

    def fits(self, born: dt.date, start: dt.date, end: dt.date, option=None) -> bool:
        """Whether someone born on `born` fits this outcome (or this route of it) over a period."""
        bounds = self.route_bounds.get(option, self.bounds) if type(option) is str else self.bounds
        return bounds is None or bounds.fits(born, start, end)

    def answers_any(self, indicators) -> bool:
        return self.answers is None or bool(self.answers & set(indicators))

    def scope(self, option=None) -> tuple:
        """(about, ages): who evidence by this route may be about; the outcome's own unless the route says."""
        return (type(option) is str and self.route_scope.get(option)) or (self.about, self.ages)


_NO_BOUND = 10**9
# Who each `about` means, as a range of whole years (None: no bound); `family` and `any`: anyone.
AGE_RANGES = {
    "adult": (18, None),
    "child": (None, 17),
    "school_age_child": (5, 15),
    "young_person": (16, 17),
    "pre_school_child": (None, 4),
}


class AgeBounds:
    """An age range and the day of the period it is judged on (statutory school age: the start)."""

    __slots__ = ("at_start", "high", "low")

    def __init__(self, low: int, high: int, at_start: bool):
        self.low, self.high, self.at_start = low, high, at_start

    def fits(self, born: dt.date, start: dt.date, end: dt.date) -> bool:
        day = start if self.at_start else end  # age_on(born, day), written out: the cohort's hottest line
        return self.low <= day.year - born.year - ((day.month, day.day) < (born.month, born.day)) <= self.high


def age_on(born: dt.date, day: dt.date) -> int:
    """Age in whole years on `day`."""
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


def _years_after(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February in a year that has none
        return day.replace(year=day.year + years, day=28)


def age_bounds(about: str, ages) -> AgeBounds | None:
    """Who `about` (narrowed by the plan's `ages`) means, or None when anyone fits. A plan's own ages
    replace a young person's 16 to 17 and narrow any other."""
    if about in ("family", "any") and not ages:
        return None
    low, high = AGE_RANGES.get(about, (None, None))
    if ages:
        if about == "young_person":
            low, high = None, None
        low = ages[0] if low is None else max(low, ages[0])
        high = ages[1] if high is None else min(high, ages[1])
    if about == "family":
        return None
    return AgeBounds(
        -_NO_BOUND if low is None else low, _NO_BOUND if high is None else high, about == "school_age_child"
    )


def same_text(text: str) -> str:
    """Sources are compared as people read them: case, curly quotes and spacing do not matter."""
    return " ".join(text.replace("\u2019", "'").replace("\u2018", "'").casefold().split())


@dataclass
class Problem:
    id: str
    title: str
    indicators: list[Indicator]
    outcomes: list[Outcome]
    suggested: list[str] = field(default_factory=list)

    def indicator(self, indicator_id):
        return next((i for i in self.indicators if i.id == indicator_id), None)


@dataclass
class Plan:
    id: str
    council: str
    title: str
    programme: str
    version: str
    date: dt.date
    seed: str
    open_from: dt.date | None
    terms: dict
    rule: dict
    problems: list[Problem]
    notes: list[str]
    tools: dict
    source: str = ""

    def __post_init__(self):
        self.problem_by_id = {p.id: p for p in self.problems}
        self.outcome_by_id = {o.id: o for p in self.problems for o in p.outcomes}
        # Outcomes that count for a problem besides its own ("Also evidences").
        self.evidencing: dict[str, list] = {p.id: [] for p in self.problems}
        for outcome in self.outcome_by_id.values():
            for other in outcome.also_evidences:
                self.evidencing[other].append(outcome)
        self.indicator_ids = {p.id: frozenset(i.id for i in p.indicators) for p in self.problems}
        # Which outcomes can achieve a problem for a set of indicators: the same for every family, so
        # remembered (there are only as many keys as the plan has problems and indicator sets).
        self._candidates: dict = {}
        self._need_candidates: dict = {}
        self._essentials_for: dict = {}
        self.loops = satisfied_by_loops(self.outcome_by_id)
        rule = self.rule
        self.minimum, self.needs_child = rule["eligibility"]["minimum"], rule["eligibility"]["dependent_child"]
        self.achievement, self.ce_ref = rule["achievement"], rule["continuous_employment"]
        self.months_after_closure = rule["sustainment_after_closure_months"]

    def candidates(self, problem_id: str, indicators) -> tuple[Candidates, list[tuple]]:
        """(the outcomes that can achieve this problem for these indicators, its own and those that also
        evidence it; (outcome, rule) for each route the plan makes mandatory for them)."""
        key = (problem_id, indicators)
        found = self._candidates.get(key)
        if found is None:
            problem = self.problem_by_id[problem_id]
            own = [o for o in problem.outcomes if o.answers_any(indicators)]
            mandatory = [
                (o, o.mandatory)
                for o in problem.outcomes
                if o.mandatory and set(o.mandatory["indicators"]) & set(indicators)
            ]
            found = self._candidates[key] = (Candidates(own + self.evidencing[problem_id], self.loops), mandatory)
        return found

    def need_candidates(self, problem_id: str, need_id: str) -> Candidates:
        """every_indicator: the problem's own outcomes that answer this one need."""
        key = (problem_id, need_id)
        found = self._need_candidates.get(key)
        if found is None:
            found = self._need_candidates[key] = Candidates(
                [o for o in self.problem_by_id[problem_id].outcomes if o.answers_any({need_id})], self.loops
            )
        return found

    def need_scopes(self, problem_id: str, indicator_id: str) -> list[tuple]:
        """(about, ages) of every outcome (and route of one) that can meet this need, without repeats:
        whom a need recorded against one member may be about. Empty when no outcome answers it."""
        found, _ = self.candidates(problem_id, frozenset({indicator_id}))
        scopes = [(o.about, o.ages) for o in found.outcomes]
        scopes += [scope for o in found.outcomes for scope in o.route_scope.values()]
        return list(dict.fromkeys(scopes))

    def need_fits(self, problem_id: str, indicator_id: str, born: dt.date, on: dt.date) -> bool:
        """Whether a need identified on `on` may be recorded against someone born on `born`: some
        outcome that can meet it is about someone of their age within a year either side of that day
        (a need looks back over the past year and forward to the work ahead; docs/rules-engine.md,
        "Whom a need is about"). Anyone fits a need that no outcome answers, or one about anyone."""
        scopes = self.need_scopes(problem_id, indicator_id)
        if not scopes:
            return True
        youngest, oldest = age_on(born, _years_after(on, -1)), age_on(born, _years_after(on, 1))
        for scope in scopes:
            bounds = age_bounds(*scope)
            if bounds is None or (youngest <= bounds.high and oldest >= bounds.low):
                return True
        return False

    @property
    def essentials(self) -> list[dict]:
        return self.rule["essentials"]

    def essentials_for(self, claim: str) -> list[dict]:
        """The essentials a claim of this type needs (an essential may name the claims it applies to)."""
        found = self._essentials_for.get(claim)
        if found is None:
            found = self._essentials_for[claim] = [
                e
                for e in self.essentials
                if claim in (e["claims"] or ("significant_and_sustained", "continuous_employment"))
            ]
        return found

    def term(self, name: str) -> str:
        return self.terms.get(name, name)

    def terms_of(self, name: str, count: int = 2) -> str:
        """The plan's word for `name`, plural unless count is 1."""
        word = self.term(name)
        if count == 1:
            return word
        return _IRREGULAR.get(word, word + "s")


_IRREGULAR = {"criterion": "criteria", "family need": "family needs"}


class Candidates:
    """Outcomes that can achieve a problem (or meet a need), worked out once per plan: as a list in the
    plan's order, their ids, and those another outcome can satisfy (so met with no evidence of their own).
    Where satisfied_by outcomes loop, an answer depends on the order asked, so they are asked in the
    plan's order (`any_order` false); otherwise only those with evidence need asking, in any order."""

    __slots__ = ("any_order", "ids", "outcomes", "satisfiable")

    def __init__(self, outcomes: list[Outcome], loops: bool):
        self.outcomes, self.any_order = outcomes, not loops
        self.ids = frozenset(o.id for o in outcomes)
        self.satisfiable = tuple(dict.fromkeys(o.id for o in outcomes if o.satisfied_by))


def satisfied_by_loops(outcomes: dict) -> bool:
    """Whether following satisfied_by from some outcome can come back to it."""
    done, path = set(), set()

    def visit(oid) -> bool:
        if oid in path:
            return True
        if oid in done:
            return False
        path.add(oid)
        looped = any(visit(other) for other in outcomes[oid].satisfied_by if other in outcomes)
        path.discard(oid)
        done.add(oid)
        return looped

    return any(visit(oid) for oid in outcomes)


def _answers(value, path, walk):
    if value == "all" or value is None:
        return None
    ids = s.list_of(s.ident, minimum=1)(value, path, walk)
    return frozenset(i for i in ids if i)


OUTCOME = s.mapping(
    {
        "id": s.Key(s.ident),
        "text": s.Key(s.text),
        "measure": s.Key(measure_spec),
        "sources": s.Key(s.list_of(s.text, minimum=1)),
        "frequency": s.Key(s.optional_text, False, ""),
        "answers": s.Key(_answers, False),
        "about": s.Key(s.one_of(*ABOUT), False, "any"),
        "ages": s.Key(ages_spec, False),
        "each": s.Key(s.boolean, False, False),
        "mandatory": s.Key(
            s.mapping(
                {
                    "indicators": s.Key(s.list_of(s.ident, minimum=1)),
                    "option": s.Key(s.ident),
                }
            ),
            False,
        ),
        "also_evidences": s.Key(s.list_of(s.ident), False, []),
        "satisfied_by": s.Key(s.list_of(s.ident), False, []),
        "notes": s.Key(s.optional_text, False, ""),
    }
)

PROBLEM = s.mapping(
    {
        "id": s.Key(s.ident),
        "title": s.Key(s.text),
        "indicators": s.Key(s.list_of(s.mapping({"id": s.Key(s.ident), "text": s.Key(s.text)}), minimum=1)),
        "suggested_additional_outcomes": s.Key(s.list_of(s.ident), False, []),
        "outcomes": s.Key(s.list_of(OUTCOME, minimum=1)),
    }
)

RULE = s.mapping(
    {
        "eligibility": s.Key(
            s.mapping(
                {
                    "minimum": s.Key(s.number(1, 10, whole=True)),
                    "dependent_child": s.Key(s.boolean),
                }
            )
        ),
        "achievement": s.Key(s.one_of(*ACHIEVEMENT)),
        "essentials": s.Key(
            s.list_of(
                s.mapping(
                    {
                        "id": s.Key(s.ident),
                        "text": s.Key(s.text),
                        "claims": s.Key(
                            s.list_of(s.one_of("significant_and_sustained", "continuous_employment"), minimum=1), False
                        ),
                    }
                )
            )
        ),
        "continuous_employment": s.Key(lambda v, p, w: None if v is None else s.ident(v, p, w), False),
        "sustainment_after_closure_months": s.Key(
            lambda v, p, w: None if v is None else s.number(1, 60, whole=True)(v, p, w), False
        ),
        "reference": s.Key(s.optional_text, False, ""),
    }
)

PLAN = s.mapping(
    {
        "id": s.Key(s.ident),
        "council": s.Key(s.text),
        "title": s.Key(s.text),
        "programme": s.Key(s.text),
        "version": s.Key(s.optional_text, False, ""),
        "date": s.Key(s.date),
        "seed": s.Key(s.text),
        "open_from": s.Key(s.date, False),
        "terms": s.Key(
            s.mapping({"problem": s.Key(s.text), "indicator": s.Key(s.text)}),
            False,
            {"problem": "problem", "indicator": "indicator"},
        ),
        "rule": s.Key(RULE),
        "problems": s.Key(s.list_of(PROBLEM, minimum=1)),
        "notes": s.Key(s.list_of(s.text), False, []),
    }
)

TOOLS = s.mapping({"tools": s.Key(lambda v, p, w: _tool_table(v, p, w))})
_TOOL = s.mapping(
    {
        "name": s.Key(s.text),
        "min": s.Key(s.number()),
        "max": s.Key(s.number()),
        "better": s.Key(s.one_of("higher", "lower")),
    }
)


def _tool_table(value, path, walk):
    if not isinstance(value, dict):
        walk.fault(path, f"expected tools by id, got {s.shown(value)}")
        return {}
    return {key: _TOOL(item, s.join(path, key), walk) for key, item in value.items()}


def read_yaml(path: Path):
    try:
        return yaml.load(path.read_text(encoding="utf-8"), Loader=_Loader)  # noqa: S506 - _Loader is a SafeLoader
    except FileNotFoundError:
        raise PlanError(str(path), ["no such file"]) from None
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
        problem = getattr(error, "problem", None) or str(error)
        raise PlanError(str(path), [f"{where}not valid YAML ({problem})"]) from None


def load_tools(path: Path) -> dict:
    return parse_tools(read_yaml(path), str(path))


def parse_tools(document, source: str) -> dict:
    walk = s.Walk()
    tools = TOOLS(document, "", walk)
    if walk.faults:
        raise PlanError(source, walk.faults)
    return tools["tools"]


def plan_from_text(plan_text: str, tools_text: str, plan_id: str) -> Plan:
    """A plan from the stored text of its file and of tools.yaml (a claim window decides with these)."""
    source = f"{plan_id}.yaml (stored)"
    tools = parse_tools(_yaml_text(tools_text, "tools.yaml (stored)"), "tools.yaml (stored)")
    return parse_plan(_yaml_text(plan_text, source), source, tools, expected_id=plan_id)


def _yaml_text(text: str, source: str):
    try:
        return yaml.load(text, Loader=_Loader)  # noqa: S506 - _Loader is a SafeLoader
    except yaml.YAMLError as error:
        raise PlanError(source, [f"not valid YAML ({getattr(error, 'problem', None) or error})"]) from None


def parse_plan(document, source: str, tools: dict, expected_id: str | None = None) -> Plan:
    use_tools(tools)
    walk = s.Walk()
    data = PLAN(document, "", walk)
    if not walk.faults:
        cross_check(data, walk, expected_id)
    if walk.faults:
        raise PlanError(source, walk.faults)
    return build(data, tools, source)


def build(data: dict, tools: dict, source: str) -> Plan:
    problems = [
        Problem(
            id=p["id"],
            title=p["title"],
            indicators=[Indicator(i["id"], i["text"]) for i in p["indicators"]],
            outcomes=[_outcome(o, p["id"]) for o in p["outcomes"]],
            suggested=p["suggested_additional_outcomes"],
        )
        for p in data["problems"]
    ]
    fields = {
        k: data[k]
        for k in (
            "id",
            "council",
            "title",
            "programme",
            "version",
            "date",
            "seed",
            "open_from",
            "terms",
            "rule",
            "notes",
        )
    }
    return Plan(problems=problems, tools=tools, source=source, **fields)


def _outcome(o: dict, problem_id: str) -> Outcome:
    return Outcome(
        id=o["id"],
        text=o["text"],
        measure=o["measure"],
        problem=problem_id,
        sources=o["sources"],
        frequency=o["frequency"],
        answers=o["answers"],
        about=o["about"],
        ages=o["ages"],
        each=o["each"],
        mandatory=o["mandatory"],
        also_evidences=o["also_evidences"],
        satisfied_by=o["satisfied_by"],
        notes=o["notes"],
    )


def cross_check(data: dict, walk: s.Walk, expected_id: str | None) -> None:
    """References between parts of the plan must point at things that exist."""
    if expected_id and data["id"] != expected_id:
        walk.fault("id", f'"{data["id"]}" does not match the file name "{expected_id}"')
    problem_ids = _unique([p["id"] for p in data["problems"]], "problems", "problem id", walk)
    outcome_ids = _unique([o["id"] for p in data["problems"] for o in p["outcomes"]], "problems", "outcome id", walk)
    for pi, problem in enumerate(data["problems"]):
        _check_problem(problem, f"problems[{pi}]", problem_ids, outcome_ids, walk)
    _check_rule(data, outcome_ids, walk)


def _unique(ids, path, noun, walk):
    seen = set()
    for item in ids:
        if item in seen:
            walk.fault(path, f'{noun} "{item}" is used twice')
        seen.add(item)
    return seen


def _check_problem(problem, path, problem_ids, outcome_ids, walk):
    indicators = _unique([i["id"] for i in problem["indicators"]], f"{path}.indicators", "indicator id", walk)
    for ref in problem["suggested_additional_outcomes"]:
        if ref not in outcome_ids:
            walk.fault(f"{path}.suggested_additional_outcomes", f'no outcome "{ref}" in this plan')
    for oi, outcome in enumerate(problem["outcomes"]):
        _check_outcome(outcome, f"{path}.outcomes[{oi}]", problem, indicators, problem_ids, outcome_ids, walk)


def _check_outcome(outcome, path, problem, indicators, problem_ids, outcome_ids, walk):
    for ref in sorted(outcome["answers"] or ()):
        if ref not in indicators:
            walk.fault(f"{path}.answers", f'problem {problem["id"]} has no indicator "{ref}"')
    for ref in outcome["also_evidences"]:
        if ref not in problem_ids or ref == problem["id"]:
            walk.fault(f"{path}.also_evidences", f'"{ref}" is not another problem of this plan')
    for ref in outcome["satisfied_by"]:
        if ref not in outcome_ids or ref == outcome["id"]:
            walk.fault(f"{path}.satisfied_by", f'"{ref}" is not another outcome of this plan')
    _check_mandatory(outcome, path, indicators, walk)


def _check_mandatory(outcome, path, indicators, walk):
    rule = outcome["mandatory"]
    if not rule:
        return
    for ref in rule["indicators"]:
        if ref not in indicators:
            walk.fault(f"{path}.mandatory.indicators", f'no indicator "{ref}" in this problem')
    measure = outcome["measure"]
    if not isinstance(measure, AnyOf) or measure.option(rule["option"]) is None:
        walk.fault(f"{path}.mandatory.option", f'the measure has no option "{rule["option"]}"')


def _check_rule(data, outcome_ids, walk):
    rule = data["rule"]
    ce = rule["continuous_employment"]
    if ce is None:
        return
    outcome = next((o for p in data["problems"] for o in p["outcomes"] if o["id"] == ce), None)
    if outcome is None:
        walk.fault("rule.continuous_employment", f'no outcome "{ce}" in this plan')
    elif not isinstance(outcome["measure"], ContinuousEmployment):
        walk.fault("rule.continuous_employment", f'outcome "{ce}" is not measured by continuous_employment')


def frameworks_dir() -> Path:
    """Where the plan files live: $PORTAL_FRAMEWORKS, else `frameworks/` at the project top."""
    env = os.environ.get("PORTAL_FRAMEWORKS")
    # Found from compiled.py, which is never compiled: a compiled module's __file__ is not its own path.
    return Path(env) if env else HERE.parents[1] / "frameworks"


def load_plan_file(path: Path, tools: dict | None = None) -> Plan:
    path = Path(path)
    if tools is None:
        tools = load_tools(path.parent / "tools.yaml")
    return parse_plan(read_yaml(path), display(path), tools, expected_id=path.stem)


def display(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)


# Data files beside the plans that are not plans themselves.
NOT_PLANS = {"tools.yaml", "sources.yaml"}


def plan_files(directory: Path) -> list[Path]:
    return sorted(p for p in Path(directory).glob("*.yaml") if p.name not in NOT_PLANS)


_CACHE: dict = {}


def load_plans(directory: Path | None = None) -> dict[str, Plan]:
    """Every plan in the folder, by id; cached by file times so edits are picked up."""
    directory = Path(directory or frameworks_dir())
    stamp = _stamp(directory)
    if _CACHE.get(directory, (None,))[0] != stamp:
        tools = load_tools(directory / "tools.yaml")
        _CACHE[directory] = (stamp, {p.stem: load_plan_file(p, tools) for p in plan_files(directory)})
    return _CACHE[directory][1]


def _stamp(directory: Path) -> tuple:
    """The name and modification time of tools.yaml and of each plan file: what the cache is kept by.

    Asked on every request that reads a plan (a live check, a submission, a family page), so it
    is one listing of the folder with each file's time (os.scandir), not a glob and a stat per
    path: about a quarter of the time (docs/performance.md, run 17)."""
    with os.scandir(directory) as entries:
        return tuple(
            sorted(
                (entry.name, entry.stat().st_mtime_ns)
                for entry in entries
                if entry.name.endswith(".yaml") and (entry.name == "tools.yaml" or entry.name not in NOT_PLANS)
            )
        )


def load_plan(plan_id: str, directory: Path | None = None) -> Plan:
    directory = Path(directory or frameworks_dir())
    path = directory / f"{plan_id}.yaml"
    if not path.exists():
        known = ", ".join(sorted(p.stem for p in plan_files(directory)))
        raise PlanError(plan_id, [f"no plan with this id; the plans are: {known}"])
    return load_plan_file(path)
