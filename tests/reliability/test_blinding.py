"""A coder never sees another coder's coding of the same session."""

from builders import add_sessions, coding, new_project
from ssp_coder.reliability.blinding import may_see, visible_codings


def test_coders_see_only_their_own_codings(tmp_path):
    with new_project(tmp_path) as p:
        sid = add_sessions(p, [("P1", "ABC", "pre", "S01"), ("P2", "DEF", "pre", "S02")])
        a = coding(p, sid["S01"], "Ann", "primary")
        b = coding(p, sid["S01"], "Bob", "reliability")
        c = coding(p, sid["S02"], "Bob", "primary")
        assert [int(x.id) for x in visible_codings(p, "Ann")] == [a]
        assert [int(x.id) for x in visible_codings(p, "Bob")] == [b, c]
        assert visible_codings(p, "Cem") == []
        assert [int(x.id) for x in visible_codings(p, "Dee")] == [a, b, c]      # coordinator
        assert [int(x.id) for x in visible_codings(p, p.coder("Tina"))] == [a, b, c]  # trainer
        assert not may_see(p, "Bob", p.coding(a)) and may_see(p, "Bob", p.coding(b))
