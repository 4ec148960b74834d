#!/bin/sh
# check-potfiles.sh SRCDIR — every source file that marks strings for
# translation is listed in po/POTFILES.in, and every listed file exists:
# a string in a file left out would never reach translators.
set -eu
cd "$1"
status=0
listed=$(grep -v '^#' po/POTFILES.in | sed '/^$/d')
for f in $listed; do
  [ -f "$f" ] || { echo "po/POTFILES.in lists $f, which does not exist"; status=1; }
done
for f in $(grep -rlE '(^|[^A-Za-z0-9_])(N?_|C_|NC_|g_dgettext|ngettext)\(' --include='*.c' --include='*.ui' src); do
  echo "$listed" | grep -qx "$f" || { echo "$f has translatable strings but is not in po/POTFILES.in"; status=1; }
done
[ $status -eq 0 ] && echo "po/POTFILES.in is complete"
exit $status
