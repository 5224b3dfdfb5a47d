"""End to end on the demo project: every format, the summary against a hand
computation from the project itself, figures and the command line."""

import json
import stat

import numpy as np
import pandas as pd
import pyreadstat
import pytest

from ssp_coder.cli.app import main
from ssp_coder.demo import build_demo
from ssp_coder.export import prepare_export, write_export
from ssp_coder.export.figures import FIGURE_KINDS, transition_counts, write_figures
from ssp_coder.store.project import Project


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    result = build_demo(tmp_path_factory.mktemp("demo"), workers=2)
    with Project.open(result.project_path, read_only=True, backups=False) as project:
        data = prepare_export(project)
        participants = {p.id: p for p in project.participants()}
        sessions = project.sessions()
        codings = project.codings()
        states = {c.id: project.coding_state(int(c.id)) for c in codings}
    return result.project_path, data, participants, sessions, codings, states


def _final(codings, sessions):
    """Hand rule: the completed consensus coding, else the completed primary one."""
    out = {}
    for s in sessions:
        done = [c for c in codings if c.session_id == s.id and c.is_complete]
        pick = [c for c in done if c.purpose == "consensus"] or [c for c in done if c.purpose == "primary"]
        out[s.id] = pick[0] if pick else None
    return out


def _hand_table(demo):
    _, data, participants, sessions, codings, states = demo
    final = _final(codings, sessions)
    rows = []
    for s in sessions:
        c = final[s.id]
        group = None
        if c is not None:
            code = states[c.id].result.classification
            group = code[0] if code and code[0] in "ABCD" and code not in ("CC",) else "D"
        rows.append({"pid": participants[s.participant_id].external_id, "arm": participants[s.participant_id].arm,
                     "tp": s.timepoint, "group": group,
                     "d": states[c.id].result.d_rating if c is not None else None, "code": s.blinded_code})
    return pd.DataFrame(rows)


def test_long_has_every_session_and_only_completed_final_codings(demo):
    _, data, participants, sessions, codings, states = demo
    hand = _hand_table(demo)
    assert len(data.long) == len(sessions) == 48
    complete = set(data.long.loc[data.long["coding_status"] == "complete", "blinded_code"])
    assert complete == set(hand.loc[hand["group"].notna(), "code"])
    merged = data.long.merge(hand, left_on="blinded_code", right_on="code")
    done = merged[merged["group"].notna()]
    assert (done["abcd"] == done["group"]).all()
    np.testing.assert_allclose(done["d_rating"].astype(float), done["d"].astype(float))
    dbl = {s.id for s in sessions if sum(1 for c in codings if c.session_id == s.id and c.is_complete
                                         and c.purpose in ("primary", "reliability")) >= 2}
    assert set(data.long.loc[data.long["double_coded"] == 1, "session_id"]) == dbl
    assert len(dbl) > 0


def test_summary_matches_hand_computation(demo):
    _, data, *_ = demo
    s = data.summary
    hand = _hand_table(demo).dropna(subset=["group"])
    for (arm, tp), cell in hand.groupby(["arm", "tp"]):
        row = s.distribution[(s.distribution["arm"] == arm) & (s.distribution["timepoint"] == tp)].iloc[0]
        assert row["n"] == len(cell)
        assert row["pct_secure"] == pytest.approx(100 * (cell["group"] == "B").mean())
        assert row["pct_disorganized"] == pytest.approx(100 * (cell["group"] == "D").mean())
        for g in "ABCD":
            assert row[f"n_{g}"] == (cell["group"] == g).sum()
    assert (s.intervention, s.control) == ("ABC", "DEF")
    post = hand[hand["tp"] == "post"]
    a = int(((post["arm"] == "ABC") & (post["group"] == "B")).sum())
    n1 = int((post["arm"] == "ABC").sum())
    c = int(((post["arm"] == "DEF") & (post["group"] == "B")).sum())
    n2 = int((post["arm"] == "DEF").sum())
    sec = s.between_arm[s.between_arm["outcome"] == "secure"].iloc[0]
    assert (sec["x1"], sec["n1"], sec["x2"], sec["n2"]) == (a, n1, c, n2)
    b, d = n1 - a, n2 - c
    if min(a, b, c, d) > 0:
        assert sec["odds_ratio"] == pytest.approx(a * d / (b * c))
    assert sec["risk_difference"] == pytest.approx(a / n1 - c / n2)
    wide = hand.pivot(index="pid", columns="tp", values="group").dropna()
    arm_of = hand.drop_duplicates("pid").set_index("pid")["arm"]
    for arm in ("ABC", "DEF"):
        w = wide[arm_of.reindex(wide.index) == arm]
        row = s.within_arm[(s.within_arm["arm"] == arm) & (s.within_arm["outcome"] == "disorganized")].iloc[0]
        assert row["n_pairs"] == len(w)
        assert row["n_yes_to_no"] == ((w["pre"] == "D") & (w["post"] != "D")).sum()
        assert row["n_no_to_yes"] == ((w["pre"] != "D") & (w["post"] == "D")).sum()
    missing = _hand_table(demo)
    assert {i.blinded_code for i in s.incomplete} == set(missing.loc[missing["group"].isna(), "code"])


def test_demo_exports_to_every_format(demo, tmp_path):
    _, data, *_ = demo
    xlsx, = write_export(data, "xlsx", tmp_path / "demo.xlsx")
    sheets = pd.read_excel(xlsx, sheet_name=None)
    assert len(sheets["data_long"]) == 48 and len(sheets["data_wide"]) == 24
    book = sheets["codebook"]
    assert set(book.loc[book["table"] == "long", "variable"]) == set(data.long.columns)
    assert set(book.loc[book["table"] == "wide", "variable"]) == set(data.wide.columns)
    assert book["label"].notna().all()
    rel = sheets["reliability"]  # the demo has 12 completed double codings
    assert rel.loc[rel["variable"] == "abcd", "n"].item() == 12
    assert rel.loc[rel["variable"] == "abcd", "kappa"].item() == pytest.approx(
        data.reliability.set_index("variable").loc["abcd", "kappa"])
    folder, = write_export(data, "csv", tmp_path / "csv")
    assert pd.read_csv(folder / "data_wide.csv").shape == data.wide.shape
    for fmt, read in (("sav", pyreadstat.read_sav), ("dta", pyreadstat.read_dta)):
        long_path, wide_path, events_path, _ = write_export(data, fmt, tmp_path / f"demo.{fmt}")
        assert len(read(str(events_path))[0]) == len(data.events) > 0
        df, meta = read(str(long_path))
        vl = meta.variable_value_labels
        abcd = df["abcd"].map(vl["abcd"]).map(lambda x: x.split()[0] if isinstance(x, str) else "")
        assert abcd.tolist() == data.long["abcd"].fillna("").astype(str).tolist()
        assert df["arm"].map(vl["arm"]).tolist() == data.long["arm"].tolist()
        assert df["secure"].dropna().map(vl["secure"]).isin(["secure", "insecure"]).all()
        wdf, wmeta = read(str(wide_path))
        assert wdf.shape[0] == 24 and all(len(c) <= 32 for c in wdf.columns)
        np.testing.assert_allclose(wdf["d_rating_change"].to_numpy(float),
                                   data.wide["d_rating_change"].to_numpy(float), equal_nan=True)


def test_figures(demo, tmp_path):
    _, data, *_ = demo
    paths = write_figures(data.summary, data.long, tmp_path / "figs")
    assert sorted(p.name for p in paths) == sorted(f"{k}.{e}" for k in FIGURE_KINDS for e in ("png", "svg"))
    for p in paths:
        head = p.read_bytes()[:8]
        assert head.startswith(b"\x89PNG") if p.suffix == ".png" else b"<?xml" in head
    hand = _hand_table(demo).dropna(subset=["group"])
    wide = hand[hand["arm"] == "ABC"].pivot(index="pid", columns="tp", values="group").dropna()
    t = transition_counts(data.long, "ABC", "pre", "post", ["A", "B", "C", "D"])
    assert t.to_numpy().sum() == len(wide)
    assert t.loc["D", "B"] == ((wide["pre"] == "D") & (wide["post"] == "B")).sum()


def test_cli_export_and_summary(demo, tmp_path, capsys):
    path = demo[0]
    assert main(["export", str(path), "--format", "dta", "--shape", "long", "-o", str(tmp_path / "t.dta")]) == 0
    assert (tmp_path / "t.dta").exists() and (tmp_path / "t_codebook.csv").exists()
    capsys.readouterr()
    assert main(["summary", str(path), "--json", "--figures", str(tmp_path / "f")]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["intervention"] == "ABC" and len(out["distribution"]) == 4 and len(out["figures"]) == 6
    assert main(["summary", str(path), "--control", "ABC"]) == 0
    assert "DEF vs ABC at post" in capsys.readouterr().out
    target = tmp_path / "ro.xlsx"
    target.write_bytes(b"keep")
    target.chmod(stat.S_IRUSR)
    try:
        assert main(["export", str(path), "--format", "xlsx", "-o", str(target)]) == 2
        assert "read-only" in capsys.readouterr().err and target.read_bytes() == b"keep"
    finally:
        target.chmod(stat.S_IRUSR | stat.S_IWUSR)
    assert main(["summary", str(path), "--control", "nobody"]) == 2


def test_the_format_follows_the_output_name_when_not_given(demo, tmp_path, capsys):
    path = demo[0]
    assert main(["export", str(path), "--shape", "long", "-o", str(tmp_path / "t.dta")]) == 0
    with Project.open(path, backups=False) as p:
        n_sessions = len(p.sessions())
    assert len(pyreadstat.read_dta(str(tmp_path / "t.dta"))[0]) == n_sessions          # a Stata file, one row each
    assert main(["export", str(path), "-o", str(tmp_path / "book.xlsx")]) == 0
    assert (tmp_path / "book.xlsx").read_bytes()[:2] == b"PK"
    assert main(["export", str(path), "-o", str(tmp_path / "tables") + "/"]) == 0
    assert {p.suffix for p in (tmp_path / "tables").iterdir()} == {".csv"}
    capsys.readouterr()
    assert main(["export", str(path), "-o", str(tmp_path / "trial.txt")]) == 2
    assert "which format? Give --format" in capsys.readouterr().err
    assert not (tmp_path / "trial.txt").exists()


def test_cli_export_names_every_file_written(demo, tmp_path, capsys):
    path = demo[0]
    capsys.readouterr()
    assert main(["export", str(path), "--format", "sav", "-o", str(tmp_path / "trial.sav")]) == 0
    out = capsys.readouterr().out
    for name in ("trial_long.sav", "trial_wide.sav", "trial_events.sav", "trial_codebook.csv"):
        assert str(tmp_path / name) in out and (tmp_path / name).exists()
    assert not (tmp_path / "trial.sav").exists() and "trial.sav itself is not written" in out
    # A codebook that cannot be written stops the export before any data file is written.
    (tmp_path / "w_codebook.csv").write_text("keep")
    (tmp_path / "w_codebook.csv").chmod(stat.S_IRUSR)
    try:
        assert main(["export", str(path), "--format", "dta", "-o", str(tmp_path / "w.dta")]) == 2
        assert not (tmp_path / "w_long.dta").exists() and not (tmp_path / "w_wide.dta").exists()
        assert not (tmp_path / "w_events.dta").exists()
    finally:
        (tmp_path / "w_codebook.csv").chmod(stat.S_IRUSR | stat.S_IWUSR)


def test_export_help_says_which_files_are_written(capsys):
    with pytest.raises(SystemExit):
        main(["export", "-h"])
    text = " ".join(capsys.readouterr().out.split())
    assert "writes trial_long.sav and trial_wide.sav (never trial.sav)" in text and "trial_codebook.csv" in text
    assert "trial_events.sav" in text and "--dry-run" in text
