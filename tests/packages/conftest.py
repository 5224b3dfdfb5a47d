"""A small trial whose identifying values are distinctive strings, so a leak can be found byte by byte."""

from __future__ import annotations

import json
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import pytest

from ssp_coder.domain.commands import AddCoder, AddEvent, CreateCoding, SetBoundary, SetClassification, SetScale
from ssp_coder.media import make_ssp_video, sha256_file
from ssp_coder.store.project import Project

# Everything a coder must not learn, each spelled so it cannot occur by chance.
LEAKS = {
    "participant": ["PIDLEAK7781", "PIDLEAK7782", "PIDLEAK7783"],
    "arm": ["ARMLEAKZZ", "ARMLEAKYY"],
    "site": ["SITELEAKQQ"],
    "timepoint": ["TPLEAKWW", "TPLEAKVV"],
    "video": ["VIDLEAKXX1", "VIDLEAKXX2", "VIDLEAKXX3", "VIDLEAKXX4"],
    "date": ["2019-03-17"],
    "extra": ["EXTRALEAKMM", "SEXLEAKNN"],
    "other coder": ["OTHERCODERKK", "OTHERNOTELEAK"],
    "project": ["PROJNAMELEAKJJ"],
    "folder": ["FOLDERLEAKHH"],
}


@dataclass
class Trial:
    path: Path
    folder: Path
    sessions: dict[str, int]        # blinded code -> session id
    codings: dict[tuple[str, str], int]   # (code, coder) -> coding id


def build_trial(tmp_path: Path, *, videos: bool = True) -> Trial:
    folder = tmp_path / "FOLDERLEAKHH"
    folder.mkdir()
    project = Project.create(folder / "trial.sspc", name="PROJNAMELEAKJJ", backups=False, actor="coordinator")
    plan = [("PIDLEAK7781", "ARMLEAKZZ", "TPLEAKWW", "K7Q2", "VIDLEAKXX1.mp4"),
            ("PIDLEAK7781", "ARMLEAKZZ", "TPLEAKVV", "M3X9", "VIDLEAKXX2.mp4"),
            ("PIDLEAK7782", "ARMLEAKYY", "TPLEAKWW", "P8D4", "VIDLEAKXX3.mp4"),
            ("PIDLEAK7783", "ARMLEAKYY", "TPLEAKVV", "R2T6", "VIDLEAKXX4.mp4")]
    sessions: dict[str, int] = {}
    with project.bulk() as bw:
        pids: dict[str, int] = {}
        for n, (pid, arm, tp, code, video) in enumerate(plan):
            if pid not in pids:
                pids[pid] = bw.add_participant(pid, arm, site="SITELEAKQQ", age_months=12.5, sex="SEXLEAKNN",
                                               extra={"notes": "EXTRALEAKMM"})
            vpath = folder / video
            sha = dur = fps = frames = None
            if videos:
                info = make_ssp_video(vpath, episode_seconds=0.2, seed=n)
                sha, dur, fps, frames = sha256_file(vpath), info.duration_ms, info.fps, info.frame_count
            sessions[code] = bw.add_session(pids[pid], tp, code, video_path=video, video_sha256=sha,
                                            duration_ms=dur or 200_000, fps=fps or 25.0, frame_count=frames,
                                            date_of_visit="2019-03-17", age_months=12.5)
    ann = project.execute(AddCoder("Ann")).inverse.coder_id
    other = project.execute(AddCoder("OTHERCODERKK")).inverse.coder_id
    codings: dict[tuple[str, str], int] = {}
    for code in ("K7Q2", "M3X9", "P8D4"):
        codings[(code, "Ann")] = project.execute(CreateCoding(sessions[code], ann, "primary")).inverse.coding_id
    codings[("R2T6", "OTHERCODERKK")] = project.execute(
        CreateCoding(sessions["R2T6"], other, "primary")).inverse.coding_id
    # Ann is the reliability coder of R2T6; the other coder's work there must never reach her.
    codings[("R2T6", "Ann")] = project.execute(CreateCoding(sessions["R2T6"], ann, "reliability")).inverse.coding_id
    codings[("K7Q2", "OTHERCODERKK")] = project.execute(
        CreateCoding(sessions["K7Q2"], other, "reliability")).inverse.coding_id
    oc = codings[("R2T6", "OTHERCODERKK")]
    project.execute(AddEvent(oc, "cry", 10, 50, note="OTHERNOTELEAK"))
    project.execute(SetClassification(oc, "B2"))
    project.execute(SetClassification(codings[("K7Q2", "OTHERCODERKK")], "C1"))
    # Ann's own work so far travels with her package.
    a = codings[("K7Q2", "Ann")]
    project.execute(SetBoundary(a, 1, 0, 100))
    project.execute(AddEvent(a, "cry", 20, 60))
    project.execute(SetScale(a, "ps", 5, "m", 3.5))
    project.close()
    return Trial(folder / "trial.sspc", folder, sessions, codings)


@pytest.fixture
def trial(tmp_path: Path) -> Trial:
    return build_trial(tmp_path)


@pytest.fixture
def trial_no_videos(tmp_path: Path) -> Trial:
    return build_trial(tmp_path, videos=False)


def open_trial(trial: Trial) -> Project:
    return Project.open(trial.path, actor="coordinator", backups=False)


def edit_manifest(package: Path, out: Path, edit: Callable[[dict], None]) -> Path:
    """A copy of ``package`` whose manifest ``edit`` has changed in place, not resealed: every other member as is."""
    with zipfile.ZipFile(package) as src, zipfile.ZipFile(out, "w") as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename == "manifest.json":
                manifest = json.loads(data)
                edit(manifest)
                data = json.dumps(manifest).encode()
            dst.writestr(item, data)
    return out
