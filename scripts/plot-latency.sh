#!/usr/bin/env bash
# Plots p50/p99 submit latency against the offered rate (docs/benchmarks.md).
#
#   bash scripts/plot-latency.sh [RATE ...]     # default: 1000 2000 5000 7500 10000 15000
#
# Runs `parley-bench latency --rate R --duration $DURATION --json` once per rate (5 s each
# by default: about a minute in all), collects p50/p99/p99.9 into docs/img/latency-vs-rate.tsv
# and draws docs/img/latency-vs-rate.png with gnuplot (package gnuplot-nox, installed with
# apt-get when missing; it is not a dependency of the build or the tests). The bench binary
# is $PARLEY_BENCH, by default build-release/bin/parley-bench, built (Release, -j1) if absent.
set -euo pipefail
cd "$(dirname "$0")/.."

rates=("$@")
[ ${#rates[@]} -gt 0 ] || rates=(1000 2000 5000 7500 10000 15000)
duration=${DURATION:-5}
bench=${PARLEY_BENCH:-build-release/bin/parley-bench}
out_dir=docs/img
tsv=$out_dir/latency-vs-rate.tsv
png=$out_dir/latency-vs-rate.png

if [ ! -x "$bench" ]; then
  cmake -S . -B build-release -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
  cmake --build build-release -j1 --target parley-bench
  bench=build-release/bin/parley-bench
fi
if ! command -v gnuplot >/dev/null; then
  SUDO=""
  if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
  echo "plot-latency: installing gnuplot-nox"
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends gnuplot-nox
fi
for tool in jq gnuplot; do
  command -v "$tool" >/dev/null || { echo "plot-latency: $tool is missing" >&2; exit 1; }
done

mkdir -p "$out_dir"
tmp=$(mktemp)
trap 'rm -f "$tmp"' EXIT
{
  echo "# parley-bench latency --rate R --duration $duration --json, $(date -u +%Y-%m-%d), $(nproc) cores"
  echo "# latencies in ms from the intended send time to Submitted (bench/README.md)"
  printf '# rate\tacked_per_s\tp50_ms\tp99_ms\tp999_ms\terrors\tcpu_other_pct\n'
} >"$tmp"
for r in "${rates[@]}"; do
  echo "plot-latency: --rate $r for ${duration} s" >&2
  line=$("$bench" latency --rate "$r" --duration "$duration" --json --no-progress | tail -n 1)
  echo "$line" | jq -r --arg r "$r" \
    '[$r, .throughput_per_s, .p50_ms, .p99_ms, .p999_ms, .errors, .cpu_other_pct] | @tsv' >>"$tmp"
done
mv "$tmp" "$tsv"
trap - EXIT

max_rate=$(printf '%s\n' "${rates[@]}" | sort -n | tail -n 1)
gnuplot <<EOF
set terminal png size 960,600 font ",12"
set output "$png"
set title "parley-bench latency: submit -> Submitted by offered rate (embedded engine, 2 cores)"
set xlabel "offered rate (submits/s, open loop)"
set ylabel "latency from the intended send time (ms, log scale)"
set logscale y
set format y "%g"
set grid xtics ytics mytics
set key top left box opaque
set xrange [0:${max_rate}*1.05]
set arrow from 0,2 to ${max_rate}*1.05,2 nohead dt 2 lw 2 lc rgb "#cc0000"
set label "goal: p99 <= 2 ms at 10,000/s" at ${max_rate}*0.02,2.6 tc rgb "#cc0000"
plot "$tsv" using 1:3 with linespoints lw 2 pt 7 title "p50", \
     "$tsv" using 1:4 with linespoints lw 2 pt 5 title "p99", \
     "$tsv" using 1:5 with linespoints lw 1 pt 9 dt 3 title "p99.9"
EOF
echo "plot-latency: wrote $tsv and $png"
