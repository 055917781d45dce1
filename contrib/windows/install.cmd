@echo off
rem install.cmd: sets exchange-kms-plugins up on the KM server. Run it as an
rem administrator from the folder it came in (beside kms_setup.exe), after
rem copying that folder where the programs stay (C:\kms\bin, as NSC.ini
rem expects): the event sources name the programs where they are.
rem   install.cmd [FOLDER]   FOLDER: the state folder, default C:\kms\state
rem Written for Windows NT 4.0's cmd.exe: no PowerShell, no reg.exe, no
rem "exit /b"; kms_setup.exe does the work.
setlocal
if not exist kms_setup.exe goto elsewhere
set KMS_STATE=C:\kms\state
if not "%1"=="" set KMS_STATE=%1
kms_setup.exe install --state-dir %KMS_STATE%
if errorlevel 1 goto failed
echo.
echo Next, store the KMS password (typed, not shown):
echo   kms_setup password --password-file %KMS_STATE%\Kmspwd.ini
echo Then check that all is ready:
echo   kms_setup check --state-dir %KMS_STATE% --password-file %KMS_STATE%\Kmspwd.ini
goto end
:elsewhere
echo install.cmd: run it from the folder that holds kms_setup.exe
goto end
:failed
echo install.cmd: kms_setup install failed (the line above says why); nothing else was done
:end
endlocal
