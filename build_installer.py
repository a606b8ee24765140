"""Build Staff Survey Explorer for installing on a locked-down laptop: a one-folder PyInstaller
bundle, checked by its own self-test, a portable zip, a SHA-256 manifest of every file and, on
Windows with Inno Setup, an installer. Run it with the project's own Python, after
``pip install ".[build]"``:

    python build_installer.py                 # everything this machine can do
    python build_installer.py --help          # every option

Steps, in order (each says what it did or why it skipped):
  1. PyInstaller builds dist/StaffSurveyExplorer/ from packaging/staff-survey-explorer.spec
     (one folder, never one file; UPX off; Windows version resource from explorer/__init__.py).
  2. The bundle is searched for absolute paths of this build (this checkout, the Python used);
     one found fails the build (a bundle must work wherever it is copied).
  3. On Windows with a certificate configured (see SIGNING below) every .exe, .dll and .pyd is
     signed with signtool; otherwise it says that it skipped signing.
  4. The bundle's ``staff-survey-explorer --self-test`` runs in place, then from a copy in a
     read-only folder whose path has spaces and non-ASCII characters.
  5. SHA256SUMS.txt lists every file of the bundle (inside it and beside it), in the format
     ``sha256sum -c`` reads; the portable zip holds the folder with that manifest.
  6. On Windows with ISCC.exe (Inno Setup 6.3 or later: the script's ArchitecturesAllowed=x64compatible
     is new in 6.3) on PATH: the installer from packaging/staff-survey-explorer.iss; with a certificate
     configured, Inno Setup signs setup.exe and the uninstaller (unins000.exe) with the same signtool.

SIGNING (environment variables; signtool from the Windows SDK):
  SSE_SIGN_PFX             a .pfx certificate file, with SSE_SIGN_PFX_PASSWORD its password, or
  SSE_SIGN_THUMBPRINT      the SHA-1 thumbprint of a certificate in the Windows certificate store
  SSE_SIGN_TIMESTAMP_URL   your certificate authority's RFC 3161 timestamp server (strongly advised:
                           without it signatures stop being valid when the certificate expires)
  SSE_SIGNTOOL             path to signtool.exe when it is not on PATH
"""

from __future__ import annotations

import argparse
import hashlib
import os
import platform
import re
import shutil
import stat
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent
SPEC = ROOT / "packaging" / "staff-survey-explorer.spec"
ISS = ROOT / "packaging" / "staff-survey-explorer.iss"
ICON = ROOT / "resources" / "icons" / "staff-survey-explorer.ico"
BUNDLE_NAME = "StaffSurveyExplorer"
GUI_EXE, CLI_EXE = "StaffSurveyExplorer", "staff-survey-explorer"
MANIFEST = "SHA256SUMS.txt"
PRODUCT, COMPANY = "Staff Survey Explorer", "Staff Survey Explorer developers"
# a folder name with spaces and non-ASCII characters, as on many Windows profiles ("Zoë Ñúñez")
AWKWARD_FOLDER = "Staff Survey Explorer – Zoë Ñúñez prüfung"
WINDOWS = sys.platform == "win32"


class BuildError(Exception):
    """A build step failed: said in one sentence, exit code 1."""


def say(message: str) -> None:
    print(f"build_installer: {message}", flush=True)


# ------------------------------------------------------------------------------------------ version
def package_version() -> str:
    """The version in explorer/__init__.py (read as text: building must not import the program)."""
    text = (ROOT / "explorer" / "__init__.py").read_text(encoding="utf-8")
    match = re.search(r'^__version__\s*=\s*["\']([^"\']+)["\']', text, re.M)
    if not match:
        raise BuildError("explorer/__init__.py has no __version__.")
    return match.group(1)


def version_tuple(version: str) -> tuple[int, int, int, int]:
    """Four numbers for the Windows version resource: 1.2.3rc1 -> (1, 2, 3, 0)."""
    numbers = [int(n) for n in re.findall(r"\d+", version.split("+")[0])[:3]]
    return tuple((numbers + [0, 0, 0, 0])[:4])  # type: ignore[return-value]


def version_file_text(version: str, program: str = GUI_EXE) -> str:
    """A PyInstaller version file (the VSVersionInfo structure Windows shows in Properties > Details)
    for one of the two programs: each carries its own OriginalFilename and InternalName, so an
    AppLocker publisher rule (which can match on the original file name) tells them apart."""
    v = version_tuple(version)
    strings = {"CompanyName": COMPANY, "FileDescription": PRODUCT, "FileVersion": version,
               "InternalName": program, "LegalCopyright": f"{COMPANY}; MIT licence",
               "OriginalFilename": f"{program}.exe", "ProductName": PRODUCT, "ProductVersion": version}
    pairs = ",\n          ".join(f"StringStruct({k!r}, {val!r})" for k, val in strings.items())
    return f"""VSVersionInfo(
  ffi=FixedFileInfo(filevers={v}, prodvers={v}, mask=0x3f, flags=0x0, OS=0x40004, fileType=0x1, subtype=0x0,
                    date=(0, 0)),
  kids=[
    StringFileInfo([StringTable('080904B0', [
          {pairs}])]),
    VarFileInfo([VarStruct('Translation', [2057, 1200])])
  ]
)
"""


def write_version_files(work: Path) -> dict[str, Path]:
    """One version resource per program (the spec gives each EXE its own)."""
    files = {}
    for program in (GUI_EXE, CLI_EXE):
        files[program] = work / f"version_info_{program}.txt"
        files[program].write_text(version_file_text(package_version(), program), encoding="utf-8")
    return files


def platform_tag() -> str:
    system = {"win32": "windows", "darwin": "macos"}.get(sys.platform, sys.platform)
    machine = platform.machine().lower().replace("amd64", "x64")
    return f"{system}-{machine}"


# ------------------------------------------------------------------------------------------ build
def run_pyinstaller(dist: Path, work: Path, trim: bool) -> Path:
    try:
        import PyInstaller  # noqa: F401
    except ImportError:
        raise BuildError('PyInstaller is not installed; run: python -m pip install ".[build]"') from None
    work.mkdir(parents=True, exist_ok=True)
    version_files = write_version_files(work)
    command = [sys.executable, "-m", "PyInstaller", "--noconfirm", "--clean", "--log-level", "WARN",
               "--distpath", str(dist), "--workpath", str(work), str(SPEC), "--",
               "--version-file", str(version_files[GUI_EXE]), "--cli-version-file", str(version_files[CLI_EXE])]
    if not trim:
        command.append("--no-trim")
    say("building the one-folder bundle with PyInstaller …")
    result = subprocess.run(command, cwd=ROOT)
    bundle = dist / BUNDLE_NAME
    if result.returncode != 0 or not bundle.is_dir():
        raise BuildError(f"PyInstaller failed (exit code {result.returncode}); its messages are above.")
    return bundle


def exe(bundle: Path, name: str) -> Path:
    return bundle / (f"{name}.exe" if WINDOWS else name)


def build_paths() -> list[str]:
    """Absolute paths of this build that must never be inside a bundle."""
    paths = {str(ROOT)}
    if Path(sys.prefix).resolve() != Path(sys.base_prefix).resolve():
        # a virtual environment: its path is ours. (The base Python's own prefix is compiled into
        # libpython by whoever built that Python and is not used by the frozen program.)
        paths.add(str(Path(sys.prefix).resolve()))
    return sorted(paths)


def files_naming(folder: Path, needles: list[str]) -> list[str]:
    """Files under ``folder`` whose bytes contain any needle (UTF-8 or UTF-16-LE, as Windows stores paths)."""
    patterns = [n.encode("utf-8") for n in needles] + [n.encode("utf-16-le") for n in needles]
    hits = []
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        data = path.read_bytes()
        if any(p in data for p in patterns):
            hits.append(path.relative_to(folder).as_posix())
    return hits


# ------------------------------------------------------------------------------------------ signing
def signtool_command(env: dict[str, str]) -> list[str] | None:
    """signtool's command, without the files, for the configured certificate (None without one)."""
    pfx, thumbprint = env.get("SSE_SIGN_PFX"), env.get("SSE_SIGN_THUMBPRINT")
    if not (pfx or thumbprint):
        return None
    signtool = env.get("SSE_SIGNTOOL") or shutil.which("signtool")
    if not signtool:
        raise BuildError("A certificate is configured but signtool.exe was not found; set SSE_SIGNTOOL.")
    command = [signtool, "sign", "/fd", "sha256"]
    command += ["/f", pfx, "/p", env.get("SSE_SIGN_PFX_PASSWORD", "")] if pfx else ["/sha1", thumbprint]
    url = env.get("SSE_SIGN_TIMESTAMP_URL")
    if url:
        command += ["/tr", url, "/td", "sha256"]
    return command


def sign(bundle: Path, env: dict[str, str] | None = None) -> str:
    """Sign every .exe/.dll/.pyd when a certificate is configured; otherwise say why not."""
    env = dict(os.environ if env is None else env)
    pfx, thumbprint = env.get("SSE_SIGN_PFX"), env.get("SSE_SIGN_THUMBPRINT")
    if not (pfx or thumbprint):
        return "skipped signing: no certificate configured (set SSE_SIGN_PFX or SSE_SIGN_THUMBPRINT)"
    if not WINDOWS:
        return "skipped signing: signtool runs on Windows only"
    targets = sorted(str(p) for p in bundle.rglob("*") if p.suffix.lower() in (".exe", ".dll", ".pyd"))
    command = signtool_command(env)
    url = env.get("SSE_SIGN_TIMESTAMP_URL")
    for start in range(0, len(targets), 50):  # keep each command line well under Windows' limit
        if subprocess.run(command + targets[start:start + 50]).returncode != 0:
            raise BuildError("signtool failed to sign the bundle; its messages are above.")
    return f"signed {len(targets)} files" + ("" if url else " WITHOUT a timestamp (set SSE_SIGN_TIMESTAMP_URL)")


# ------------------------------------------------------------------------------------------ self-test
def self_test(bundle: Path, as_other_user: bool = False, home: Path | None = None) -> tuple[bool, str]:
    """Run the bundle's --self-test (offscreen); returns (passed, its output)."""
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    preexec = None
    if as_other_user:
        env["HOME"] = str(home)
        env.pop("XDG_RUNTIME_DIR", None)

        def preexec() -> None:  # root ignores read-only permissions: run as 'nobody' so they apply
            os.setgid(65534)
            os.setuid(65534)
    result = subprocess.run([str(exe(bundle, CLI_EXE)), "--self-test"], capture_output=True, text=True,
                            encoding="utf-8", errors="replace", env=env, cwd=home or bundle, preexec_fn=preexec,
                            timeout=600)
    return result.returncode == 0, (result.stdout + result.stderr).strip()


def self_test_from_awkward_read_only_copy(bundle: Path) -> tuple[bool, str]:
    """Copy the bundle under a path with spaces and non-ASCII characters, make it read-only, run its
    self-test there (as another user when this is root, whom permissions do not stop)."""
    base = Path(tempfile.mkdtemp(prefix="sse-readonly-"))
    try:
        copy = base / AWKWARD_FOLDER / BUNDLE_NAME
        shutil.copytree(bundle, copy, symlinks=True)
        home = base / "home"
        home.mkdir()
        for path in [copy, *copy.rglob("*")]:
            if not path.is_symlink():
                mode = path.stat().st_mode
                path.chmod(mode & ~(stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH) | stat.S_IRUSR | stat.S_IRGRP | stat.S_IROTH
                           | (stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH if path.is_dir() or mode & stat.S_IXUSR else 0))
        base.chmod(0o755)
        (base / AWKWARD_FOLDER).chmod(0o555)
        as_other = hasattr(os, "geteuid") and os.geteuid() == 0
        if as_other:
            os.chown(home, 65534, 65534)
        return self_test(copy, as_other_user=as_other, home=home if as_other else None)
    finally:
        for path in [base, *base.rglob("*")]:
            if not path.is_symlink():
                path.chmod(path.stat().st_mode | stat.S_IWUSR)
        shutil.rmtree(base, ignore_errors=True)


def measure_startup(bundle: Path, runs: int, stage: str) -> list[float]:
    """Seconds from starting the windowed program on the demo until its window is on screen
    (``stage="window"``) or its first page has drawn figures (``"figures"``), timed from outside:
    it quits at that moment (--quit-when-shown=STAGE). Offscreen."""
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        result = subprocess.run([str(exe(bundle, GUI_EXE)), "--demo", f"--quit-when-shown={stage}"], env=env,
                                capture_output=True, timeout=300)
        if result.returncode != 0:
            raise BuildError(f"The program did not show its first page (exit code {result.returncode}).")
        times.append(time.perf_counter() - start)
    return times


# ------------------------------------------------------------------------------------------ manifest and zip
def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def write_manifest(folder: Path, out: Path | None = None) -> Path:
    """SHA256SUMS.txt of every file under ``folder`` (not the manifest itself): one line per file,
    ``<sha256>  <path with / separators>``, sorted, UTF-8 - what ``sha256sum -c`` reads, and what an
    AppLocker/WDAC hash rule or PowerShell's Get-FileHash can be checked against."""
    out = out or folder / MANIFEST
    lines = []
    for path in sorted((p for p in folder.rglob("*") if p.is_file()), key=lambda p: p.relative_to(folder).as_posix()):
        if path.resolve() == out.resolve():
            continue
        lines.append(f"{sha256_of(path)}  {path.relative_to(folder).as_posix()}")
    out.write_text("\n".join(lines) + "\n", encoding="utf-8", newline="\n")
    return out


def verify_manifest(folder: Path, manifest: Path | None = None) -> list[str]:
    """Problems found when checking ``folder`` against its manifest: changed, missing or unlisted files."""
    manifest = manifest or folder / MANIFEST
    listed = {}
    for line in manifest.read_text(encoding="utf-8").splitlines():
        if line.strip():
            digest, name = line.split("  ", 1)
            listed[name] = digest
    problems = [f"missing: {name}" for name in listed if not (folder / name).is_file()]
    problems += [f"changed: {name}" for name, digest in listed.items()
                 if (folder / name).is_file() and sha256_of(folder / name) != digest]
    present = {p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file() and p.resolve() != manifest.resolve()}
    problems += [f"not in the manifest: {name}" for name in sorted(present - set(listed))]
    return problems


def make_zip(folder: Path, out: Path) -> Path:
    """A portable zip holding the folder (file modes kept, so the programs stay executable on Linux;
    the symbolic links PyInstaller makes on Linux stored as links, as unzip restores them - a
    Windows bundle has none)."""
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=6) as zf:
        for path in sorted(folder.rglob("*")):
            if path.is_symlink():
                info = zipfile.ZipInfo(str(Path(folder.name) / path.relative_to(folder)))
                info.create_system = 3  # Unix, so the mode below is read
                info.external_attr = (stat.S_IFLNK | 0o777) << 16
                zf.writestr(info, os.readlink(path))
            elif path.is_file():
                info = zipfile.ZipInfo.from_file(path, Path(folder.name) / path.relative_to(folder))
                info.compress_type = zipfile.ZIP_DEFLATED
                with open(path, "rb") as fh:
                    zf.writestr(info, fh.read(), compresslevel=6)
    return out


def folder_size(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file() and not p.is_symlink())


def mb(size: float) -> str:
    return f"{size / 1e6:.1f} MB"


# ------------------------------------------------------------------------------------------ installer
def inno_setup(bundle: Path, dist: Path, iscc: str | None) -> str:
    if not WINDOWS:
        return "skipped the installer: Inno Setup runs on Windows only"
    compiler = iscc or shutil.which("ISCC") or shutil.which("iscc")
    if not compiler:
        return "skipped the installer: ISCC.exe (Inno Setup 6) is not on PATH (or give --iscc PATH)"
    if subprocess.run(iscc_command(compiler, bundle, dist, dict(os.environ))).returncode != 0:
        raise BuildError("Inno Setup (6.3 or later) could not compile the installer; its messages are above.")
    setup = dist / f"{BUNDLE_NAME}-{package_version()}-setup.exe"
    signed = "signed setup.exe and its uninstaller" if signtool_command(dict(os.environ)) else "not signed"
    return f"installer {setup.name} ({mb(setup.stat().st_size)}, sha256 {sha256_of(setup)}, {signed})"


def iscc_command(compiler: str, bundle: Path, dist: Path, env: dict[str, str]) -> list[str]:
    """ISCC's command line. With a certificate configured, Inno Setup signs setup.exe, its temporary
    self-copies and the uninstaller itself through a Sign Tool named "sse" (/S on the command line,
    SignTool= and SignedUninstaller= in the script: https://jrsoftware.org/ishelp/topic_setup_signtool.htm,
    topic_setup_signeduninstaller.htm, topic_compilercmdline.htm). $q stands for a quote, $f for the file."""
    command = [compiler, f"/DAppVersion={package_version()}", f"/DSourceDir={bundle}", f"/DOutputDir={dist}",
               f"/DIconFile={ICON}"]
    signtool = signtool_command(env)
    if signtool:
        command += ["/DSign=1", "/Ssse=" + " ".join(f"$q{part}$q" for part in signtool) + " $f"]
    return command + [str(ISS)]


# ------------------------------------------------------------------------------------------ main
def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="build_installer.py",
        description="Build the one-folder Staff Survey Explorer bundle, run its self-test, and make the "
        "portable zip, the SHA-256 manifest and (on Windows with Inno Setup) the installer.",
        epilog="SIGNING" + __doc__.split("\nSIGNING", 1)[1],
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("--dist", default=str(ROOT / "dist"), metavar="DIR",
                   help="where the bundle, zip, manifest and installer go (default: dist/)")
    p.add_argument("--work", default=str(ROOT / "build"), metavar="DIR",
                   help="PyInstaller's working folder (default: build/)")
    p.add_argument("--no-trim", action="store_true",
                   help="keep every Qt module, plugin and translation PyInstaller collects (to measure what trimming saves)")
    p.add_argument("--skip-self-test", action="store_true",
                   help="do not run the bundle's self-test (never for a release)")
    p.add_argument("--skip-read-only-test", action="store_true",
                   help="do not run the self-test again from a read-only copy under a path with spaces and non-ASCII characters")
    p.add_argument("--no-zip", action="store_true", help="do not make the portable zip")
    p.add_argument("--measure-startup", type=int, default=0, metavar="N",
                   help="start the program on the demo N times and print the median seconds until its window is "
                   "on screen and until its first page has drawn figures")
    p.add_argument("--iscc", metavar="PATH", help="Inno Setup's ISCC.exe, when it is not on PATH (Windows only)")
    return p


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    dist, work = Path(args.dist).resolve(), Path(args.work).resolve()
    try:
        started = time.perf_counter()
        bundle = run_pyinstaller(dist, work, trim=not args.no_trim)
        built = time.perf_counter() - started
        say(f"built {bundle} in {built:.0f} s: {mb(folder_size(bundle))}")
        leaks = files_naming(bundle, build_paths())
        if leaks:
            raise BuildError(f"The bundle names this build's absolute paths in {len(leaks)} files, e.g. "
                             f"{', '.join(leaks[:3])}; it would break when moved.")
        say("no absolute build path inside the bundle")
        say(sign(bundle))
        if not args.skip_self_test:
            for label, run in (("in place", lambda: self_test(bundle)),
                               (f"from a read-only folder '{AWKWARD_FOLDER}'", lambda: self_test_from_awkward_read_only_copy(bundle))):
                if label != "in place" and args.skip_read_only_test:
                    say("skipped the read-only self-test (--skip-read-only-test)")
                    continue
                ok, output = run()
                print(output, flush=True)
                if not ok:
                    raise BuildError(f"The frozen self-test failed {label}.")
                say(f"frozen self-test passed {label}")
        manifest = write_manifest(bundle)
        problems = verify_manifest(bundle)
        if problems:
            raise BuildError(f"The manifest does not match the bundle: {problems[0]}.")
        beside = dist / f"{BUNDLE_NAME}-{package_version()}-{platform_tag()}-{MANIFEST}"
        shutil.copyfile(manifest, beside)
        say(f"manifest: {len(manifest.read_text(encoding='utf-8').splitlines())} files, {beside.name}")
        if not args.no_zip:
            zipped = make_zip(bundle, dist / f"{BUNDLE_NAME}-{package_version()}-{platform_tag()}.zip")
            say(f"portable zip {zipped.name}: {mb(zipped.stat().st_size)} (sha256 {sha256_of(zipped)})")
        say(inno_setup(bundle, dist, args.iscc))
        if args.measure_startup:
            for stage, words in (("window", "the window on screen"), ("figures", "the first page's figures drawn")):
                times = measure_startup(bundle, args.measure_startup, stage)
                say(f"start-up on the demo to {words}: median {statistics.median(times):.2f} s over {len(times)} "
                    f"runs ({', '.join(f'{t:.2f}' for t in times)})")
        say(f"done in {time.perf_counter() - started:.0f} s")
        return 0
    except BuildError as exc:
        say(f"FAILED: {exc}")
        return 1


if __name__ == "__main__":
    raise SystemExit(main())
