#!/usr/bin/env bash
# A PR-like changeset flow in a throwaway copy of the repository: on a feature branch, change
# @hub/core and add a changeset (minor); `changeset status` must pass and `changeset version`
# must bump core and its dependents, write the CHANGELOG, and keep workspace:^ ranges.
# Leaves the real checkout untouched.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
eval "$("$root/hub" env)"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
git -C "$root" ls-files -z | (cd "$root" && xargs -0 cp --parents -t "$tmp")
ln -s "$root/node_modules" "$tmp/node_modules"
cd "$tmp"
commit() { git add -A && git -c user.email=ci@example.invalid -c user.name=ci commit -qm "$1"; }
version() { node -p "require('./packages/$1/package.json').version"; }
git init -q -b main && rm -f .changeset/*.md.tmp && commit base
# Consume the changesets already pending on main, so the sample's effect is measured alone.
if ls .changeset/*.md 2>/dev/null | grep -qv README; then pnpm exec changeset version >/dev/null && commit "release"; fi
before_core=$(version core)
before_pg=$(version store-postgres)
git checkout -q -b feature
echo "// sample change" >> packages/core/src/index.ts
cat > .changeset/ci-sample.md <<'CS'
---
'@hub/core': minor
---

Sample change used by CI to prove the release flow.
CS
commit "feature with changeset"
pnpm exec changeset status --since=main
pnpm exec changeset version
after_core=$(version core)
after_pg=$(version store-postgres)
range=$(node -p "require('./packages/store-postgres/package.json').dependencies['@hub/core']")
echo "@hub/core $before_core -> $after_core; @hub/store-postgres $before_pg -> $after_pg; its @hub/core range: $range"
node -e "
const [a, b] = process.argv.slice(1).map((v) => v.split('.').map(Number))
const minorBump = a[0] === b[0] ? b[1] === a[1] + 1 && b[2] === 0 : false
if (!minorBump) { console.error('core was not bumped by one minor'); process.exit(1) }
" "$before_core" "$after_core"
[ "$after_pg" != "$before_pg" ] || { echo "dependent @hub/store-postgres was not bumped"; exit 1; }
case "$range" in workspace:*) ;; *) echo "workspace range lost: $range"; exit 1 ;; esac
grep -q 'Sample change used by CI' packages/core/CHANGELOG.md || { echo "CHANGELOG not written"; exit 1; }
echo "changeset flow OK"
