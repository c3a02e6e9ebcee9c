"""The pending-request queue widgets: table model, proxy, view, detail pane, risk panel, CSV export.

Importing the package applies :func:`desktop.ui.qt_fixes.install` (the countdown emits signals every
second, which the affected PySide6 versions would turn into a crash).
"""

from desktop.ui import qt_fixes

qt_fixes.install()
