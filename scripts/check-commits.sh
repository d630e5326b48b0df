#!/usr/bin/env bash
# Commit style, checked on every commit after the rule was adopted (#29): a subject of at most 72 characters in
# `type(scope): summary` form; non-merge commits also need a body (the why and the figures). Older history is
# left as it was. In a shallow clone without the base commits the check says so and passes.
set -euo pipefail
cd "$(dirname "$0")/.."
SUBJECT_BASE=94a834f   # subjects checked from here on
BODY_BASE=f8bc963      # bodies required from here on
for base in "$SUBJECT_BASE" "$BODY_BASE"; do
  if ! git cat-file -e "$base^{commit}" 2>/dev/null; then
    echo "check-commits: base $base is not in this clone (shallow?); skipped"; exit 0
  fi
done
bad=0
while IFS= read -r sha; do
  subject=$(git log -1 --format=%s "$sha")
  if [ ${#subject} -gt 72 ]; then echo "check-commits: $sha subject is ${#subject} > 72 characters: $subject"; bad=1; fi
  if ! [[ "$subject" =~ ^[a-z]+(\([^\)]+\))?!?:\ .+ ]]; then echo "check-commits: $sha subject is not 'type(scope): summary': $subject"; bad=1; fi
done < <(git rev-list "$SUBJECT_BASE..HEAD")
while IFS= read -r sha; do
  if [ -z "$(git log -1 --format=%b "$sha" | tr -d '[:space:]')" ]; then
    echo "check-commits: $sha has no body (why and figures): $(git log -1 --format=%s "$sha")"; bad=1
  fi
done < <(git rev-list --no-merges "$BODY_BASE..HEAD")
[ "$bad" = 0 ] && echo "check-commits: $(git rev-list --count "$SUBJECT_BASE..HEAD") commits follow the style"
exit "$bad"
