"""``ssp-coder irr`` end to end: on a hand-built project and on the demo trial."""

import json
import shutil

import openpyxl
import pytest

from builders import add_sessions, coding, d_coding, new_project
from ssp_coder.cli import main
from ssp_coder.store.project import Project
from ssp_coder.store.reliability_sql import consensus_sources, gold_standards


def run(capsys, *args):
    code = main([str(a) for a in args])
    out = capsys.readouterr()
    return code, out.out, out.err


@pytest.fixture
def small(tmp_path):
    p = new_project(tmp_path)
    codes = add_sessions(p, [(f"P{i}", "ABC" if i % 2 else "DEF", "pre", f"S{i:02d}") for i in range(8)])
    for i, (x, y) in enumerate([("B2", "B2"), ("D", "B2"), ("A1", "A1"), ("C1", "C1")]):
        coding(p, codes[f"S{i:02d}"], "Ann", "primary", **d_coding(x))
        coding(p, codes[f"S{i:02d}"], "Bob", "reliability", **d_coding(y))
    for i in range(4, 8):
        coding(p, codes[f"S{i:02d}"], "Cem", "primary", complete=False)
    path = p.path
    p.close()
    return path


def test_report_json_xlsx_and_figures(capsys, small, tmp_path):
    code, out, _ = run(capsys, "irr", small, "-o", tmp_path / "irr.xlsx", "--figures", tmp_path)
    assert code == 0 and "4 complete pair(s)" in out and "abcd" in out
    assert "confusion_abcd" in openpyxl.load_workbook(tmp_path / "irr.xlsx", read_only=True).sheetnames
    assert (tmp_path / "reliability_drift.png").exists() and (tmp_path / "reliability_drift.svg").exists()
    code, out, _ = run(capsys, "irr", "--json", small)
    data = json.loads(out)
    abcd = next(r for r in data["overall"] if r["variable"] == "abcd")
    assert abcd["n"] == 4 and abcd["n_agree"] == 3
    code, out, _ = run(capsys, "irr", "report", small, "--json")
    assert json.loads(out)["n_pairs"] == 4


def test_plan_dry_run_then_apply(capsys, small):
    code, out, _ = run(capsys, "irr", "plan", small, "--share", "0.5", "--seed", "4", "--dry-run", "--json")
    plan = json.loads(out)
    assert code == 0 and plan["applied"] is False and plan["target"] == 4 and len(plan["kept"]) == 4
    with Project.open(small, read_only=True) as p:
        assert len(p.codings(purpose="reliability")) == 4
    code, out, _ = run(capsys, "irr", "plan", small, "--share", "0.75", "--seed", "4", "--coders", "Ann", "Bob")
    assert code == 0 and "Assigned 2 reliability coding(s)" in out
    with Project.open(small, read_only=True) as p:
        rel = p.codings(purpose="reliability")
        assert len(rel) == 6
        for c in rel:
            prim = p.codings(session_id=int(c.session_id), purpose="primary")[0]
            assert prim.coder_id != c.coder_id


def test_every_output_is_checked_before_any_is_written(capsys, small, tmp_path):
    # A missing figures folder is created, as 'summary --figures' does.
    code, out, err = run(capsys, "irr", small, "-o", tmp_path / "irr.xlsx", "--figures", tmp_path / "new" / "figs")
    assert code == 0, err
    assert (tmp_path / "irr.xlsx").exists() and (tmp_path / "new" / "figs" / "reliability_drift.png").exists()
    # A figures "folder" that is a file: exit 2 and the workbook is not written either.
    (tmp_path / "afile").write_text("x")
    code, _, err = run(capsys, "irr", small, "-o", tmp_path / "second.xlsx", "--figures", tmp_path / "afile")
    assert code == 2 and "afile" in err and not (tmp_path / "second.xlsx").exists()
    # A workbook that cannot be written: no figures either.
    code, _, err = run(capsys, "irr", small, "-o", tmp_path / "nowhere" / "r.xlsx", "--figures", tmp_path / "f2")
    assert code == 2 and not (tmp_path / "f2").exists()
    code, _, err = run(capsys, "irr", small, "-o", tmp_path / "r.csv", "--figures", tmp_path / "f3")
    assert code == 2 and ".xlsx" in err and not (tmp_path / "f3").exists()


def test_diff_and_consensus(capsys, small):
    code, out, _ = run(capsys, "irr", "diff", small, "S01")
    assert code == 0 and "* classification" in out and "a: D" in out and "b: B2" in out
    code, out, _ = run(capsys, "irr", "diff", small, "S01", "--json")
    assert json.loads(out)["session"] == "S01"
    code, out, err = run(capsys, "irr", "consensus", small, "S01", "--decider", "Dee", "--take", "b",
                         "--set", "d_rating=5", "--reason", "conferenced")
    assert code == 0 and "complete" in out, err
    with Project.open(small, read_only=True) as p:
        cons = p.codings(purpose="consensus")[0]
        st = p.coding_state(int(cons.id))
        assert (st.result.classification, st.result.d_rating) == ("B2", 5.0)
        src = {s.field: s for s in consensus_sources(p, int(cons.id))}
        assert src["d_rating"].source_coding_id is None and src["d_rating"].reason == "conferenced"
    # Again without --replace: refused with the way to revise; with it, revised and audited.
    code, _, err = run(capsys, "irr", "consensus", small, "S01", "--decider", "Dee", "--take", "a")
    assert code == 2 and "--replace" in err
    code, out, err = run(capsys, "irr", "consensus", small, "S01", "--decider", "Dee", "--take", "a", "--replace",
                         "--reason", "second look")
    assert code == 0 and "revised" in out, err
    with Project.open(small, read_only=True) as p:
        assert len(p.codings(purpose="consensus")) == 1
        assert "ReviseConsensus" in [e.command for e in p.audit_log()]
    code, _, err = run(capsys, "irr", "consensus", small, "S02", "--decider", "Dee", "--set", "nonsense")
    assert code == 2 and "FIELD=VALUE" in err
    code, _, err = run(capsys, "irr", "diff", small, "S05")
    assert code == 2 and "needs a primary and a reliability coding" in err


def test_consensus_without_a_reason_is_refused(capsys, small):
    code, _, err = run(capsys, "irr", "consensus", small, "S01", "--decider", "Dee", "--set", "d_rating=5")
    assert code == 2 and "d_rating (typed in)" in err and "--reason" in err
    code, _, err = run(capsys, "irr", "consensus", small, "S01", "--decider", "Dee", "--take", "b")
    assert code == 2 and "classification" in err
    with Project.open(small, read_only=True) as p:
        assert not p.codings(purpose="consensus")


def test_gold_and_certify(capsys, small, tmp_path):
    with Project.open(small) as p:
        s = p.session_by_code("S04")
        coding(p, int(s.id), "Tina", "training", **d_coding("B2"))
    code, _, err = run(capsys, "irr", "gold", small, "S00", "--coding-of", "Ann", "--trainer", "Dee")
    assert code == 2 and "Only a trainer" in err
    for c in ("S00", "S02"):
        assert run(capsys, "irr", "gold", small, c, "--coding-of", "Ann", "--trainer", "Tina")[0] == 0
    with Project.open(small) as p:
        assert [g.blinded_code for g in gold_standards(p)] == ["S00", "S02"]
        coding(p, int(p.session_by_code("S00").id), "Cem", "training", **d_coding("B2"))
        coding(p, int(p.session_by_code("S02").id), "Cem", "training", **d_coding("A1"))
    code, out, _ = run(capsys, "irr", "certify", small, "--trainee", "Cem", "-o", tmp_path / "cert.pdf")
    assert code == 0 and "PASSED" in out and (tmp_path / "cert.pdf").read_bytes().startswith(b"%PDF")
    code, out, _ = run(capsys, "irr", "certify", small, "--trainee", "Cem", "--json", "-o", tmp_path / "c.xlsx")
    assert json.loads(out)["passed"] is True and (tmp_path / "c.xlsx").exists()


def test_help_and_missing_project(capsys):
    code, _, err = run(capsys, "irr")
    assert code == 2 and "Name the project" in err
    with pytest.raises(SystemExit):
        main(["irr", "plan", "-h"])
    assert "--share" in capsys.readouterr().out


@pytest.mark.slow
def test_demo_trial_end_to_end(capsys, tmp_path_factory):
    from ssp_coder.demo import build_demo

    folder = tmp_path_factory.mktemp("demo")
    res = build_demo(folder)
    path = res.project_path
    code, out, _ = run(capsys, "irr", path, "--json")
    data = json.loads(out)
    assert code == 0 and data["n_pairs"] >= 10
    assert {"abcd", "secure", "disorganized", "d_rating"} <= {r["variable"] for r in data["overall"]}
    assert any(r["item"] == "all state behaviours" and r["value"] is not None for r in data["timed"])
    assert run(capsys, "irr", "plan", path, "--share", "0.4", "--seed", "1")[0] == 0
    with Project.open(path) as p:
        done = {int(c.session_id) for c in p.codings(purpose="consensus")}
        pairs = [c for c in p.codings(purpose="reliability", status="complete") if int(c.session_id) not in done]
        code_ = p.session(int(pairs[0].session_id)).blinded_code
    assert run(capsys, "irr", "diff", path, code_)[0] == 0
    assert run(capsys, "irr", "consensus", path, code_, "--decider", "Dana Lead", "--reason", "demo")[0] == 0
    assert run(capsys, "irr", "gold", path, code_, "--coding-of", "Dana Lead", "--trainer", "Eve Trainer")[0] == 0
    with Project.open(path) as p:
        from ssp_coder.domain.commands import CreateCoding, MarkComplete
        from ssp_coder.reliability.consensus import _commands, coding_fields
        sid = int(p.session_by_code(code_).id)
        a = p.execute(CreateCoding(session_id=sid, coder_id=int(p.coder("Ben Okafor").id), purpose="training"))
        cid = int(a.inverse.coding_id)
        gold = p.coding_state(int(gold_standards(p)[0].coding_id))
        # the trainee codes the tape exactly as the expert did
        values = {k: v[2] for k, v in coding_fields(gold, p.scheme).items()}
        p.execute_many(_commands(cid, values, p.scheme) + [MarkComplete(cid)])
    code, out, _ = run(capsys, "irr", "certify", path, "--trainee", "Ben Okafor")
    assert code == 0 and "PASSED" in out
    shutil.rmtree(folder, ignore_errors=True)
