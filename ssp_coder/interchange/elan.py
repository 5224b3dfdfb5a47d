"""ELAN annotation files (``.eaf``), read and written through pympi-ling.

Tiers are behaviours (a tier per behaviour) or one tier holds the behaviour
as each annotation's value; both work, because every annotation is looked
up in the map as "tier: value", then "value", then "tier". A tier's
ANNOTATOR names the coder. The linked media (MEDIA_DESCRIPTOR) identify the
session; its TIME_ORIGIN (the media time at which the timeline starts) is
added to every annotation time.

ELAN has no point annotations: points are written as 1 ms annotations and a
point behaviour takes the start of whatever annotation it comes from.
"""

from __future__ import annotations

import contextlib
import io
from pathlib import Path
from urllib.parse import unquote, urlparse

from ssp_coder.atomic import atomic_path
from ssp_coder.interchange.eaf_xml import eaf_bytes, supported
from ssp_coder.interchange.model import CodingProblem, CodingsFile, Ethogram, ExportCoding, Mark, Observation

POINT_MS = 1
EPISODE_TIER = "episode"


def _media_paths(descriptor: dict) -> list[str]:
    """The video's absolute path and its path relative to the .eaf: ELAN keeps both, either may be stale."""
    out = []
    for key in ("MEDIA_URL", "RELATIVE_MEDIA_URL"):
        url = descriptor.get(key)
        if not url:
            continue
        parsed = urlparse(url)
        if parsed.scheme in ("file", ""):
            out.append(unquote(parsed.path if parsed.scheme else url))
    return list(dict.fromkeys(out))


def _candidates(tier: str, value: str) -> tuple[str, ...]:
    names = [f"{tier}: {value}" if value else "", value, tier]
    return tuple(dict.fromkeys(n for n in names if n))


def read_eaf(path: str | Path) -> CodingsFile:
    import pympi

    p = Path(path)
    out = CodingsFile(str(p), "elan")
    if not p.is_file():
        out.problems.append(CodingProblem("the file does not exist. Check the path."))
        return out
    try:
        with contextlib.redirect_stderr(io.StringIO()):   # pympi warns on stderr about versions it has not seen
            eaf = pympi.Elan.Eaf(str(p))
    except Exception as exc:  # noqa: BLE001  pympi raises bare Exception for files it cannot parse
        if isinstance(exc, (MemoryError, RecursionError)):
            raise
        out.problems.append(CodingProblem(f"not a readable ELAN file ({type(exc).__name__}: {exc}). Save it again "
                                          "in ELAN (File > Save As, .eaf) and import that."))
        return out
    media: list[str] = []
    origin = 0
    videos = [d for d in eaf.media_descriptors if str(d.get("MIME_TYPE", "")).startswith("video")]
    for d in (videos or eaf.media_descriptors)[:1]:    # the first video is the session's
        media = _media_paths(d)
        with contextlib.suppress(TypeError, ValueError):
            origin = int(d.get("TIME_ORIGIN") or 0)
    obs = Observation(p.stem, tuple(media), str(p.parent))
    for tier in eaf.get_tier_names():
        attrs = eaf.tiers[tier][2]
        annotator = (attrs.get("ANNOTATOR") or "").strip() or None
        try:
            rows = eaf.get_annotation_data_for_tier(tier)
        except KeyError as exc:
            out.problems.append(CodingProblem(f"an annotation refers to a missing time slot or parent ({exc}); "
                                              "open and save the file in ELAN.", observation=obs.id, tier=tier))
            continue
        for row in rows:
            start, end, value = row[0], row[1], str(row[2] or "").strip()
            if start is None or end is None:
                out.problems.append(CodingProblem(
                    f"annotation {value!r} is not aligned to the time line (no time); align it in ELAN.",
                    observation=obs.id, tier=tier, time_ms=start))
                continue
            obs.marks.append(Mark(_candidates(tier, value), "interval", int(start) + origin, int(end) + origin,
                                  tier=tier, subject=annotator))
    obs.marks.sort(key=lambda m: (m.onset_ms, m.offset_ms or 0))
    out.observations.append(obs)
    return out


# The MIME type ELAN records for a linked media file, by the endings camcorders, phones and digitised
# tapes give (pympi guesses only a few and fails on the rest); ELAN itself writes "unknown" otherwise.
MEDIA_TYPES = {
    ".mp4": "video/mp4", ".m4v": "video/mp4", ".mov": "video/quicktime", ".qt": "video/quicktime",
    ".mts": "video/mp2t", ".m2ts": "video/mp2t", ".ts": "video/mp2t", ".mpg": "video/mpeg", ".mpeg": "video/mpeg",
    ".vob": "video/mpeg", ".m2v": "video/mpeg", ".avi": "video/x-msvideo", ".dv": "video/x-dv",
    ".mkv": "video/x-matroska", ".webm": "video/webm", ".wmv": "video/x-ms-wmv", ".3gp": "video/3gpp",
    ".wav": "audio/x-wav", ".mp3": "audio/mpeg", ".m4a": "audio/mp4",
}
UNKNOWN_MEDIA_TYPE = "unknown"


def write_eaf(path: str | Path, coding: ExportCoding, ethogram: Ethogram) -> Path:
    """One coding as an .eaf: a tier per behaviour (coded or not), and an 'episode' tier."""
    import pympi

    target = Path(path)
    eaf = pympi.Elan.Eaf(author="ssp-coder")
    if coding.media:
        mime = MEDIA_TYPES.get(Path(coding.media).suffix.lower(), UNKNOWN_MEDIA_TYPE)
        relative = None if Path(coding.media).is_absolute() else Path(coding.media).as_posix()
        if relative is not None and not relative.startswith("."):
            relative = f"./{relative}"
        # A blinded export has no absolute location to give; ELAN then finds the video beside the file.
        eaf.add_linked_file(coding.media_url or relative or coding.media, relpath=relative, mimetype=mime)
    eaf.add_tier(EPISODE_TIER, ann=coding.coder)
    for ep, on, off in coding.boundaries:
        eaf.add_annotation(EPISODE_TIER, on, off, str(ep))
    for code, _desc, _state in ethogram.behaviours:
        eaf.add_tier(code, ann=coding.coder)
    for e in coding.events:
        end = e.offset_ms if e.is_state and e.offset_ms is not None and e.offset_ms > e.onset_ms else None
        eaf.add_annotation(e.code, e.onset_ms, end if end is not None else e.onset_ms + POINT_MS, e.code)
    if "default" in eaf.tiers and not eaf.tiers["default"][0]:
        eaf.remove_tier("default")
    with atomic_path(target) as tmp:
        if supported(eaf):
            Path(tmp).write_bytes(eaf_bytes(eaf))     # the same bytes as eaf.to_file, without its slow tree
        else:
            eaf.to_file(str(tmp))
    return target
