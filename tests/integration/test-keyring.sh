#!/usr/bin/env bash
# test-keyring.sh LORIKEET_CLI — the FAST token of lorikeet-cli --data-dir
# lives in the Secret Service and nowhere else. Run under
# tests/harness/xmpp-server (LK_TEST_* set). Prints TAP.
#
# The keyring is real: a private session bus (dbus-run-session) with GNOME
# Keyring on it, unlocked with a password made up here, in a directory of
# its own; both end with this script. Without a bus at all, the CLI signs in
# the same and says once that the token is not kept.
#
# SPDX-License-Identifier: GPL-3.0-or-later
set -uo pipefail

SCHEMA=im.lorikeet.Lorikeet.Secret

if [ "${1:-}" != --on-bus ]; then
  CLI=$1
  if ! command -v dbus-run-session >/dev/null || ! command -v gnome-keyring-daemon >/dev/null ||
     ! command -v secret-tool >/dev/null || ! command -v dbus-send >/dev/null; then
    echo "1..0 # SKIP dbus-run-session, gnome-keyring-daemon, secret-tool or dbus-send missing (build-aux/install-deps)"
    exit 0
  fi
  work=$(mktemp -d "${LK_TEST_DIR:-${TMPDIR:-/tmp}}/keyring.XXXXXX") || exit 1
  export LK_KEYRING_WORK=$work
  # The same script, on a bus of its own: the bus ends when it does.
  dbus-run-session -- "$0" --on-bus "$CLI"
  status=$?
  rm -rf "$work"
  exit $status
fi

CLI=$2
work=$LK_KEYRING_WORK
jid=alice@$LK_TEST_DOMAIN
n=0
failed=0

ok () {  # ok CONDITION-STATUS NAME [DETAIL]
  n=$((n + 1))
  if [ "$1" -eq 0 ]; then
    echo "ok $n - $2"
  else
    echo "not ok $n - $2"
    failed=1
    [ -n "${3:-}" ] && printf '%s\n' "$3" | sed 's/^/# /'
  fi
}

# cli DATA-DIR PASSWORD ARGS... — run lorikeet-cli; sets out, err, code.
cli () {
  local data=$1 password=$2
  shift 2
  out=$(LORIKEET_PASSWORD=$password "$CLI" --jid "$jid" --host "$LK_TEST_HOST" \
          --port "$LK_TEST_PORT" --ca-file "$LK_TEST_CA_FILE" --data-dir "$data" "$@" \
          2>"$work/stderr")
  code=$?
  err=$(cat "$work/stderr")
}

stored () {  # the secret kept for the account, or nothing
  secret-tool lookup xdg:schema "$SCHEMA" account "$jid" kind fast-token 2>/dev/null
}

# GNOME Keyring, in the foreground so its pid is ours to end; its files
# under $work. --unlock reads the login keyring's password on stdin (and
# creates the keyring with it).
mkdir -p "$work/home" "$work/run" && chmod 700 "$work/run"
export HOME=$work/home XDG_DATA_HOME=$work/home/data XDG_CONFIG_HOME=$work/home/config
export XDG_RUNTIME_DIR=$work/run
printf '%s' "keyring-password-$$" |
  gnome-keyring-daemon --foreground --unlock --components=secrets >"$work/keyring.log" 2>&1 &
keyring_pid=$!
trap 'kill "$keyring_pid" 2>/dev/null; wait "$keyring_pid" 2>/dev/null' EXIT

# Until it owns the name: a call before that would have the bus start a
# second, locked daemon.
for _ in $(seq 100); do
  dbus-send --session --print-reply --dest=org.freedesktop.DBus /org/freedesktop/DBus \
    org.freedesktop.DBus.NameHasOwner string:org.freedesktop.secrets 2>/dev/null |
    grep -q 'boolean true' && break
  sleep 0.1
done

data=$work/data
wrong=not-the-password

# 1. The password signs in and a token is kept in the keyring.
cli "$data" "$LK_TEST_PASSWORD" probe
ok $code "first probe signs in with the password" "exit $code: $err"
grep -q '^fast: token received (HT-' <<<"$out"
ok $? "first probe receives a token" "$out"
secret=$(stored)
token=$(sed -n 2p <<<"$secret")
[[ $(sed -n 1p <<<"$secret") == HT-* && -n $token ]]
ok $? "the token is in the keyring (MECHANISM, TOKEN, EXPIRY)" "$secret"
agent=$(cat "$data/user-agents/$jid" 2>/dev/null)
[[ $agent =~ ^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$ ]]
ok $? "a user-agent id is kept in the data dir" "$agent"
[ -z "$err" ]
ok $? "nothing on stderr" "$err"

# 2. The token alone signs in: the password given is wrong.
cli "$data" "$wrong" probe
ok $code "second probe, wrong password, signs in" "exit $code: $err"
grep -qx 'fast: signed in with the stored token' <<<"$out"
ok $? "it says it used the stored token" "$out"
[ "$(cat "$data/user-agents/$jid" 2>/dev/null)" = "$agent" ]
ok $? "the user-agent id is the same"
token2=$(stored | sed -n 2p)
[ -n "$token2" ]
ok $? "a token is still kept (the same, or the server's rotation)"

# 3. send goes through the client (XmppClient): the token is used there too.
cli "$data" "$wrong" send "bob@$LK_TEST_DOMAIN" "signed in with a token"
ok $code "send with the token and a wrong password" "exit $code: $err"
token3=$(stored | sed -n 2p)

# 4. A token the server refuses is replaced: the password signs in and a
#    new token is kept.
printf 'HT-SHA-256-EXPR\nnot-a-token\n' |
  secret-tool store --label=test xdg:schema "$SCHEMA" account "$jid" kind fast-token
cli "$data" "$LK_TEST_PASSWORD" probe
ok $code "a refused token: the password signs in" "exit $code: $err"
! grep -q 'signed in with the stored token' <<<"$out"
ok $? "a refused token: not said to be used" "$out"
token4=$(stored | sed -n 2p)
[ -n "$token4" ] && [ "$token4" != not-a-token ]
ok $? "a refused token: a new one is kept in its place" "$(stored)"
cli "$data" "$wrong" probe
grep -qx 'fast: signed in with the stored token' <<<"$out"
ok $? "the new token signs in" "exit $code: $err $out"
token5=$(stored | sed -n 2p)

# 5. No token is written to a file of the data dir.
leaked=0
for t in "$token" "$token2" "$token3" "$token4" "$token5"; do
  [ -n "$t" ] && grep -rqF -- "$t" "$data" && leaked=1
done
ok $leaked "no file in the data dir holds a token" "$(ls -lR "$data")"

# 6. No session bus: the sign-in works, one line says the token is not kept.
nobus=$work/nobus
mkdir -p "$work/run-empty" && chmod 700 "$work/run-empty"
out=$(env -u DBUS_SESSION_BUS_ADDRESS -u DISPLAY -u WAYLAND_DISPLAY XDG_RUNTIME_DIR="$work/run-empty" \
        LORIKEET_PASSWORD="$LK_TEST_PASSWORD" "$CLI" --jid "$jid" --host "$LK_TEST_HOST" \
        --port "$LK_TEST_PORT" --ca-file "$LK_TEST_CA_FILE" --data-dir "$nobus" probe \
        2>"$work/stderr")
code=$?
err=$(cat "$work/stderr")
ok $code "no keyring: probe signs in" "exit $code: $err"
[ "$err" = "lorikeet-cli: no keyring on the session bus; the sign-in token is not kept" ]
ok $? "no keyring: exactly one line says so" "$err"
grep -q '^fast: token received (HT-' <<<"$out"
ok $? "no keyring: a token was received (and dropped)" "$out"
[ "$(cd "$nobus" && find . -type f | sort)" = "./user-agents/$jid" ]
ok $? "no keyring: the data dir holds only the user-agent id" "$(ls -lR "$nobus")"

echo "1..$n"
exit $failed
