"""The ELAN export writes its .eaf itself: byte for byte what pympi's ``Eaf.to_file`` writes for the same document."""

from __future__ import annotations

import pympi
import pytest

from ssp_coder.interchange import elan
from ssp_coder.interchange.eaf_xml import eaf_bytes, supported
from ssp_coder.interchange.model import Ethogram, ExportCoding, ExportEvent

ETHOGRAM = Ethogram((("cry", "Cry & fuss", True), ("look_door", "Look <door>", False), ("contact", "Contact", True)),
                    (1, 2, 3))
EVENTS = (ExportEvent("cry", 1_000, 4_500, True), ExportEvent("look_door", 2_000, None, False),
          ExportEvent("contact", 3_000, 3_000, True), ExportEvent("cry", 9_000, 12_000, True, "a \"note\""))

CODINGS = [
    ExportCoding("S1PR", "Ann", "primary", "videos/p1 pre.mp4", 1_400_000, 25.0,
                 ((1, 0, 30_000), (2, 30_000, 210_000)), EVENTS),
    ExportCoding("S2PO", 'Bob "B" <&>\tO\'Neil\nsecond line', "reliability", "/lab/videos/p2 & post.MP4", None, None,
                 ((1, 5, 30_005),), EVENTS[:2], "file:///lab/videos/p2%20%26%20post.MP4"),
    ExportCoding("S3PR", "Ann", "primary", None, None, None, (), ()),          # nothing coded yet
    ExportCoding("S4PR", "Zoë", "primary", "clip.m4v", None, None, ((3, 1, 2),), EVENTS[2:]),
]


def _both(tmp_path, coding: ExportCoding, monkeypatch) -> tuple[bytes, bytes]:
    fast = elan.write_eaf(tmp_path / "fast.eaf", coding, ETHOGRAM).read_bytes()
    monkeypatch.setattr(elan, "supported", lambda eaf: False)        # the document pympi writes
    slow = elan.write_eaf(tmp_path / "slow.eaf", coding, ETHOGRAM).read_bytes()
    monkeypatch.undo()
    return fast, slow


def _without_date(data: bytes) -> bytes:
    import re
    return re.sub(rb'DATE="[^"]*"', b'DATE=""', data)


@pytest.mark.parametrize("coding", CODINGS, ids=[c.session_code for c in CODINGS])
def test_the_file_is_the_one_pympi_writes(tmp_path, coding, monkeypatch):
    fast, slow = _both(tmp_path, coding, monkeypatch)
    # the two files were made a moment apart: only the document's date may differ
    assert _without_date(fast) == _without_date(slow)
    back = pympi.Elan.Eaf(str(tmp_path / "fast.eaf"))
    assert sorted(back.get_tier_names()) == sorted(["episode", "cry", "look_door", "contact"])


def test_the_same_eaf_object_gives_the_same_bytes(tmp_path):
    eaf = pympi.Elan.Eaf(author="ssp-coder")
    eaf.add_tier("cry", ann="Ann & Bob")
    eaf.add_annotation("cry", 10, 20, "cry <loud>")
    eaf.add_annotation("cry", 30, 40, "")
    eaf.remove_tier("default")
    assert supported(eaf)
    eaf.to_file(str(tmp_path / "p.eaf"))
    assert eaf_bytes(eaf) == (tmp_path / "p.eaf").read_bytes()


def test_parts_the_export_never_writes_are_left_to_pympi(tmp_path):
    eaf = pympi.Elan.Eaf(author="ssp-coder")
    eaf.add_license("CC-BY", "https://example.org/cc-by")
    assert not supported(eaf)
    eaf = pympi.Elan.Eaf(author="ssp-coder")
    eaf.add_tier("words")
    eaf.add_annotation("words", 0, 100, "hello")
    eaf.add_linguistic_type("sym", "Symbolic_Association")
    eaf.add_tier("gloss", ling="sym", parent="words")
    eaf.add_ref_annotation("gloss", "words", 50, "greeting")
    assert not supported(eaf)
    coding = CODINGS[0]
    with pytest.MonkeyPatch.context() as m:
        calls = []
        real = pympi.Elan.Eaf.to_file
        m.setattr(elan, "supported", lambda eaf: False)
        m.setattr(pympi.Elan.Eaf, "to_file", lambda self, path, *a: calls.append(path) or real(self, path, *a))
        elan.write_eaf(tmp_path / "x.eaf", coding, ETHOGRAM)
    assert len(calls) == 1 and (tmp_path / "x.eaf").read_bytes().startswith(b"<?xml")
