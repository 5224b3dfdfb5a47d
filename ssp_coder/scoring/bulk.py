"""Scoring many codings at once: numpy over all events together.

Computes exactly what ``single.score_state`` computes (a test checks that
the two agree), with sorted-key searches instead of per-coding loops:
windows are keyed ``row * BIG + onset`` so one ``searchsorted`` places every
event of every coding in its episode. Codings whose boundaries overlap or run
out of order (which the checks flag anyway) are handed to the per-coding
function, so the answer never depends on which path ran.
"""

from __future__ import annotations

from typing import Any, Mapping

import numpy as np
import pandas as pd

from ssp_coder.domain.scheme import Scheme
from ssp_coder.scoring import checks as C
from ssp_coder.scoring.catalogue import approach_enabled, cry_enabled, variable_columns
from ssp_coder.scoring.settings import scoring_settings
from ssp_coder.memory import reuse_heap_for_large_arrays
from ssp_coder.store.readmodels import CodingFrames

BIG = np.int64(1) << np.int64(40)   # > any time in ms; row * BIG + t stays in int64 for 8 million rows


def _rows(index: pd.Index, ids: pd.Series) -> np.ndarray:
    """Row of each coding id in ``index`` (-1 if absent)."""
    if len(ids) == 0:
        return np.zeros(0, np.int64)
    values = ids.to_numpy(np.int64)
    keys = index.to_numpy(np.int64)
    if index.is_monotonic_increasing and len(keys):
        # The store reads in coding order: a binary search beats hashing millions of ids, and when the
        # ids themselves come in order (events grouped by coding), one search per run of equal ids.
        if len(values) > 1 and (values[1:] >= values[:-1]).all():
            starts = np.flatnonzero(np.r_[True, values[1:] != values[:-1]])
            run_ids = values[starts]
            run_pos = np.minimum(np.searchsorted(keys, run_ids), len(keys) - 1)
            run_pos = np.where(keys[run_pos] == run_ids, run_pos, -1)
            return np.repeat(run_pos, np.diff(np.r_[starts, len(values)]))
        pos = np.minimum(np.searchsorted(keys, values), len(keys) - 1)
        return np.where(keys[pos] == values, pos, -1)
    return index.get_indexer(values)


def _codes(series: pd.Series, categories: list[str]) -> np.ndarray:
    """Position of each value in ``categories`` (-1 if absent); fast when the column is categorical."""
    if len(series) == 0:
        return np.zeros(0, np.int64)
    cats = pd.Index(list(categories), dtype=object)
    if isinstance(series.dtype, pd.CategoricalDtype):
        remap = np.append(cats.get_indexer(series.cat.categories.astype(object)), -1).astype(np.int16)
        return remap[series.cat.codes.to_numpy()]   # code -1 (missing) picks the appended -1
    return cats.get_indexer(series.to_numpy(object)).astype(np.int16)   # small: fewer bytes to move


def _num(series: pd.Series) -> np.ndarray:
    if series.dtype.kind in "fiu":
        return series.to_numpy(np.float64)
    return pd.to_numeric(series, errors="coerce").to_numpy(np.float64)


class _Warnings:
    def __init__(self) -> None:
        self.parts: list[pd.DataFrame] = []

    def add(self, rows: np.ndarray, code: str, texts: list[str], sub: Any = 0, sub_s: Any = "") -> None:
        if len(rows) == 0:
            return
        self.parts.append(pd.DataFrame({"r": rows, "rank": C.RANK[code], "sub": sub, "sub_s": sub_s,
                                        "text": [f"{code}: {t}" for t in texts]}))

    def joined(self, n: int) -> np.ndarray:
        out = np.full(n, "", dtype=object)
        if not self.parts:
            return out
        df = pd.concat(self.parts, ignore_index=True).sort_values(["r", "rank", "sub", "sub_s"], kind="stable")
        rows, texts = df["r"].to_numpy(), df["text"].to_numpy(object)
        starts = np.flatnonzero(np.r_[True, rows[1:] != rows[:-1]])
        ends = np.r_[starts[1:], len(rows)]
        for a, b in zip(starts, ends):   # one join per coding with findings
            out[rows[a]] = "; ".join(texts[a:b])
        return out


def score_frames(frames: CodingFrames, scheme: Scheme, settings: Mapping[str, Any] | None = None,
                 video_durations: Mapping[int, int | None] | None = None) -> pd.DataFrame:
    """Variables for every coding in ``frames.codings`` (same row order), identifiers not included."""
    if len(frames.events) > 1_000_000:
        reuse_heap_for_large_arrays()
    s = scoring_settings(scheme, settings)
    cod = frames.codings
    ids = cod["coding_id"].to_numpy(np.int64)
    index = pd.Index(ids)
    n_rows, n_ep = len(ids), len(scheme.episodes)
    if n_rows == 0:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in variable_columns(scheme, s)})
    eps = np.array(scheme.episode_numbers)
    out: dict[str, Any] = {}
    warn = _Warnings()

    # -- classification -----------------------------------------------------------------------
    res = frames.results
    rr = _rows(index, res["coding_id"])
    ok = rr >= 0
    cls = np.full(n_rows, None, dtype=object)
    forced = np.full(n_rows, None, dtype=object)
    d = np.full(n_rows, np.nan)
    cls[rr[ok]] = res["classification"].to_numpy(object)[ok]
    forced[rr[ok]] = res["forced_secondary"].to_numpy(object)[ok]
    d[rr[ok]] = _num(res["d_rating"])[ok]
    cls = np.where(pd.isna(cls), None, cls)
    forced = np.where(pd.isna(forced), None, forced)
    gmap = {c.code: c.group for c in scheme.classifications}
    group = np.array([gmap.get(c) if c is not None else None for c in cls], dtype=object)
    abcd = group.copy()
    for g, key, own in (("CC", "cc_handling", "CC"), ("U", "unclassifiable_handling", "U")):
        h = s[key]
        abcd[group == g] = None if h == "missing" else h
    # the forced secondary is a subgroup (B3) or only the main category (B): either way abc_forced is B
    fgroup = np.array([scheme.forced_group(f) for f in forced], dtype=object)
    abc_forced = np.where(group == "D", fgroup, np.where(np.isin(group, ["CC", "U"]), None, group))
    shown = np.array([f"{c}/{f}" if c and f else c for c, f in zip(cls, forced)], dtype=object)
    has_abcd = np.array([a is not None for a in abcd], dtype=bool)
    has_group = np.array([g is not None for g in group], dtype=bool)
    cutoff = float(s["d_cutoff"])
    out.update({
        "classification": shown, "abcd": abcd, "abcd_subgroup": cls, "forced_secondary": forced,
        "abc_forced": abc_forced,
        "secure": np.where(has_abcd, (abcd == "B").astype(float), np.nan),
        "disorganized": np.where(has_abcd, (abcd == "D").astype(float), np.nan),
        "cc": np.where(has_group, (group == "CC").astype(float), np.nan),
        "d_rating": d, "d_high": np.where(np.isnan(d), np.nan, (d >= cutoff).astype(float)),
    })
    rated = ~np.isnan(d) & has_group
    m = rated & (d >= cutoff) & (abcd != "D")
    warn.add(np.flatnonzero(m), "d_high_not_d", [C.msg_d_high_not_d(d[i], cutoff, cls[i]) for i in np.flatnonzero(m)])
    m = rated & (group == "D") & (d < cutoff)
    warn.add(np.flatnonzero(m), "d_low_but_d", [C.msg_d_low_but_d(d[i], cutoff) for i in np.flatnonzero(m)])
    needs = {c.code for c in scheme.classifications if c.requires_forced_secondary}
    m = np.array([c in needs for c in cls], dtype=bool) & np.array([f is None for f in forced], dtype=bool)
    warn.add(np.flatnonzero(m), "d_no_forced", [C.MSG_D_NO_FORCED] * int(m.sum()))

    # -- boundaries ----------------------------------------------------------------------------
    on = np.full((n_rows, n_ep), np.nan)
    off = np.full((n_rows, n_ep), np.nan)
    flag = np.full((n_rows, n_ep), None, dtype=object)
    b = frames.boundaries
    br = _rows(index, b["coding_id"])
    be = b["episode"].to_numpy(np.int64) - 1 if len(b) else np.zeros(0, np.int64)
    keep = (br >= 0) & (be >= 0) & (be < n_ep)
    on[br[keep], be[keep]] = _num(b["onset_ms"])[keep]
    off[br[keep], be[keep]] = _num(b["offset_ms"])[keep]
    flag[br[keep], be[keep]] = b["flag"].to_numpy(object)[keep]
    flag = np.where(pd.isna(flag), None, flag)
    valid = ~np.isnan(on) & ~np.isnan(off)
    irregular = np.zeros(n_rows, bool)
    prev_off = np.full(n_rows, -np.inf)
    for c in range(n_ep):
        v = valid[:, c]
        irregular |= v & ((on[:, c] < prev_off) | (off[:, c] <= on[:, c]))
        prev_off = np.where(v, off[:, c], prev_off)
    dur = off - on
    for c, n in enumerate(eps):
        out[f"episode_{n}_s"] = np.where(valid[:, c], dur[:, c] / 1000, np.nan)
        out[f"curtailed_e{n}"] = (flag[:, c] == "curtailed").astype(np.int64)
        out[f"extended_e{n}"] = (flag[:, c] == "extended").astype(np.int64)
    for c in range(1, n_ep):
        both = ~np.isnan(on[:, c]) & ~np.isnan(on[:, c - 1])
        order = both & (on[:, c] < on[:, c - 1])
        overlap = both & ~order & ~np.isnan(off[:, c - 1]) & (on[:, c] < off[:, c - 1])
        n, p = int(eps[c]), int(eps[c - 1])
        rows = np.flatnonzero(order)
        warn.add(rows, "boundary_order", [C.msg_boundary_order(n, p)] * len(rows), n)
        rows = np.flatnonzero(overlap)
        warn.add(rows, "boundary_overlap", [C.msg_boundary_overlap(n, p, on[i, c], off[i, c - 1]) for i in rows], n)
    tol = float(s["episode_length_tolerance"])
    video = np.full(n_rows, np.nan)
    if video_durations:
        video = pd.to_numeric(cod["session_id"].map(video_durations), errors="coerce").to_numpy(np.float64)
    for c, ep in enumerate(scheme.episodes):
        length = dur[:, c] / 1000
        bad = valid[:, c] & np.array([f is None for f in flag[:, c]], bool) & \
            (np.abs(length - ep.nominal_s) > tol * ep.nominal_s)
        rows = np.flatnonzero(bad)
        warn.add(rows, "episode_length", [C.msg_episode_length(ep.number, length[i], ep.nominal_s) for i in rows],
                 ep.number)
        rows = np.flatnonzero(~np.isnan(off[:, c]) & ~np.isnan(video) & (off[:, c] > video))
        warn.add(rows, "boundary_after_video", [C.msg_after_video(ep.number)] * len(rows), ep.number)

    # -- scored span, D marks ------------------------------------------------------------------
    start = np.where(np.isnan(on[:, 0]), -np.inf, on[:, 0])
    end = np.where(np.isnan(off[:, -1]), np.inf, off[:, -1])
    mk = frames.d_indices
    mr = _rows(index, mk["coding_id"])
    mt = _num(mk["time_ms"]) if len(mk) else np.zeros(0)
    mkeep = mr >= 0
    mr, mt = mr[mkeep], mt[mkeep]
    mg = _codes(mk["group"], list(scheme.d_groups))[mkeep]
    inside = (mt >= start[mr]) & (mt < end[mr])
    out["d_index_count"] = np.bincount(mr[inside], minlength=n_rows)
    n_g = len(scheme.d_groups)
    sel = inside & (mg >= 0)
    per_group = np.bincount(mr[sel] * n_g + mg[sel], minlength=n_rows * n_g).reshape(n_rows, n_g)
    for j, g in enumerate(scheme.d_groups):
        out[f"d_index_{g}"] = per_group[:, j]

    # -- scales ----------------------------------------------------------------------------------
    cells = scheme.scale_cells()
    cols = [sc.column(ep, pa) for sc, ep, pa in cells]
    cidx = {c: j for j, c in enumerate(cols)}
    wide = np.full((n_rows, len(cols)), np.nan)
    sc_df = frames.scales
    sr = _rows(index, sc_df["coding_id"])
    if len(sc_df):
        scale_ids = [sc.id for sc in scheme.scales]
        partners = list(scheme.partner_ids)
        si = _codes(sc_df["scale"], scale_ids)
        pi = _codes(sc_df["partner"], partners)
        ep = sc_df["episode"].to_numpy(np.int64)
        table = np.full((len(scale_ids), n_ep + 1, len(partners)), -1, np.int64)
        for j, (sc, e, pa) in enumerate(cells):
            table[scale_ids.index(sc.id), e, partners.index(pa)] = j
        known = (si >= 0) & (pi >= 0) & (ep >= 0) & (ep <= n_ep)
        sj = np.where(known, table[np.maximum(si, 0), np.clip(ep, 0, n_ep), np.maximum(pi, 0)], -1)
        sv = _num(sc_df["value"])
        k = (sr >= 0) & (sj >= 0)
        wide[sr[k], sj[k]] = sv[k]
        nr = np.flatnonzero((sr >= 0) & (sj < 0))
        if len(nr):
            raw = sc_df.iloc[nr]
            names = [f"{a}_e{b}_{c}" for a, b, c in zip(raw["scale"], raw["episode"], raw["partner"])]
            warn.add(sr[nr], "scale_not_rated", [C.msg_scale_not_rated(c, v) for c, v in zip(names, sv[nr])], 0,
                     names)
    for j, (sc, ep, pa) in enumerate(cells):
        v = wide[:, j]
        steps = (v - sc.min) / sc.step
        bad = ~np.isnan(v) & ((v < sc.min) | (v > sc.max) | (np.abs(steps - np.round(steps)) >= 1e-9))
        rows = np.flatnonzero(bad)
        warn.add(rows, "scale_out_of_range",
                 [C.msg_scale_out_of_range(cols[j], v[i], sc.min, sc.max, sc.step) for i in rows], j)
        if (ep, pa) in sc.required:
            rows = np.flatnonzero(np.isnan(v))
            warn.add(rows, "scale_missing", [C.msg_scale_missing(cols[j])] * len(rows), j)
        out[cols[j]] = v
    for name, comp in (s.get("composites") or {}).items():
        block = wide[:, [cidx[f"{comp['scale']}_e{c[0]}_{c[1]}"] for c in comp["cells"]]]
        op = comp.get("op", "mean")
        val = {"mean": lambda x: x.sum(axis=1) / x.shape[1], "sum": lambda x: x.sum(axis=1),
               "max": lambda x: x.max(axis=1), "min": lambda x: x.min(axis=1)}[op](block)
        out[name] = np.where(np.isnan(block).any(axis=1), np.nan, val)
    hs, rcells, high = s["heuristic_scales"], s["reunion_cells"], float(s["profile_high"])

    def rmean(scale: str) -> np.ndarray:
        js = [cidx.get(f"{scale}_e{int(c[0])}_{c[1]}") for c in rcells]
        if not js or any(j is None for j in js):
            return np.full(n_rows, np.nan)
        acc = np.zeros(n_rows)
        for j in js:  # summed in order, like the per-coding path
            acc = acc + wide[:, j]
        return acc / len(js)
    av = rmean(hs["avoidance"])
    rows = np.flatnonzero((group == "B") & (av >= high))
    warn.add(rows, "profile_b_avoidance", [C.msg_profile_b(cls[i], av[i], high) for i in rows])
    cm, rs = rmean(hs["contact"]), rmean(hs["resistance"])
    rows = np.flatnonzero((group == "A") & (cm >= high) & (rs >= high))
    warn.add(rows, "profile_a_contact_resistance", [C.msg_profile_a(cls[i], cm[i], rs[i], high) for i in rows])

    # -- events ----------------------------------------------------------------------------------
    _event_metrics(frames, scheme, s, index, on, off, valid, irregular, flag, start, end, mr, mt, out, warn)

    out["warnings"] = warn.joined(n_rows)
    df = pd.DataFrame(out, index=range(n_rows))
    df = df[variable_columns(scheme, s)]
    if irregular.any():
        from ssp_coder.scoring.single import score_state
        sub = frames.subset(ids[irregular])
        states = sub.states()
        for i in np.flatnonzero(irregular):
            cid = int(ids[i])
            vid = (video_durations or {}).get(int(cod["session_id"].iat[i]))
            row = score_state(states[cid], scheme, s, vid)
            df.loc[i, list(row)] = pd.Series(row, dtype=object)
    return df


def _clock(ms: np.ndarray) -> np.ndarray:
    """mm:ss.mmm for many times (as ``checks.fmt_ms``), from look-up tables instead of one format call each."""
    ms = ms.astype(np.int64)
    minutes = ms // 60_000
    pad2 = np.array([f"{i:02d}" for i in range(max(60, int(minutes.max(initial=0)) + 1))], dtype=object)
    pad3 = np.array([f"{i:03d}" for i in range(1000)], dtype=object)
    return pad2[minutes] + ":" + pad2[ms // 1000 % 60] + "." + pad3[ms % 1000]


def _state_overlaps(ev, pick, er, t_on, t_off, closed, warn) -> None:
    """Same-code state intervals sharing time, grouped and worded as the per-coding check does."""
    ci = np.flatnonzero(closed)
    if len(ci) < 2:
        return
    col = ev["code"]
    if isinstance(col.dtype, pd.CategoricalDtype):
        key, names = col.cat.codes.to_numpy(), np.asarray(col.cat.categories, dtype=object)
    else:
        key, names = pd.factorize(col)
        names = np.asarray(names, dtype=object)
    key = pick(key).astype(np.int64)
    # the order of ``overlap_groups``: per coding and code, by onset then offset. The store gives events by
    # (coding, onset), so one stable sort on (coding, code) keeps the onsets in order; a full sort only when
    # that does not hold or equal onsets need their offsets ordered.
    order = None
    if (np.diff(er[ci].astype(np.int64) * BIG + t_on[ci]) >= 0).all():
        order = np.argsort(er[ci].astype(np.int64) * (int(key.max()) + 2) + key[ci] + 1, kind="stable")
        r, k, a, b = er[ci][order], key[ci][order], t_on[ci][order], t_off[ci][order]
        tie = (r[1:] == r[:-1]) & (k[1:] == k[:-1]) & (a[1:] == a[:-1]) & (b[1:] < b[:-1])
        order = None if tie.any() else order
    ci = ci[order] if order is not None else ci[np.lexsort((t_off[ci], t_on[ci], key[ci], er[ci]))]
    r, k, a, b = er[ci], key[ci], t_on[ci], t_off[ci].astype(np.int64)
    same = np.r_[False, (r[1:] == r[:-1]) & (k[1:] == k[:-1])]
    # every earlier interval of the code ended before the current group began, so the running maximum of
    # the offsets within (coding, code) is the reach of the current group; lifting each (coding, code) run
    # above the previous one lets one running maximum serve all runs
    lift = np.cumsum(~same) * (int(b.max()) + 1)
    reach = np.maximum.accumulate(b + lift) - lift
    hit = same & (a < np.r_[np.iinfo(np.int64).min, reach[:-1]])
    if not hit.any():
        return
    g = np.cumsum(~hit)
    idx = np.flatnonzero(np.bincount(g)[g] >= 2)       # members of groups of two or more, group after group
    starts = np.flatnonzero(np.r_[True, g[idx][1:] != g[idx][:-1]])
    first = idx[starts]
    # plain Python on the (usually few) overlapping intervals: cheaper than pandas' per-group machinery
    spans = (_clock(a[idx]) + "–" + _clock(b[idx])).tolist()
    bounds = np.r_[starts, len(idx)].tolist()
    texts = [C.msg_state_overlap_joined(str(names[kk]), ", ".join(spans[bounds[j]:bounds[j + 1]]))
             for j, kk in enumerate(k[first].tolist())]
    warn.add(r[first], "state_overlap", texts, a[first].astype(np.int64), names[k[first]])


def _event_metrics(frames, scheme, s, index, on, off, valid, irregular, flag, start, end, mr, mt, out, warn) -> None:
    n_rows, n_ep = on.shape
    eps = np.array(scheme.episode_numbers)
    codes = [b.code for b in scheme.behaviours]
    n_c = len(codes)
    ev = frames.events
    er = _rows(index, ev["coding_id"])
    keep = er >= 0
    pick = (lambda x: x) if keep.all() else (lambda x: x[keep])   # usually every event is wanted
    er = pick(er)
    t_on = pick(ev["onset_ms"].to_numpy(np.int64)) if len(ev) else np.zeros(0, np.int64)
    t_off = pick(_num(ev["offset_ms"])) if len(ev) else np.zeros(0)
    is_state_kind = pick(_codes(ev["kind"], ["point", "state"]) == 1)
    code_of = pick(_codes(ev["code"], codes))

    # Out-of-span events and marks, and open states (every coding, same rule as the per-coding path).
    before = np.bincount(er[t_on < start[er]], minlength=n_rows) + np.bincount(mr[mt < start[mr]], minlength=n_rows)
    after = np.bincount(er[t_on >= end[er]], minlength=n_rows) + np.bincount(mr[mt >= end[mr]], minlength=n_rows)
    rows = np.flatnonzero(before)
    warn.add(rows, "events_before_start", [C.msg_before_start(int(before[i])) for i in rows])
    rows = np.flatnonzero(after)
    warn.add(rows, "events_after_end", [C.msg_after_end(int(after[i]), int(eps[-1])) for i in rows])
    is_open = is_state_kind & np.isnan(t_off)
    if is_open.any():
        oi = np.flatnonzero(is_open)
        oi = oi[np.lexsort((t_on[oi], er[oi]))]
        first_r, first_at = np.unique(er[oi], return_index=True)
        counts = np.bincount(er[oi], minlength=n_rows)
        raw_codes = pick(ev["code"].to_numpy(object))
        warn.add(first_r, "open_state", [C.msg_open_state(int(counts[r]), raw_codes[oi[j]], t_on[oi[j]])
                                         for r, j in zip(first_r, first_at)])
    _state_overlaps(ev, pick, er, t_on, t_off, is_state_kind & ~np.isnan(t_off), warn)

    # Events in (row, onset) order: the store's order already; sorted here (stably) only if not.
    e_key = er.astype(np.int64) * BIG + t_on
    if len(e_key) > 1 and not (e_key[1:] >= e_key[:-1]).all():
        o = np.argsort(e_key, kind="stable")
        er, t_on, t_off, is_state_kind, code_of, e_key = (x[o] for x in (er, t_on, t_off, is_state_kind, code_of,
                                                                          e_key))

    # Windows of regular codings, sorted by (row, onset): window k is (row wr[k], episode column wc[k]).
    wr, wc = np.nonzero(valid & ~irregular[:, None])
    w_on = on[wr, wc].astype(np.int64)
    w_off = off[wr, wc].astype(np.int64)
    w_key = wr.astype(np.int64) * BIG + w_on
    n_w = len(w_key)

    # Each window's events by onset are a contiguous run of the sorted events: [first, stop).
    first = np.searchsorted(e_key, w_key, side="left")
    stop = np.searchsorted(e_key, wr.astype(np.int64) * BIG + w_off, side="left")
    mark = np.zeros(len(e_key) + 1, np.int64)
    np.add.at(mark, first, np.arange(1, n_w + 1))      # runs are disjoint: +k+1 at the start, -(k+1) after
    np.add.at(mark, stop, -np.arange(1, n_w + 1))
    win = np.cumsum(mark[:-1]) - 1                      # window of each event by onset, -1 if none

    # Counts by onset, per window and code.
    dump = n_w * n_c
    key = np.where((win >= 0) & (code_of >= 0), win * n_c + code_of, dump)
    per_w = np.bincount(key, minlength=dump + 1)[:dump].reshape(n_w, n_c)
    counts = np.zeros((n_rows, n_ep, n_c))
    counts[wr, wc] = per_w
    for j, code in enumerate(codes):
        for c, n in enumerate(eps):
            out[f"{code}_n_e{n}"] = np.where(valid[:, c], counts[:, c, j], np.nan)

    if approach_enabled(scheme, s):
        a_idx = codes.index(s["approach_code"])
        sel = np.flatnonzero((win >= 0) & (code_of == a_idx))
        k = win[sel]
        lead = np.r_[True, k[1:] != k[:-1]] if len(k) else np.zeros(0, bool)   # events are in time order
        lat = np.full((n_rows, n_ep), np.nan)
        lat[wr[k[lead]], wc[k[lead]]] = (t_on[sel][lead] - w_on[k[lead]]) / 1000
        for n in s["approach_episodes"]:
            c = int(n) - 1
            out[f"approach_latency_e{n}"] = np.where(valid[:, c], lat[:, c], np.nan)

    # Closed state events. The piece inside the window of the event's onset is the "main" piece; an event
    # that runs on into later windows (or starts between windows) adds "continuation" pieces, which all
    # start at their window's onset, so per window and code they are one prefix [0, M).
    st = np.flatnonzero(is_state_kind & ~np.isnan(t_off) & (code_of >= 0))
    k = win[st]
    s_on, s_off, s_code = t_on[st], t_off[st].astype(np.int64), code_of[st]
    inside = k >= 0
    kk = np.maximum(k, 0)
    wo = w_on[kk] if n_w else np.zeros(len(st), np.int64)
    a = s_on - wo
    b_ = np.minimum(s_off, w_off[kk] if n_w else wo) - wo
    main = np.flatnonzero(inside & (a < b_))
    prefix = np.zeros(n_w * n_c, np.int64)           # M per (window, code)
    more = np.flatnonzero(~inside | (s_off > (w_off[kk] if n_w else s_off)))
    if n_w and len(more):
        m_r = er[st][more].astype(np.int64)
        lo = np.where(inside[more], k[more] + 1, np.searchsorted(w_key, m_r * BIG + s_on[more], side="right"))
        hi = np.searchsorted(w_key, m_r * BIG + s_off[more], side="left") - 1
        lo_c, hi_c = np.minimum(lo, n_w - 1), np.maximum(hi, 0)
        ok = (lo < n_w) & (hi >= 0) & (wr[lo_c] == m_r) & (wr[hi_c] == m_r)
        cnt = np.where(ok, np.maximum(hi - lo + 1, 0), 0)
        rep = np.repeat(np.arange(len(more)), cnt)
        wk = lo[rep] + (np.arange(len(rep)) - np.repeat(np.cumsum(cnt) - cnt, cnt))
        length = np.minimum(s_off[more][rep], w_off[wk]) - w_on[wk]
        np.maximum.at(prefix, wk * n_c + s_code[more][rep], length)
    # Main pieces grouped by (code, window) in time order: a stable radix sort on the code keeps the
    # (row, onset) order of the events, which is window order.
    order = main[np.argsort(s_code[main].astype(np.int16), kind="stable")]
    g = s_code[order].astype(np.int64) * n_w + k[order]         # group: code-major, then window
    gw = k[order] * n_c + s_code[order]                          # the same group, window-major
    a_o, b_o = a[order], b_[order]
    added = _union_parts(g, a_o, b_o, prefix[gw])
    total = prefix + np.bincount(gw, weights=added, minlength=n_w * n_c)
    dur = np.zeros((n_rows, n_ep, n_c))
    dur[wr, wc] = total.reshape(n_w, n_c)
    for j, beh in enumerate(scheme.behaviours):
        if beh.is_state:
            for c, n in enumerate(eps):
                out[f"{beh.code}_s_e{n}"] = np.where(valid[:, c], dur[:, c, j] / 1000, np.nan)

    if cry_enabled(scheme, s):
        cry = codes.index(s["cry_code"])
        length = float(s["interval_s"]) * 1000
        sel = np.flatnonzero(s_code[order] == cry)
        ck, ca, cb = k[order][sel], a_o[sel].astype(float), b_o[sel].astype(float)
        i0 = np.floor(ca / length).astype(np.int64)
        i1 = np.ceil(cb / length).astype(np.int64)        # exclusive: intervals i0 .. i1 - 1 hold crying
        pre_ms = prefix[np.arange(n_w) * n_c + cry] if n_w else np.zeros(0, np.int64)
        pre_int = np.ceil(pre_ms / length).astype(np.int64)   # the prefix [0, M) covers these intervals
        added = _union_parts(ck, i0, i1, pre_int[ck])
        n_int = (pre_int + np.bincount(ck, weights=added, minlength=n_w)).astype(float)
        lat = np.where(pre_ms > 0, 0.0, np.nan)
        lead = np.r_[True, ck[1:] != ck[:-1]] if len(ck) else np.zeros(0, bool)
        no_prefix = pre_ms[ck[lead]] == 0
        lat[ck[lead][no_prefix]] = ca[lead][no_prefix] / 1000
        cry_n = np.full((n_rows, n_ep), np.nan)
        cry_lat = np.full((n_rows, n_ep), np.nan)
        cry_n[wr, wc] = n_int
        cry_lat[wr, wc] = lat
        stretched = (flag == "curtailed") | (flag == "extended")
        if s["prorate"]:
            with np.errstate(divide="ignore", invalid="ignore"):
                cry_n = np.where(stretched, cry_n * float(s["prorate_to_s"]) * 1000 / (off - on), cry_n)
        for c, n in enumerate(eps):
            out[f"cry_intervals_e{n}"] = np.where(valid[:, c], cry_n[:, c], np.nan)
            out[f"cry_latency_e{n}"] = np.where(valid[:, c], cry_lat[:, c], np.nan)


def _union_parts(g: np.ndarray, a: np.ndarray, b: np.ndarray, floor: np.ndarray) -> np.ndarray:
    """Per segment, the length it adds to the union of its group.

    Groups are contiguous with starts ascending; ``floor`` is what each segment's group already covers
    from 0 (a prefix [0, floor)), so only what lies beyond it counts.
    """
    if len(g) == 0:
        return np.zeros(0)
    span = np.int64(1) << np.int64(36)     # > any segment end; keeps running maxima from leaking across groups
    reach = np.maximum.accumulate(b + g * span)
    prev = np.concatenate([[np.int64(-1) << np.int64(62)], reach[:-1]]) - g * span
    return np.maximum(0, b - np.maximum(np.maximum(a, prev), floor)).astype(float)
