"""Certification against gold standards: pass exactly at the mark, role and completeness rules, exports."""

import subprocess
import shutil

import openpyxl
import pandas as pd
import pytest

from builders import add_sessions, coding, d_coding, new_project
from ssp_coder.errors import DomainError
from ssp_coder.reliability.certification import certification_report, coding_of, mark_gold
from ssp_coder.reliability.certification_export import write_certification
from ssp_coder.store.reliability_sql import gold_standards

GOLD = ["B2", "B2", "A1", "C1", "D", "B1", "B2", "A2", "D", "B3"]
# trainee: 8 of 10 on ABCD (sessions 6, 8 wrong) and 8 of 10 on D / not D
TRAINEE = ["B1", "B2", "A1", "C1", "D", "B1", "D", "A2", "B2", "B3"]


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    p = new_project(tmp_path_factory.mktemp("cert"), {"Tina": "trainer", "Tom": "coder", "Ann": "coder"})
    codes = add_sessions(p, [(f"P{i}", "ABC", "pre", f"G{i:02d}") for i in range(11)])
    for i, (g, t) in enumerate(zip(GOLD, TRAINEE)):
        code = f"G{i:02d}"
        coding(p, codes[code], "Tina", "primary", **d_coding(g))
        mark_gold(p, code, coding_of(p, code, "Tina"), "Tina")
        coding(p, codes[code], "Tom", "training", **d_coding(t))
    # a gold session the trainee has only started
    coding(p, codes["G10"], "Tina", "primary", **d_coding("B2"))
    mark_gold(p, "G10", coding_of(p, "G10", "Tina"), "Tina")
    coding(p, codes["G10"], "Tom", "training", complete=False, **d_coding("B2"))
    yield p
    p.close()


def test_exactly_80_percent_passes(project):
    r = certification_report(project, "Tom")
    crit = r.criteria.set_index("variable")
    assert crit.loc["abcd", "n"] == 10 and crit.loc["abcd", "n_agree"] == 8
    assert crit.loc["abcd", "agreement"] == pytest.approx(0.8)
    assert crit.loc["disorganized", "agreement"] == pytest.approx(0.8)
    assert bool(crit.loc["abcd", "passed"]) and bool(crit.loc["disorganized", "passed"])
    assert r.passed
    assert r.not_coded == ("G10",)
    assert list(r.sessions["abcd_agree"]).count(False) == 2
    # kappa on D / not D: both have 2 D of 10, agree 8 -> (0.8 - 0.68) / 0.32
    assert crit.loc["disorganized", "kappa"] == pytest.approx(0.375)


def test_just_above_the_agreement_fails(project):
    r = certification_report(project, "Tom", pass_share=0.81)
    assert not r.passed
    assert not r.criteria["passed"].any()


def test_pass_mark_comes_from_the_setting(project):
    from ssp_coder.domain.commands import SetSetting

    project.execute(SetSetting("certification_pass", 0.9))
    try:
        r = certification_report(project, "Tom")
        assert r.pass_share == 0.9 and not r.passed
    finally:
        project.execute(SetSetting("certification_pass", None))
    assert certification_report(project, "Tom").pass_share == 0.8


def test_only_trainers_mark_complete_codings(project):
    with pytest.raises(DomainError, match="Only a trainer"):
        mark_gold(project, "G01", coding_of(project, "G01", "Tina"), "Ann")
    draft = coding_of(project, "G10", "Tom")
    with pytest.raises(DomainError, match="not complete"):
        mark_gold(project, "G10", draft, "Tina")
    with pytest.raises(DomainError, match="not a coding of session"):
        mark_gold(project, "G01", coding_of(project, "G02", "Tina"), "Tina")
    assert len(gold_standards(project)) == 11
    marks = [e for e in project.audit_log() if e.command == "MarkGoldStandard"]
    assert len(marks) == 11 and {e.actor for e in marks} == {"Tina"}


def test_no_training_codings_means_not_passed(project):
    r = certification_report(project, "Ann")
    assert not r.passed and r.criteria["n"].eq(0).all() and len(r.not_coded) == 11


def test_xlsx_and_pdf_exports(project, tmp_path):
    r = certification_report(project, "Tom")
    x = write_certification(r, tmp_path / "cert.xlsx")
    wb = openpyxl.load_workbook(x, read_only=True)
    assert wb.sheetnames == ["summary", "criteria", "sessions"]
    crit = pd.read_excel(x, sheet_name="criteria")
    assert list(crit["agreement"]) == pytest.approx([0.8, 0.8])
    summary = pd.read_excel(x, sheet_name="summary").set_index("item")
    assert summary.loc["result", "value"] == "PASS"
    pdf = write_certification(r, tmp_path / "cert.pdf")
    data = pdf.read_bytes()
    assert data.startswith(b"%PDF") and b"%%EOF" in data[-64:]
    gs = shutil.which("gs") or shutil.which("pdftoppm")
    if gs and gs.endswith("gs"):
        subprocess.run([gs, "-q", "-sDEVICE=png16m", "-r40", "-o", str(tmp_path / "p%d.png"), str(pdf)], check=True)
        assert (tmp_path / "p1.png").stat().st_size > 1000
    with pytest.raises(Exception, match=r"\.pdf or \.xlsx"):
        write_certification(r, tmp_path / "cert.docx")
