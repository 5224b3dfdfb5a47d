"""Videos of one 'session' from two cameras: room noise, and a clap at a known moment on each camera's clock."""

from __future__ import annotations

import subprocess
from pathlib import Path


def make_clapped_view(path: Path, *, clap_s: float, duration_s: float = 8.0, rate: int = 48000,
                      noise: float = 0.01, gain: float = 0.9, size: str = "320x180", fps: int = 25,
                      knock_s: float | None = None) -> Path:
    """A test-pattern video whose sound is faint noise plus a clap (a 30 ms burst) at ``clap_s``.

    ``knock_s`` adds a second, softer sound that only this camera hears (a cough near its mic).
    """
    clap = f"if(between(t,{clap_s},{clap_s + 0.03}),{gain}*(random(0)*2-1)*exp(-(t-{clap_s})*120),0)"
    knock = (f"+if(between(t,{knock_s},{knock_s + 0.02}),{gain / 3}*(random(0)*2-1),0)" if knock_s is not None
             else "")
    sound = f"{noise}*(random(1)*2-1)+{clap}{knock}"
    subprocess.run(
        ["ffmpeg", "-v", "error", "-y",
         "-f", "lavfi", "-i", f"testsrc2=size={size}:rate={fps}:duration={duration_s}",
         "-f", "lavfi", "-i", f"aevalsrc='{sound}':s={rate}:d={duration_s}",
         "-c:v", "libx264", "-preset", "ultrafast", "-g", "50", "-pix_fmt", "yuv420p",
         "-c:a", "aac", "-b:a", "96k", "-shortest", str(path)],
        check=True)
    return path
