"""Entry points: ``staff-survey-explorer`` (and ``python -m explorer``).

    staff-survey-explorer                  open the desktop app (welcome page; --demo: the built-in demo)
    staff-survey-explorer FILE             open the desktop app on FILE
    staff-survey-explorer inspect FILE     what is in a file (kind, years, questions, warnings)
    staff-survey-explorer summary ...      the Results table for a lens / measures, filters, breakdowns
    staff-survey-explorer export ...       the Excel board pack

Qt is imported only when the desktop app starts, so the commands run (and are tested) without it.
Bad usage ends with exit code 2 and one sentence on standard error.
"""

from __future__ import annotations

import argparse
import sys
from typing import Callable, Sequence

from explorer import APP_NAME, __version__

PROG = "staff-survey-explorer"
EXIT_USAGE = 2

COMMANDS: dict[str, str] = {
    "inspect": "show what a file holds: detected kind, sheets, years, organisations, questions, warnings",
    "summary": "print the Results table (lens or measures, years, filters, breakdowns) as text or JSON",
    "export": "write the Excel board pack for a view",
    "screenshots": "render the welcome view and every page to PNG, each with a CSV of the figures drawn",
}


def _minimum() -> int:
    from explorer.core.unverified import load_unverified

    return load_unverified().minimum_base


class UsageError(Exception):
    """Bad usage: reported as one sentence with exit code 2."""


class _Parser(argparse.ArgumentParser):
    """argparse, but bad usage is one clear sentence (not a usage dump) and exit code 2."""

    def error(self, message: str) -> None:  # noqa: D401 - argparse API
        raise UsageError(_sentence(message))


def _sentence(message: str) -> str:
    message = message.strip().rstrip(".")
    replacements = {
        "unrecognized arguments:": "unrecognised option or argument:",
        "the following arguments are required:": "missing required argument:",
        "expected one argument": "needs a value",
    }
    for old, new in replacements.items():
        message = message.replace(old, new)
    return f"{message[0].upper()}{message[1:]} (run '{PROG} --help' for usage)."


def _gui_parser() -> argparse.ArgumentParser:
    commands = "\n".join(f"  {name:<9} {text}" for name, text in COMMANDS.items())
    parser = _Parser(
        prog=PROG,
        description=f"{APP_NAME}: NHS Staff Survey results on trust, bullying and morale - offline, "
        f"with no result shown for fewer than {_minimum()} respondents.",
        epilog=f"commands:\n{commands}\n\nRun '{PROG} COMMAND --help' for a command's options. "
        "With no FILE the app opens on its welcome page; --demo opens the built-in demo (a fictional trust).",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("file", nargs="?", metavar="FILE", help="a survey spreadsheet to open")
    parser.add_argument("--demo", action="store_true", help="open the built-in demo trust (fictional data)")
    parser.add_argument("--version", action="version", version=f"{APP_NAME} {__version__}")
    parser.add_argument("--self-test", action="store_true",
                        help="check this installation offscreen with no network (every kind of file, every lens, a "
                        "board pack, every page); one line per check, exit code 0 when all pass")
    parser.add_argument("--quit-when-shown", nargs="?", const="figures", choices=("window", "figures"),
                        help="open the window as usual and quit once its first page has drawn figures (or, with "
                        "=window, once the window is on screen): to time start-up")
    return parser


def _reading_options(parser: argparse.ArgumentParser) -> None:
    """How to read a file that needs help: a saved column mapping, a password."""
    parser.add_argument("--mapping", metavar="M", help="a saved column mapping (JSON)")
    parser.add_argument("--password-file", metavar="P", help="a file holding the workbook's password")


def _command_parser(name: str) -> argparse.ArgumentParser:
    parser = _Parser(prog=f"{PROG} {name}", description=COMMANDS[name])
    if name == "inspect":
        parser.add_argument("file", metavar="FILE")
        parser.add_argument("--json", action="store_true", help="print JSON instead of text")
        _reading_options(parser)
        parser.add_argument("--save-mapping", metavar="M", help="save what was recognised as a column mapping (JSON) to edit and reuse")
    elif name in ("summary", "export"):
        parser.add_argument("file", metavar="FILE", nargs="?", help="a survey file (or use --demo)")
        parser.add_argument("--demo", action="store_true", help="use the built-in demo data")
        parser.add_argument("--lens", choices=("trust", "bullying", "morale"),
                            help="a lens's measures" if name == "summary" else "only this lens (default: all three)")
        parser.add_argument("--measure", action="append", default=[], metavar="ID",
                            help="a measure by id (e.g. harassment_colleagues, PP7_2); repeatable")
        parser.add_argument("--year", action="append", default=[], type=int, metavar="Y",
                            help="survey year; repeatable" if name == "summary" else
                            "the pack's year (default: the latest); its trends run up to it")
        parser.add_argument("--filter", action="append", default=[], metavar="COLUMN=VALUE",
                            help="keep respondents where COLUMN=VALUE (COLUMN=A|B any of, COLUMN!=V not); repeatable")
        parser.add_argument("--by", action="append", default=[], metavar="COLUMN", help="compare by a column (up to two)")
        parser.add_argument("--threshold", type=int, metavar="N", help=f"suppression threshold (at least {_minimum()})")
        parser.add_argument("--weighted", action="store_true", help="use the file's weight column")
        parser.add_argument("--local-rule", action="store_true", help="also hide a %% with 3 or fewer positive or negative answers")
        if name == "summary":
            parser.add_argument("--options", action="store_true", help="include the full answer distribution")
            parser.add_argument("--mean", action="store_true", help="include each question's mean answer code")
            parser.add_argument("--drivers", action="store_true", help="rank line-manager and team items by association")
        parser.add_argument("--comparator", choices=("none", "organisation", "last_year", "benchmark"),
                            help="compare each figure with the organisation, last year (the default) or the benchmark")
        parser.add_argument("--benchmark", metavar="WORKBOOK", help="official benchmark workbook to compare with")
        parser.add_argument("--organisation", metavar="ORG", help="your org_id or name (published files with many organisations)")
        _reading_options(parser)
        parser.add_argument("--view", metavar="V.json", help="replay a saved view (with the data it was made from)")
        if name == "summary":
            parser.add_argument("--save-view", metavar="V.json", help="save this view (and which data it uses) to replay later")
            parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
        else:
            parser.add_argument("-o", "--out", metavar="PACK.xlsx", required=True, help="the workbook to write")
            parser.add_argument("--csv", metavar="OUT.csv", help="also write every figure of the pack as CSV")
            parser.add_argument("--marking", metavar="TEXT", help="protective marking on every page (default OFFICIAL)")
            parser.add_argument("--title", metavar="TEXT", help="the pack's title")
            parser.add_argument("--author", metavar="NAME", help="the author in the document properties")
            parser.add_argument("--template", metavar="T.json",
                                help="re-run a saved board-pack template (its view and options) on FILE")
            parser.add_argument("--save-template", metavar="T.json",
                                help="also save this pack's view and options as a template for next year's file")
            parser.add_argument("--no-breakdowns", action="store_true",
                                help="leave out the compare-by groups (charts and the Breakdowns sheet)")
    elif name == "screenshots":
        parser.add_argument("file", metavar="FILE", nargs="?", help="a survey file (or use --demo)")
        parser.add_argument("outdir", metavar="OUTDIR", help="folder for NN-page.png, NN-page.csv and index.json")
        parser.add_argument("--demo", action="store_true", help="use the built-in demo data")
        parser.add_argument("--size", default="1366x768", metavar="WxH", help="window size (default 1366x768)")
        parser.add_argument("--scale", type=float, default=1.0, metavar="S", help="display scaling, e.g. 1.5")
        parser.add_argument("--view", metavar="V.json", help="a saved view to render (opens its data)")
    return parser


def _read_password(path: str | None) -> str | None:
    if not path:
        return None
    try:
        with open(path, encoding="utf-8-sig") as fh:
            return fh.readline().rstrip("\r\n")
    except OSError as exc:
        raise UsageError(f"The password file {path} could not be read ({exc.strerror or exc}).") from None


def _open(args: argparse.Namespace):
    """Open FILE for a command; every reading problem becomes one sentence and exit code 2."""
    from explorer.readers import MappingError, PasswordRequired, ReadError, open_survey

    try:
        return open_survey(args.file, mapping=args.mapping, password=_read_password(args.password_file))
    except PasswordRequired as exc:
        raise UsageError(f"{exc.path.name} is password-protected; give its password with --password-file FILE.") from None
    except (ReadError, MappingError) as exc:
        raise UsageError(str(exc)) from None


def cmd_inspect(args: argparse.Namespace) -> int:
    import json

    from explorer.core.questionbank import load_bank
    from explorer.readers.inspect import as_text, inspection
    from explorer.readers.mapping import mapping_from_data

    data = _open(args)
    report = inspection(args.file, data, load_bank())
    if args.save_mapping:
        try:
            mapping_from_data(data).save(args.save_mapping)
        except OSError as exc:
            raise UsageError(f"The mapping could not be saved to {args.save_mapping} ({exc.strerror or exc}).") from None
    print(json.dumps(report, indent=2, ensure_ascii=False) if args.json else as_text(report))
    return 0


def _session(args: argparse.Namespace):
    """The session a command works on: the demo, FILE, or a saved view's data."""
    from explorer.core.session import Session, ViewFileError
    from explorer.core.viewspec import SpecError
    from explorer.readers import MappingError, PasswordRequired, ReadError

    warnings: list[str] = []
    try:
        if getattr(args, "view", None) and not (args.demo or args.file):
            session, spec, warnings = Session.replay(args.view, password=_read_password(args.password_file))
            return session, spec, warnings
        if args.demo:
            session = Session.open_demo()
        else:
            session = Session.open(args.file, mapping=args.mapping, password=_read_password(args.password_file))
    except PasswordRequired as exc:
        raise UsageError(f"{exc.path.name} is password-protected; give its password with --password-file FILE.") from None
    except (ReadError, MappingError, ViewFileError, SpecError) as exc:
        raise UsageError(str(exc)) from None
    if getattr(args, "password_file", None) and not session.data.details.get("encrypted"):
        from pathlib import Path

        warnings.append(f"{Path(session.data.provenance.path).name} is not password-protected: the password was not "
                        "needed.")
    spec = None
    if getattr(args, "view", None):
        from explorer.core.viewspec import ViewSpec

        try:
            spec = ViewSpec.load(args.view)
        except SpecError as exc:
            raise UsageError(str(exc)) from None
        saved = spec.dataset
        if saved is not None and (saved.demo != session.source.demo or (not saved.demo and saved.name != session.source.name)):
            where = "the demo" if session.source.demo else session.source.name
            warnings.append(f"The view was saved from {'the demo' if saved.demo else saved.name}; it is shown on {where} "
                            "instead.")
    return session, spec, warnings


def _view(args: argparse.Namespace, command: str, statistics: list[str]):
    """The session and the ViewSpec a command's options describe (a saved view, changed by the
    options given with it). Every problem is one sentence and exit code 2."""
    from explorer.core.filters import And, FilterError, parse_filter
    from explorer.core.viewspec import SpecError, ViewSpec
    from explorer.readers import MappingError, ReadError

    if args.demo and args.file:
        raise UsageError(f"Give either FILE or --demo, not both (run '{PROG} {command} --help' for usage).")
    if args.demo and (args.mapping or args.password_file):
        raise UsageError("--mapping and --password-file apply to a FILE, not to the demo.")
    if not (args.demo or args.file or args.view):
        raise UsageError(f"Give FILE, --demo or --view V.json (run '{PROG} {command} --help' for usage).")
    session, saved, warnings = _session(args)
    if args.benchmark:
        try:
            session.open_benchmark(args.benchmark)
        except (ReadError, MappingError, SpecError) as exc:
            raise UsageError(str(exc)) from None
    try:
        filters = [parse_filter(f) for f in args.filter]
        flt = (filters[0] if len(filters) == 1 else And(tuple(filters))) if filters else None
        if saved is not None:  # options given with --view change the saved view; none is ignored
            changes = {k: v for k, v in (("lens", args.lens), ("measures", tuple(args.measure) or None),
                                         ("years", tuple(args.year) or None), ("filter", flt),
                                         ("breakdown", tuple(args.by) or None), ("threshold", args.threshold),
                                         ("organisation", args.organisation), ("comparator", args.comparator),
                                         ("weighted", args.weighted or None), ("local_rule", args.local_rule or None))
                       if v}
            extra = tuple(s for s in statistics[2:] if s not in saved.statistics)
            if extra:
                changes["statistics"] = saved.statistics + extra
            spec = saved.with_(**changes)
        else:
            spec = ViewSpec(
                lens=args.lens, measures=tuple(args.measure), years=tuple(args.year), filter=flt,
                breakdown=tuple(args.by), comparator=args.comparator or "last_year", weighted=args.weighted,
                threshold=args.threshold if args.threshold is not None else ViewSpec().threshold,
                local_rule=args.local_rule, statistics=tuple(statistics), organisation=args.organisation,
            )
        spec = session.set_spec(spec)
    except (SpecError, FilterError) as exc:
        raise UsageError(str(exc)) from None
    return session, spec, warnings


def cmd_summary(args: argparse.Namespace) -> int:
    import json

    from explorer.core.filters import FilterError
    from explorer.core.viewspec import SpecError

    if not args.view and not args.lens and not args.measure and (args.demo or args.file):
        raise UsageError(f"Choose --lens trust|bullying|morale or at least one --measure (run '{PROG} summary --help').")
    if args.mapping and args.view and not args.file:
        raise UsageError("--mapping reads a FILE; give the view's data file too (summary FILE --view V.json --mapping M).")
    statistics = ["positive", "score"] + (["options"] if args.options else []) + (["mean"] if args.mean else []) \
        + (["drivers"] if args.drivers else [])
    session, spec, warnings = _view(args, "summary", statistics)
    _refuse_what_would_change_nothing(args, session, spec)
    try:
        results = session.compute(spec)
    except (SpecError, FilterError) as exc:
        raise UsageError(_closest(session, spec, str(exc)) or str(exc)) from None
    _refuse_statistics_not_shown(args, results, session.data.is_respondent_level)
    if args.save_view:
        try:
            session.save_view(args.save_view)
        except OSError as exc:
            raise UsageError(f"The view could not be saved to {args.save_view} ({exc.strerror or exc}).") from None
        print(f"{PROG}: saved the view to {args.save_view} (replay it with '{PROG} summary --view "
              f"{args.save_view}').", file=sys.stderr)
    for warning in warnings:
        print(f"{PROG}: warning: {warning}", file=sys.stderr)
    if args.json:
        out = results.to_json_dict()
        out["warnings"] = warnings
        print(json.dumps(out, indent=2, ensure_ascii=False))
    else:
        from explorer.cli_text import results_as_text

        print(results_as_text(results, session.bank))
    return 0


def _refuse_what_would_change_nothing(args: argparse.Namespace, session, spec) -> None:
    """An option that this data or view would quietly ignore is refused, naming what to do instead
    (issue 8): the command never looks as if it did what it was asked when it did not."""
    from explorer.core.engine.drivers import LENSES as DRIVER_LENSES

    catalog = session.catalog()
    if args.drivers and spec.lens not in DRIVER_LENSES:
        raise UsageError("--drivers ranks what moves with engagement for the trust and morale lenses; add --lens trust "
                         "or --lens morale, or leave out --drivers.")
    if args.comparator and args.comparator not in catalog.comparators:
        raise UsageError({
            "last_year": "The data holds one survey year, so there is no last year to compare with; leave out "
                         "--comparator last_year.",
            "benchmark": "There is no benchmark workbook to compare with; add --benchmark WORKBOOK.",
            "organisation": "This file has no groups to set beside the organisation; use --comparator last_year or "
                            "none.",
        }.get(args.comparator, f"--comparator {args.comparator} does not apply to this data."))
    if args.comparator == "organisation" and not spec.breakdown:
        raise UsageError("--comparator organisation sets each group beside the whole organisation; add --by COLUMN to "
                         "have groups to compare.")
    _refuse_data_options(args, session)


def _refuse_data_options(args: argparse.Namespace, session) -> None:
    """--weighted and --organisation where this data would ignore them (summary and export alike)."""
    respondents = session.data.is_respondent_level
    if args.weighted and not respondents:
        raise UsageError("Published figures are shown as the file gives them (weighted where it says so); leave out "
                         "--weighted.")
    if args.weighted and not session.data.has_weights:
        raise UsageError("This file has no weight column, so --weighted would change nothing; leave it out.")
    if args.organisation and respondents:
        if session.benchmark is None:
            raise UsageError("--organisation chooses whose benchmarking group to compare with in a benchmark workbook; "
                             "add --benchmark WORKBOOK, or leave it out (this file is one organisation's).")
        _check_organisation(args.organisation, session.catalog().organisations)


def _check_organisation(wanted: str, organisations: list[dict]) -> None:
    """An organisation the benchmark workbook does not hold is refused, with the likeliest name."""
    import difflib

    folded = wanted.strip().casefold()
    if any(folded in (o["org_id"].casefold(), o["name"].casefold()) for o in organisations):
        return
    names = {o["name"].casefold(): o["name"] for o in organisations}
    close = difflib.get_close_matches(folded, list(names), n=1, cutoff=0.6)
    hint = f"did you mean '{names[close[0]]}'?" if close else "give its org_id or name as the workbook has it."
    raise UsageError(f"There is no organisation '{wanted}' in the benchmark workbook; {hint}")


def _refuse_statistics_not_shown(args: argparse.Namespace, results, respondents: bool) -> None:
    """--options, --mean and --drivers when none of the view's measures has such figures."""
    t = results.table
    if t.empty:  # the view shows nothing at all; its empty reason says why
        return
    have = set(t["statistic"])
    fix = ("(a score is made from several questions); choose questions with --lens or --measure, or leave out"
           if respondents else "(published figures give no answer-level detail); leave out")
    if args.options and "options" not in have:
        raise UsageError(f"None of the chosen measures has answer options to show {fix} --options.")
    if args.mean and "mean" not in have:
        raise UsageError(f"None of the chosen measures has a mean answer code {fix} --mean.")
    if args.drivers and "drivers" not in have:
        raise UsageError("Drivers are worked out from each person's answers to line-manager and team questions, which "
                         "this file does not have; leave out --drivers.")


def _closest(session, spec, message: str) -> str | None:
    """For a refused filter value, column or measure that looks misspelt: the same refusal, naming
    the likeliest thing meant (from the session's catalog: what this data holds)."""
    import difflib

    if not session.data.is_respondent_level:
        return None
    catalog = session.catalog()

    def likeliest(typed: str, known: list[str]) -> str | None:
        folded = {k.casefold(): k for k in known}
        close = difflib.get_close_matches(typed.strip().casefold(), list(folded), n=1, cutoff=0.6)
        return folded[close[0]] if close else None

    columns = [c.label for c in catalog.columns] + [c.name for c in catalog.columns]
    for column in list(spec.breakdown) + [c for c, _, _ in (spec.filter.leaves() if spec.filter else [])]:
        if f"'{column}'" in message and column not in columns and (best := likeliest(column, columns)):
            return f"There is no column '{column}' in this file; did you mean '{best}'?"
    for column, values, _ in spec.filter.leaves() if spec.filter else []:
        col = next((c for c in catalog.columns if column.strip().casefold() in (c.name.casefold(), c.label.casefold())),
                   None)
        if col is None:
            continue
        groups = list(dict.fromkeys(g.name for year in col.groups.values() for g in year))
        for value in values:
            if f"'{value}'" in message and value not in groups and (best := likeliest(value, groups)):
                return f"There is no {col.label} '{value}' in this file; did you mean '{best}'?"
    for measure in spec.measures:
        known = [m.id for m in catalog.measures]
        if f"'{measure}'" in message and measure not in known and (best := likeliest(measure, known)):
            return f"There is no measure '{measure}' in this file; did you mean '{best}'?"
    return None


def cmd_export(args: argparse.Namespace) -> int:
    from explorer.core.filters import FilterError
    from explorer.core.viewspec import LENSES, SpecError
    import dataclasses

    from explorer.export import ExportError, PackOptions, gather, write_csv, write_pack
    from explorer.export.csvfile import pack_results
    from explorer.export.template import Template, of_pack
    from explorer.export.template import apply as apply_template

    lost: list[str] = []
    if args.comparator in ("none", "organisation"):
        raise UsageError("The board pack compares each figure with last year and, with a benchmark workbook, with "
                         "similar trusts; --comparator none|organisation is for the summary command.")
    from pathlib import Path

    # checked before anything is written: a bad second path must not leave a new workbook behind
    for option, value, suffixes in (("CSV", args.csv, (".csv", ".txt")), ("template", args.save_template, (".json",))):
        if value:
            path = Path(value)
            if path.suffix.lower() not in suffixes:
                raise UsageError(f"Give a {option} file name ending in {suffixes[0]}, not '{path.name}'.")
            if not (path.parent if str(path.parent) else Path(".")).is_dir():
                raise UsageError(f"The folder {path.parent} does not exist.")
    try:
        if args.template:
            given = [flag for flag, value in (("--view", args.view), ("--lens", args.lens), ("--measure", args.measure),
                                              ("--filter", args.filter), ("--by", args.by), ("--year", args.year),
                                              ("--weighted", args.weighted), ("--local-rule", args.local_rule),
                                              ("--comparator", args.comparator)) if value]
            if given:
                raise UsageError(f"--template sets the view; give {given[0]} without it, or change the template.")
            template = Template.load(args.template)
            if args.threshold is not None and args.threshold < template.spec.threshold:
                raise UsageError(f"The template withholds figures on fewer than {template.spec.threshold} people; "
                                 "--threshold cannot lower that.")
            session, _, warnings = _view(args, "export", ["positive", "score"])
            spec, options, lost = apply_template(template, session)
            spec = session.set_spec(spec.with_(threshold=args.threshold or spec.threshold,
                                               organisation=args.organisation or spec.organisation))
        else:
            session, spec, warnings = _view(args, "export", ["positive", "score"])
            _refuse_data_options(args, session)
            options = PackOptions(lenses=(args.lens,) if args.lens else LENSES)
        options = dataclasses.replace(options, breakdowns=options.breakdowns and not args.no_breakdowns,
                                      **{k: v for k, v in (("marking", args.marking), ("title", args.title),
                                                           ("author", args.author)) if v is not None})
        pack = gather(session, spec, options)
        pack.template = lost
        write_pack(pack, args.out)
        if args.csv:
            write_csv(pack_results(pack), args.csv)
        if args.save_template:
            of_pack(spec, options, pack.source, pack.year).save(args.save_template)
    except (SpecError, FilterError, ExportError) as exc:
        raise UsageError(str(exc)) from None
    for warning in warnings:
        print(f"{PROG}: warning: {warning}", file=sys.stderr)
    charts = sum(len(part.charted) for part in pack.parts.values())
    for sentence in lost[1:]:  # what the template could not match (also on the pack's Notes)
        print(f"{PROG}: template: {sentence}", file=sys.stderr)
    lenses = f"{len(pack.parts)} lens{'es' if len(pack.parts) != 1 else ''}"
    print(f"Wrote the board pack to {args.out} ({lenses}, {pack.year}; {charts} measure{'s' if charts != 1 else ''} "
          "charted)"
          + (f" and its figures to {args.csv}" if args.csv else "")
          + (f"; saved the template {args.save_template}" if args.save_template else "") + ".")
    return 0


def _handlers() -> dict[str, Callable[[argparse.Namespace], int]]:
    return {"inspect": cmd_inspect, "summary": cmd_summary, "export": cmd_export, "screenshots": cmd_screenshots}


def cmd_screenshots(args: argparse.Namespace) -> int:
    import re

    if sum(bool(x) for x in (args.demo, args.file, args.view)) != 1:
        raise UsageError("Give one of FILE, --demo or --view V.json, then OUTDIR.")
    if not re.fullmatch(r"\d{3,5}x\d{3,5}", args.size):
        raise UsageError(f"--size should look like 1366x768, not {args.size}.")
    if not 0.5 <= args.scale <= 4:
        raise UsageError("--scale should be between 0.5 and 4.")
    from explorer.ui.screenshots import main as shots  # Qt is imported here

    try:
        return shots(args.file, args.outdir, args.size, args.scale, args.view, args.demo)
    except (RuntimeError, OSError, ValueError) as exc:
        print(f"{PROG}: {exc}", file=sys.stderr)
        return 1


def run_gui(file: str | None, demo: bool = False) -> int:
    from explorer.ui.main import run  # Qt is imported here and only here

    return run(file, demo=demo)


def _misuse(args_list: list[str]) -> None:
    """Bad usage the app's own parser would only call unrecognised: a misspelt command, or a
    command's option given without the command."""
    import difflib
    import os

    first = args_list[0] if args_list else ""
    if first and not first.startswith("-") and not os.path.exists(first):
        close = difflib.get_close_matches(first, list(COMMANDS), n=1, cutoff=0.6)
        if close:
            raise UsageError(f"There is no command '{first}'; did you mean '{close[0]}'? Run '{PROG} --help' for the commands.")
    owners = {}
    for name in COMMANDS:
        for action in _command_parser(name)._actions:
            for flag in action.option_strings:
                owners.setdefault(flag, []).append(name)
    gui = {flag for action in _gui_parser()._actions for flag in action.option_strings}
    for arg in args_list:
        flag = arg.split("=", 1)[0]
        if flag.startswith("--") and flag not in gui and flag in owners:
            which = " or ".join(owners[flag])
            command = "summary" if "summary" in owners[flag] else owners[flag][0]
            data = "FILE" if command == "inspect" else "--demo"
            raise UsageError(f"{flag} belongs to a command: put {which} first "
                             f"(for example '{PROG} {command} {data} {arg} …').")


def main(argv: Sequence[str] | None = None) -> int:
    args_list = list(sys.argv[1:] if argv is None else argv)
    try:
        if args_list and args_list[0] in COMMANDS:
            name = args_list[0]
            args = _command_parser(name).parse_args(args_list[1:])
            return _quietly(lambda: _handlers()[name](args))
        _misuse(args_list)
        args = _gui_parser().parse_args(args_list)
        if args.demo and args.file:
            raise UsageError(f"Give either FILE or --demo, not both (run '{PROG} --help' for usage).")
        if args.self_test or args.quit_when_shown:
            from explorer import selftest

            return selftest.run_self_test() if args.self_test else selftest.quit_when_shown(args.file, args.demo, args.quit_when_shown)
        return run_gui(args.file, args.demo)
    except UsageError as exc:
        print(f"{PROG}: {exc}", file=sys.stderr)
        return EXIT_USAGE


def _quietly(run: Callable[[], int]) -> int:
    """Run a command whose output may be piped into a program that stops reading (``| head``): end
    quietly, as other command-line tools do, instead of with a BrokenPipeError traceback."""
    import os

    try:
        code = run()
        sys.stdout.flush()
        return code
    except BrokenPipeError:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())  # Python flushes stdout at exit: let that go nowhere
        return 0


if __name__ == "__main__":
    raise SystemExit(main())
