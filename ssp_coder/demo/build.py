"""Build the demo trial: 24 participants x pre/post, synthetic videos, three coders, codings.

Deterministic for a given seed (apart from the random blinded codes and the
project id, which are drawn the way a real project draws them).
"""

from __future__ import annotations

import csv
import random
import time
from concurrent.futures import as_completed
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from ssp_coder.assignments import assign
from ssp_coder.demo.codings import coding_commands, draw_scales
from ssp_coder.demo.home import PROJECT_NAME, PROJECT_TITLE, demo_home, replacing, reuse_problem
from ssp_coder.demo.truth import allocate_groups, draw_truth, perceive, rates_for
from ssp_coder.domain.commands import AddCoder, CreateCoding
from ssp_coder.domain.scheme import Scheme, load_builtin_scheme, scheme_from_dict
from ssp_coder.media import make_ssp_video, ssp_episode_plan
from ssp_coder.processes import process_pool
from ssp_coder.roster import import_roster
from ssp_coder.store.project import Project

CODERS = (("Ana Alvarez", "coder"), ("Ben Okafor", "coder"), ("Chloe Martin", "coder"),
          ("Dana Lead", "coordinator"), ("Eve Trainer", "trainer"))
ARMS = ("ABC", "DEF")          # intervention and active control, as in Bernard et al. (2012)
INTERVENTION = "ABC"
SITES = ("Newark", "Wilmington")
FPS = 25
Progress = Callable[[float, float, str], None]


@dataclass(frozen=True)
class DemoResult:
    folder: Path
    project_path: Path
    sessions: int
    seconds: float
    reused: bool
    note: str = ""   # why an existing demo was replaced, if it was


def demo_scheme(episode_seconds: float = 2.0) -> Scheme:
    """The infant scheme with its clock compressed to match the short demo videos.

    Every time-based setting (nominal episode lengths, frequency interval,
    proration target) is scaled by the same factor, so the demo's scores and
    warnings behave as they would on a real 21-minute recording.
    """
    base = load_builtin_scheme()
    raw = dict(base.raw)
    factor = episode_seconds / 180.0
    raw["id"] = base.id + "-demo"
    raw["name"] = base.name + " — demo timing"
    raw["description"] = (f"Demo copy of {base.id}: the synthetic videos compress each 3-minute episode to "
                          f"{episode_seconds:g} s, so every time-based setting is scaled by {factor:.5f}.")
    # nominal lengths are those of the synthetic videos (introduction half an episode, as in ssp_episode_plan)
    lengths = {ep: (off - on) / 1000 for ep, on, off in ssp_episode_plan(episode_seconds, FPS)}
    raw["episodes"] = [dict(ep, nominal_s=round(lengths.get(ep["number"], ep["nominal_s"] * factor), 4))
                       for ep in raw["episodes"]]
    settings = dict(raw.get("settings", {}))
    settings["interval_s"] = round(15 * factor, 5)
    settings["prorate_to_s"] = round(180 * factor, 5)
    raw["settings"] = settings
    return scheme_from_dict(raw, origin="demo scheme")


def _make_video(args: tuple[str, float, int]) -> str:
    path, episode_seconds, seed = args
    make_ssp_video(path, episode_seconds=episode_seconds, fps=FPS, seed=seed)
    return path


def _write_videos(jobs: list[tuple[str, float, int]], workers: int, progress: Progress | None) -> None:
    done: set[str] = set()
    if workers > 1:
        try:
            # make_ssp_video itself goes to the workers, so each spawned worker imports only the media module
            with process_pool(workers) as pool:
                futures = {pool.submit(make_ssp_video, path, episode_seconds=seconds, fps=FPS, seed=seed): path
                           for path, seconds, seed in jobs}
                for future in as_completed(futures):
                    future.result()
                    done.add(futures[future])
                    if progress:
                        progress(len(done), len(jobs), "videos")
            return
        except (OSError, RuntimeError):  # no process pool on this platform: do it here
            pass
    for job in jobs:
        if job[0] in done:
            continue
        _make_video(job)
        done.add(job[0])
        if progress:
            progress(len(done), len(jobs), "videos")


def build_demo(folder: str | Path | None = None, *, seed: int = 7, participants: int = 24,
               episode_seconds: float = 2.0, workers: int = 2, progress: Progress | None = None,
               fresh: bool = False) -> DemoResult:
    """The demo project in ``folder`` (the per-user demo folder by default): reused when it is there and
    usable, else built; ``fresh`` builds a new one in its place either way.

    A new demo is built beside the folder and swapped in only when complete (see ``demo.home``).
    """
    start = time.perf_counter()
    folder = Path(folder).expanduser() if folder else demo_home()
    project_path = folder / PROJECT_NAME
    why = "" if fresh else reuse_problem(folder)
    if why is None:
        return _reused(folder, start)
    with replacing(folder, keep_a_good_one=not fresh) as new:
        _build_in(new.path, seed=seed, participants=participants, episode_seconds=episode_seconds,
                  workers=workers, progress=progress)
    if not new.swapped:   # another ssp-coder finished a demo here first: use that one
        return _reused(folder, start)
    note = ""
    if why and why != "it holds no demo project":
        note = f"The demo in {folder} could not be reused ({why}), so a new one was built."
    with Project.open(project_path, read_only=True, backups=False) as p:
        n = p.counts()["sessions"]
    return DemoResult(folder, project_path, n, time.perf_counter() - start, False, note)


def _reused(folder: Path, start: float) -> DemoResult:
    with Project.open(folder / PROJECT_NAME, read_only=True, backups=False) as p:
        n = p.counts()["sessions"]
    return DemoResult(folder, folder / PROJECT_NAME, n, time.perf_counter() - start, True)


def _build_in(folder: Path, *, seed: int, participants: int, episode_seconds: float, workers: int,
              progress: Progress | None) -> None:
    """Build the demo in the empty ``folder``; every path stored in it is relative, so it can be moved."""
    rng = random.Random(seed)
    video_dir = folder / "videos"
    video_dir.mkdir(exist_ok=True)
    rows, jobs = [], []
    for i in range(participants):
        pid = f"P{i + 1:03d}"
        arm = ARMS[i % 2]
        site = SITES[(i // 2) % 2]
        sex = rng.choice(["F", "M"])
        age = round(rng.uniform(11.5, 24), 1)
        for t, tp in enumerate(("pre", "post")):
            name = f"{pid}_{tp}.mp4"
            jobs.append((str(video_dir / name), episode_seconds, seed * 1000 + i * 2 + t))
            rows.append({"participant_id": pid, "timepoint": tp, "arm": arm, "video": f"videos/{name}",
                         "site": site, "age_months": f"{age + 6 * t:.1f}", "sex": sex,
                         "date_of_visit": f"2025-{1 + (i % 6) + 6 * t:02d}-{1 + i % 27:02d}"})
    _write_videos(jobs, workers, progress)
    roster = folder / "roster.csv"
    with open(roster, "w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)

    scheme = demo_scheme(episode_seconds)
    with Project.create(folder / PROJECT_NAME, name=PROJECT_TITLE, scheme=scheme, actor="demo") as project:
        import_roster(project, roster)
        # The roster import records where the videos are now; the demo's folder is moved into place after
        # the build, so the links are made relative to the project's folder (as a relinked video is).
        with project.bulk(actor="demo") as w:
            for s in project.sessions():
                w.relink_video(int(s.id), Path(s.video_path).relative_to(folder.resolve()).as_posix())
        project.execute_many([AddCoder(name, role) for name, role in CODERS])
        _code_everything(project, rng, episode_seconds)


def _code_everything(project: Project, rng: random.Random, episode_seconds: float) -> None:
    scheme = project.scheme
    coders = [n for n, role in CODERS if role == "coder"]
    assign(project, coders, purpose="primary", seed=rng.randint(0, 10**6))
    participants = {p.id: p for p in project.participants()}
    sessions = project.sessions()
    plan = ssp_episode_plan(episode_seconds, FPS)
    frame_ms = 1000 / FPS

    # 25 % double-coded, stratified by arm x timepoint (3 of the 12 sessions in each stratum)
    strata: dict[tuple[str, str], list] = {}
    for s in sessions:
        strata.setdefault((participants[s.participant_id].arm, s.timepoint), []).append(s)
    double = {s.id for key in sorted(strata) for s in rng.sample(strata[key], max(1, round(len(strata[key]) / 4)))}
    coder_ids = {c.name: int(c.id) for c in project.coders()}
    primary_of = {int(c.session_id): c for c in project.codings(purpose="primary")}
    reliability_cmds = []
    for s in sessions:
        if s.id in double:
            primary_coder = next(n for n, i in coder_ids.items() if i == int(primary_of[int(s.id)].coder_id))
            others = [c for c in coders if c != primary_coder]
            reliability_cmds.append(CreateCoding(int(s.id), coder_ids[others[int(s.id) % 2]], "reliability"))
    project.execute_many(reliability_cmds, actor="Dana Lead")

    single = [s.id for s in sessions if s.id not in double]
    # Work left for whoever opens the demo as the first coder: one session not started, one in progress;
    # and two more drafts elsewhere, so the summary has incomplete sessions to list.
    first_coder = coder_ids[coders[0]]
    own = [sid for sid in single if int(primary_of[int(sid)].coder_id) == first_coder]
    untouched = set(own[:1]) if len(single) >= 8 else set()
    drafts = set(own[1:2]) if len(single) >= 8 else set()
    others = [sid for sid in single if sid not in untouched | drafts]
    drafts |= set(rng.sample(others, min(2, len(others) // 8)))
    consensus_left_open = False
    disagree = set(rng.sample(sorted(double), min(len(double), max(1, round(0.2 * len(double))))))
    groups: dict[int, str] = {}
    for (arm, tp), members in sorted(strata.items()):
        for s, g in zip(members, allocate_groups(rng, rates_for(arm == INTERVENTION, tp), len(members))):
            groups[int(s.id)] = g
    with project.bulk(actor="demo") as w:
        for s in sessions:
            p = participants[s.participant_id]
            truth = draw_truth(rng, p.arm == INTERVENTION, s.timepoint, groups[int(s.id)])
            shown = draw_scales(scheme, truth, rng)   # what the infant did; each coder rates it with small noise
            views = {}
            for coding in project.codings(session_id=int(s.id)):
                if s.id in untouched:
                    continue
                # The primary coding stands for what the infant did (so the demo's arms show the base rates);
                # about one second coder in five reads the classification differently, as in real double coding.
                differs = coding.purpose == "reliability" and s.id in disagree
                seen = perceive(rng, truth, accuracy=0.0 if differs else 1.0)
                views[coding.purpose] = seen
                for cmd in coding_commands(int(coding.id), scheme, plan, seen, rng, frame_ms=frame_ms,
                                           jitter_frames=1 if coding.purpose == "reliability" else 0,
                                           complete=s.id not in drafts, scale_values=shown):
                    w.execute(cmd)
            if "reliability" in views and views["reliability"].classification != views["primary"].classification:
                if not consensus_left_open:
                    consensus_left_open = True  # one disagreement waits for the user to conference
                    continue
                applied = w.execute(CreateCoding(int(s.id), coder_ids["Dana Lead"], "consensus"))
                cid = int(applied.inverse.coding_id)
                for cmd in coding_commands(cid, scheme, plan, truth, rng, frame_ms=frame_ms, scale_values=shown):
                    w.execute(cmd)
