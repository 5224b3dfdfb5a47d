"""Media: probe videos, hash them, and synthesize demo SSP videos (PyAV)."""

from .errors import MediaError
from .hashing import sha256_file
from .probe import VideoInfo, frame_index_at, ms_at_frame, probe_video
from .synth import EPISODE_PRESENCE, make_ssp_video, ssp_episode_plan, video_encoder

__all__ = [
    "EPISODE_PRESENCE",
    "MediaError",
    "VideoInfo",
    "frame_index_at",
    "make_ssp_video",
    "ms_at_frame",
    "probe_video",
    "sha256_file",
    "ssp_episode_plan",
    "video_encoder",
]
