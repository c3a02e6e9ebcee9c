"""The headless CLI with a deliberate bug: the action engine's write-ahead ``sent`` mark removed.

The crash test runs this in place of ``python -m desktop`` to prove it would catch the bug (a killed
run then leaves its in-flight request ``planned``, and the restart sends it again while the slow
platform still holds the first). Not part of the app.
"""

from __future__ import annotations

import runpy
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from desktop.core.actions import engine

_mark = engine.ActionEngine._journal_mark


def _without_the_sent_mark(self, entry_id, state, **kw):
    if state == "sent":
        return None
    return _mark(self, entry_id, state, **kw)


engine.ActionEngine._journal_mark = _without_the_sent_mark
sys.argv = ["desktop", *sys.argv[1:]]
runpy.run_module("desktop", run_name="__main__", alter_sys=True)
