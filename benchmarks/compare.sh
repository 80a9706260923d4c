#!/usr/bin/env bash
# Before vs after in one run: builds two git refs side by side and runs one benchmark on each,
# alternating rounds between them, then prints both tables and a side-by-side comparison.
#
#   benchmarks/compare.sh [-r ROUNDS] BEFORE_REF AFTER_REF BENCHMARK [benchmark options...]
#   benchmarks/compare.sh -r 3 main~4 main orchestrator --modes pipelined --skip-no-group-commit
#   benchmarks/compare.sh main my-branch filter --rate 1000 --paths /plain,/steps
#
# Each ref is checked out in a temporary `git worktree` and built there with
# `-Dbuild.dir.name=target-cmp -DskipTests` (never `install`). One load driver (the benchmarks
# jar of DRIVER_REF, default AFTER_REF) measures both sides, so flags the old ref's driver lacks
# still work: per side it runs
#   java -cp <side core jar>:<side servlet jar>:<driver jar> dev.stephttp.benchmarks.Bench \
#        BENCHMARK [options] --jar <side orchestrator jar> --rounds 1 --label <side> --raw FILE
# The side's library jars come first on the class path, so the app that the filter benchmark
# runs in the driver's JVM uses that side's filter and core; the orchestrator is always the
# side's own shaded jar in a child process. See BENCHMARKS.md, "Before vs after in one run".
# Round r runs BEFORE then AFTER when r is odd, AFTER then BEFORE when even.
set -euo pipefail

rounds=3
if [[ "${1:-}" == "-r" ]]; then
  rounds="$2"
  shift 2
fi
if [[ $# -lt 3 ]]; then
  sed -n '2,9p' "$0" | sed 's/^# \{0,1\}//'
  exit 2
fi
before_ref="$1"
after_ref="$2"
shift 2
benchmark="$1"
shift
driver_ref="${DRIVER_REF:-$after_ref}"

repo="$(git -C "$(dirname "$0")" rev-parse --show-toplevel)"
work="$(mktemp -d "${TMPDIR:-/tmp}/stephttp-compare.XXXXXX")"
raw="$work/raw.tsv"
trees=()
cleanup() {
  for t in "${trees[@]}"; do
    git -C "$repo" worktree remove --force "$t" >/dev/null 2>&1 || true
  done
  git -C "$repo" worktree prune
  rm -rf "$work"
}
trap cleanup EXIT

# build REF MODULES: sets $tree to a work tree of REF's commit with MODULES built (one tree per
# distinct commit; the driver's tree is built first, with the benchmarks module, a superset)
declare -A built=()
build() {
  local commit
  commit="$(git -C "$repo" rev-parse --verify "$1^{commit}")"
  tree="$work/$commit"
  if [[ -z "${built[$commit]:-}" ]]; then
    echo "building $1 ($commit) in $tree" >&2
    git -C "$repo" worktree add --detach "$tree" "$commit" >/dev/null
    trees+=("$tree")
    (cd "$tree" && ./mvnw -B -q -pl "$2" -am package -DskipTests -Dbuild.dir.name=target-cmp >&2)
    built[$commit]=1
  fi
}

main_jar() { # main_jar MODULE_DIR: the module's jar (not sources/javadoc/tests)
  ls "$1"/target-cmp/*.jar | grep -v -e '-sources' -e '-javadoc' -e '-tests' -e 'original-' \
    | head -1
}

build "$driver_ref" benchmarks
driver_jar="$tree/benchmarks/target-cmp/stephttp-benchmarks.jar"
build "$before_ref" stephttp-servlet,stephttp-orchestrator
before_tree="$tree"
build "$after_ref" stephttp-servlet,stephttp-orchestrator
after_tree="$tree"

run_side() { # run_side LABEL TREE [benchmark options...]
  local label="$1" side="$2"
  shift 2
  local cp
  cp="$(main_jar "$side/stephttp-core"):$(main_jar "$side/stephttp-servlet"):$driver_jar"
  echo "== $label: $(git -C "$side" log -1 --format='%h %s' | cut -c1-70);" \
    "$(uptime | sed 's/.*load/load/')" >&2
  java -cp "$cp" dev.stephttp.benchmarks.Bench "$benchmark" "$@" \
    --jar "$side/stephttp-orchestrator/target-cmp/stephttp-orchestrator.jar" \
    --rounds 1 --label "$label" --raw "$raw" >/dev/null
}

for ((r = 1; r <= rounds; r++)); do
  echo "== round $r of $rounds" >&2
  if ((r % 2 == 1)); then
    run_side before "$before_tree" "$@"
    run_side after "$after_tree" "$@"
  else
    run_side after "$after_tree" "$@"
    run_side before "$before_tree" "$@"
  fi
done

echo "# $benchmark $*: before = $before_ref ($(git -C "$repo" rev-parse --short "$before_ref")), after = $after_ref ($(git -C "$repo" rev-parse --short "$after_ref")), driver = $driver_ref, $rounds round(s)"
java -cp "$driver_jar" dev.stephttp.benchmarks.Bench tables "$raw"
kept="${TMPDIR:-/tmp}/stephttp-compare-$(date +%Y%m%d-%H%M%S).tsv"
cp "$raw" "$kept"
echo "(raw figures: $kept)" >&2
