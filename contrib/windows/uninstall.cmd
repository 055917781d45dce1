@echo off
rem uninstall.cmd: removes exchange-kms-plugins' event sources. The state
rem folder, the restart ledger and the password file stay, unless:
rem   uninstall.cmd purge [FOLDER]   also removes FOLDER\Kmspwd.ini, the
rem                                  ledger and FOLDER (default C:\kms\state)
rem Run it as an administrator from the folder beside kms_setup.exe; then
rem delete that folder. Written for Windows NT 4.0's cmd.exe.
setlocal
if not exist kms_setup.exe goto elsewhere
if "%1"=="purge" goto purge
kms_setup.exe uninstall
goto end
:purge
set KMS_STATE=C:\kms\state
if not "%2"=="" set KMS_STATE=%2
kms_setup.exe uninstall --purge --state-dir %KMS_STATE% --password-file %KMS_STATE%\Kmspwd.ini
goto end
:elsewhere
echo uninstall.cmd: run it from the folder that holds kms_setup.exe
:end
endlocal
