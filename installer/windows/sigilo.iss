; Inno Setup script: wraps the PyInstaller one-folder bundle (dist\sigilo) built on Windows.
; iscc installer\windows\sigilo.iss
[Setup]
AppName=Sigilo
AppVersion=0.1.0
DefaultDirName={autopf}\Sigilo
DefaultGroupName=Sigilo
OutputDir=..\..\dist
OutputBaseFilename=sigilo-setup
Compression=lzma2
SolidCompression=yes

[Files]
Source: "..\..\dist\sigilo\*"; DestDir: "{app}"; Flags: recursesubdirs

[Icons]
Name: "{group}\Sigilo"; Filename: "{app}\sigilo.exe"; Parameters: "gui"
Name: "{autodesktop}\Sigilo"; Filename: "{app}\sigilo.exe"; Parameters: "gui"
