"""The window survives many Qt calls even on a shiboken6 build that drops references to None."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

SCRIPT = """
import ssp_coder.gui
from PySide6.QtCore import QObject
o = QObject()
for _ in range(50_000):
    o.setObjectName("x")      # a void method: returns None
print("alive")
"""


def test_many_void_calls_do_not_abort_the_interpreter():
    root = Path(__file__).resolve().parents[2]
    out = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True, cwd=root, timeout=120,
                         env={"PYTHONPATH": str(root), "QT_QPA_PLATFORM": "offscreen", "PATH": ""})
    assert out.returncode == 0, out.stderr[-500:]
    assert out.stdout.strip() == "alive"
