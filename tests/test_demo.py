from collections import Counter

from ssp_coder.demo import build_demo
from ssp_coder.store.project import Project


def test_demo_is_a_complete_small_trial(tmp_path):
    result = build_demo(tmp_path / "demo", seed=3)
    assert result.sessions == 48 and not result.reused
    with Project.open(result.project_path, read_only=True, backups=False) as p:
        assert len(p.participants()) == 24
        assert Counter(x.arm for x in p.participants()) == {"ABC": 12, "DEF": 12}
        assert Counter(s.timepoint for s in p.sessions()) == {"pre": 24, "post": 24}
        coders = [c for c in p.coders() if c.role == "coder"]
        assert len(coders) == 3
        codings = p.codings()
        primary = [c for c in codings if c.purpose == "primary"]
        reliability = [c for c in codings if c.purpose == "reliability"]
        assert len(primary) == 48 and len(reliability) == 12  # 25 % double-coded
        for r in reliability:
            prim = next(c for c in primary if c.session_id == r.session_id)
            assert prim.coder_id != r.coder_id
        done = [c for c in primary if c.status == "complete"]
        assert 40 <= len(done) < 48
        classes = Counter(p.coding_state(int(c.id)).result.classification for c in done)
        secure = sum(v for k, v in classes.items() if k and k.startswith("B")) / len(done)
        disorganized = classes["D"] / len(done)
        assert 0.3 <= secure <= 0.7 and 0.1 <= disorganized <= 0.45
        state = p.coding_state(int(done[0].id))
        assert len(state.boundaries) == 8 and len(state.events) > 10


def test_demo_is_deterministic_for_a_seed(tmp_path):
    def fingerprint(folder):
        r = build_demo(folder, seed=11, participants=4, episode_seconds=0.3, workers=1)
        with Project.open(r.project_path, read_only=True, backups=False) as p:
            return [(s.timepoint, p.participants()[0].arm,
                     [(st.result, len(st.events), tuple(sorted(st.scales.items())))
                      for st in (p.coding_state(int(c.id)) for c in p.codings(session_id=int(s.id)))])
                    for s in p.sessions()]

    assert fingerprint(tmp_path / "a") == fingerprint(tmp_path / "b")
