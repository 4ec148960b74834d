#!/usr/bin/python3
# test-cli.py LORIKEET_CLI — lorikeet-cli against the server the harness
# started (tests/harness/xmpp-server exports LK_TEST_*). Checks what a
# script relies on: output lines, one-sentence errors, exit codes per class,
# and certificate pins remembered in --data-dir.
#
# SPDX-License-Identifier: GPL-3.0-or-later
import os
import re
import socket
import subprocess
import sys
import tempfile

CLI = sys.argv[1]
E = os.environ
DOMAIN = E["LK_TEST_DOMAIN"]
failures = []


def run(*args, password=None, env_password=True):
    env = dict(E)
    env.pop("LORIKEET_PASSWORD", None)
    if env_password:
        env["LORIKEET_PASSWORD"] = password or E["LK_TEST_PASSWORD"]
    proc = subprocess.run([CLI, *args], capture_output=True, text=True, env=env, timeout=60)
    return proc.returncode, proc.stdout, proc.stderr


def check(name, condition, detail=""):
    print(("ok   " if condition else "FAIL ") + name)
    if not condition:
        failures.append(name)
        if detail:
            print("     " + detail.replace("\n", "\n     "))


def base(user="alice", port=None, direct=False):
    args = ["--jid", f"{user}@{DOMAIN}", "--host", E["LK_TEST_HOST"],
            "--port", port or E["LK_TEST_PORT"]]
    return args + (["--direct-tls"] if direct else [])


# probe over STARTTLS, trusting the test CA
code, out, err = run(*base(), "--ca-file", E["LK_TEST_CA_FILE"], "probe")
check("probe exits 0", code == 0, err)
check("probe: TLS 1.3", "tls: TLS 1.3" in out, out)
check("probe: SCRAM-SHA-256-PLUS", "sasl: SCRAM-SHA-256-PLUS" in out, out)
check("probe: channel binding named", re.search(r"^channel-binding: tls-(exporter|server-end-point)$", out, re.M) is not None, out)
check("probe: the reason is given", re.search(r"^sasl-reason: \S.*", out, re.M) is not None, out)
check("probe: bound JID", re.search(rf"^bound: alice@{re.escape(DOMAIN)}/\S+$", out, re.M) is not None, out)
check("probe: features listed", "features-after-auth:" in out and "bind (urn:ietf:params:xml:ns:xmpp-bind)" in out, out)
check("probe: disco#info", "disco#info:" in out and "feature http://jabber.org/protocol/disco#info" in out, out)
check("probe: certificate verified", "certificate: (verified)" in out and E["LK_TEST_CERT_SHA256"][:2].upper() in out, out)

# direct TLS (XEP-0368)
code, out, err = run(*base(port=E["LK_TEST_TLS_PORT"], direct=True), "--ca-file", E["LK_TEST_CA_FILE"], "probe")
check("probe over direct TLS", code == 0 and "(direct TLS)" in out, err + out)

# the password from a file rather than the environment
with tempfile.NamedTemporaryFile("w", delete=False) as f:
    f.write(E["LK_TEST_PASSWORD"] + "\n")
code, out, err = run(*base(user="bob"), "--ca-file", E["LK_TEST_CA_FILE"], "--password-file", f.name, "probe", env_password=False)
os.unlink(f.name)
check("password from --password-file", code == 0, err)

# wrong password: auth class, one sentence
code, out, err = run(*base(), "--ca-file", E["LK_TEST_CA_FILE"], "probe", password="wrong-password")
check("wrong password exits 5", code == 5, f"exit {code}: {err}")
check("wrong password: one line that says so", len(err.strip().splitlines()) == 1 and "password" in err, err)

# an untrusted certificate: TLS class, details shown; then pinned and remembered
with tempfile.TemporaryDirectory() as data:
    code, out, err = run(*base(), "--data-dir", data, "probe")
    check("untrusted certificate exits 4", code == 4, f"exit {code}: {err}")
    fingerprint = ":".join(E["LK_TEST_CERT_SHA256"][i:i + 2] for i in range(0, 64, 2)).upper()
    check("untrusted: fingerprint shown", fingerprint in err, err)
    code, out, err = run(*base(), "--data-dir", data, "--trust-fingerprint", fingerprint, "probe")
    check("--trust-fingerprint signs in", code == 0 and "accepted by pin" in out, err + out)
    code, out, err = run(*base(), "--data-dir", data, "probe")
    check("the pin is remembered in --data-dir", code == 0, err)
    with tempfile.TemporaryDirectory() as other:
        code, out, err = run(*base(), "--data-dir", other, "probe")
        check("another data dir does not trust it", code == 4, f"exit {code}")
    code, out, err = run(*base(), "--trust-fingerprint", "00" * 32, "probe")
    check("a wrong fingerprint exits 4", code == 4, f"exit {code}: {err}")

# network class: nothing listens on this port
s = socket.socket()
s.bind(("127.0.0.1", 0))
closed_port = str(s.getsockname()[1])
s.close()
code, out, err = run(*base(port=closed_port), "--ca-file", E["LK_TEST_CA_FILE"], "probe")
check("connection refused exits 3", code == 3, f"exit {code}: {err}")

# usage class
code, out, err = run(*base())
check("no command exits 2", code == 2, f"exit {code}: {err}")
code, out, err = run("--jid", "not a jid@", "probe")
check("an invalid JID exits 2", code == 2, f"exit {code}: {err}")
code, out, err = run(*base(), "--ca-file", E["LK_TEST_CA_FILE"], "probe", env_password=False)
check("no password exits 2", code == 2, f"exit {code}: {err}")

print(f"{len(failures)} failed" if failures else "all passed")
sys.exit(1 if failures else 0)
