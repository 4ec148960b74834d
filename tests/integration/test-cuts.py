#!/usr/bin/python3
# test-cuts.py LORIKEET_CLI — nothing is lost when the connection is cut.
#
# A TCP proxy between `lorikeet-cli send` and the server the harness
# started cuts the connection after a random number of bytes, again and
# again (during TLS, sign-in, or the messages). The sender must resume its
# XEP-0198 session and deliver all 500 lines; a second account, connected
# directly, must receive each exactly once, in order.
#
# SPDX-License-Identifier: GPL-3.0-or-later
import os
import random
import socket
import subprocess
import sys
import threading
import time

CLI = sys.argv[1]
E = os.environ
DOMAIN = E["LK_TEST_DOMAIN"]
SEED = int(E.get("LK_CUTS_SEED", "20261125"))
CUTS = 8            # cuts before the proxy lets a connection live
LINES = 500


class CuttingProxy(threading.Thread):
    def __init__(self, target):
        super().__init__(daemon=True)
        self.target = target
        self.rng = random.Random(SEED)
        self.listener = socket.socket()
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(16)
        self.port = self.listener.getsockname()[1]
        self.cuts = 0
        self.connections = 0
        self.lock = threading.Lock()

    def run(self):
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            with self.lock:
                self.connections += 1
                budget = self.rng.randint(1000, 20000) if self.cuts < CUTS else None
            threading.Thread(target=self.relay, args=(client, budget), daemon=True).start()

    def relay(self, client, budget):
        server = socket.create_connection(self.target)
        state = {"left": budget, "done": False}
        lock = threading.Lock()

        def pump(src, dst):
            try:
                while True:
                    data = src.recv(4096)
                    if not data:
                        break
                    with lock:
                        if state["done"]:
                            break
                        if state["left"] is not None:
                            if len(data) >= state["left"]:
                                # forward part of the chunk, then cut both ways
                                dst.sendall(data[:state["left"]])
                                state["done"] = True
                                with self.lock:
                                    self.cuts += 1
                                break
                            state["left"] -= len(data)
                    dst.sendall(data)
            except OSError:
                pass
            for s in (src, dst):
                try:
                    s.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

        a = threading.Thread(target=pump, args=(client, server), daemon=True)
        b = threading.Thread(target=pump, args=(server, client), daemon=True)
        a.start(); b.start(); a.join(); b.join()
        client.close(); server.close()


def main():
    proxy = CuttingProxy((E["LK_TEST_HOST"], int(E["LK_TEST_PORT"])))
    proxy.start()
    env = dict(E, LORIKEET_PASSWORD=E["LK_TEST_PASSWORD"])
    common = ["--ca-file", E["LK_TEST_CA_FILE"], "--host", E["LK_TEST_HOST"]]

    listener = subprocess.Popen([CLI, "--jid", f"carol@{DOMAIN}", *common, "--port", E["LK_TEST_PORT"],
                                 "--count", str(LINES), "--timeout", "150", "listen"],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    time.sleep(1.0)
    lines = [f"line {i:03d}" for i in range(LINES)]
    started = time.monotonic()
    sender = subprocess.run([CLI, "--jid", f"alice@{DOMAIN}", *common, "--port", str(proxy.port),
                             "send", f"carol@{DOMAIN}"],
                            input="\n".join(lines) + "\n", capture_output=True, text=True, env=env,
                            timeout=180)
    elapsed = time.monotonic() - started
    out, err = listener.communicate(timeout=180)
    got = [line.split("\t", 1)[1] for line in out.splitlines() if "\t" in line]

    if E.get("LK_CUTS_LOG"):
        open(E["LK_CUTS_LOG"], "w").write(sender.stdout + sender.stderr)
    print(f"sender exit {sender.returncode} after {elapsed:.1f} s; "
          f"{proxy.connections} connections, {proxy.cuts} cut")
    failures = []
    if sender.returncode != 0:
        failures.append(f"send exited {sender.returncode}: {sender.stderr.strip()}")
    if proxy.cuts < 3:
        failures.append(f"only {proxy.cuts} cuts happened: the test proved nothing")
    if got != lines:
        dupes = len(got) - len(set(got))
        seen = set()
        dup_lines = [g for g in got if g in seen or seen.add(g)]
        print("duplicated: " + ", ".join(dup_lines[:40]))
        missing = sorted(set(lines) - set(got))
        failures.append(f"received {len(got)} lines ({dupes} duplicates, {len(missing)} missing: "
                        f"{missing[:5]}); listener: {err.strip()}")
    for f in failures:
        print("FAIL " + f)
    print("all passed" if not failures else f"{len(failures)} failed")
    return 1 if failures else 0


sys.exit(main())
