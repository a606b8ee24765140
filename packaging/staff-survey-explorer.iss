; Inno Setup 6 script for Staff Survey Explorer. build_installer.py compiles it on Windows when
; ISCC.exe is on PATH, passing the values below with /D:
;   ISCC /DAppVersion=0.1.0 /DSourceDir=dist\StaffSurveyExplorer /DOutputDir=dist /DIconFile=...ico staff-survey-explorer.iss
; Every directive is checked against the Inno Setup documentation (https://jrsoftware.org/ishelp/),
; cited beside it. Nothing here downloads anything, runs anything after installing, or writes to
; the registry beyond the "Open with" entries below.
;
; Silent installs (Setup Command Line Parameters, https://jrsoftware.org/ishelp/topic_setupcmdline.htm):
;   per user, no admin:  StaffSurveyExplorer-0.1.0-setup.exe /CURRENTUSER /VERYSILENT /SUPPRESSMSGBOXES /NORESTART
;   machine-wide (IT):   StaffSurveyExplorer-0.1.0-setup.exe /ALLUSERS /VERYSILENT /SUPPRESSMSGBOXES /NORESTART /LOG="C:\Windows\Temp\sse-install.log"
; Silent uninstall (Uninstaller Command Line Parameters, https://jrsoftware.org/ishelp/topic_uninstcmdline.htm):
;   "<install folder>\unins000.exe" /VERYSILENT /SUPPRESSMSGBOXES /NORESTART

; ArchitecturesAllowed=x64compatible below is new in Inno Setup 6.3 (older compilers reject it).
; https://jrsoftware.org/ishelp/topic_error.htm (VER and EncodeVer: the preprocessor's own example)
#if VER < EncodeVer(6,3,0)
  #error Inno Setup 6.3 or later is required to compile this script
#endif
#ifndef AppVersion
  #error Pass /DAppVersion=X.Y.Z (build_installer.py does)
#endif
#ifndef SourceDir
  #error Pass /DSourceDir=<the one-folder bundle> (build_installer.py does)
#endif
#ifndef OutputDir
  #define OutputDir "."
#endif
#define AppName "Staff Survey Explorer"
#define AppExe "StaffSurveyExplorer.exe"
#define ProgId "StaffSurveyExplorer.SurveyFile"

[Setup]
; AppId identifies the installation for upgrades and uninstall; never change it between versions.
; https://jrsoftware.org/ishelp/topic_setup_appid.htm (a leading "{{" is a literal brace)
AppId={{6F1D2C1E-7B1A-4C55-9B4E-5A0E2C9D8E31}
; https://jrsoftware.org/ishelp/topic_setup_appname.htm
AppName={#AppName}
; https://jrsoftware.org/ishelp/topic_setup_appversion.htm
AppVersion={#AppVersion}
; https://jrsoftware.org/ishelp/topic_setup_apppublisher.htm
AppPublisher=Staff Survey Explorer developers
; {autopf}: Program Files in administrative install mode (/ALLUSERS), the user's
; %LOCALAPPDATA%\Programs otherwise (Constants, "Auto constants": https://jrsoftware.org/ishelp/topic_consts.htm).
; https://jrsoftware.org/ishelp/topic_setup_defaultdirname.htm
DefaultDirName={autopf}\{#AppName}
; The Start-menu shortcut goes straight into Programs; no folder page to ask about.
; https://jrsoftware.org/ishelp/topic_setup_disableprogramgrouppage.htm
DisableProgramGroupPage=yes
; Per user without admin by default ("lowest": never asks for elevation, non administrative install mode).
; https://jrsoftware.org/ishelp/topic_setup_privilegesrequired.htm
PrivilegesRequired=lowest
; "commandline" enables /ALLUSERS (machine-wide, for IT; asks for elevation) and /CURRENTUSER.
; https://jrsoftware.org/ishelp/topic_setup_privilegesrequiredoverridesallowed.htm
PrivilegesRequiredOverridesAllowed=commandline
; The bundle is 64-bit x64 (Python and Qt); x64compatible also admits Arm64 Windows 11 (emulation).
; x64compatible needs Inno Setup 6.3 or later (checked at the top of this script).
; https://jrsoftware.org/ishelp/topic_setup_architecturesallowed.htm
ArchitecturesAllowed=x64compatible
; https://jrsoftware.org/ishelp/topic_setup_architecturesinstallin64bitmode.htm
ArchitecturesInstallIn64BitMode=x64compatible
; Explorer refreshes its "Open with" lists at the end of install and uninstall.
; https://jrsoftware.org/ishelp/topic_setup_changesassociations.htm
ChangesAssociations=yes
; https://jrsoftware.org/ishelp/topic_setup_outputdir.htm
OutputDir={#OutputDir}
; https://jrsoftware.org/ishelp/topic_setup_outputbasefilename.htm
OutputBaseFilename=StaffSurveyExplorer-{#AppVersion}-setup
#ifdef IconFile
; https://jrsoftware.org/ishelp/topic_setup_setupiconfile.htm
SetupIconFile={#IconFile}
#endif
; The icon shown in Settings > Apps. https://jrsoftware.org/ishelp/topic_setup_uninstalldisplayicon.htm
UninstallDisplayIcon={app}\{#AppExe}
; https://jrsoftware.org/ishelp/topic_setup_compression.htm and topic_setup_solidcompression.htm
Compression=lzma2
SolidCompression=yes
#ifdef Sign
; With a certificate configured, build_installer.py passes /DSign=1 and defines the Sign Tool "sse"
; (/Ssse=signtool sign ... $f). Inno Setup then signs setup.exe (and the temporary self-copies it
; starts) and the uninstaller unins000.exe, so a publisher rule covers them as well as the program.
; https://jrsoftware.org/ishelp/topic_setup_signtool.htm
SignTool=sse
; https://jrsoftware.org/ishelp/topic_setup_signeduninstaller.htm
SignedUninstaller=yes
#endif

[InstallDelete]
; An upgrade replaces the whole bundle: files of the old version that the new one no longer has
; (a renamed DLL, a dropped Qt plugin) are removed first, so nothing stale is left to be loaded.
; Only {app}\_internal, which holds nothing but the bundle. https://jrsoftware.org/ishelp/topic_installdeletesection.htm
Type: filesandordirs; Name: "{app}\_internal"

[Files]
; The whole one-folder bundle, exactly as built, signed and listed in SHA256SUMS.txt.
; recursesubdirs/createallsubdirs: https://jrsoftware.org/ishelp/topic_filessection.htm
Source: "{#SourceDir}\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[Icons]
; Start-menu shortcut: {autoprograms} is the all-users Programs folder with /ALLUSERS, the user's otherwise.
; No WorkingDir: a constant such as {userdocs} is expanded at install time, so an all-users install would
; give every user the installing administrator's Documents; the program asks where to open and save.
; https://jrsoftware.org/ishelp/topic_iconssection.htm
Name: "{autoprograms}\{#AppName}"; Filename: "{app}\{#AppExe}"

[Registry]
; "Open with" for .xlsx and .csv, without taking over the default program (Excel stays the default):
; a ProgID with an open command, listed under each extension's OpenWithProgids (Microsoft, "How to
; Include an Application in the Open With Dialog Box":
; https://learn.microsoft.com/windows/win32/shell/how-to-include-an-application-on-the-open-with-dialog-box).
; HKA is HKLM in administrative install mode and HKCU otherwise; "Software\Classes" under it is the
; documented alternative to HKCR. uninsdeletekey / uninsdeletevalue remove exactly these entries at
; uninstall. https://jrsoftware.org/ishelp/topic_registrysection.htm
Root: HKA; Subkey: "Software\Classes\{#ProgId}"; ValueType: string; ValueName: ""; ValueData: "NHS Staff Survey file"; Flags: uninsdeletekey
Root: HKA; Subkey: "Software\Classes\{#ProgId}\DefaultIcon"; ValueType: string; ValueName: ""; ValueData: "{app}\{#AppExe},0"
Root: HKA; Subkey: "Software\Classes\{#ProgId}\shell\open\command"; ValueType: string; ValueName: ""; ValueData: """{app}\{#AppExe}"" ""%1"""
Root: HKA; Subkey: "Software\Classes\.xlsx\OpenWithProgids"; ValueType: string; ValueName: "{#ProgId}"; ValueData: ""; Flags: uninsdeletevalue
Root: HKA; Subkey: "Software\Classes\.csv\OpenWithProgids"; ValueType: string; ValueName: "{#ProgId}"; ValueData: ""; Flags: uninsdeletevalue
