; Inno Setup recipe: a per-user installer for the Windows bundle (no administrator rights needed).
;
;   python build\make.py
;   "%ProgramFiles(x86)%\Inno Setup 6\ISCC.exe" /DAppVersion=1.2.3 /Odist build\windows\AfterSaleWatch.iss
;   -> dist\AfterSaleWatch-1.2.3-setup.exe
;
; It installs dist\AfterSaleWatch\ into %LOCALAPPDATA%\Programs\AfterSaleWatch, adds a Start-menu
; entry (and, if ticked, a desktop one) and an uninstaller listed under "Apps & features". Uninstalling
; removes the program and the start-at-login entry it may have set; the seller's database, settings
; and logs (%LOCALAPPDATA%\AfterSaleWatch) and the secrets in the Credential Manager are kept, so a
; reinstall finds the shops again. Sign the installer after building it (build\README.md).

#ifndef AppVersion
  #error Pass the version: ISCC /DAppVersion=X.Y.Z build\windows\AfterSaleWatch.iss
#endif

#define AppName "售后守望 AfterSale Watch"
#define AppExe "AfterSaleWatch.exe"
#define BundleDir "..\..\dist\AfterSaleWatch"

[Setup]
; a fixed id: upgrades replace the installed version instead of installing beside it
AppId={{7C1E5B2A-4F0D-4C8E-9A63-2D5B8E1F6A40}
AppName={#AppName}
AppVersion={#AppVersion}
AppVerName={#AppName} {#AppVersion}
AppPublisher=AfterSale Watch
VersionInfoVersion={#AppVersion}
DefaultDirName={localappdata}\Programs\AfterSaleWatch
DefaultGroupName={#AppName}
DisableProgramGroupPage=yes
; per-user: no UAC prompt, nothing written outside the user's profile
PrivilegesRequired=lowest
PrivilegesRequiredOverridesAllowed=dialog
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
; Qt 6 needs Windows 10 1809 or later
MinVersion=10.0.17763
OutputBaseFilename=AfterSaleWatch-{#AppVersion}-setup
UninstallDisplayIcon={app}\{#AppExe}
UninstallDisplayName={#AppName}
Compression=lzma2/max
SolidCompression=yes
WizardStyle=modern
CloseApplications=yes
RestartApplications=no

[Languages]
Name: "chinesesimplified"; MessagesFile: "compiler:Languages\ChineseSimplified.isl"
Name: "english"; MessagesFile: "compiler:Default.isl"

[Tasks]
Name: "desktopicon"; Description: "{cm:CreateDesktopIcon}"; GroupDescription: "{cm:AdditionalIcons}"; Flags: unchecked

[Files]
Source: "{#BundleDir}\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[Icons]
Name: "{group}\{#AppName}"; Filename: "{app}\{#AppExe}"
Name: "{group}\{cm:UninstallProgram,{#AppName}}"; Filename: "{uninstallexe}"
Name: "{userdesktop}\{#AppName}"; Filename: "{app}\{#AppExe}"; Tasks: desktopicon

[Run]
Filename: "{app}\{#AppExe}"; Description: "{cm:LaunchProgram,{#AppName}}"; Flags: nowait postinstall skipifsilent

[UninstallRun]
; the app may still be running in the tray
Filename: "{sys}\taskkill.exe"; Parameters: "/F /IM {#AppExe}"; Flags: runhidden; RunOnceId: "StopApp"

[Registry]
; start at login is the app's own setting; an uninstall must not leave it pointing at a removed program
Root: HKCU; Subkey: "Software\Microsoft\Windows\CurrentVersion\Run"; ValueType: none; ValueName: "AfterSaleWatch"; Flags: uninsdeletevalue dontcreatekey
