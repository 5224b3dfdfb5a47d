"""The one rule: only ssp_coder/gui imports Qt. Everything else imports with PySide6 gone."""

import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_core_imports_without_qt():
    script = textwrap.dedent("""
        import importlib, pkgutil, sys
        for name in ("PySide6", "shiboken6"):
            sys.modules[name] = None   # any import of Qt now fails
        import ssp_coder
        bad = []
        names = []
        for m in pkgutil.walk_packages(ssp_coder.__path__, "ssp_coder."):
            if m.name.startswith("ssp_coder.gui") or m.name == "ssp_coder.__main__":
                continue
            names.append(m.name)
            try:
                importlib.import_module(m.name)
            except Exception as exc:
                bad.append(f"{m.name}: {type(exc).__name__}: {exc}")
        leaked = [k for k in sys.modules if k.startswith(("PySide6.", "shiboken6."))]
        print(len(names))
        print("\\n".join(bad + leaked))
    """)
    out = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, check=True)
    count, _, problems = out.stdout.partition("\n")
    assert int(count) > 20, "the walk found too few modules to mean anything"
    assert problems.strip() == ""


def test_no_module_outside_gui_names_qt():
    offenders = []
    for path in (ROOT / "ssp_coder").rglob("*.py"):
        if "gui" in path.relative_to(ROOT / "ssp_coder").parts[:1]:
            continue
        for line in path.read_text(encoding="utf-8").splitlines():
            stripped = line.strip()
            if stripped.startswith(("import PySide6", "from PySide6", "import shiboken6", "from shiboken6")):
                offenders.append(str(path.relative_to(ROOT)))
    assert offenders == []


def test_sql_stays_in_the_store():
    offenders = []
    for path in (ROOT / "ssp_coder").rglob("*.py"):
        rel = path.relative_to(ROOT / "ssp_coder")
        if rel.parts[0] == "store":
            continue
        text = path.read_text(encoding="utf-8")
        if "import sqlite3" in text or ".execute(\"SELECT" in text or ".conn.execute(" in text:
            offenders.append(str(rel))
    assert offenders == []


def test_nothing_reads_a_path_beside_the_repository():
    """A user's clone has nothing beside it: no file may point at a sibling folder of the repository."""
    root = Path(__file__).resolve().parents[1]
    sibling = "sha" + "red"  # the folder that sits beside the developers' checkout
    patterns = (f"../{sibling}/", f'.parent / "{sibling}"', f"{sibling}/reference")
    offenders = []
    for folder in ("ssp_coder", "tests", "benchmarks", "docs", "packaging", ".ci"):
        for path in (root / folder).rglob("*"):
            if path.suffix not in {".py", ".md", ".json", ".toml", ".spec", ""} or not path.is_file():
                continue
            text = path.read_text(encoding="utf-8", errors="replace")
            offenders += [f"{path.relative_to(root)}: {p}" for p in patterns if p in text]
    assert not offenders, offenders
