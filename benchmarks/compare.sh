#!/usr/bin/env bash
# Before/after comparison of OAuthClient's token handler on a cache hit.
#
#   benchmarks/compare.sh BEFORE_REPO AFTER_REPO      (for example a clone checked out at an older commit, and .)
#   QUICK=1 benchmarks/compare.sh BEFORE_REPO AFTER_REPO     # interleaved rounds only, no BenchmarkDotNet
#
# Each repository folder is copied (without .git, bin, obj, BenchmarkDotNet.Artifacts) to $OUT/work/{before,after},
# so the source trees are never written to and an edit made during the run cannot leak into it. Each copy's
# benchmark project is built once in Release; then `--interleaved` runs before/after/before/after ($ROUNDS rounds
# each, a round being $LAUNCHES processes of its tree), then BenchmarkDotNet's HandlerBenchmarks and ProviderBenchmarks
# once per tree (before, then after).
# Result: $OUT/summary.md; raw logs and BenchmarkDotNet reports under $OUT/logs and $OUT/work/*/BenchmarkDotNet.Artifacts.
#
#   SUMMARY_ONLY=1 benchmarks/compare.sh BEFORE AFTER        # only rewrite summary.md from the last run's logs
#
# Environment: OUT (default /tmp/bench), ROUNDS (default 2), LAUNCHES (default 5), QUICK (default 0),
#   QUIET_WAIT (s, default 0: before each measured step wait at most this long for load average < QUIET_LOAD, default 1.5),
#   BUILD_TIMEOUT (s, default 900), INTERLEAVED_TIMEOUT (s, default 300), BDN_TIMEOUT (s, default 1800).
# Worst case with the default timeouts: 2*900 + 2*ROUNDS*300 + 2*1800 s; a normal run takes far less.
set -euo pipefail

if [[ $# -ne 2 ]]; then
    sed -n '2,20p' "$0" | sed 's/^# \{0,1\}//'
    exit 2
fi

OUT=${OUT:-/tmp/bench}
ROUNDS=${ROUNDS:-2}
LAUNCHES=${LAUNCHES:-5}
QUICK=${QUICK:-0}
BUILD_TIMEOUT=${BUILD_TIMEOUT:-900}
INTERLEAVED_TIMEOUT=${INTERLEAVED_TIMEOUT:-300}
BDN_TIMEOUT=${BDN_TIMEOUT:-1800}
PROJECT=benchmarks/OAuthClient.Benchmarks/OAuthClient.Benchmarks.csproj
DLL=benchmarks/OAuthClient.Benchmarks/bin/Release/net10.0/OAuthClient.Benchmarks.dll

declare -A SRC=([before]="$(cd "$1" && pwd)" [after]="$(cd "$2" && pwd)")
for label in before after; do
    [[ -f "${SRC[$label]}/$PROJECT" ]] || { echo "no $PROJECT in ${SRC[$label]}" >&2; exit 2; }
done

# No build servers left behind (here or in BenchmarkDotNet's own builds of its generated projects), no telemetry.
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_CLI_USE_MSBUILD_SERVER=0 MSBUILDDISABLENODEREUSE=1 UseSharedCompilation=false

# Writes $OUT/summary.md from the logs and BenchmarkDotNet reports of a run.
summarize() {
python3 - "$OUT" <<'PY'
import html, re, sys, pathlib
out = pathlib.Path(sys.argv[1])
logs = out / "logs"
meta = dict(l.split("=", 1) for l in (logs / "meta.txt").read_text().splitlines() if "=" in l)
rounds, quick = int(meta["rounds"]), meta["quick"] == "1"
FIXED, HIT, PROVIDER = "Factory client, fixed-header handler", "Factory client, OAuthClient handler (hit)", "OAuthClient provider GetTokenAsync (hit)"
TIME = {"ns": 1, "μs": 1e3, "us": 1e3, "µs": 1e3, "ms": 1e6, "s": 1e9}
SIZE = {"B": 1, "KB": 1024, "MB": 1024 ** 2, "GB": 1024 ** 3}

def num(text, units):
    if text.strip() == "-": return 0.0  # BenchmarkDotNet's "nothing allocated"
    m = re.fullmatch(r"\s*([-+]?[\d,]*\.?\d+)\s*(\S+)\s*", text)
    if not m or m.group(2) not in units:
        raise ValueError(f"cannot read {text!r}")
    return float(m.group(1).replace(",", "")) * units[m.group(2)]

def table(lines):
    """Rows of the first markdown table in lines, as dicts keyed by header, the first column stripped of BDN's quotes."""
    rows, header = {}, None
    for line in lines:
        if not line.startswith("|"):
            if header and rows: break
            continue
        cells = [html.unescape(c).strip() for c in line.strip().strip("|").split("|")]
        if header is None: header = cells; continue
        if set(cells[0]) <= set("-: "): continue
        rows[cells[0].strip("'")] = dict(zip(header, cells))
    return header, rows

def interleaved(path):
    _, rows = table(path.read_text().splitlines())
    fixed, hit = rows[FIXED], rows[HIT]
    median, fixed_median = num(hit["Median"], TIME), num(fixed["Median"], TIME)
    # The median of the launches' own ratios when the run reports it; else the ratio of the medians.
    return dict(median=median, fixed=fixed_median, ratio=float(hit["Ratio"]) if "Ratio" in hit else median / fixed_median,
                spread=hit.get("Lowest-highest ratio", "–"),
                alloc=num(hit["Allocated"], SIZE), alloc_fixed=num(fixed["Allocated"], SIZE))

def bdn(label, cls):
    found = list((out / "work" / label / "BenchmarkDotNet.Artifacts" / "results").glob(f"*.{cls}-report-github.md"))
    if not found: raise FileNotFoundError(f"no {cls} report for {label}")
    header, rows = table(found[0].read_text().splitlines())
    return {k: v for k, v in rows.items()}, found[0]

def ns(v): return f"{v:,.1f} ns" if v >= 100 else f"{v:,.2f} ns"
def b(v): return f"{v:,.0f} B"

md = ["# OAuthClient token handler, cache hit: before / after", "",
      f"- before: `{meta['before']}`", f"- after: `{meta['after']}`",
      f"- {meta['machine']}, SDK {meta['sdk']}; load average {meta['load_start']} at start, {meta['load_end']} at end; "
      f"started {meta['started']}, took {int(meta['elapsed_s']) // 60} min {int(meta['elapsed_s']) % 60} s", "",
      "Handler rows: one GET through a factory HttpClient; ratio = OAuthClient-handler median / fixed-header-handler median "
      "from the same process. Allocated = bytes per request (hit row, and its difference to the fixed-header row). "
      "Load = 1-minute load average at the step's start→end (2 cores: above ~1.5, another process shared the CPUs).", "",
      "| Tree | Run | Handler hit median | Fixed-header median | Ratio | Allocated | vs fixed | Provider hit median | Load |",
      "|------|-----|-------------------:|--------------------:|------:|----------:|---------:|--------------------:|-----:|"]
load = lambda step: f"{meta.get('load_' + step, '?')}→{meta.get('load_' + step + '-end', '?')}"
ratios = {"before": [], "after": []}
for r in range(1, rounds + 1):
    for label in ("before", "after"):
        x = interleaved(logs / f"{label}-interleaved-{r}.log")
        ratios[label].append(x["ratio"])
        md.append(f"| {label} | interleaved #{r} | {ns(x['median'])} | {ns(x['fixed'])} | {x['ratio']:.3f} ({x['spread']}) | "
                  f"{b(x['alloc'])} | {x['alloc'] - x['alloc_fixed']:+,.0f} B | – | {load(f'{label}-interleaved-{r}')} |")
if not quick:
    for label in ("before", "after"):
        h, _ = bdn(label, "HandlerBenchmarks")
        p, _ = bdn(label, "ProviderBenchmarks")
        hit, fixed, prov = h[HIT], h[FIXED], p[PROVIDER]
        m, fm = num(hit["Median"], TIME), num(fixed["Median"], TIME)
        alloc, falloc = num(hit["Allocated"], SIZE), num(fixed["Allocated"], SIZE)
        palloc = num(prov["Allocated"], SIZE)
        md.append(f"| {label} | BenchmarkDotNet | {ns(m)} | {ns(fm)} | {m / fm:.3f} (BDN mean ratio {hit.get('Ratio', '?')}) | "
                  f"{hit['Allocated']} | {alloc - falloc:+,.0f} B | {ns(num(prov['Median'], TIME))}, {b(palloc)} | {load(f'{label}-bdn')} |")
mean = lambda xs: sum(xs) / len(xs)
median = lambda xs: sorted(xs)[len(xs) // 2] if len(xs) % 2 else sum(sorted(xs)[len(xs) // 2 - 1:len(xs) // 2 + 1]) / 2
md += ["", f"Interleaved ratio over {rounds} rounds (each the median of its launches): before median {median(ratios['before']):.3f}, "
       f"mean {mean(ratios['before']):.3f}, range {min(ratios['before']):.3f}-{max(ratios['before']):.3f}; after median "
       f"{median(ratios['after']):.3f}, mean {mean(ratios['after']):.3f}, range {min(ratios['after']):.3f}-{max(ratios['after']):.3f} "
       f"(after/before, medians {median(ratios['after']) / median(ratios['before']):.3f}). Compare ratios, not absolute medians, across runs.",
       "", f"Logs: {logs}; BenchmarkDotNet reports: {out}/work/<tree>/BenchmarkDotNet.Artifacts/results/"]
(out / "summary.md").write_text("\n".join(md) + "\n")
print("\n".join(md))
PY
}

if [[ ${SUMMARY_ONLY:-0} == 1 ]]; then summarize; exit 0; fi

START=$(date +%s)
log() { printf '[%s +%4ss] %s\n' "$(date +%H:%M:%S)" "$(( $(date +%s) - START ))" "$*"; }
# timeout signals the whole process group it runs, so BenchmarkDotNet's child processes go too.
bounded() { local secs=$1; shift; timeout --kill-after=30 "$secs" "$@"; }
load1() { cut -d' ' -f1 /proc/loadavg; }
# Before a measured step: with QUIET_WAIT=N, wait up to N s for the 1-minute load average to fall below QUIET_LOAD.
# Either way, the load at the step's start and end goes into the summary, so a disturbed row can be spotted.
quiet() {
    local waited=0
    while (( waited < ${QUIET_WAIT:-0} )) && awk -v l="$(load1)" -v q="${QUIET_LOAD:-1.5}" 'BEGIN { exit !(l >= q) }'; do
        (( waited % 30 == 0 )) && log "waiting for load $(load1) < ${QUIET_LOAD:-1.5} (${waited}/${QUIET_WAIT}s)"
        sleep 5; waited=$(( waited + 5 ))
    done
}

rm -rf "$OUT/work" "$OUT/logs"
mkdir -p "$OUT/work" "$OUT/logs"
LOGS=$OUT/logs
{
    echo "started=$(date -Is)"
    echo "load_start=$(cut -d' ' -f1-3 /proc/loadavg)"
    echo "quick=$QUICK"; echo "rounds=$ROUNDS"
    echo "machine=$(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
    echo "sdk=$(dotnet --version)"
} > "$LOGS/meta.txt"

# 1. Snapshot and build.
for label in before after; do
    src=${SRC[$label]} dst=$OUT/work/$label
    rev=$(git -C "$src" rev-parse --short HEAD 2>/dev/null || echo "no-git")
    dirty=$(git -C "$src" status --porcelain 2>/dev/null | grep -c . || true)
    echo "$label=$src @ $rev, $dirty uncommitted paths" >> "$LOGS/meta.txt"
    log "$label: copying $src ($rev, $dirty uncommitted paths) to $dst"
    mkdir -p "$dst"
    tar -C "$src" --exclude=.git --exclude=bin --exclude=obj --exclude=BenchmarkDotNet.Artifacts \
        --exclude=TestResults -cf - . | tar -C "$dst" -xf -
    log "$label: building $PROJECT (Release, timeout ${BUILD_TIMEOUT}s)"
    if ! (cd "$dst" && bounded "$BUILD_TIMEOUT" dotnet build -c Release -nodeReuse:false "$PROJECT") > "$LOGS/$label-build.log" 2>&1; then
        tail -30 "$LOGS/$label-build.log"; log "$label: build failed, see $LOGS/$label-build.log"; exit 1
    fi
    log "$label: built"
done

# 2. Interleaved rounds, alternating trees.
for round in $(seq 1 "$ROUNDS"); do
    for label in before after; do
        quiet
        log "$label: --interleaved round $round/$ROUNDS (timeout ${INTERLEAVED_TIMEOUT}s, load $(load1))"
        f=$LOGS/$label-interleaved-$round.log
        echo "load_$label-interleaved-$round=$(load1)" >> "$LOGS/meta.txt"
        if ! (cd "$OUT/work/$label" && bounded "$INTERLEAVED_TIMEOUT" dotnet "$DLL" --interleaved --launches "$LAUNCHES") > "$f" 2>&1; then
            tail -20 "$f"; log "$label: --interleaved failed, see $f"; exit 1
        fi
        echo "load_$label-interleaved-$round-end=$(load1)" >> "$LOGS/meta.txt"
        grep 'OAuthClient handler' "$f" | sed 's/^/    /'
    done
done

# 3. BenchmarkDotNet, once per tree. It looks for the .csproj from the current directory, so run from the copy.
if [[ $QUICK != 1 ]]; then
    for label in before after; do
        quiet
        log "$label: BenchmarkDotNet HandlerBenchmarks + ProviderBenchmarks (timeout ${BDN_TIMEOUT}s, load $(load1))"
        f=$LOGS/$label-bdn.log
        echo "load_$label-bdn=$(load1)" >> "$LOGS/meta.txt"
        rm -rf "$OUT/work/$label/BenchmarkDotNet.Artifacts"
        if ! (cd "$OUT/work/$label" && bounded "$BDN_TIMEOUT" dotnet "$DLL" \
                --filter '*.HandlerBenchmarks.*' '*.ProviderBenchmarks.*' --artifacts "$OUT/work/$label/BenchmarkDotNet.Artifacts") > "$f" 2>&1; then
            tail -20 "$f"; log "$label: BenchmarkDotNet failed, see $f"; exit 1
        fi
        echo "load_$label-bdn-end=$(load1)" >> "$LOGS/meta.txt"
        grep -h 'token requests' "$f" | sort | uniq -c | sed 's/^/    /' || true
        log "$label: BenchmarkDotNet done"
    done
fi
echo "load_end=$(cut -d' ' -f1-3 /proc/loadavg)" >> "$LOGS/meta.txt"
echo "elapsed_s=$(( $(date +%s) - START ))" >> "$LOGS/meta.txt"

# 4. Summary.
summarize
log "done: $OUT/summary.md"
