"""`portal-rules`: the rules engine from the command line.

Bad input exits with status 2 and a message naming what is wrong; never a traceback.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import json
import sys
from pathlib import Path

from .case import CaseError
from .describe import plan_json
from .engine import evaluate
from .plan import PlanError, load_plan, load_plan_file, load_plans


class UsageError(Exception):
    pass


def iso_date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a date as YYYY-MM-DD, got {text!r}") from None


def get_plan(ref: str):
    path = Path(ref)
    if path.suffix in (".yaml", ".yml") and path.exists():
        return load_plan_file(path)
    return load_plan(ref)


def cmd_plans(args) -> int:
    for plan in load_plans().values():
        outcomes = len(plan.outcome_by_id)
        print(
            f"{plan.id:<20} {plan.council} — {plan.title} ({len(plan.problems)} {plan.terms_of('problem')}, "
            f"{outcomes} outcomes)"
        )
    return 0


def cmd_show(args) -> int:
    plan = get_plan(args.plan)
    data = plan_json(plan)
    if args.json:
        print(json.dumps(data, indent=2, ensure_ascii=False))
        return 0
    print(f"{plan.title}\n{plan.council}, version {plan.version or '(none printed)'}, {plan.date}\n")
    for p in plan.problems:
        print(f"{plan.term('problem').capitalize()} {p.id}: {p.title}")
        for i in p.indicators:
            print(f"  {plan.term('indicator')} {i.id}: {i.text}")
        for o in p.outcomes:
            print(f"  outcome {o.id} [{o.measure.kind}]: {o.text}")
        print()
    return 0


def cmd_check(args) -> int:
    failed = 0
    for name in args.files:
        try:
            plan = load_plan_file(Path(name))
        except PlanError as error:
            print(error, file=sys.stderr)
            failed += 1
            continue
        print(f"{name}: ok ({len(plan.problems)} {plan.terms_of('problem')}, {len(plan.outcome_by_id)} outcomes)")
    return 2 if failed else 0


def read_case(path: str):
    try:
        return json.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise UsageError(f"{path}: no such file") from None
    except json.JSONDecodeError as error:
        raise UsageError(f"{path}: not valid JSON (line {error.lineno}, column {error.colno}: {error.msg})") from None


def cmd_evaluate(args) -> int:
    plan = get_plan(args.plan)
    data = read_case(args.case)
    try:
        verdict = evaluate(plan, data, args.as_of or dt.date.today())
    except CaseError as error:
        raise UsageError("\n".join(f"{args.case}: {fault}" for fault in error.faults)) from None
    print(json.dumps(verdict.to_json(), indent=2, ensure_ascii=False))
    return 0


def cmd_schema(args) -> int:
    from .format import schema_text

    sys.stdout.write(schema_text())
    return 0


def cmd_cohort(args) -> int:
    from .cohort import run_cohort

    plan = get_plan(args.plan)
    if not Path(args.cases).exists():
        raise UsageError(f"{args.cases}: no such file")
    # What is loaded by now (modules, the plan) lives until the process ends, and a cohort keeps nothing
    # per family, so the cycle collector need never walk it again: about 8% of a cohort's time.
    gc.freeze()
    summary = run_cohort(plan, args.cases, args.output, args.as_of, progress=sys.stderr.isatty())
    print(summary.describe(), file=sys.stderr)
    return 0


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(prog="portal-rules", description="Decide family cases against outcome plans.")
    sub = top.add_subparsers(dest="command", required=True)
    sub.add_parser("plans", help="list the plans").set_defaults(run=cmd_plans)
    show = sub.add_parser("show", help="a plan's problems, indicators and outcomes")
    show.add_argument("plan")
    show.add_argument("--json", action="store_true")
    show.set_defaults(run=cmd_show)
    check = sub.add_parser("check", help="validate plan files")
    check.add_argument("files", nargs="+")
    check.set_defaults(run=cmd_check)
    ev = sub.add_parser("evaluate", help="decide one family case (JSON)")
    ev.add_argument("plan")
    ev.add_argument("case")
    ev.add_argument("--as-of", type=iso_date, help="decide as on this date (default: today)")
    ev.set_defaults(run=cmd_evaluate)
    sub.add_parser("schema", help="the JSON Schema of a family case (docs/case.schema.json)").set_defaults(
        run=cmd_schema
    )
    co = sub.add_parser("cohort", help="decide every case in a JSON Lines file, writing CSV")
    co.add_argument("plan")
    co.add_argument("cases")
    co.add_argument("--as-of", type=iso_date, required=True)
    co.add_argument("-o", "--output", required=True)
    co.set_defaults(run=cmd_cohort)
    return top


def main(argv=None) -> int:
    args = parser().parse_args(argv)
    try:
        return args.run(args)
    except (PlanError, UsageError) as error:
        print(error, file=sys.stderr)
        return 2
    except OSError as error:
        print(f"{getattr(error, 'filename', '') or ''}: {error.strerror or error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
