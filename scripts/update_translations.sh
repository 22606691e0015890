#!/bin/sh
# Refresh resources/translations/*.ts from the sources (see docs/translations.md).
set -eu
cd "$(dirname "$0")/.."
LUPDATE=${LUPDATE:-/usr/lib/qt6/bin/lupdate}
for ts in resources/translations/attnscope_*.ts; do
  "$LUPDATE" -I src src/app src/render ui -locations none -no-obsolete -ts "$ts"
done
