#!/usr/bin/env python3
"""The two charts at the top of BENCHMARKS.md, drawn as plain SVG from the benchmarks' own output.

Usage: scripts/charts.py [--decide FILE] [--registry FILE] [--out DIR]
       (defaults: benchmarks/results/policy-decide.json, benchmarks/results/registry.md, docs/charts)

--decide    JMH's JSON for PolicyDecideBenchmark:
            java -jar benchmarks/target/benchmarks.jar PolicyDecideBenchmark ... -rf json -rff FILE
--registry  the Markdown table scripts/bench.sh writes to target/bench-results.md
--out       writes decision-latency.svg (p50 ns per decision against policy size, log-log, one line per
            method) and throughput-share.svg (each front end and credential's req/s as a share of the same
            server without Portcullis, beside docker-registry's htpasswd share of its no-auth run)

Python's standard library only; the SVGs have no scripts and no web fonts, so GitHub renders them as images.
The same inputs give the same bytes.
"""
import argparse
import json
import math
import os
import re
import sys
from xml.sax.saxutils import escape

ROOT = os.path.relpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
WIDTH = 720
FONT = "-apple-system, 'Segoe UI', Helvetica, Arial, sans-serif"
INK, MUTED, GRID, AXIS = "#24292f", "#57606a", "#e6e8eb", "#8c959f"

# Methods in legend order, with the names a reader knows them by; a method not listed is drawn after them.
METHODS = {
    "compiled": ("Portcullis (compiled index)", "#0969da"),
    "linearScan": ("linear scan (zot's algorithm)", "#bc4c00"),
    "jcasbin": ("jCasbin (globMatch)", "#8250df"),
}
SPARE_COLOURS = ["#1a7f37", "#cf222e", "#6e7781"]
PORTCULLIS, PEER = "#0969da", "#8c959f"
FRONT_ENDS = {"jetty": "Jetty", "netty": "Netty"}
PEER_SERVER = "docker-registry"


class InputError(Exception):
    pass


# ---------------------------------------------------------------- inputs

def read_decide(path):
    """{method: {patterns: ns}}, the statistic's name ("p50" or JMH's mode), and a line about the run."""
    try:
        with open(path, encoding="utf-8") as f:
            runs = json.load(f)
    except FileNotFoundError:
        raise InputError(f"--decide {path}: no such file; write it with "
                         f"java -jar benchmarks/target/benchmarks.jar PolicyDecideBenchmark ... -rf json -rff {path}")
    except (json.JSONDecodeError, UnicodeDecodeError) as e:
        raise InputError(f"--decide {path}: not JMH's JSON output ({e}); run JMH with -rf json")
    if not isinstance(runs, list):
        raise InputError(f"--decide {path}: expected JMH's JSON, a list of benchmark results")
    series, stats, about = {}, set(), None
    for run in runs:
        try:
            name = run["benchmark"]
            if ".PolicyDecideBenchmark." not in name:
                continue
            method = name.rsplit(".", 1)[1]
            patterns = int(run["params"]["patterns"])
            metric = run["primaryMetric"]
            unit = metric["scoreUnit"]
            p50 = (metric.get("scorePercentiles") or {}).get("50.0")
            if run["mode"] == "sample" and p50 is not None:
                value, stat = float(p50), "p50"
            else:
                value, stat = float(metric["score"]), {"avgt": "mean", "sample": "mean"}.get(run["mode"], run["mode"])
            forks = run.get("forks", "?")
            about = about or (f"JDK {run.get('jdkVersion', '?')}, JMH {run.get('jmhVersion', '?')}, "
                              f"{forks} fork{'' if forks == 1 else 's'} × "
                              f"{run.get('measurementIterations', '?')} × {run.get('measurementTime', '?')}")
        except (KeyError, TypeError, ValueError, IndexError) as e:
            raise InputError(f"--decide {path}: a result without the expected field {e} "
                             f"(benchmark, mode, params.patterns, primaryMetric.score)")
        scale = {"ns/op": 1, "us/op": 1e3, "ms/op": 1e6, "s/op": 1e9}.get(unit)
        if scale is None:
            raise InputError(f"--decide {path}: {name} is in {unit}; expected a time per operation (ns/op)")
        series.setdefault(method, {})[patterns] = value * scale
        stats.add(stat)
    if not series:
        raise InputError(f"--decide {path}: no PolicyDecideBenchmark results in it")
    if any(v <= 0 for points in series.values() for v in points.values()):
        raise InputError(f"--decide {path}: a non-positive time, which a log scale cannot show")
    return series, "/".join(sorted(stats)), about


def read_registry(path):
    """The table's rows as dicts keyed by its column names (the ratio column as "ratio"), and its ratio header."""
    try:
        with open(path, encoding="utf-8") as f:
            lines = [l.strip() for l in f if l.strip().startswith("|")]
    except FileNotFoundError:
        raise InputError(f"--registry {path}: no such file; scripts/bench.sh writes its table to "
                         f"target/bench-results.md, copy that to {path}")
    cells = lambda l: [c.strip() for c in l.strip("|").split("|")]
    if len(lines) < 3:
        raise InputError(f"--registry {path}: no Markdown table in it (expected scripts/bench.sh's output)")
    header = cells(lines[0])
    ratio_col = next((h for h in header if h.startswith("ratio")), None)
    for needed in ("server", "mode", "GET"):
        if needed not in header:
            raise InputError(f"--registry {path}: the table has no '{needed}' column (columns: {', '.join(header)})")
    if ratio_col is None:
        raise InputError(f"--registry {path}: the table has no 'ratio …' column (columns: {', '.join(header)})")
    rows = []
    for n, line in enumerate(lines[2:], start=3):
        values = cells(line)
        if len(values) != len(header):
            raise InputError(f"--registry {path}: table row {n} has {len(values)} cells, the header {len(header)}")
        row = dict(zip(header, values))
        row["ratio"] = _number(row[ratio_col])
        row["paired"] = [float(x) for x in row.get("paired ratios", "").split()
                         if re.fullmatch(r"[0-9.]+", x)]
        rows.append(row)
    return rows, ratio_col


def _number(text):
    try:
        return float(text.replace(",", ""))
    except ValueError:
        return None  # "—": a row without a baseline of its own


# ---------------------------------------------------------------- SVG

def text(x, y, s, size=12, anchor="start", fill=INK, weight=None, extra=""):
    w = f' font-weight="{weight}"' if weight else ""
    return (f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size}" text-anchor="{anchor}" fill="{fill}"{w}{extra}>'
            f'{escape(s)}</text>')


def line(x1, y1, x2, y2, stroke=AXIS, width=1, dash=None):
    d = f' stroke-dasharray="{dash}"' if dash else ""
    return (f'<line x1="{x1:.1f}" y1="{y1:.1f}" x2="{x2:.1f}" y2="{y2:.1f}" stroke="{stroke}" '
            f'stroke-width="{width}"{d}/>')


def svg(height, title, body):
    return "\n".join([
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{height}" '
        f'viewBox="0 0 {WIDTH} {height}" font-family="{FONT}" role="img" aria-label="{escape(title)}">',
        f"<title>{escape(title)}</title>",
        f'<rect width="{WIDTH}" height="{height}" fill="#ffffff"/>',
        *body,
        "</svg>",
        "",
    ])


def duration(ns):
    """241 ns, 8.66 µs, 65.2 µs, 1.20 ms: three significant figures, below 1,000 whole nanoseconds."""
    for unit, scale in (("s", 1e9), ("ms", 1e6), ("µs", 1e3)):
        if ns >= scale:
            v = ns / scale
            return f"{v:#.3g} {unit}" if v < 100 else f"{v:.0f} {unit}"
    return f"{ns:.0f} ns"


def decade_label(exp):
    """1 µs, 10 µs, 100 µs, 1 ms: a power of ten in the largest unit it is a whole number of."""
    for unit, scale_exp in (("s", 9), ("ms", 6), ("µs", 3), ("ns", 0)):
        if exp >= scale_exp:
            return f"{10 ** (exp - scale_exp)} {unit}"
    return f"{10.0 ** exp:g} ns"


def count(n):
    return f"{n:,}"


# ---------------------------------------------------------------- chart 1

def latency_chart(series, stat, about):
    height = 400
    left, right, top, bottom = 78, WIDTH - 24, 64, height - 62
    sizes = sorted({p for points in series.values() for p in points})
    values = [v for points in series.values() for v in points.values()]
    x_lo, x_hi = math.log10(sizes[0]) - 0.25, math.log10(sizes[-1]) + 0.25
    # whole decades, with room for the labels below the lowest points and above the highest
    y_lo, y_hi = math.floor(math.log10(min(values)) - 0.5), math.ceil(math.log10(max(values)) + 0.4)
    px = lambda n: left + (math.log10(n) - x_lo) / (x_hi - x_lo) * (right - left)
    py = lambda v: bottom - (math.log10(v) - y_lo) / (y_hi - y_lo) * (bottom - top)

    title = f"Policy decision latency ({stat}) against policy size"
    out = [text(left - 60, 26, title, size=17, weight="600"),
           text(left - 60, 46, f"PolicyDecideBenchmark, one decide() per operation; log–log, lower is better "
                               f"({about})", size=11.5, fill=MUTED)]
    # grid: minor lines at 2–9 × each decade, major at each decade with its label
    for exp in range(y_lo, y_hi):
        for m in range(2, 10):
            out.append(line(left, py(m * 10 ** exp), right, py(m * 10 ** exp), stroke="#f3f4f6"))
    for exp in range(y_lo, y_hi + 1):
        y = py(10 ** exp)
        out.append(line(left, y, right, y, stroke=GRID))
        out.append(text(left - 8, y + 4, decade_label(exp), size=11, anchor="end", fill=MUTED))
    for exp in range(math.ceil(x_lo), math.floor(x_hi) + 1):
        x = px(10 ** exp)
        out.append(line(x, top, x, bottom, stroke=GRID))
        out.append(text(x, bottom + 17, count(10 ** exp), size=11, anchor="middle", fill=MUTED))
    out.append(line(left, bottom, right, bottom))
    out.append(line(left, top, left, bottom))
    out.append(text((left + right) / 2, bottom + 40, "patterns in the policy (log scale)", size=12, anchor="middle"))
    out.append(text(18, (top + bottom) / 2, "time per decision (log scale)", size=12, anchor="middle",
                    extra=f' transform="rotate(-90 18 {(top + bottom) / 2:.1f})"'))

    methods = [m for m in METHODS if m in series] + sorted(m for m in series if m not in METHODS)
    spare = iter(SPARE_COLOURS * 3)
    style = {m: METHODS.get(m) or (m, next(spare)) for m in methods}
    for m in methods:
        name, colour = style[m]
        points = sorted(series[m].items())
        path = " ".join(f"{'M' if j == 0 else 'L'}{px(n):.1f},{py(v):.1f}" for j, (n, v) in enumerate(points))
        out.append(f'<path d="{path}" fill="none" stroke="{colour}" stroke-width="2.5" stroke-linejoin="round"/>')
    for m in methods:  # points and labels over every line
        name, colour = style[m]
        for n, v in sorted(series[m].items()):
            out.append(f'<circle cx="{px(n):.1f}" cy="{py(v):.1f}" r="4" fill="{colour}" stroke="#ffffff" '
                       f'stroke-width="1.5"/>')
            # a label goes on the side of its point with more room before the next point at the same size
            here = [other[n] for other in series.values() if n in other]
            above, below = [py(w) for w in here if w > v], [py(w) for w in here if w < v]
            room_above = py(v) - max(above) if above else math.inf
            room_below = min(below) - py(v) if below else math.inf
            dy = 19 if room_below > room_above else -10
            out.append(text(px(n), py(v) + dy, duration(v), size=11.5, anchor="middle", fill=colour, weight="600",
                            extra=' paint-order="stroke" stroke="#ffffff" stroke-width="3"'))
    # legend, top left, where the lines are lowest
    lx, ly = left + 14, top + 8
    out.append(f'<rect x="{lx - 8}" y="{ly - 4}" width="218" height="{len(methods) * 20 + 6}" rx="4" '
               f'fill="#ffffff" fill-opacity="0.92" stroke="{GRID}"/>')
    for i, m in enumerate(methods):
        name, colour = style[m]
        y = ly + 10 + i * 20
        out.append(line(lx, y, lx + 22, y, stroke=colour, width=2.5))
        out.append(f'<circle cx="{lx + 11}" cy="{y}" r="3.5" fill="{colour}"/>')
        out.append(text(lx + 30, y + 4, name, size=12))
    return svg(height, title, out)


# ---------------------------------------------------------------- chart 2

def share_rows(rows):
    """(group, label, ratio, paired ratios, is_peer) for the chart: each front end's credential modes, then the peer."""
    credential = [r for r in rows if r["server"] in FRONT_ENDS and r["ratio"] is not None
                  and not r["mode"].startswith("baseline") and "pattern" not in r["mode"] and "flood" not in r["mode"]]
    peer = [r for r in rows if r["server"] == PEER_SERVER and r["ratio"] is not None]
    several_paths = len({r["GET"] for r in credential}) > 1
    chosen = []
    for server in FRONT_ENDS:
        for r in credential:
            if r["server"] == server:
                label = f"{r['mode']}, {r['GET']}" if several_paths else r["mode"]
                chosen.append((FRONT_ENDS[server], label, r["ratio"], r["paired"], False))
    for r in peer:
        chosen.append((PEER_SERVER, f"{r['mode']}, {r['GET']}", r["ratio"], r["paired"], True))
    return chosen


def share_chart(rows, ratio_col, path):
    bars = share_rows(rows)
    if not any(not peer for *_, peer in bars):
        raise InputError(f"--registry {path}: no Jetty or Netty row with a ratio (credential modes, not baselines)")
    groups = []
    for b in bars:
        if not groups or groups[-1] != b[0]:
            groups.append(b[0])
    left, right, top = 200, WIDTH - 44, 84
    pitch, heading = 30, 22
    plot_h = len(bars) * pitch + len(groups) * heading
    height = max(400, top + plot_h + 92)
    pitch += (height - (top + plot_h + 92)) / len(bars)  # fill ~400 px when there are few bars
    plot_h = len(bars) * pitch + len(groups) * heading
    bottom = top + plot_h
    most = max([b[2] for b in bars] + [p for b in bars for p in b[3]])
    x_max = max(1.2, math.ceil(most * 10) / 10 + 0.1)
    px = lambda v: left + v / x_max * (right - left)

    rounds = re.search(r"median of (\d+) paired runs", ratio_col)
    how = f"median of {rounds.group(1)} paired runs" if rounds else "median of paired runs"
    title = "Throughput with authentication, as a share of the same server without"
    out = [text(16, 26, title, size=17, weight="600"),
           text(16, 46, f"scripts/bench.sh, wrk against the example registry; req/s with ÷ req/s without, {how}; "
                        f"higher is better", size=11.5, fill=MUTED)]
    tick = 0.2
    for i in range(int(round(x_max / tick)) + 1):
        v = i * tick
        out.append(line(px(v), top - 6, px(v), bottom, stroke=GRID))
        out.append(text(px(v), bottom + 17, f"{v:.1f}", size=11, anchor="middle", fill=MUTED))
    out.append(line(left, bottom, right, bottom))
    out.append(text((left + right) / 2, bottom + 38, "req/s with authentication ÷ req/s of the same server without",
                    size=12, anchor="middle"))

    y, previous = top, None
    for group, label, ratio, paired, peer in bars:
        if group != previous:
            if previous is not None:
                out.append(line(16, y, right, y, stroke=GRID))
            out.append(text(16, y + heading - 5, group, size=13, weight="600"))
            y += heading
        h = min(22, pitch - 8)
        mid = y + pitch / 2
        out.append(text(left - 10, mid + 4, label, size=12, anchor="end"))
        colour = PEER if peer else PORTCULLIS
        out.append(f'<rect x="{left}" y="{mid - h / 2:.1f}" width="{px(ratio) - left:.1f}" height="{h:.1f}" '
                   f'fill="{colour}" rx="2"/>')
        for p in paired:
            out.append(f'<circle cx="{px(p):.1f}" cy="{mid:.1f}" r="2.6" fill="{INK}" fill-opacity="0.75"/>')
        end = max([ratio] + paired)
        out.append(text(px(end) + 7, mid + 4, f"{ratio:.3f}", size=12, weight="600",
                        extra=' paint-order="stroke" stroke="#ffffff" stroke-width="3"'))
        y += pitch
        previous = group

    # reference lines over the bars: 1.0 (as fast as without) and the 0.9 target for cached keys
    out.append(line(px(1.0), top - 8, px(1.0), bottom, stroke=INK, width=1.3, dash="6 4"))
    out.append(line(px(0.9), top - 8, px(0.9), bottom, stroke="#cf222e", width=1.3, dash="3 3"))
    out.append(text(px(1.0) + 5, top - 10, "1.0 = no cost", size=11, fill=INK))
    out.append(text(px(0.9) - 5, top - 10, "0.9 target (cached key)", size=11, anchor="end", fill="#cf222e"))

    ly = height - 22
    def gets(peer):
        paths = sorted({r["GET"] for r in rows if (r["server"] == PEER_SERVER) == peer and r["ratio"] is not None})
        return f", GET {' and '.join(paths)}" if paths else ""
    legend = [("rect", PORTCULLIS, "Portcullis" + gets(False)),
              ("rect", PEER, PEER_SERVER + gets(True)),
              ("dot", INK, "one paired run")]
    x = 16
    for kind, colour, name in legend:
        if kind == "rect":
            out.append(f'<rect x="{x}" y="{ly - 10}" width="14" height="12" fill="{colour}" rx="2"/>')
        else:
            out.append(f'<circle cx="{x + 7}" cy="{ly - 4}" r="2.6" fill="{colour}" fill-opacity="0.75"/>')
        out.append(text(x + 20, ly, name, size=12))
        x += 20 + len(name) * 7 + 24
    return svg(height, title, out)


# ---------------------------------------------------------------- main

def main(argv):
    at_root = lambda p: os.path.normpath(os.path.join(ROOT, p))
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--decide", default=at_root("benchmarks/results/policy-decide.json"),
                        help="JMH JSON of PolicyDecideBenchmark (default: %(default)s)")
    parser.add_argument("--registry", default=at_root("benchmarks/results/registry.md"),
                        help="scripts/bench.sh's Markdown table (default: %(default)s)")
    parser.add_argument("--out", default=at_root("docs/charts"),
                        help="directory for the SVGs (default: %(default)s)")
    args = parser.parse_args(argv)
    try:
        series, stat, about = read_decide(args.decide)
        rows, ratio_col = read_registry(args.registry)
        charts = {"decision-latency.svg": latency_chart(series, stat, about),
                  "throughput-share.svg": share_chart(rows, ratio_col, args.registry)}
    except InputError as e:
        sys.exit(f"charts.py: {e}")
    os.makedirs(args.out, exist_ok=True)
    for name, content in charts.items():
        target = os.path.join(args.out, name)
        with open(target, "w", encoding="utf-8", newline="\n") as f:
            f.write(content)
        print(target)


if __name__ == "__main__":
    main(sys.argv[1:])
