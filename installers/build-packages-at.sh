#!/bin/sh
# Builds the Debian packages of an earlier commit, for upgrade tests from a real earlier release:
#   installers/build-packages-at.sh REF OUTDIR
# checks REF out in a temporary git worktree, runs the packaging build there (offline when the
# local Maven repository has everything, online otherwise), copies its vigil-agent_*.deb and
# vigil-collector_*.deb to OUTDIR and removes the worktree. Then, for example:
#   mvn -B -o -q verify -pl testkit -am -Dtest=PackageLifecycleTest \
#     -Dsurefire.failIfNoSpecifiedTests=false -Dvigil.previousDebs=OUTDIR
set -eu

usage() {
  echo "usage: $0 REF OUTDIR" >&2
  exit 2
}
[ $# -eq 2 ] || usage
ref=$1
out=$2

repo=$(git -C "$(dirname "$0")" rev-parse --show-toplevel)
commit=$(git -C "$repo" rev-parse --verify "$ref^{commit}")
tree=$(mktemp -d "${TMPDIR:-/tmp}/vigil-build-at.XXXXXX")
# mktemp made the directory; git worktree add wants to create it.
rmdir "$tree"

cleanup() {
  git -C "$repo" worktree remove --force "$tree" 2>/dev/null || rm -rf "$tree"
  git -C "$repo" worktree prune
}
trap cleanup EXIT
trap 'exit 130' INT TERM

git -C "$repo" worktree add --detach "$tree" "$commit" >/dev/null
echo "building the packages of $(git -C "$tree" log -1 --format='%h %s') in $tree" >&2
# -am: ~/.m2 may hold snapshots of other builds; the reactor builds this commit's modules.
build() {
  (cd "$tree" && mvn -B -q "$@" -DskipTests package -pl installers -am)
}
if ! build -o; then
  echo "the offline build failed; retrying online" >&2
  build
fi

mkdir -p "$out"
found=0
for deb in "$tree"/installers/target/vigil-agent_*.deb "$tree"/installers/target/vigil-collector_*.deb; do
  if [ -f "$deb" ]; then
    cp "$deb" "$out"/
    echo "$out/$(basename "$deb")"
    found=$((found + 1))
  fi
done
if [ "$found" -ne 2 ]; then
  echo "$0: expected one vigil-agent and one vigil-collector package from $commit, found $found" >&2
  exit 1
fi
