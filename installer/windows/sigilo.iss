; Inno Setup script around the Windows bundle, built on Windows (docs/install.md):
;   installer\windows\build.cmd      (the bundle, then this script with the version)
;   iscc /DAppVersion=X.Y.Z installer\windows\sigilo.iss
; The version is not written here: build.cmd reads it from the bundle (sigilo.exe --version),
; which reads the version pyproject.toml gave the package.
;
; What it installs, per machine (an administrator installs once for every clerk of the PC):
;   {app}\sigilo-gui.exe   the window, without a console; the start menu and desktop icons
;   {app}\sigilo.exe       the console companion, for the command line; {app} goes on the PATH
;   an uninstaller (Settings > Apps), which removes the program and keeps each user's data
;   in %LOCALAPPDATA%\Sigilo\sigilo (keys, job store, audit).
; Printers: a Windows printer prints through the spooler's RAW data type (win32://QUEUE, with
; the pywin32 the bundle carries); the driver is the printer maker's, installed as usual.

#ifndef AppVersion
  #error Pass the version: iscc /DAppVersion=X.Y.Z sigilo.iss (build.cmd does)
#endif

[Setup]
AppId={{6F4B2C1E-7D1A-4E2B-9C55-51A0D1C3E8F4}
AppName=Sigilo
AppVersion={#AppVersion}
AppVerName=Sigilo {#AppVersion}
AppPublisher=Sigilo
VersionInfoVersion={#AppVersion}
DefaultDirName={autopf}\Sigilo
DefaultGroupName=Sigilo
DisableProgramGroupPage=yes
PrivilegesRequired=admin
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
ChangesEnvironment=yes
UninstallDisplayIcon={app}\sigilo-gui.exe
UninstallDisplayName=Sigilo {#AppVersion}
SetupIconFile=..\..\resources\icons\sigilo.ico
OutputDir=..\..\dist
OutputBaseFilename=sigilo-{#AppVersion}-setup
Compression=lzma2
SolidCompression=yes
WizardStyle=modern

[Languages]
Name: "en"; MessagesFile: "compiler:Default.isl"
Name: "ptbr"; MessagesFile: "compiler:Languages\BrazilianPortuguese.isl"

[Tasks]
Name: "desktopicon"; Description: "{cm:CreateDesktopIcon}"; GroupDescription: "{cm:AdditionalIcons}"

[Files]
Source: "..\..\dist\sigilo\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[Icons]
Name: "{group}\Sigilo"; Filename: "{app}\sigilo-gui.exe"; WorkingDir: "{userdocs}"
Name: "{group}\{cm:UninstallProgram,Sigilo}"; Filename: "{uninstallexe}"
Name: "{autodesktop}\Sigilo"; Filename: "{app}\sigilo-gui.exe"; WorkingDir: "{userdocs}"; Tasks: desktopicon

[Registry]
; the console companion on every user's PATH (taken off again by the uninstaller, below)
Root: HKLM; Subkey: "SYSTEM\CurrentControlSet\Control\Session Manager\Environment"; \
    ValueType: expandsz; ValueName: "Path"; ValueData: "{olddata};{app}"; Check: NeedsAddPath(ExpandConstant('{app}'))

[Run]
Filename: "{app}\sigilo-gui.exe"; Description: "{cm:LaunchProgram,Sigilo}"; Flags: nowait postinstall skipifsilent

[Code]
const
  EnvKey = 'SYSTEM\CurrentControlSet\Control\Session Manager\Environment';

function NeedsAddPath(Dir: string): Boolean;
var
  Paths: string;
begin
  if not RegQueryStringValue(HKEY_LOCAL_MACHINE, EnvKey, 'Path', Paths) then
  begin
    Result := True;
    exit;
  end;
  Result := Pos(';' + Uppercase(Dir) + ';', ';' + Uppercase(Paths) + ';') = 0;
end;

procedure CurUninstallStepChanged(CurUninstallStep: TUninstallStep);
var
  Paths, Dir: string;
  P: Integer;
begin
  if CurUninstallStep <> usPostUninstall then
    exit;
  if not RegQueryStringValue(HKEY_LOCAL_MACHINE, EnvKey, 'Path', Paths) then
    exit;
  Dir := ExpandConstant('{app}');
  P := Pos(';' + Uppercase(Dir), Uppercase(Paths));
  if P > 0 then
  begin
    Delete(Paths, P, Length(Dir) + 1);
    RegWriteExpandStringValue(HKEY_LOCAL_MACHINE, EnvKey, 'Path', Paths);
  end;
end;
