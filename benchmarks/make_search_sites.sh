#!/bin/sh
# Generate a synthetic portal and build it three times, once per search index split, for
# benchmarks/bench_search_cost.py. Builds run one after another (each uses every core).
#
# Usage: benchmarks/make_search_sites.sh [OUT_DIR] [PROJECTS] [FUNDS]
#   defaults: /tmp/searchcost, 20000 projects, one fund per 40 projects (as bench_check_build).
# Writes OUT_DIR/site (the sources; kept if already there), OUT_DIR/all, OUT_DIR/region,
# OUT_DIR/province (the builds, replaced) and OUT_DIR/build-SPLIT.log. Then, e.g.:
#   python benchmarks/bench_search_cost.py OUT_DIR/all OUT_DIR/region OUT_DIR/province
set -eu
out=${1:-/tmp/searchcost}
projects=${2:-20000}
funds=${3:-$((projects / 40))}
here=$(dirname "$0")
mkdir -p "$out"
if [ ! -f "$out/site/data/site.yaml" ]; then
    python "$here/synth.py" "$out/site" --projects "$projects" --funds "$funds"
fi
for split in all region province; do
    rm -rf "${out:?}/$split"
    echo "building $out/$split (--search-split $split)"
    start=$(date +%s)
    fundsite build "$out/site" -o "$out/$split" --search-split "$split" --clean \
        >"$out/build-$split.log" 2>&1
    echo "  $(($(date +%s) - start)) s; $(tail -n 1 "$out/build-$split.log")"
done
