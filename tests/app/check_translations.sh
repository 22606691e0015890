#!/bin/sh
# Fails when a translation in resources/translations is incomplete or stale: lupdate runs over a
# copy of each .ts (the same sources as scripts/update_translations.sh, keeping obsolete entries)
# and any message it marks unfinished, vanished or obsolete is listed.
set -eu
src=${1:?source dir}
LUPDATE=${LUPDATE:-/usr/lib/qt6/bin/lupdate}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
status=0
cd "$src"
for ts in resources/translations/attnscope_*.ts; do
  copy="$tmp/$(basename "$ts")"
  cp "$ts" "$copy"
  "$LUPDATE" -I src src/app src/render ui -locations none -ts "$copy" >"$tmp/log" 2>&1 || { cat "$tmp/log"; exit 1; }
  if grep -q 'lacks Q_OBJECT' "$tmp/log"; then grep 'lacks Q_OBJECT' "$tmp/log"; status=1; fi
  bad=$(grep -c -E 'type="(unfinished|vanished|obsolete)"' "$copy" || true)
  total=$(grep -c '<source>' "$copy" || true)
  echo "$ts: $total messages, $bad unfinished or stale"
  if [ "$bad" -ne 0 ]; then
    grep -B2 -E 'type="(unfinished|vanished|obsolete)"' "$copy" | grep '<source>' | head -40
    echo "run scripts/update_translations.sh and translate the new strings (docs/translations.md)"
    status=1
  fi
done
exit $status
