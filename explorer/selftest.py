"""``staff-survey-explorer --self-test``: prove, on the machine it is installed on, that the program
starts, reads every kind of file it understands, works out every lens, writes and re-reads a board
pack and draws every page of the window - offscreen, with no network, leaving nothing behind.

IT (and ``build_installer.py``, on the frozen bundle) run it after installing: one line per check,
``PASS`` or ``FAIL`` with what failed, exit code 0 only when every check passed.

It never imports the tests: the small files it reads are written here, in the shapes of the real
layouts (NHS-STAFF-SURVEY.md section 1), into a private temporary folder that it removes. While it
runs, every attempt to open a network connection is refused and recorded, and one attempt fails the
run even when the code that tried swallowed the error (a library that "phones home" quietly is
exactly what a trust's IT must be told about).

``--quit-when-shown`` (``quit_when_shown``) starts the window as a user would and quits as soon as
its first page is drawn with figures: timed from outside, that is the start-up time.
"""

from __future__ import annotations

import os
import shutil
import socket
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Callable, Iterator

from explorer.selftest_xlsb import write_xlsb

CHECK_NAMES = ("resources", "demo", "respondents-csv", "respondents-xlsx", "benchmark", "detailed", "respondents-xlsb",
               "password", "detailed-zip", "contractor", "organisation-table", "board-pack", "window", "no-network",
               "program-folder", "other-folders", "temporary-files")
PASSWORD = "self-test Pässword 1"  # a fictional workbook's password, with a non-ASCII letter as real ones may have


class CheckFailed(Exception):
    """A check's failure, said in one sentence."""


# ---------------------------------------------------------------------------------------- network guard
# Python's audit events for sockets (docs.python.org/3/library/audit_events.html): creating any socket,
# connecting, binding (a listening socket), sending, and every name or address lookup. gethostname is
# not here: it reads this machine's own name and touches no network.
NETWORK_EVENTS = frozenset({
    "socket.__new__", "socket.connect", "socket.bind", "socket.sendto", "socket.sendmsg", "socket.getaddrinfo",
    "socket.gethostbyname", "socket.gethostbyaddr", "socket.getnameinfo", "socket.getservbyname",
    "socket.getservbyport", "socket.sethostname",
})
_watching: list[list[str]] = []  # the attempts lists of the guards active now (normally none or one)
_hook_installed = False


def _audit(event: str, args: tuple) -> None:
    """The process-wide audit hook: while a guard is active, record and refuse every socket event."""
    if not _watching or event not in NETWORK_EVENTS:
        return
    shown = ", ".join(repr(a) for a in args if not isinstance(a, socket.socket))
    for attempts in _watching:
        attempts.append(f"{event}({shown})")
    raise OSError(f"Network access is blocked by the self-test ({event}).")


@contextmanager
def no_network(attempts: list[str]) -> Iterator[None]:
    """Refuse every socket made, connected, bound or sent on, and every name lookup, through Python
    while the block runs, recording each attempt in ``attempts`` (the caller fails the run on any).

    An audit hook (``sys.addaudithook``) sees every such call, however it is reached (sendmsg, a
    listening socket, gethostbyname_ex ...), and cannot be removed by the code under test; it is
    installed once per process and does nothing while no guard is active."""
    global _hook_installed
    if not _hook_installed:
        sys.addaudithook(_audit)
        _hook_installed = True
    _watching.append(attempts)
    try:
        yield
    finally:
        _watching.remove(attempts)


def _internet_sockets_open() -> list[str]:
    """Linux only: this process's open TCP/UDP sockets (from /proc), which the Python-level guard
    cannot see if a compiled library opened them. Empty elsewhere."""
    fd_dir, found = Path("/proc/self/fd"), []
    if not fd_dir.is_dir():
        return found
    inodes = set()
    for fd in fd_dir.iterdir():
        try:
            target = os.readlink(fd)
        except OSError:
            continue
        if target.startswith("socket:["):
            inodes.add(target[8:-1])
    for table in ("tcp", "tcp6", "udp", "udp6"):
        try:
            lines = Path(f"/proc/self/net/{table}").read_text().splitlines()[1:]
        except OSError:
            continue
        found += [f"{table} {line.split()[1]}" for line in lines if len(line.split()) > 9 and line.split()[9] in inodes]
    return found


# ---------------------------------------------------------------------------------------- small files
# Respondent-level results, 2023 numbering, in the spellings trusts' files use (q9a / Q9B / 9c ...).
_RESPONDENT_COLUMNS = ["Respondent ID", "Directorate", "Staff group", "q9a", "Q9B", "9c", "Q9d.", "q14c", "q25c",
                       "q26a", "q28", "q31a"]
_DIRECTORATES = ["Medicine", "Surgery", "Corporate"]
_GROUPS = ["Nursing and Midwifery Registered", "Medical and Dental", "Administrative and Clerical"]


def _respondent_rows(n: int = 60) -> list[list]:
    return [[f"R{i:03d}", _DIRECTORATES[i % 3], _GROUPS[(i // 3) % 3],
             1 + i % 5, 1 + (i + 1) % 5, None if i % 7 == 0 else 1 + (i + 2) % 5, 1 + (i + 3) % 5,
             1 + i % 5, 1 + (i * 3) % 5, 1 + (i * 2) % 5, [1, 9, 14, 4][i % 4], 1 + i % 2] for i in range(n)]


def write_respondent_csv(path: Path) -> Path:
    import csv

    with open(path, "w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(_RESPONDENT_COLUMNS)
        writer.writerows([["" if v is None else v for v in row] for row in _respondent_rows()])
    return path


def write_respondent_xlsx(path: Path) -> Path:
    """One sheet per year under a title row, 99 for no answer, as survey providers send them."""
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "Staff Survey 2023"
    ws["A1"] = "Northshire Hospitals NHS Foundation Trust - NHS Staff Survey 2023 (FICTIONAL SELF-TEST DATA)"
    ws.append([])
    ws.append(_RESPONDENT_COLUMNS)
    for row in _respondent_rows():
        ws.append([99 if v is None else v for v in row])
    wb.save(path)
    return path


def write_detailed_xlsx(path: Path) -> Path:
    """Organisational results of the official detailed spreadsheets: a merged 'Qxx - text' row over
    the option columns, the header on row 5, percentages and a base per question."""
    from openpyxl import Workbook

    wb = Workbook()
    wb.active.title = "Notes"
    wb.active["A1"] = "NHS Staff Survey 2024 detailed spreadsheets (FICTIONAL SELF-TEST DATA)"
    ws = wb.create_sheet("YOUR MANAGERS Q9")
    ws["G1"] = "Q9a - My immediate manager encourages me at work"
    ws.merge_cells("G1:L1")
    ws["M1"] = "Q9b - My immediate manager gives me clear feedback on my work"
    ws.merge_cells("M1:R1")
    ws["A2"], ws["A3"] = "NHS Staff Survey 2024", "Organisational results"
    options = ["% Strongly disagree", "% Disagree", "% Neither agree nor disagree", "% Agree", "% Strongly agree"]
    header = ["ODS code", "Organisation name", "Benchmarking group", "Region", "ICS", "Weighting"] \
        + options + ["Base (number of responses)"] + options + ["Base (number of responses)"]
    for j, name in enumerate(header, start=1):
        ws.cell(row=5, column=j, value=name)
    ws.append(["XA1", "Aldermere Hospitals NHS Trust", "Acute and Acute & Community Trusts", "North", "Northshire ICS",
               "Occupation Group", 5.0, 8.0, 15.0, 42.0, 30.0, 3120, 6.0, 10.0, 18.0, 44.0, 22.0, 3115])
    ws.append(["XA2", "Brackenford Hospitals NHS Trust", "Acute and Acute & Community Trusts", "North",
               "Northshire ICS", "Occupation Group", 4.0, 7.0, 14.0, 45.0, 30.0, 2300, 5.0, 9.0, 16.0, 46.0, 24.0, 2290])
    wb.save(path)
    return path


_CONTRACTOR_CSV = """Year,QuestionNumber,QuestionText,DimName,DimValue,BaseSize,Score
2024,Q14c,Other colleagues,Overall,Overall,4000,0.18
2024,Q14c,Other colleagues,BD1,Surgery,850,0.29
2024,PP7_2,Line management,Overall,Overall,3990,6.7
2023,Q26a,I often think about leaving this organisation,Overall,Overall,3700,0.33
2024,Q26a,I often think about leaving this organisation,Overall,Overall,3950,0.31
"""

_ORG_TABLE_CSV = """ODS code,Trust,Year,Benchmarking group,PP7_2,PP7_2_n,q14c,q14c_n
XA1,Aldermere Hospitals NHS Trust,2023,Acute,6.7,3190,0.195,3200
XA1,Aldermere Hospitals NHS Trust,2024,Acute,6.8,3290,0.175,3300
XA2,Brackenford Hospitals NHS Trust,2024,Acute,6.5,2090,0.22,2100
"""


def write_text(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


# ---------------------------------------------------------------------------------------- checks
class _Run:
    """State shared by the checks of one run: the temporary folder and the sessions opened."""

    def __init__(self, tmp: Path) -> None:
        self.tmp = tmp
        self.demo = None


def _lenses(session) -> str:
    """Compute every lens on the session's default view; a lens the data cannot show must say why."""
    from explorer.core.viewspec import LENSES

    shown, spec = [], session.spec
    organisations = session.catalog().organisations
    if not session.data.is_respondent_level and spec.organisation is None and organisations:
        # published figures of many organisations: look at the first, as the window does on opening
        spec = spec.with_(organisation=sorted(organisations, key=lambda o: o["name"].casefold())[0]["org_id"])
    for lens in LENSES:
        results = session.compute(spec.with_(lens=lens))
        if results.table.empty and not results.empty_reason:
            raise CheckFailed(f"the {lens} lens gave no figures and no reason")
        if not results.table.empty:
            shown.append(f"{lens} {len(results.table)} rows")
    if not shown:
        raise CheckFailed("no lens gave any figures")
    return ", ".join(shown)


def _open(path: Path, kind: str) -> str:
    from explorer.core.session import Session

    session = Session.open(path)
    if session.data.kind != kind:
        raise CheckFailed(f"{path.name} was read as {session.data.kind}, not {kind}")
    return f"{path.name} read as {kind}; {_lenses(session)}"


def check_resources(run: _Run) -> str:
    from explorer.paths import resources_dir

    root = resources_dir()
    wanted = ["bank/questions.toml", "bank/scales.toml", "bank/measures.toml", "bank/unverified.toml",
              "bank/vocabulary.toml", "icons/staff-survey-explorer.png"]
    missing = [w for w in wanted if not (root / w).is_file()]
    if missing:
        raise CheckFailed(f"missing from {root}: {', '.join(missing)}")
    return f"question bank and icons found in the program's resources folder ({root.name})"


def check_demo(run: _Run) -> str:
    from explorer.core.session import Session

    run.demo = Session.open_demo()
    return f"{len(run.demo.data.years)} years; {_lenses(run.demo)}"


def check_respondents_csv(run: _Run) -> str:
    return _open(write_respondent_csv(run.tmp / "respondents 2023.csv"), "respondents")


def check_respondents_xlsx(run: _Run) -> str:
    return _open(write_respondent_xlsx(run.tmp / "respondents 2023.xlsx"), "respondents")


def check_benchmark(run: _Run) -> str:
    from explorer.demo import demo_files

    path = demo_files()["benchmark_xlsx"]
    detail = _open(path, "benchmark_workbook")
    if run.demo is not None:
        run.demo.open_benchmark(path)
    return detail


def check_detailed(run: _Run) -> str:
    return _open(write_detailed_xlsx(run.tmp / "detailed spreadsheet 2024.xlsx"), "detailed_spreadsheet")


def check_respondents_xlsb(run: _Run) -> str:
    """Excel's binary workbook, which trusts' survey providers sometimes send."""
    rows = [["NHS Staff Survey 2023 (FICTIONAL SELF-TEST DATA)"], [], _RESPONDENT_COLUMNS] \
        + [[99 if v is None else v for v in row] for row in _respondent_rows()]
    return _open(write_xlsb(run.tmp / "respondents 2023.xlsb", {"Staff Survey 2023": rows}), "respondents")


def check_password(run: _Run) -> str:
    """A password-protected workbook (Excel's "Encrypt with password"), opened with its password."""
    import io

    from msoffcrypto.format.ooxml import OOXMLFile

    from explorer.core.session import Session
    from explorer.readers.errors import PasswordRequired

    plain = write_respondent_xlsx(run.tmp / "plain.xlsx")
    buffer = io.BytesIO()
    with open(plain, "rb") as fh:
        OOXMLFile(fh).encrypt(PASSWORD, buffer)
    plain.unlink()
    path = run.tmp / "respondents 2023 protected.xlsx"
    path.write_bytes(buffer.getvalue())
    try:
        Session.open(path)
    except PasswordRequired:
        pass
    else:
        raise CheckFailed(f"{path.name} opened without its password")
    session = Session.open(path, password=PASSWORD)
    if session.data.kind != "respondents":
        raise CheckFailed(f"{path.name} was read as {session.data.kind}, not respondents")
    return f"{path.name} asked for its password and opened with it; {_lenses(session)}"


def check_detailed_zip(run: _Run) -> str:
    """The official download: a ZIP of the year's detailed spreadsheets, opened without unzipping."""
    import zipfile

    inner = write_detailed_xlsx(run.tmp / "NHS Staff Survey 2024 organisational results.xlsx")
    path = run.tmp / "NHS Staff Survey 2024 detailed spreadsheets.zip"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.write(inner, f"NSS24 detailed spreadsheets/{inner.name}")
        zf.writestr("NSS24 detailed spreadsheets/Read me.txt", "Guidance (fictional self-test data).\n")
    inner.unlink()
    return _open(path, "detailed_spreadsheet")


def check_contractor(run: _Run) -> str:
    return _open(write_text(run.tmp / "contractor export.csv", _CONTRACTOR_CSV), "contractor_long")


def check_organisation_table(run: _Run) -> str:
    return _open(write_text(run.tmp / "organisation table.csv", _ORG_TABLE_CSV), "organisation_table")


def check_board_pack(run: _Run) -> str:
    from openpyxl import load_workbook

    from explorer.core.session import Session
    from explorer.export import PackOptions, gather, write_pack

    session = run.demo or Session.open_demo()
    spec = session.set_spec(session.spec.with_(breakdown=("Directorate",)))
    out = run.tmp / "board pack.xlsx"
    write_pack(gather(session, spec, PackOptions()), out)
    wb = load_workbook(out)
    try:
        wanted = ["Summary", "Trust", "Bullying", "Morale", "Breakdowns", "Notes"]
        missing = [name for name in wanted if name not in wb.sheetnames]
        if missing:
            raise CheckFailed(f"the board pack has no {', '.join(missing)} sheet")
        charts = sum(len(wb[name]._charts) for name in ("Trust", "Bullying", "Morale"))
        if charts == 0:
            raise CheckFailed("the board pack's lens sheets have no charts")
        if not any(isinstance(c.value, str) and c.value.strip() for row in wb["Summary"].iter_rows() for c in row):
            raise CheckFailed("the board pack's Summary sheet is empty")
    finally:
        wb.close()
    return f"written and re-read: {len(wb.sheetnames)} sheets, {charts} charts"


def check_window(run: _Run) -> str:
    from PySide6.QtCore import QCoreApplication, QEvent, QSettings
    from PySide6.QtWidgets import QApplication

    from explorer.ui.main import MainWindow
    from explorer.ui.screenshots import render

    app = QApplication.instance() or QApplication(sys.argv[:1])
    # Nothing of the window is saved (size, recent files): on Windows its settings are the user's own
    # registry key, which QSettings.setPath cannot redirect. Where settings are ini files (Linux, macOS)
    # they are also pointed at the temporary folder, so reading them never finds the user's.
    formats = (QSettings.Format.NativeFormat, QSettings.Format.IniFormat)
    for fmt in formats:
        QSettings.setPath(fmt, QSettings.Scope.UserScope, str(run.tmp / "settings"))
    MainWindow.save_settings = False
    try:
        pages = render(None, run.tmp / "pages")
    finally:
        _close_windows(app, MainWindow, QCoreApplication, QEvent)  # destroyed now, not at exit after the checks
        MainWindow.save_settings = True
        for fmt in formats:  # back to Qt's own place (Linux: $XDG_CONFIG_HOME), as the folder above is removed
            QSettings.setPath(fmt, QSettings.Scope.UserScope,
                              os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config"))
    blank = [p["page"] for p in pages if (run.tmp / "pages" / p["png"]).stat().st_size < 1000]
    if blank:
        raise CheckFailed(f"pages drawn blank: {', '.join(blank)}")
    lens_pages = [p for p in pages if p["page"] not in ("welcome",)]
    if not any(p["figures"] for p in lens_pages):
        raise CheckFailed("no page of the window drew any figure")
    if (run.tmp / "settings").exists():
        raise CheckFailed("the window saved settings during the self-test")
    return f"{len(pages)} pages drawn ({', '.join(p['page'] for p in pages)})"


def _close_windows(app, window_class, core, event) -> None:
    """Close and delete every main window, and run the deletions now: an object left to the end of
    the process (a window holding its QSettings) would write after the checks have passed. (Only the
    main windows: their menus and pop-ups are their children and go with them.)"""
    for widget in app.topLevelWidgets():
        if isinstance(widget, window_class):
            widget.close()
            widget.deleteLater()
    core.sendPostedEvents(None, event.Type.DeferredDelete.value)
    app.processEvents()


CHECKS: dict[str, Callable[[_Run], str]] = {
    "resources": check_resources, "demo": check_demo, "respondents-csv": check_respondents_csv,
    "respondents-xlsx": check_respondents_xlsx, "benchmark": check_benchmark, "detailed": check_detailed,
    "respondents-xlsb": check_respondents_xlsb, "password": check_password, "detailed-zip": check_detailed_zip,
    "contractor": check_contractor, "organisation-table": check_organisation_table,
    "board-pack": check_board_pack, "window": check_window,
}


# ---------------------------------------------------------------------------------------- the run
def _program_folder() -> Path | None:
    """The folder the frozen program runs from (None when run from Python)."""
    return Path(sys.executable).resolve().parent if getattr(sys, "frozen", False) else None


def _listing(folder: Path | None) -> dict[str, float]:
    if folder is None:
        return {}
    return {str(p.relative_to(folder)): p.stat().st_mtime for p in folder.rglob("*") if p.is_file()}


def _top_level(folders: list[Path]) -> set[str]:
    """The names directly inside each folder (the working directory, the user's home): a file the
    program left there, outside the places it may write, shows as a new name."""
    names = set()
    for folder in folders:
        try:
            names |= {str(p) for p in folder.iterdir()}
        except OSError:
            continue
    return names


def _absolute_paths_in_qt_conf(folder: Path | None) -> list[str]:
    """qt.conf files inside the bundle that name an absolute path (which breaks when the folder moves)."""
    if folder is None:
        return []
    bad = []
    for conf in folder.rglob("qt.conf"):
        for line in conf.read_text(encoding="utf-8", errors="replace").splitlines():
            value = line.split("=", 1)[1].strip() if "=" in line else ""
            if value.startswith(("/", "\\")) or (len(value) > 1 and value[1] == ":"):
                bad.append(f"{conf.relative_to(folder)}: {line.strip()}")
    return bad


def run_self_test(only: tuple[str, ...] | None = None, out: Callable[[str], None] = print) -> int:
    """Run the checks (all, or those named in ``only``); print one line per check; 0 when all passed."""
    os.environ["QT_QPA_PLATFORM"] = "offscreen"  # never a visible window, even on a desktop
    folder = _program_folder()
    before = _listing(folder)
    others = list(dict.fromkeys([Path.cwd().resolve(), Path.home().resolve()]))
    others_before = _top_level(others)
    tmp = Path(tempfile.mkdtemp(prefix="sse-self-test-"))
    attempts: list[str] = []
    failures = checks = 0

    def report(name: str, ok: bool, detail: str) -> None:
        nonlocal failures, checks
        failures += not ok
        checks += 1
        out(f"{'PASS' if ok else 'FAIL'} {name}: {detail}")

    started = time.perf_counter()
    run = _Run(tmp)
    try:
        with no_network(attempts):
            for name, check in CHECKS.items():
                if only and name not in only:
                    continue
                try:
                    report(name, True, check(run))
                except CheckFailed as exc:
                    report(name, False, str(exc))
                except Exception as exc:  # noqa: BLE001 - a self-test reports every failure, never a traceback
                    report(name, False, f"{type(exc).__name__}: {exc}")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    sockets = _internet_sockets_open()
    qt_network = "PySide6.QtNetwork" in sys.modules
    report("no-network", not (attempts or sockets or qt_network),
           "no connection or name lookup was attempted and Qt's network module was never loaded"
           if not (attempts or sockets or qt_network) else
           "; ".join(filter(None, [f"network attempted: {', '.join(attempts)}" if attempts else "",
                                   f"internet sockets open: {', '.join(sockets)}" if sockets else "",
                                   "Qt's network module was loaded" if qt_network else ""])))
    if folder is not None:
        changed = sorted(set(_listing(folder).items()) ^ set(before.items()))
        qt_conf = _absolute_paths_in_qt_conf(folder)
        problems = ([f"files written or changed in the program folder: {', '.join(sorted({c[0] for c in changed})[:5])}"]
                    if changed else []) + [f"absolute path in {q}" for q in qt_conf]
        report("program-folder", not problems, "; ".join(problems) or
               f"nothing written in {folder.name}, no absolute path in qt.conf")
    new = sorted(_top_level(others) - others_before)
    report("other-folders", not new, "nothing new in the working folder or the home folder" if not new
           else f"files written outside the places the program may write: {', '.join(new[:5])}")
    report("temporary-files", not tmp.exists(), "the temporary folder was removed" if not tmp.exists()
           else f"the temporary folder {tmp} could not be removed")
    out(f"Self-test {'passed' if not failures else 'FAILED'}: {checks - failures} of {checks} checks passed in "
        f"{time.perf_counter() - started:.1f} s.")
    return 0 if not failures else 1


# ---------------------------------------------------------------------------------------- start-up
def quit_when_shown(file: str | None, demo: bool, stage: str = "figures", timeout: float = 120.0) -> int:
    """Start the window exactly as ``run`` does, and quit once it is on screen (``stage="window"``)
    or once its first page has drawn figures (``"figures"``): the process's run time, measured from
    outside, is the start-up time to a window, or to a usable page."""
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from explorer.ui.main import MainWindow, run

    app = QApplication.instance() or QApplication(sys.argv[:1])
    result = {"code": 1}
    deadline = time.perf_counter() + timeout

    def ready(window: MainWindow) -> bool:
        handle = window.windowHandle()
        on_screen = window.isVisible() and handle is not None and handle.isExposed()
        return on_screen and (stage == "window" or (window.session is not None and bool(window.shown)))

    def poll() -> None:
        if time.perf_counter() > deadline:  # a file that cannot be opened: never wait for ever
            print(f"The first page was not drawn within {timeout:.0f} s.", file=sys.stderr)
            timer.stop()
            app.quit()
            return
        for widget in app.topLevelWidgets():
            if isinstance(widget, MainWindow) and ready(widget):
                widget.repaint()  # painted before the clock stops
                sys.stdout.flush()
                sys.stderr.flush()
                # at once: an orderly exit would first wait for work still queued (the demo's benchmark
                # workbook, opened just after its figures), which is not start-up time
                os._exit(0)

    timer = QTimer()
    timer.timeout.connect(poll)
    timer.start(10)
    run(file, demo=demo)
    return result["code"]
