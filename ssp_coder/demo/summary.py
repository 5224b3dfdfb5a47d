"""A terminal summary of a project, for ``ssp-coder demo --no-gui``."""

from __future__ import annotations

from collections import Counter, defaultdict

from ssp_coder.store.project import Project


def project_summary(project: Project) -> str:
    counts = project.counts()
    coders = project.coders()
    codings = project.codings()
    lines = [f"Project: {project.name}", f"  file: {project.path}",
             f"  {counts['participants']} participants, {counts['sessions']} sessions, {counts['events']} events",
             "  coders: " + ", ".join(f"{c.name} ({c.role})" for c in coders)]
    by = Counter((c.purpose, c.status) for c in codings)
    lines.append("  codings: " + ", ".join(f"{purpose} {by[(purpose, 'complete')]} complete"
                                           + (f" + {by[(purpose, 'draft')]} draft" if by[(purpose, 'draft')] else "")
                                           for purpose in ("primary", "reliability", "consensus")))
    participants = {p.id: p for p in project.participants()}
    # the final coding of a session: the consensus if there is one, else the primary's (complete only)
    chosen: dict[int, int] = {}
    for c in sorted(codings, key=lambda c: c.purpose != "primary"):
        if c.status == "complete" and c.purpose in ("primary", "consensus"):
            chosen[int(c.session_id)] = int(c.id)
    final = {sid: project.coding_state(cid).result.classification or "" for sid, cid in chosen.items()}
    table: dict[tuple[str, str], Counter] = defaultdict(Counter)
    incomplete = 0
    for s in project.sessions():
        code = final.get(int(s.id))
        if code is None:
            incomplete += 1
            continue
        group = "D" if code in ("D", "CC", "U") else code[0]
        table[(participants[s.participant_id].arm, s.timepoint)][group] += 1
    lines.append("  final classifications (consensus if any, else primary; complete codings only):")
    lines.append(f"    {'arm':<6}{'time':<7}{'n':>4}{'secure':>9}{'D':>7}   A/B/C/D")
    for (arm, tp), cnt in sorted(table.items(), key=lambda kv: (kv[0][0], kv[0][1] != "pre")):
        n = sum(cnt.values())
        lines.append(f"    {arm:<6}{tp:<7}{n:>4}{100 * cnt['B'] / n:>8.0f}%{100 * cnt['D'] / n:>6.0f}%   "
                     f"{cnt['A']}/{cnt['B']}/{cnt['C']}/{cnt['D']}")
    if incomplete:
        lines.append(f"  {incomplete} session(s) have no completed final coding yet (listed by 'ssp-coder status').")
    return "\n".join(lines)
