@echo off
rem Windows: the bundle and the installer, from a checkout with Python 3.11+ and Inno Setup 6.
rem   installer\windows\build.cmd      ->  dist\sigilo\ and dist\sigilo-X.Y.Z-setup.exe
setlocal
cd /d "%~dp0\..\.."
if not exist .venv\Scripts\python.exe py -3 -m venv .venv || exit /b 1
.venv\Scripts\python -m pip install -q -e ".[usb,test]" || exit /b 1
.venv\Scripts\pyinstaller --noconfirm --distpath dist --workpath build\pyinstaller installer\sigilo.spec || exit /b 1
for /f "tokens=2" %%v in ('dist\sigilo\sigilo.exe --version') do set VERSION=%%v
if "%VERSION%"=="" (echo the bundle did not report its version & exit /b 1)
iscc /DAppVersion=%VERSION% installer\windows\sigilo.iss || exit /b 1
echo dist\sigilo-%VERSION%-setup.exe
