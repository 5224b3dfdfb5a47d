"""Inter-rater reliability: double-coding plan, agreement report, consensus, certification (no Qt).

Public API (what the CLI and the Reliability window use):

- ``plan_double_coding(project, *, share=None, seed=None, coders=None) -> DoubleCodingPlan``;
  ``apply_plan(project, plan) -> list[int]``
- ``reliability_report(project, *, confidence=0.95, timed=True) -> ReliabilityReport``;
  ``write_report_xlsx(report, path)``, ``write_figures(report, folder)``, ``report.drift_figure()``
- ``compare_codings(project, a, b) -> CodingDiff``; ``pair_for_session(project, code)``;
  ``create_consensus(project, session, *, decider, choices, reasons, base) -> int``;
  ``conference_list(project) -> DataFrame``
- ``mark_gold(project, code, coding_id, trainer)``; ``certification_report(project, trainee, *, pass_share=None)``;
  ``write_certification(report, path)`` (.pdf or .xlsx)
- ``visible_codings(project, coder)``: the blinding rule.
"""
