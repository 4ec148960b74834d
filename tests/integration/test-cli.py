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
check("probe: features listed", "features-after-auth:" in out and "sm (urn:xmpp:sm:3)" in out, out)
check("probe: SASL2 used", "sasl2: yes" in out, out)
check("probe: XEP-0474 verified", "downgrade-protection: verified (XEP-0474)" in out, out)
check("probe: a FAST token received", re.search(r"^fast: token received \(HT-SHA-256-", out, re.M) is not None, out)
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

# send and listen: every line arrives once, in order, escaped as documented
def listen(user, count, timeout):
    env = dict(E, LORIKEET_PASSWORD=E["LK_TEST_PASSWORD"])
    return subprocess.Popen([CLI, *base(user=user), "--ca-file", E["LK_TEST_CA_FILE"],
                             "--count", str(count), "--timeout", str(timeout), "listen"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)


def wait_online(user):
    # listen signs in asynchronously; a probe of the same account after it
    # has started is a cheap way to give it time without a fixed sleep
    import time
    time.sleep(1.0)


lines = ["first", "tab\there", "back\\slash", "ünïcödé 😀", "last"]
listener = listen("carol", len(lines), 30)
wait_online("carol")
env = dict(E, LORIKEET_PASSWORD=E["LK_TEST_PASSWORD"])
sender = subprocess.run([CLI, *base(), "--ca-file", E["LK_TEST_CA_FILE"], "send", f"carol@{DOMAIN}"],
                        input="\n".join(lines) + "\n", capture_output=True, text=True, env=env, timeout=60)
check("send from stdin exits 0", sender.returncode == 0, sender.stderr)
out, err = listener.communicate(timeout=60)
check("listen exits 0 after --count messages", listener.returncode == 0, err)
got = [line.split("\t", 1)[1] if "\t" in line else line for line in out.splitlines()]
expected = [l.replace("\\", "\\\\").replace("\t", "\\t") for l in lines]
check("each line arrives once, in order, escaped", got == expected, f"got {got!r}, expected {expected!r}")
check("listen prints the sender", all(line.startswith(f"alice@{DOMAIN}/") for line in out.splitlines()), out)

many = [f"message {i}" for i in range(200)]
listener = listen("carol", len(many), 60)
wait_online("carol")
sender = subprocess.run([CLI, *base(), "--ca-file", E["LK_TEST_CA_FILE"], "send", f"carol@{DOMAIN}"],
                        input="\n".join(many) + "\n", capture_output=True, text=True, env=env, timeout=120)
check("send of 200 lines exits 0", sender.returncode == 0, sender.stderr)
out, err = listener.communicate(timeout=120)
got = [line.split("\t", 1)[1] for line in out.splitlines()]
check("200 lines arrive exactly once, in order", got == many, f"{len(got)} lines; first differences: {[(i, g) for i, g in enumerate(got) if i >= len(many) or g != many[i]][:3]}")

code, out, err = run(*base(user="bob"), "--ca-file", E["LK_TEST_CA_FILE"], "send", f"carol@{DOMAIN}", "one message")
check("send TEXT exits 0", code == 0, err)
listener = listen("bob", 1, 2)
out, err = listener.communicate(timeout=30)
check("listen --count with nothing coming exits 3 at --timeout", listener.returncode == 3, f"exit {listener.returncode}: {err}")

# register: a new account in-band (XEP-0077), usable at once; a taken name
# is the auth class, in one line
import random
new_user = f"newuser{random.randint(100000, 999999)}"
new_password = "a new password, 17"
where = ["--host", E["LK_TEST_HOST"], "--port", E["LK_TEST_PORT"], "--ca-file", E["LK_TEST_CA_FILE"]]
code, out, err = run(*where, "register", f"{new_user}@{DOMAIN}", password=new_password)
check("register exits 0", code == 0, f"exit {code}: {err}")
check("register prints the account", out.strip() == f"registered: {new_user}@{DOMAIN}", out)
code, out, err = run(*base(user=new_user), "--ca-file", E["LK_TEST_CA_FILE"], "probe", password=new_password)
check("probe as the new account", code == 0 and f"bound: {new_user}@{DOMAIN}/" in out, f"exit {code}: {err}")
code, out, err = run(*where, "register", f"alice@{DOMAIN}", password=new_password)
check("registering an existing account exits 5", code == 5, f"exit {code}: {err}")
check("an existing account: one line that says so", len(err.strip().splitlines()) == 1 and "taken" in err, err)
code, out, err = run(*where, "register", DOMAIN)
check("register without a user name exits 2", code == 2, f"exit {code}: {err}")

# see-other-host (RFC 6120 §4.9.3.19): a redirector answers every stream
# with a stream error pointing at the real server; the client follows it.
import threading


def redirector(listener, target):
    while True:
        try:
            conn, _ = listener.accept()
        except OSError:
            return
        try:
            conn.recv(4096)
            conn.sendall(("<?xml version='1.0'?><stream:stream xmlns='jabber:client' "
                          "xmlns:stream='http://etherx.jabber.org/streams' version='1.0' "
                          f"from='{DOMAIN}' id='r1'><stream:error><see-other-host "
                          f"xmlns='urn:ietf:params:xml:ns:xmpp-streams'>{target}</see-other-host>"
                          "</stream:error></stream:stream>").encode())
        except OSError:
            pass
        conn.close()


redirect = socket.socket()
redirect.bind(("127.0.0.1", 0))
redirect.listen(4)
threading.Thread(target=redirector, args=(redirect, f"127.0.0.1:{E['LK_TEST_PORT']}"), daemon=True).start()
code, out, err = run(*base(port=str(redirect.getsockname()[1])), "--ca-file", E["LK_TEST_CA_FILE"], "probe")
check("see-other-host is followed", code == 0 and f"endpoint: 127.0.0.1:{E['LK_TEST_PORT']} (STARTTLS)" in out, err + out)
loop = socket.socket()
loop.bind(("127.0.0.1", 0))
loop.listen(8)
threading.Thread(target=redirector, args=(loop, f"127.0.0.1:{loop.getsockname()[1]}"), daemon=True).start()
code, out, err = run(*base(port=str(loop.getsockname()[1])), "--ca-file", E["LK_TEST_CA_FILE"], "probe")
check("a see-other-host loop ends with exit 6", code == 6 and "another host" in err, f"exit {code}: {err}")

print(f"{len(failures)} failed" if failures else "all passed")
sys.exit(1 if failures else 0)
