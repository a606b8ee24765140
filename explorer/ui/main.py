"""The desktop window: a welcome view, then filters on the left, a header saying what is shown, and
the pages (Overview, Trust, Bullying & harassment, Morale). The window edits the session's ViewSpec
and draws its Results; it computes no statistic of its own. Loading and computing run off the UI
thread (:mod:`explorer.ui.workers`, :mod:`explorer.ui.compute`)."""

from __future__ import annotations

import logging
import sys
import time
from pathlib import Path

from PySide6.QtCore import QSettings, Qt, QTimer
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QApplication, QDialog, QFileDialog, QFrame, QHBoxLayout, QInputDialog, QLabel, QLineEdit, QListWidget, QMainWindow,
    QMessageBox, QProgressBar, QPushButton, QScrollArea, QStackedWidget, QTabWidget, QVBoxLayout, QWidget,
)

from explorer import APP_NAME, __version__
from explorer.core.session import Session
from explorer.core.surveydata import SurveyData
from explorer.core.viewspec import SpecError
from explorer import figures as F
from explorer import palette as P
from explorer.ui.charts import on_screen
from explorer.ui.compute import Computer
from explorer.ui.filterpanel import FilterPanel
from explorer.ui.pages import LENS_TITLES, LensPage, OverviewPage, example_words
from explorer.ui.questions import OrganisationsPage, QuestionsPage
from explorer.ui.workers import Worker

log = logging.getLogger(__name__)
ORGANISATION = "StaffSurveyExplorer"
FILE_TYPES = "Spreadsheets (*.xlsx *.xlsm *.xlsb *.xls *.ods *.csv *.txt *.gz *.zip);;All files (*)"
MAX_RECENT = 8
STYLE = f"""
QWidget {{ color: {P.NHS_TEXT}; }}
QFrame#header {{ background: {P.NHS_BLUE}; }}
QFrame#header QLabel {{ color: white; }}
QLabel#title {{ font-size: 15pt; font-weight: bold; }}
QLabel#sectionTitle {{ font-weight: bold; font-size: 11pt; color: {P.NHS_DARK_BLUE}; }}
QLabel#cardTitle {{ font-weight: bold; color: {P.NHS_DARK_BLUE}; }}
QLabel#hint, QLabel#cardSubtitle {{ color: #4C6272; }}
QLabel#emptyReason {{ background: #FFF4CE; border: 1px solid #C8A600; padding: 6px; }}
QLabel#banner {{ background: #FFF4CE; color: #3D3000; padding: 4px; border: 1px solid #C8A600; }}
QFrame#card {{ background: white; border: 1px solid #D8DDE0; border-radius: 3px; }}
QPushButton#primary {{ background: {P.NHS_BLUE}; color: white; padding: 8px 16px; font-weight: bold; }}
*:focus {{ outline: 2px solid {P.NHS_WARM_YELLOW}; }}
QPushButton:focus, QToolButton:focus, QComboBox:focus, QListWidget:focus, QTableWidget:focus, QLineEdit:focus,
QCheckBox:focus, QTabBar::tab:focus {{ border: 2px solid {P.NHS_WARM_YELLOW}; }}
"""
HELP = """<h3>Reading the charts</h3>
<p><b>Trend</b>: the selection's figure in each survey year. <b>Breakdown</b>: each group of the
'compare by' column(s), highest first, with the whole selection as a dashed line; ✓ / ✗ mark groups
significantly better / worse than the rest of the organisation. <b>How people answered</b>: the share
of each answer. Every chart has its table: press <b>Ctrl+T</b> on it.</p>
<h3>Keeping people anonymous</h3>
<p>No figure is shown for fewer than {threshold} respondents, nor any that would let one be worked out.
Small groups are counted in combined groups ('Other ... (combined)'); withheld groups are listed with
the reason.</p>
<h3>Keys</h3>
<p>Ctrl+O open a file · Ctrl+Z / Ctrl+Y undo / redo a view change · Ctrl+T chart ⇄ table ·
Ctrl+1…6 pages · Ctrl+B open a benchmark workbook · Ctrl+E export the board pack · F1 this help.</p>
<p>The program works offline; nothing leaves this computer.</p>"""


def _load(file: str | None, password: str | None, year: int | None, mapping, progress) -> Session:
    """Runs in a worker thread: a session on the demo, or on the user's file (read and protected).
    The demo's benchmark workbook is opened just after its first figures are asked for (see
    MainWindow._demo_benchmark): the figures come sooner."""
    if file is None:
        return Session.open_demo(progress=progress)
    return Session.open(file, password=password, mapping=mapping, ask_year=(lambda *_: year) if year else None,
                        progress=progress)


def _load_benchmark(session: Session, file: str, password: str | None, progress) -> Session:
    session.open_benchmark(file, password=password, progress=progress)
    return session


def _open_demo_benchmark(session: Session, progress) -> Session:
    """Runs on the figures' own worker thread (after the demo's first figures), so no view is being
    worked out while the session takes its benchmark: similar trusts for the demo."""
    from explorer.demo import demo_files

    session.open_benchmark(demo_files()["benchmark_xlsx"])
    return session


def _replay(view: str, progress) -> tuple:
    return Session.replay(view, progress=progress)


class Welcome(QWidget):
    def __init__(self, window: "MainWindow") -> None:
        super().__init__(window)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(48, 32, 48, 32)
        title = QLabel(APP_NAME, self)
        title.setObjectName("title")
        layout.addWidget(title)
        intro = QLabel("See what your NHS Staff Survey results say about trust in managers and the organisation, "
                       "bullying and harassment, and morale — by directorate, staff group and year — and take a "
                       "board pack away. Everything stays on this computer.", self)
        intro.setWordWrap(True)
        layout.addWidget(intro)
        row = QHBoxLayout()
        self.demo = QPushButton("Explore the &demo trust", self)
        self.demo.setObjectName("primary")
        self.demo.setAccessibleName("Explore the demo trust")
        self.demo.setAccessibleDescription("Open the built-in fictional trust's results.")
        self.demo.clicked.connect(lambda: window.start_loading(None))
        self.open = QPushButton("&Open a file…", self)
        self.open.setAccessibleName("Open a file")
        self.open.setAccessibleDescription("Choose a spreadsheet of survey results (xlsx, xls, ods or csv) to open.")
        self.open.clicked.connect(window.choose_file)
        row.addWidget(self.demo)
        row.addWidget(self.open)
        row.addStretch(1)
        layout.addLayout(row)
        hint = QLabel("Or drop a spreadsheet (xlsx, xls, ods, csv) onto this window.", self)
        hint.setObjectName("hint")
        layout.addWidget(hint)
        recent = QLabel("&Recent files", self)
        recent.setObjectName("sectionTitle")
        layout.addWidget(recent)
        self.recent = QListWidget(self)
        self.recent.setAccessibleName("Recent files")
        self.recent.setAccessibleDescription("Press Enter to open.")
        recent.setBuddy(self.recent)
        self.recent.itemActivated.connect(lambda item: window.start_loading(item.data(Qt.ItemDataRole.UserRole)))
        layout.addWidget(self.recent, 1)

    def set_recent(self, files: list[str]) -> None:
        self.recent.clear()
        for f in files:
            self.recent.addItem(f"{Path(f).name} — {Path(f).parent}")
            self.recent.item(self.recent.count() - 1).setData(Qt.ItemDataRole.UserRole, f)
        if not files:
            self.recent.addItem("(none yet)")
            self.recent.item(0).setFlags(Qt.ItemFlag.NoItemFlags)


class MainWindow(QMainWindow):
    # False while the self-test draws the window: nothing is saved to the user's settings (on Windows
    # the registry, which QSettings.setPath cannot redirect), so the test leaves no trace behind
    save_settings = True

    def __init__(self, file: str | None = None, demo: bool = False) -> None:
        super().__init__()
        self.setWindowTitle(APP_NAME)
        self.setAcceptDrops(True)
        self.settings = QSettings(ORGANISATION, APP_NAME)
        self.data: SurveyData | None = None
        self.session: Session | None = None
        self.computer: Computer | None = None
        self._worker: Worker | None = None
        self._file: str | None = None
        self._password: str | None = None
        self._year: int | None = None
        self.request = 0
        self.shown: dict = {}  # the Results drawn now, by job key
        self.catalog = None
        self._benchmark_file: str | None = None
        self._mapping = None
        self._mapping_for: tuple | None = None  # (file, reason, password) while its first rows are read
        self.remember_files = True  # the screenshots command opens files without making them "recent"
        self.show_done_dialogs = True  # "saved" / "not saved" boxes after an export (tests read the status)
        self.setStyleSheet(STYLE)

        self.stack = QStackedWidget(self)
        self.welcome = Welcome(self)
        self.stack.addWidget(self.welcome)
        self.stack.addWidget(self._build_explorer())
        self.setCentralWidget(self.stack)
        self._build_status()
        self._build_menus()
        self.welcome.set_recent(self.recent_files())
        geometry = self.settings.value("geometry")
        if geometry is not None:
            self.restoreGeometry(geometry)
        else:
            self.resize(1280, 760)
        if file is not None or demo:
            self.start_loading(file)

    # ------------------------------------------------------------------ building
    def _build_explorer(self) -> QWidget:
        page = QWidget(self)
        outer = QVBoxLayout(page)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.setSpacing(0)
        header = QFrame(page)
        header.setObjectName("header")
        row = QHBoxLayout(header)
        row.setContentsMargins(10, 6, 10, 6)
        column = QVBoxLayout()
        self.title = QLabel(APP_NAME, header)
        self.title.setObjectName("title")
        self.title.setAccessibleName("Dataset")
        self.selection = QLabel("", header)
        self.selection.setWordWrap(True)
        self.selection.setAccessibleName("What is shown")
        self.selection.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByKeyboard
                                               | Qt.TextInteractionFlag.TextSelectableByMouse)
        self.selection.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.withheld = QLabel("", header)
        self.withheld.setWordWrap(True)
        self.withheld.setAccessibleName("What is withheld and why")
        column.addWidget(self.title)
        column.addWidget(self.selection)
        column.addWidget(self.withheld)
        row.addLayout(column, 1)
        self.busy = QProgressBar(header)
        self.busy.setRange(0, 0)
        self.busy.setMaximumWidth(120)
        self.busy.setAccessibleName("Working out the figures")
        policy = self.busy.sizePolicy()
        policy.setRetainSizeWhenHidden(True)  # showing it must not re-wrap the header's text
        self.busy.setSizePolicy(policy)
        self.busy.hide()
        row.addWidget(self.busy)
        outer.addWidget(header)
        self.header = header
        self.banner = QLabel("", page)
        self.banner.setObjectName("banner")
        self.banner.setWordWrap(True)
        self.banner.setAccessibleName("Data notice")
        self.banner.hide()
        outer.addWidget(self.banner)
        body = QHBoxLayout()
        body.setContentsMargins(4, 4, 4, 4)
        self.panel = FilterPanel(page)
        self.panel.changed.connect(self.view_changed)
        self.panel.organisation.activated.connect(self._organisation_chosen)
        self.panel.year_changed.connect(lambda _: self.refresh(immediate=True))  # answer shares are per year
        scroll = QScrollArea(page)
        scroll.setWidget(self.panel)
        scroll.setWidgetResizable(True)
        scroll.setFixedWidth(300)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        body.addWidget(scroll)
        self.tabs = QTabWidget(page)
        self.tabs.setAccessibleName("Pages")
        self.overview = OverviewPage(self.tabs)
        self.overview.open_measure.connect(self.open_measure)
        self.tabs.addTab(self.overview, "&Overview")
        self.lens_pages: dict[str, LensPage] = {}
        for lens, title in LENS_TITLES.items():
            page_ = LensPage(lens, self.tabs)
            page_.drivers_toggled.connect(lambda _: self.refresh(immediate=True))
            page_.compare_by.connect(self.compare_by)
            page_.measure_changed.connect(lambda _: self.refresh(immediate=True))
            self.lens_pages[lens] = page_
            self.tabs.addTab(page_, title.replace("&", "&&"))
        self.questions = QuestionsPage(self.tabs)
        self.questions.measure_changed.connect(lambda _: self.refresh(immediate=True))
        self.tabs.addTab(self.questions, "&Questions")
        for measure_page in (*self.lens_pages.values(), self.questions):
            measure_page.view.fetch_answers = self.fetch_answers
        self._answers_asked = False
        self.organisations = OrganisationsPage(self.tabs)
        self.tabs.addTab(self.organisations, "Or&ganisations")
        self.tabs.currentChanged.connect(lambda _: self.refresh(immediate=True))
        body.addWidget(self.tabs, 1)
        outer.addLayout(body, 1)
        return page

    def _build_status(self) -> None:
        self.progress = QProgressBar(self)
        self.progress.setRange(0, 100)
        self.progress.setMaximumWidth(220)
        self.progress.setAccessibleName("Loading progress")
        self.status = QLabel("", self)
        self.status.setAccessibleName("Status")
        self.cancel_button = QPushButton("&Cancel", self)
        self.cancel_button.setAccessibleName("Cancel loading")
        self.cancel_button.setAccessibleDescription("Stop opening the file; what is shown now stays.")
        self.cancel_button.clicked.connect(self.cancel_loading)
        bar = self.statusBar()
        bar.addWidget(self.status, 1)
        bar.addPermanentWidget(self.progress)
        bar.addPermanentWidget(self.cancel_button)
        self.progress.hide()
        self.cancel_button.hide()
        self.status.setText(f"{APP_NAME} {__version__} — offline; nothing leaves this computer")

    def _action(self, menu, text: str, slot, shortcut=None) -> QAction:
        action = QAction(text, self)
        if shortcut is not None:
            action.setShortcut(shortcut)
        action.triggered.connect(slot)
        menu.addAction(action)
        return action

    def _build_menus(self) -> None:
        file_menu = self.menuBar().addMenu("&File")
        self._action(file_menu, "&Open…", self.choose_file, QKeySequence.StandardKey.Open)
        self._action(file_menu, "Open the &demo trust", lambda: self.start_loading(None))
        self.benchmark_action = self._action(file_menu, "Open a &benchmark workbook…", self.choose_benchmark,
                                             QKeySequence("Ctrl+B"))
        self._action(file_menu, "Open with a column &mapping…", lambda: self.open_with_mapping())
        file_menu.addSeparator()
        self.save_view_action = self._action(file_menu, "&Save view…", self.save_view, QKeySequence("Ctrl+Shift+S"))
        self.export_action = self._action(file_menu, "&Export board pack…", lambda: self.export_pack(),
                                          QKeySequence("Ctrl+E"))
        self.template_action = self._action(file_menu, "Export board pack from a &template…", self.export_from_template)
        self.save_template_action = self._action(file_menu, "Save board-pack t&emplate…", self.save_template)
        self._action(file_menu, "Open &view…", self.open_view)
        file_menu.addSeparator()
        self._action(file_menu, "&Quit", self.close, QKeySequence.StandardKey.Quit)
        edit = self.menuBar().addMenu("&Edit")
        self.undo_action = self._action(edit, "&Undo view change", self.undo, QKeySequence("Ctrl+Z"))
        self.redo_action = self._action(edit, "&Redo view change", self.redo, QKeySequence("Ctrl+Y"))
        self._action(edit, "Reset &filters", lambda: self.panel.reset())
        view = self.menuBar().addMenu("&View")
        for i in range(self.tabs.count()):
            self._action(view, self.tabs.tabText(i).replace("&&", "&#").replace("&", "").replace("&#", "&"),
                         lambda _=False, i=i: self.tabs.setCurrentIndex(i), QKeySequence(f"Ctrl+{i + 1}"))
        help_menu = self.menuBar().addMenu("&Help")
        self._action(help_menu, "&Help", self.show_help, QKeySequence(Qt.Key.Key_F1))
        self._update_actions()

    def _update_actions(self) -> None:
        ok = self.session is not None
        self.undo_action.setEnabled(ok and self.session.can_undo)
        self.redo_action.setEnabled(ok and self.session.can_redo)
        self.save_view_action.setEnabled(ok)
        self.export_action.setEnabled(ok and self._worker is None)
        self.template_action.setEnabled(ok and self._worker is None)
        self.save_template_action.setEnabled(ok)
        self.benchmark_action.setEnabled(ok and self.data.is_respondent_level)

    # ------------------------------------------------------------------ settings
    def recent_files(self) -> list[str]:
        value = self.settings.value("recent", [])
        if isinstance(value, str):
            value = [value]
        return [v for v in (value or []) if isinstance(v, str) and Path(v).is_file()][:MAX_RECENT]

    def _remember(self, file: str) -> None:
        files = [str(Path(file).resolve())] + [f for f in self.recent_files() if f != str(Path(file).resolve())]
        self.settings.setValue("recent", files[:MAX_RECENT])
        self.welcome.set_recent(files[:MAX_RECENT])

    # ------------------------------------------------------------------ loading
    def choose_file(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Open staff survey results", "", FILE_TYPES)
        if path:
            self.start_loading(path)

    def dragEnterEvent(self, event) -> None:  # noqa: N802 - Qt's name
        if event.mimeData().hasUrls() and any(u.isLocalFile() for u in event.mimeData().urls()):
            event.acceptProposedAction()

    def dropEvent(self, event) -> None:  # noqa: N802
        files = [u.toLocalFile() for u in event.mimeData().urls() if u.isLocalFile()]
        if files:
            self.start_loading(files[0])

    def choose_benchmark(self) -> None:
        """Open the official benchmark workbook beside respondent data: similar trusts' best, median
        and worst on the trends, 'similar trusts' as a comparator, and the Organisations page."""
        if self.session is None or self._worker is not None:
            return
        path, _ = QFileDialog.getOpenFileName(self, "Open the benchmark workbook", "", FILE_TYPES)
        if path:
            self.start_benchmark(path)

    def start_benchmark(self, path: str, password: str | None = None) -> None:
        if self.session is None or self._worker is not None:
            return
        self._file = None
        self._benchmark_file = path
        self._run(Worker(_load_benchmark, self.session, path, password), self._on_benchmark_loaded,
                  f"Opening the benchmark workbook {Path(path).name}")

    def _on_benchmark_loaded(self, session: Session) -> None:
        self._finish()
        self._benchmark_file = None
        self.set_session(session)
        from explorer.core.engine.comparators import match_org

        name = Path(session.benchmark.provenance.path).name
        if self.data.organisation and len(match_org(session.benchmark.aggregates, self.data.organisation)):
            self.status.setText(f"Benchmark workbook open: {name} — similar trusts are on the trends and the "
                                "Organisations page.")
        else:
            self.status.setText(f"Benchmark workbook open: {name} — your organisation is not named in this file: "
                                "choose it under 'Your organisation' (or a group under 'Similar trusts') to see "
                                "similar trusts.")

    def start_loading(self, file: str | None, password: str | None = None, year: int | None = None,
                      mapping=None) -> None:
        if self._worker is not None:
            return  # one load at a time; Cancel first
        self._file = file
        self._password, self._year, self._mapping = password, year, mapping
        self._run(Worker(_load, file, password, year, mapping), self._on_loaded,
                  f"Opening {Path(file).name}" if file else "Opening the demo trust")

    def _run(self, worker: Worker, done, message: str, failed=None, cancelled=None, pool=None) -> None:
        self._worker = worker
        worker.signals.progress.connect(self._on_progress)
        worker.signals.finished.connect(done)
        worker.signals.failed.connect(failed or self._on_failed)
        worker.signals.cancelled.connect(cancelled or self._on_cancelled)
        self.progress.setValue(0)
        self.progress.show()
        self.cancel_button.show()
        self.status.setText(message)
        self._update_actions()
        if pool is not None:
            pool.start(worker)
        else:
            worker.start()

    def cancel_loading(self) -> None:
        if self._worker is not None:
            self._worker.cancel()

    def _on_progress(self, fraction: float, message: str) -> None:
        self.progress.setValue(int(round(fraction * 100)))
        self.status.setText(message)

    def _finish(self) -> None:
        self.progress.hide()
        self.cancel_button.hide()
        self._worker = None
        self._update_actions()

    def _on_loaded(self, session: Session) -> None:
        self._finish()
        if self._file and self.remember_files and self.save_settings:
            self._remember(self._file)
        self.set_session(session)
        if session.source.demo and session.benchmark is None:
            self._demo_benchmark(session)

    def _demo_benchmark(self, session: Session) -> None:
        """Give the demo its similar trusts once its first figures are on their way: queued on the
        figures' single worker thread, so it runs after them and never beside a computation."""
        worker = Worker(_open_demo_benchmark, session)
        # bound methods: Qt drops the connections if the window is closed first
        worker.signals.finished.connect(self._demo_benchmark_opened)
        worker.signals.failed.connect(self._demo_benchmark_failed)
        self.computer.run_after(worker)

    def _demo_benchmark_opened(self, session: Session) -> None:
        if self.session is session and self.computer is not None:  # not another file opened meanwhile
            self.status.setText("Similar trusts (the demo's benchmark workbook) are on the trends and the "
                                "Organisations page.")
            self.refresh(immediate=True)

    def _demo_benchmark_failed(self, message: str, _error) -> None:
        log.warning("The demo's benchmark workbook could not be opened: %s", message)

    def _on_view_loaded(self, outcome: tuple) -> None:
        self._finish()
        session, _spec, warnings = outcome
        self.set_session(session)
        for w in warnings:
            QMessageBox.information(self, APP_NAME, w)

    def set_session(self, session: Session) -> None:
        """Show a newly opened dataset (the previous one is kept until this moment)."""
        if self.computer is not None:
            self.computer.ready.disconnect()
            self.computer.failed.disconnect()
            self.computer.busy.disconnect()
        self.session = session
        self.data = data = session.data
        self.shown = {}  # nothing of the previous dataset may be drawn again, nor said in the header
        self._say("Working out the figures…", "")
        self.auto_organisation = None
        self.computer = Computer(session, self)
        self.computer.ready.connect(self._on_ready)
        self.computer.failed.connect(self._on_compute_failed)
        self.computer.busy.connect(self.busy.setVisible)
        name = data.organisation or Path(data.provenance.path).name
        self.title.setText(name)
        self.setWindowTitle(f"{name} - {APP_NAME}")
        notes = [data.provenance.description] if data.provenance.description else []
        notes += list(data.warnings)
        self.banner.setText(" ".join(notes))
        self.banner.setVisible(bool(notes))
        catalog = session.catalog()
        if not data.is_respondent_level and session.spec.organisation is None and catalog.organisations:
            # published data of many organisations: start on the first (the panel says to choose yours)
            first = sorted(catalog.organisations, key=lambda o: o["name"].casefold())[0]
            session.set_spec(session.spec.with_(organisation=first["org_id"]), undoable=False)
            self.auto_organisation = first["org_id"]
        self.catalog = catalog
        self.panel.set_catalog(catalog, session.spec)
        self.questions.set_catalog(catalog, session.bank)
        self.lens_pages["bullying"].set_columns(catalog.columns, published=not data.is_respondent_level)
        # a published file with no weighting column: the ranking never calls its figures unweighted
        self.organisations.weighting_stated = data.details.get("weighting stated") is not False
        for view in [page.view for page in self.lens_pages.values()] + [self.questions.view]:
            view.example = example_words(catalog.columns)  # a column this data has, never one it lacks
        self.stack.setCurrentIndex(1)
        self.status.setText(self._loaded_words())
        self._update_actions()
        self.refresh(immediate=True)

    def _loaded_words(self) -> str:
        data = self.data
        if data.is_respondent_level:
            counts = data.respondents_by_year()
            small = sum(n is None for n in counts.values())
            extra = f" (and {small} year(s) with too few to show)" if small else ""
            return (f"Loaded {sum(n for n in counts.values() if n):,} respondents, "
                    f"{len(counts) - small} survey year(s){extra} — offline")
        return f"Loaded {len(data.aggregates):,} published results ({data.kind.replace('_', ' ')}) — offline"

    def _on_failed(self, message: str, error: object) -> None:
        from explorer.readers import PasswordRequired, WrongPassword, YearUnknown

        self._finish()
        file = self._file
        benchmark, self._benchmark_file = self._benchmark_file, None
        mapping_for, self._mapping_for = self._mapping_for, None
        locked = isinstance(error, (PasswordRequired, WrongPassword))
        if locked and (benchmark or mapping_for or file):
            path = benchmark or (mapping_for[0] if mapping_for else file)
            password = self._ask_password(path, isinstance(error, WrongPassword))
            if password is None:
                self.status.setText("Opening cancelled.")
            elif benchmark:
                self.start_benchmark(benchmark, password)
            elif mapping_for:
                self.open_with_mapping(mapping_for[0], reason=mapping_for[1], password=password)
            else:
                self.start_loading(file, password=password, year=self._year, mapping=self._mapping)
            return
        if file and isinstance(error, YearUnknown):
            year, ok = QInputDialog.getInt(self, APP_NAME, f"Which survey year does {Path(file).name} hold?",
                                           2025, 2000, 2100)
            if ok:
                self.start_loading(file, password=self._password, year=year, mapping=self._mapping)
            else:
                self.status.setText("Opening cancelled.")
            return
        self.status.setText(message)
        from explorer.readers import ReadError

        # the reader says when saying which column is which would let it read the file
        if file and isinstance(error, ReadError) and "column mapping" in error.problem and self._mapping is None:
            if self.offer_mapping(message):
                self.open_with_mapping(file, reason=message)
            return
        QMessageBox.warning(self, APP_NAME, message)

    def _ask_password(self, path: str, wrong: bool) -> str | None:
        prompt = (f"That password is not correct. Password for {Path(path).name}:" if wrong
                  else f"{Path(path).name} is password-protected. Password:")
        password, ok = QInputDialog.getText(self, APP_NAME, prompt, QLineEdit.EchoMode.Password)
        return password if ok and password else None

    def offer_mapping(self, message: str) -> bool:
        """The reader's sentence, with a way on: map the columns (True) or close (False)."""
        box = QMessageBox(QMessageBox.Icon.Warning, APP_NAME, message, QMessageBox.StandardButton.Close, self)
        box.setInformativeText("If it holds one row per respondent, you can say which column is which.")
        mapping_button = box.addButton("&Map the columns…", QMessageBox.ButtonRole.ActionRole)
        box.exec()
        return box.clickedButton() is mapping_button

    def open_with_mapping(self, file: str | None = None, reason: str = "", password: str | None = None) -> None:
        """Open a file with the column-mapping dialog (pre-filled from what the reader recognises); its
        first rows are read in a worker, as any file is."""
        from explorer.ui.mapping import read_for_mapping

        if file is None:
            file, _ = QFileDialog.getOpenFileName(self, "Open staff survey results with a column mapping", "", FILE_TYPES)
            if not file:
                return
        if self._worker is not None:
            return
        self._file, self._mapping_for = None, (file, reason, password)
        bank = self.session.bank if self.session is not None else None
        self._run(Worker(read_for_mapping, file, password, bank), self._on_head_read,
                  f"Reading the first rows of {Path(file).name}")

    def _on_head_read(self, outcome: tuple) -> None:
        from explorer.ui.mapping import MappingDialog

        self._finish()
        (file, reason, password), self._mapping_for = self._mapping_for, None
        heads, bank = outcome
        dialog = MappingDialog(file, bank, heads, reason, self, year=self._year or 2025)
        if dialog.exec() == QDialog.DialogCode.Accepted:
            mapping = dialog.mapping()
            self.start_loading(file, password=password, year=mapping.year, mapping=mapping)
        else:
            self.status.setText("Opening cancelled.")

    def _on_cancelled(self) -> None:
        self._finish()
        self._mapping_for = self._benchmark_file = None
        self.status.setText("Opening cancelled" + (f"; still showing {self.title.text()}." if self.session else "."))

    # ------------------------------------------------------------------ views
    def view_changed(self) -> None:
        if self.session is None:
            return
        try:
            self.session.set_spec(self.panel.spec(self.session.spec))
        except SpecError as exc:
            QMessageBox.warning(self, APP_NAME, str(exc))
            self.panel.apply(self.session.spec)
            return
        self._update_actions()
        self.refresh()

    def _organisation_chosen(self) -> None:
        """The user chose an organisation (even the one shown): it is theirs, no longer the first in the file."""
        self.auto_organisation = None
        if self.shown:
            self.redraw()

    def undo(self) -> None:
        if self.session is not None and self.session.can_undo:
            self.panel.apply(self.session.undo())
            self._update_actions()
            self.refresh(immediate=True)

    def redo(self) -> None:
        if self.session is not None and self.session.can_redo:
            self.panel.apply(self.session.redo())
            self._update_actions()
            self.refresh(immediate=True)

    def current_lens(self) -> str | None:
        page = self.tabs.currentWidget()
        return page.lens if isinstance(page, LensPage) else None

    def _answers_wanted(self, page) -> bool:
        """Work out the answer shares with the click only when their card is on screen (or was asked for)."""
        view = getattr(page, "view", None)
        return view is None or self._answers_asked or on_screen(view.answers)

    def fetch_answers(self, sync: bool):
        """The answers card of the current page wants its figures: now (its table or image is wanted)
        or in the background (it has been scrolled to)."""
        if self.session is None:
            return None
        if not sync:
            self._answers_asked = True
            self.refresh(immediate=True)
            return None
        spec = self.jobs(with_options=True).get("options")
        if spec is None:
            return None
        options = self.session.compute(spec)
        if self.shown and "main" in self.shown:
            self.shown = {**self.shown, "options": options}  # later redraws (another year) use them
        return options

    def jobs(self, with_options: bool = False) -> dict:
        """The views the current page draws (all years: trends need them)."""
        spec = self.session.spec.with_(years=(), statistics=("positive", "score"))
        page = self.tabs.currentWidget()
        year = self.panel.focus_year()
        one_year = (year,) if year is not None else ()
        if page is self.overview:
            return {name: spec.with_(lens=name, breakdown=()) for name in LENS_TITLES}
        if page is self.organisations:
            # the lenses' measures; beside respondent data only the bank's (a local question is in no workbook)
            own = ("item", "score") if self.data.is_respondent_level else ("item", "score", "own", "local")
            measures = tuple(dict.fromkeys(m.id for lens in self.catalog.lenses.values() for m in lens["measures"]
                                           if m.kind in own))
            return {"league": spec.with_(lens=None, measures=measures or tuple(m.id for m in self.catalog.measures),
                                         years=one_year, breakdown=(), filter=None)}
        if page is self.questions:
            if self.questions.measure is None:
                return {}
            main = spec.with_(lens=None, measures=(self.questions.measure,))
        else:
            main = spec.with_(lens=page.lens)
        # answer shares are drawn for the chosen year only, and only for the questions on the chosen
        # one's scale (the chart shows those): computing just them keeps a click quick
        options = main.with_(breakdown=(), statistics=("options",), comparator="none", years=one_year)
        if isinstance(page, LensPage) and year is not None:
            same = F.answer_measures(self.catalog, self.session.bank, page.lens, page.measure, year)
            if same:
                options = options.with_(lens=None, measures=same)
        jobs = {"main": main}
        if with_options or self._answers_wanted(page):  # off screen: worked out when scrolled to
            jobs["options"] = options
        if isinstance(page, LensPage) and page.wants_drivers():
            jobs["drivers"] = main.with_(breakdown=(), statistics=("drivers",), comparator="none", years=one_year)
        return jobs

    def compare_by(self, column: str) -> None:
        """A page asked to compare by ``column`` (the WRES / WDES buttons): set it as the first column."""
        if not self.panel.compare_by(column):
            QMessageBox.information(self, APP_NAME, f"'{column}' is an equality column and cannot be combined with "
                                    "a filter on the organisation's own columns (it would reveal small groups): "
                                    "clear that filter first.")

    def refresh(self, immediate: bool = False) -> None:
        if self.session is None or self.computer is None or getattr(self, "_closing", False):
            return
        page = self.tabs.currentWidget()
        if page is self.organisations and self.data.is_respondent_level and self.session.benchmark is None:
            reason = ("Ranking organisations needs published figures: open the official benchmark workbook "
                      "(File → Open a benchmark workbook…).")
            self.organisations.show_unavailable(reason)
            self._say(f"Organisations · {reason}", "")
            return
        jobs = self.jobs()
        self._answers_asked = False
        if not jobs:
            return
        self.request = self.computer.request(jobs, immediate=immediate)

    def _on_ready(self, request: int, results: dict) -> None:
        self.shown = results
        self.redraw()
        self.busy.hide()
        started = self.computer.started_at.pop(request, None)
        if started is not None:
            self.computer.timings.append(time.perf_counter() - started)

    def _on_compute_failed(self, request: int, message: str) -> None:
        self.busy.hide()
        if self.tabs.currentWidget() is self.organisations:  # said on the page, not in a box at every visit
            self.organisations.show_unavailable(message)
            self._say(f"Organisations · {message}", "")
            return
        QMessageBox.warning(self, APP_NAME, message)

    def redraw(self) -> None:
        """Draw the Results of the current page for the year in focus, and say what is shown."""
        if not self.shown or self.session is None:
            return
        year = self.panel.focus_year()
        page = self.tabs.currentWidget()
        threshold = self.session.spec.threshold
        shown = self.shown
        if page is self.overview and set(shown) == set(LENS_TITLES):
            self.overview.show_results(shown, year)
        elif page is self.organisations and "league" in shown:
            self.organisations.show_results(shown["league"], year)
        elif page is self.questions and "main" in shown and shown["main"].spec.lens is None:
            self.questions.show_results(shown["main"], shown.get("options"), year, threshold)
        elif isinstance(page, LensPage) and "main" in shown and shown["main"].spec.lens == page.lens:
            page.show_results(shown["main"], shown.get("options"), year, threshold)
            page.show_drivers_results(shown.get("drivers"))
        else:
            return
        words, withheld = self.selection_words(year)
        self._say(words, withheld)

    def _say(self, words: str, withheld: str) -> None:
        """The header's two lines: what is shown, and what is withheld and why."""
        self.selection.setText(words)
        self.withheld.setText(withheld)
        self._fit_header()

    def resizeEvent(self, event) -> None:  # noqa: N802 - Qt's name
        super().resizeEvent(event)
        if hasattr(self, "header"):
            self._fit_header()

    def _fit_header(self) -> None:
        """Give the header exactly the height its wrapped text needs, set once per change: left to the
        layouts, word-wrapped labels settle over two passes and the whole window below (every chart)
        was laid out and painted twice at each click."""
        layout = self.header.layout()
        margins = layout.contentsMargins()
        width = self.header.width() - margins.left() - margins.right() - self.busy.sizeHint().width() - layout.spacing()
        if width <= 0:
            return
        for label in (self.selection, self.withheld):
            if label.isHidden() == bool(label.text()):
                label.setVisible(bool(label.text()))  # an empty label would still take a line
        labels = [w for w in (self.title, self.selection, self.withheld) if w.text()]
        height = sum(w.heightForWidth(width) if w.wordWrap() else w.sizeHint().height() for w in labels)
        height += margins.top() + margins.bottom() + layout.itemAt(0).layout().spacing() * max(0, len(labels) - 1)
        if height != self.header.height() or self.header.minimumHeight() != height:
            self.header.setFixedHeight(height)

    def selection_words(self, year: int) -> tuple[str, str]:
        """The header: the selection in words, n, weighting, and what is withheld and why."""
        first = next(iter(self.shown.values()))
        spec = self.session.spec  # the Overview's views leave compare-by out; the header says the whole view
        if "league" in self.shown:
            info = first.dataset
            ours = info.get("organisation") or "not chosen (choose it under 'Your organisation')"
            if spec.organisation is not None and spec.organisation == getattr(self, "auto_organisation", None):
                ours += " — the first in the file; choose yours under 'Your organisation'"
            group = info.get("benchmark_group")
            among = f"Organisations in {group}" if group else "All organisations in the file"
            return (f"{among}, {year} · published figures · yours: {ours}",
                    f"Organisations with fewer than {spec.threshold} responses are withheld and not ranked.")
        who = first.filter_description or "All staff"
        n = first.extra.get("respondents", {}).get(year)
        shown = self.shown.get("main") or first  # what the page draws (the Overview has no compare-by)
        weighted = bool(len(shown.table)) and bool(shown.table["weighted"].astype(bool).any())
        if not self.data.is_respondent_level:  # published figures: whose, and each figure's own n
            who = first.dataset.get("organisation") or ""
            if spec.filter is not None:  # the filter chooses the organisations ours is set beside
                who += f" · beside the median organisation where {spec.filter.describe()}"
        counted = (f"{n:,} respondents" if n else "no respondents can be shown") if self.data.is_respondent_level \
            else "published figures, each with its own n"
        parts = [f"{who}, {year}", counted,
                 "the file does not say whether its figures are weighted"
                 if not shown.dataset.get("weighting_stated", True) else
                 "weighted" if weighted else "unweighted (this view cannot be weighted)" if spec.weighted else "unweighted"]
        if spec.breakdown:
            parts.append("compared by " + " and ".join(spec.breakdown))
        comparator = {"last_year": "change since last year", "organisation": "compared with the organisation",
                      "benchmark": "compared with similar trusts"}.get(spec.comparator)
        if comparator:
            parts.append(comparator)
        withheld = f"No figure is shown for fewer than {spec.threshold} " + \
            ("respondents." if self.data.is_respondent_level else "responses (as the file gives them).")
        main = self.shown.get("main")
        if main is not None and spec.breakdown and len(main.table):
            t = main.table
            year_of, group_of = t["year"].to_numpy(), t["group"].astype(str).to_numpy()
            mask = (year_of == year) & (group_of != "All staff") & t["suppressed"].to_numpy(dtype=bool)
            measure_of = t["measure"].astype(str).to_numpy()
            groups = sorted(set(group_of[mask]))
            if groups:
                reasons = sorted(set(t["suppression_reason"].astype(str).to_numpy()[mask]))
                total = len(set(measure_of[year_of == year]))
                counts = {g: len(set(measure_of[mask & (group_of == g)])) for g in groups}
                named = [g if counts[g] == total else f"{g} ({counts[g]} of {total} questions)" for g in groups[:4]]
                withheld += (f" Withheld in {year}: {', '.join(named)}{', …' if len(groups) > 4 else ''} "
                             f"— {'; '.join(r for r in reasons[:2])}{'; …' if len(reasons) > 2 else ''}.")
        return " · ".join(parts), withheld

    def open_measure(self, lens: str, measure: str) -> None:
        page = self.lens_pages[lens]
        if measure:
            page.measure = measure
        self.tabs.setCurrentWidget(page)

    # ------------------------------------------------------------------ board pack
    def _pack_dialog(self):
        from explorer.core.viewspec import LENSES
        from explorer.ui.export_dialog import ExportDialog

        names = {lens: self.session.bank.lenses[lens].name for lens in LENSES}
        return ExportDialog(self.session.spec, self.settings, names, self)

    def export_pack(self, path: str | None = None, options=None, csv: bool = False, template=()) -> None:
        """File → Export board pack… (Ctrl+E): the current view, as a workbook for the board."""
        from explorer.ui import export_dialog as E

        if self.session is None or self._worker is not None:
            return
        if options is None:
            dialog = self._pack_dialog()
            if dialog.exec() != dialog.DialogCode.Accepted:
                return
            options = dialog.options()
            csv = dialog.csv.isChecked()
        year = self.panel.focus_year()
        path = path or E.ask_target(self, self.settings, E.default_name(self.data.organisation, year))
        if not path:
            return
        spec = self.session.spec.with_(years=(year,) if year is not None else ())
        csv_path = str(Path(path).with_suffix(".csv")) if csv else None
        self._export = (path, options, csv, list(template))
        # in the figures' own thread: the session's caches are built by one thread at a time
        self._run(Worker(E.export_job, self.session, spec, options, path, csv_path, list(template)), self._on_exported,
                  f"Writing the board pack {Path(path).name}", failed=self._on_export_failed,
                  cancelled=self._on_export_cancelled, pool=self.computer.pool)
        self.cancel_button.setAccessibleName("Cancel the export")

    def save_template(self, path: str | None = None, options=None) -> str | None:
        """This view and the pack's options, without the data, to re-run on next year's file."""
        from explorer.export import ExportError
        from explorer.export.template import of_pack

        if self.session is None:
            return None
        if options is None:
            dialog = self._pack_dialog()
            dialog.export_button.setText("&Save template…")
            if dialog.exec() != dialog.DialogCode.Accepted:
                return None
            options = dialog.options()
        if path is None:
            path, _ = QFileDialog.getSaveFileName(self, "Save board-pack template", "board pack template.json",
                                                  "Board-pack templates (*.json)")
        if not path:
            return None
        year = self.panel.focus_year()
        try:
            of_pack(self.session.spec, options, self.session.source.name if self.session.source else "",
                    year).save(path)
        except ExportError as exc:
            QMessageBox.warning(self, APP_NAME, str(exc))
            return None
        self.status.setText(f"Board-pack template saved: {path}")
        return path

    def export_from_template(self, template_path: str | None = None, path: str | None = None) -> None:
        """Apply a saved template to this file (what it cannot match is said, and listed on Notes), then
        export the pack."""
        from explorer.core.viewspec import SpecError as _SpecError
        from explorer.export.template import Template
        from explorer.export.template import apply as apply_template
        from explorer.ui import export_dialog as E

        if self.session is None or self._worker is not None:
            return
        if template_path is None:
            template_path, _ = QFileDialog.getOpenFileName(self, "Board-pack template", "",
                                                           "Board-pack templates (*.json)")
        if not template_path:
            return
        try:
            spec, options, lost = apply_template(Template.load(template_path), self.session)
            # the stricter of the template's threshold and the window's: a template never lowers protection
            spec = self.session.set_spec(spec.with_(threshold=max(spec.threshold, self.session.spec.threshold)))
        except _SpecError as exc:
            QMessageBox.warning(self, APP_NAME, str(exc))
            return
        self.panel.apply(spec)
        self._update_actions()
        self.refresh(immediate=True)
        if len(lost) > 1 and self.show_done_dialogs:
            QMessageBox.information(self, APP_NAME, "\n\n".join(lost[1:]) + "\n\nThis is listed on the pack's Notes too.")
        target = path or E.ask_target(self, self.settings, E.default_name(self.data.organisation, self.panel.focus_year()))
        if target:
            self.export_pack(target, options, template=lost)

    def _on_exported(self, path: str) -> None:
        from explorer.ui import export_dialog as E

        self._finish()
        self.status.setText(f"Board pack saved: {path}")
        if self.show_done_dialogs:
            E.done(self, path)

    def _on_export_failed(self, message: str, error: object) -> None:
        from explorer.ui import export_dialog as E

        self._finish()
        self.status.setText(f"Board pack not saved: {message}")
        path, options, csv, template = self._export
        if self.show_done_dialogs and E.failed(self, message, error):
            target = E.ask_target(self, self.settings, Path(path).name)
            if target:
                self.export_pack(target, options, csv, template)

    def _on_export_cancelled(self) -> None:
        self._finish()
        self.status.setText("Export cancelled; no file was written.")

    # ------------------------------------------------------------------ view files
    def save_view(self) -> None:
        if self.session is None:
            return
        path, _ = QFileDialog.getSaveFileName(self, "Save view", "view.json", "Saved views (*.json)")
        if path:
            try:
                self.session.save_view(path, self.session.spec.with_(lens=self.current_lens() or "trust"))
            except (OSError, SpecError) as exc:
                QMessageBox.warning(self, APP_NAME, str(exc))
                return
            self.status.setText(f"View saved to {Path(path).name}.")

    def open_view(self, path: str | None = None) -> None:
        if path is None:
            path, _ = QFileDialog.getOpenFileName(self, "Open a saved view", "", "Saved views (*.json)")
        if path and self._worker is None:
            self._file = None
            self._run(Worker(_replay, path), self._on_view_loaded, f"Opening the view {Path(path).name}")

    def show_help(self) -> None:
        threshold = self.session.spec.threshold if self.session else 11
        QMessageBox.about(self, f"{APP_NAME} help", HELP.format(threshold=threshold))

    def closeEvent(self, event) -> None:  # noqa: N802
        """Closing while loading or computing: stop the work and let it end before Qt objects go."""
        if self.save_settings:
            self.settings.setValue("geometry", self.saveGeometry())
        if self._worker is not None:
            self._worker.cancel()
            self._worker.signals.blockSignals(True)  # nothing may reach this window once it has gone
        from PySide6.QtCore import QThreadPool

        self._closing = True  # nothing more is started (a queued job's end must not start another)
        if self.computer is not None:
            for side in list(self.computer._side):  # the demo's benchmark, queued or running
                side.cancel()
                side.signals.blockSignals(True)
            if self.computer.running is not None:
                self.computer.running.cancel()
                self.computer.running.signals.blockSignals(True)
            self.computer.pool.waitForDone(5000)
        QThreadPool.globalInstance().waitForDone(10000)
        super().closeEvent(event)


def run(file: str | None = None, demo: bool = False) -> int:
    from explorer.appdirs import setup_logging

    setup_logging()
    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName(APP_NAME)
    app.setOrganizationName(ORGANISATION)
    window = MainWindow(file, demo=demo)
    window.show()
    QTimer.singleShot(0, window.raise_)
    return app.exec()
