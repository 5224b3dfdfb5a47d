"""Scoring: turns codings into the variables a trial reports (no Qt).

Public API:
- ``score(project) -> DataFrame``: one row per session, the final coding's variables.
- ``score_codings(project, coding_ids=None, *, settings=None) -> DataFrame``: one row per coding.
- ``check_coding(state, scheme, settings, video_duration_ms=None) -> list[ScoringWarning]``.
- ``variable_catalogue(scheme, settings) -> list[VariableInfo]``: every column of ``score``.
"""

from ssp_coder.scoring.catalogue import VariableInfo, variable_catalogue
from ssp_coder.scoring.checks import ScoringWarning, Warning, check_coding
from ssp_coder.scoring.engine import final_codings, score, score_codings, score_states
from ssp_coder.scoring.settings import scoring_settings
from ssp_coder.scoring.single import score_state

__all__ = ["score", "score_codings", "score_states", "score_state", "check_coding", "variable_catalogue",
           "VariableInfo", "ScoringWarning", "Warning", "scoring_settings", "final_codings"]
