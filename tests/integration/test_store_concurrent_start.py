"""Several processes starting at once on a new data folder all open the store (the schema version
was once read outside the write transaction: 6 of 80 such runs crashed with 'duplicate column name'
or 'table shops already exists')."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

OPENER = r"""
import sys, time
start = float(sys.argv[2])
while time.time() < start:
    time.sleep(0.001)
from desktop.core.store import open_store, SCHEMA_VERSION
store = open_store(sys.argv[1])
assert store.schema_version == SCHEMA_VERSION
store.shops.add(base_url="http://127.0.0.1:1", seller_id=int(sys.argv[3]))
store.close()
"""

PROCESSES = 8
ROUNDS = 4


@pytest.mark.slow
def test_processes_starting_at_once_on_a_new_folder_all_open_the_store(tmp_path):
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    # the modules are imported before the start time, so the opens meet at the database
    failures = []
    for round_ in range(ROUNDS):
        db = tmp_path / f"round{round_}" / "aftersale-watch.sqlite3"
        db.parent.mkdir()
        start = time.time() + 1.5
        procs = [
            subprocess.Popen(
                [
                    sys.executable,
                    "-c",
                    "import desktop.core.store\n" + OPENER,
                    str(db),
                    str(start),
                    str(1000 + i),
                ],
                env=env,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            for i in range(PROCESSES)
        ]
        for p in procs:
            _out, err = p.communicate(timeout=120)
            if p.returncode != 0:
                failures.append(err.strip()[-1500:] if err.strip() else f"exit {p.returncode}")
        if not failures:
            import sqlite3

            with sqlite3.connect(db) as conn:
                assert conn.execute("SELECT COUNT(*) FROM shops").fetchone()[0] == PROCESSES
    assert failures == []
