"""Sizes and colours of the timeline, shared by its drawing and its mouse editing."""

EPISODE_COLOURS = ("#9aa7b8", "#8fb3d9", "#a8c99a", "#e0b07a", "#7fc6b8", "#d99a9a", "#c7a6d9", "#86c2a0",
                   "#b8b08f", "#a0a0c8")
GUTTER = 128
RULER_H = 18
EPISODE_H = 20
DLANE_H = 14
LANE_H = 15
GRAB_PX = 5
PLAYHEAD_HALF_PX = 3       # the playhead pen is 2 px wide; a strip this wide either side covers it
RULER_STEPS = (100, 200, 500, 1000, 2000, 5000, 10_000, 15_000, 30_000, 60_000, 120_000, 300_000, 600_000)
