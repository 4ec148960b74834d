#!/usr/bin/python3
"""Smoke test of the test server started by tests/harness/xmpp-server.

Run as: xmpp-server prosody -- check-server.py (or ejabberd)

Checks, from outside and with nothing of Lorikeet's: TLS 1.3 on the STARTTLS
and the direct-TLS port with a certificate that verifies against the run's CA
(openssl s_client, then Python's ssl); the stream features before and after
TLS on each host; SCRAM logins (SASL1 and SASL2, with and without channel
binding), SSDP (XEP-0474), Bind2, a FAST token and a FAST login; an HTTP
upload slot, PUT and GET over HTTPS. It prints what the server offers: those
facts are what the client has to meet. Exit status 0 when all checks pass.
"""

import base64
import hashlib
import hmac
import http.client
import os
import secrets
import socket
import ssl
import subprocess
import sys
import urllib.parse
import uuid
import xml.etree.ElementTree as ET
from xml.sax.saxutils import quoteattr

NS_STREAM = "http://etherx.jabber.org/streams"
NS_CLIENT = "jabber:client"
NS_TLS = "urn:ietf:params:xml:ns:xmpp-tls"
NS_SASL = "urn:ietf:params:xml:ns:xmpp-sasl"
NS_SASL2 = "urn:xmpp:sasl:2"
NS_BIND = "urn:ietf:params:xml:ns:xmpp-bind"
NS_BIND2 = "urn:xmpp:bind:0"
NS_FAST = "urn:xmpp:fast:0"
NS_SASL_CB = "urn:xmpp:sasl-cb:0"
NS_SM = "urn:xmpp:sm:3"
NS_UPLOAD = "urn:xmpp:http:upload:0"
NS_DISCO_INFO = "http://jabber.org/protocol/disco#info"

ENV = os.environ
SERVER = ENV["LK_TEST_SERVER"]
HOST = ENV["LK_TEST_HOST"]
PORT = int(ENV["LK_TEST_PORT"])
TLS_PORT = int(ENV["LK_TEST_TLS_PORT"])
CA_FILE = ENV["LK_TEST_CA_FILE"]
CERT_SHA256 = ENV["LK_TEST_CERT_SHA256"]
PASSWORD = ENV["LK_TEST_PASSWORD"]
DOMAIN = ENV["LK_TEST_DOMAIN"]
SHA1_DOMAIN = ENV["LK_TEST_SHA1_DOMAIN"]
UPLOAD_DOMAIN = ENV["LK_TEST_UPLOAD_DOMAIN"]
USERS = ENV["LK_TEST_USERS"].split()

failures = []


def check(cond, what):
    print(f"  {'ok  ' if cond else 'FAIL'} {what}", flush=True)
    if not cond:
        failures.append(what)
    return cond


def tag(el):
    """{ns}name -> name"""
    return el.tag.rsplit("}", 1)[-1]


def ns(el):
    return el.tag[1:].split("}", 1)[0] if el.tag.startswith("{") else ""


class Stream:
    """A client stream: TCP (STARTTLS) or direct TLS, one XML parser a stream."""

    def __init__(self, domain, direct_tls=False, from_jid=None, tls_max=None):
        self.domain = domain
        self.from_jid = from_jid
        self.tls_max = tls_max
        self.sock = socket.create_connection((HOST, TLS_PORT if direct_tls else PORT), timeout=10)
        self.tls_version = None
        if direct_tls:
            self.wrap_tls(alpn=["xmpp-client"])
        self.features = self.open()

    def tls_context(self):
        ctx = ssl.create_default_context(cafile=CA_FILE)
        if self.tls_max:
            ctx.maximum_version = self.tls_max
        return ctx

    def wrap_tls(self, alpn=None):
        ctx = self.tls_context()
        if alpn:
            ctx.set_alpn_protocols(alpn)
        self.sock = ctx.wrap_socket(self.sock, server_hostname=self.domain)
        self.tls_version = self.sock.version()

    def send(self, data):
        self.sock.sendall(data.encode())

    def open(self):
        self.parser = ET.XMLPullParser(events=("start", "end"))
        self.depth = 0
        frm = f" from={quoteattr(self.from_jid)}" if self.from_jid else ""
        self.send(f"<?xml version='1.0'?><stream:stream to={quoteattr(self.domain)}{frm}"
                  f" version='1.0' xml:lang='en' xmlns='jabber:client'"
                  f" xmlns:stream='{NS_STREAM}'>")
        self.pending = []
        features = self.read()
        assert tag(features) == "features", ET.tostring(features)
        return features

    def read(self):
        """The next top-level element of the stream."""
        while True:
            while self.pending:
                return self.pending.pop(0)
            data = self.sock.recv(65536)
            if not data:
                raise EOFError("stream closed by the server")
            self.parser.feed(data)
            for event, el in self.parser.read_events():
                if event == "start":
                    self.depth += 1
                else:
                    self.depth -= 1
                    if self.depth == 1:
                        self.pending.append(el)
                    elif self.depth == 0:
                        raise EOFError("</stream:stream> from the server")

    def starttls(self):
        self.send(f"<starttls xmlns='{NS_TLS}'/>")
        el = self.read()
        assert tag(el) == "proceed", ET.tostring(el)
        self.wrap_tls()
        self.features = self.open()

    def close(self):
        try:
            self.send("</stream:stream>")
            self.sock.close()
        except OSError:
            pass

    # Channel-binding data, as far as Python's ssl can give it.
    def cb_data(self, cb_type):
        if cb_type == "tls-server-end-point":
            der = self.sock.getpeercert(binary_form=True)
            return hashlib.sha256(der).digest()
        if cb_type == "tls-unique":
            return self.sock.get_channel_binding("tls-unique")
        raise ValueError(cb_type)  # tls-exporter: not in Python 3.11's ssl


def describe_features(features):
    """A dict of what a <stream:features/> offers, and print it."""
    out = {"children": [], "mechanisms": [], "cb": [], "sasl2": None, "fast": [],
           "sasl2_inline": []}
    for child in features:
        name = f"{tag(child)} ({ns(child)})"
        out["children"].append(name)
        if tag(child) == "mechanisms" and ns(child) == NS_SASL:
            out["mechanisms"] = [m.text for m in child]
        elif tag(child) == "sasl-channel-binding" and ns(child) == NS_SASL_CB:
            out["cb"] = [c.get("type") for c in child]
        elif tag(child) == "authentication" and ns(child) == NS_SASL2:
            out["sasl2"] = [m.text for m in child.findall(f"{{{NS_SASL2}}}mechanism")]
            inline = child.find(f"{{{NS_SASL2}}}inline")
            if inline is not None:
                for i in inline:
                    desc = f"{tag(i)} ({ns(i)})"
                    if tag(i) == "bind" and ns(i) == NS_BIND2:
                        feats = i.find(f"{{{NS_BIND2}}}inline")
                        if feats is not None:
                            desc += " inline: " + " ".join(f.get("var") for f in feats)
                    if tag(i) == "fast" and ns(i) == NS_FAST:
                        out["fast"] = [m.text for m in i.findall(f"{{{NS_FAST}}}mechanism")]
                        desc += " mechanisms: " + " ".join(out["fast"])
                    out["sasl2_inline"].append(desc)
    print("    features:", ", ".join(out["children"]))
    if out["mechanisms"]:
        print("    SASL mechanisms:", " ".join(out["mechanisms"]))
    if out["cb"]:
        print("    channel bindings (XEP-0440):", " ".join(out["cb"]))
    if out["sasl2"] is not None:
        print("    SASL2 mechanisms:", " ".join(out["sasl2"]))
        for d in out["sasl2_inline"]:
            print("    SASL2 inline:", d)
    return out


# --- SCRAM -----------------------------------------------------------------

HASHES = {"SHA-1": "sha1", "SHA-256": "sha256", "SHA-512": "sha512"}


class Scram:
    def __init__(self, mechanism, user, password, cb_type=None, cb_data=b"", cb_supported=False):
        self.mech = mechanism
        self.hname = HASHES[mechanism.split("SCRAM-", 1)[1].replace("-PLUS", "")]
        self.user, self.password = user, password
        if cb_type:
            self.gs2 = f"p={cb_type},,"
        else:
            # "y": we support channel binding but think the server does not.
            self.gs2 = "y,," if cb_supported else "n,,"
        self.cb_data = cb_data
        self.cnonce = base64.b64encode(secrets.token_bytes(18)).decode()
        self.first_bare = f"n={user},r={self.cnonce}"

    def initial(self):
        return (self.gs2 + self.first_bare).encode()

    def h(self, data):
        return hashlib.new(self.hname, data).digest()

    def hmac(self, key, msg):
        return hmac.new(key, msg, self.hname).digest()

    def response(self, server_first):
        self.server_first = server_first.decode()
        attrs = dict(kv.split("=", 1) for kv in self.server_first.split(","))
        self.attrs = attrs
        if not attrs["r"].startswith(self.cnonce):
            raise ValueError("server nonce does not extend ours")
        salt = base64.b64decode(attrs["s"])
        iterations = int(attrs["i"])
        salted = hashlib.pbkdf2_hmac(self.hname, self.password.encode(), salt, iterations)
        client_key = self.hmac(salted, b"Client Key")
        stored_key = self.h(client_key)
        cbind = base64.b64encode(self.gs2.encode() + self.cb_data).decode()
        final_bare = f"c={cbind},r={attrs['r']}"
        auth_message = f"{self.first_bare},{self.server_first},{final_bare}".encode()
        sig = self.hmac(stored_key, auth_message)
        proof = bytes(a ^ b for a, b in zip(client_key, sig))
        server_key = self.hmac(salted, b"Server Key")
        self.server_sig = self.hmac(server_key, auth_message)
        return f"{final_bare},p={base64.b64encode(proof).decode()}".encode()

    def verify(self, server_final):
        attrs = dict(kv.split("=", 1) for kv in server_final.decode().split(","))
        return base64.b64decode(attrs.get("v", "")) == self.server_sig

    def ssdp_expected(self, mechanisms, cbs):
        """XEP-0474: h = H(sorted mechanisms, 0x1e-joined, [0x1f, sorted cbs])."""
        s = "\x1e".join(sorted(mechanisms))
        if cbs:
            s += "\x1f" + "\x1e".join(sorted(cbs))
        return base64.b64encode(self.h(s.encode())).decode()


def b64(data):
    return base64.b64encode(data).decode() if data else "="


def unb64(text):
    text = (text or "").strip()
    return b"" if text in ("", "=") else base64.b64decode(text)


def sasl1_login(s, mech, user, cb_type=None, offered=None):
    """SASL (RFC 6120) login; returns the Scram object, or None on failure."""
    cb = s.cb_data(cb_type) if cb_type else b""
    sc = Scram(mech, user, PASSWORD, cb_type, cb)
    s.send(f"<auth xmlns='{NS_SASL}' mechanism='{mech}'>{b64(sc.initial())}</auth>")
    el = s.read()
    if tag(el) != "challenge":
        print("    server:", ET.tostring(el).decode())
        return None
    s.send(f"<response xmlns='{NS_SASL}'>{b64(sc.response(unb64(el.text)))}</response>")
    el = s.read()
    if tag(el) != "success":
        print("    server:", ET.tostring(el).decode())
        return None
    sc.ok = sc.verify(unb64(el.text))
    return sc


def sasl2_authenticate(s, mech, initial, extra=""):
    s.send(f"<authenticate xmlns='{NS_SASL2}' mechanism='{mech}'>"
           f"<initial-response>{b64(initial)}</initial-response>{extra}</authenticate>")
    return s.read()


def user_agent(client_id):
    return (f"<user-agent id='{client_id}'><software>lorikeet check-server</software>"
            f"<device>test</device></user-agent>")


# --- the checks ------------------------------------------------------------

def check_openssl():
    print("\n== openssl s_client: TLS version and certificate verification")
    for label, args in (("STARTTLS", ["-starttls", "xmpp", "-xmpphost", DOMAIN,
                                      "-connect", f"{HOST}:{PORT}"]),
                        ("direct TLS", ["-connect", f"{HOST}:{TLS_PORT}",
                                        "-alpn", "xmpp-client"])):
        p = subprocess.run(["openssl", "s_client", *args, "-servername", DOMAIN,
                            "-CAfile", CA_FILE, "-verify_return_error",
                            "-verify_hostname", DOMAIN, "-brief"],
                           input="", stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                           text=True, timeout=30)
        out = p.stdout
        print(f"  {label} ({HOST}):")
        for line in out.splitlines():
            if any(k in line for k in ("Protocol version", "Ciphersuite", "Verification",
                                        "Peer certificate", "Hash used", "Signature type",
                                        "ALPN")):
                print("    " + line.strip())
        check("Protocol version: TLSv1.3" in out, f"{label}: TLS 1.3")
        check("Verification: OK" in out, f"{label}: certificate verifies against the CA")


def check_features():
    print("\n== stream features")
    found = {}
    for domain in (DOMAIN, SHA1_DOMAIN):
        for label, direct in (("STARTTLS", False), ("direct TLS", True)):
            for frm in (None, f"{USERS[0]}@{domain}"):
                s = Stream(domain, direct_tls=direct, from_jid=frm)
                head = f"{domain}, {label}, stream header {'with from' if frm else 'without from'}"
                if not direct:
                    print(f"  {head}, before TLS:")
                    pre = describe_features(s.features)
                    check(any(c.startswith("starttls") for c in pre["children"]),
                          f"{domain}: STARTTLS offered")
                    check(not pre["mechanisms"] and pre["sasl2"] is None,
                          f"{domain}: no SASL before TLS")
                    s.starttls()
                print(f"  {head}, after TLS ({s.tls_version}):")
                f = describe_features(s.features)
                check(s.tls_version == "TLSv1.3", f"{head}: TLS 1.3")
                found[(domain, direct, bool(frm))] = f
                s.close()
    # TLS 1.2: which channel bindings then?
    s = Stream(DOMAIN, from_jid=None, tls_max=ssl.TLSVersion.TLSv1_2)
    s.starttls()
    print(f"  {DOMAIN}, STARTTLS limited to TLS 1.2 ({s.tls_version}):")
    found["tls12"] = describe_features(s.features)
    s.close()

    main = found[(DOMAIN, False, True)]
    check("SCRAM-SHA-256-PLUS" in main["mechanisms"], f"{DOMAIN}: SCRAM-SHA-256-PLUS offered")
    check(main["sasl2"] is not None and "SCRAM-SHA-256-PLUS" in main["sasl2"],
          f"{DOMAIN}: SASL2 <authentication xmlns='{NS_SASL2}'> with SCRAM-SHA-256-PLUS")
    check("tls-exporter" in main["cb"], f"{DOMAIN}: tls-exporter channel binding (TLS 1.3)")
    check("tls-server-end-point" in main["cb"], f"{DOMAIN}: tls-server-end-point channel binding")
    check(bool(main["fast"]), f"{DOMAIN}: FAST offered when the stream header has 'from'")
    check(not found[(DOMAIN, False, False)]["fast"],
          f"{DOMAIN}: FAST not offered without 'from'")
    check(any(d.startswith("bind (") for d in main["sasl2_inline"]), f"{DOMAIN}: Bind2 offered")
    sha1 = found[(SHA1_DOMAIN, False, True)]
    check("SCRAM-SHA-1" in sha1["mechanisms"], f"{SHA1_DOMAIN}: SCRAM-SHA-1 offered")
    if SERVER == "prosody":  # ejabberd's SASL2 is on every host
        check(sha1["sasl2"] is None, f"{SHA1_DOMAIN}: no SASL2")
    return found


def check_sasl1(found):
    print("\n== SASL (RFC 6120) logins")
    main = found[(DOMAIN, False, True)]
    # SCRAM-SHA-256 without channel binding: SSDP's h= shows up.
    s = Stream(DOMAIN)
    s.starttls()
    sc = sasl1_login(s, "SCRAM-SHA-256", USERS[0])
    if check(sc is not None and sc.ok, f"{DOMAIN}: SCRAM-SHA-256 login, server signature verified"):
        h = sc.attrs.get("h")
        print(f"    server-first-message: {sc.server_first}")
        check(h is not None, f"{DOMAIN}: SSDP (XEP-0474) h= in the server-first-message")
        if h is not None:
            check(h == sc.ssdp_expected(main["mechanisms"], main["cb"]),
                  f"{DOMAIN}: SSDP hash matches the offered mechanisms and channel bindings")
    s.close()

    s = Stream(DOMAIN)
    s.starttls()
    sc = sasl1_login(s, "SCRAM-SHA-256-PLUS", USERS[1], cb_type="tls-server-end-point")
    if check(sc is not None and sc.ok,
             f"{DOMAIN}: SCRAM-SHA-256-PLUS with tls-server-end-point (configured hash) login"):
        s.features = s.open()
        print(f"  {DOMAIN}: features after SASL:")
        describe_features(s.features)
    s.close()

    # gs2 flag "y" (client could bind, thinks the server cannot) while the
    # server offers -PLUS: RFC 5802 says the server must fail it.
    s = Stream(DOMAIN)
    s.starttls()
    y = Scram("SCRAM-SHA-256", USERS[0], PASSWORD, cb_supported=True)
    s.send(f"<auth xmlns='{NS_SASL}' mechanism='SCRAM-SHA-256'>{b64(y.initial())}</auth>")
    el = s.read()
    if tag(el) == "challenge":
        s.send(f"<response xmlns='{NS_SASL}'>{b64(y.response(unb64(el.text)))}</response>")
        el = s.read()
    print("    server:", ET.tostring(el).decode())
    check(tag(el) == "failure", f"{DOMAIN}: gs2 flag 'y' is refused while -PLUS is offered")
    s.close()

    s = Stream(DOMAIN, direct_tls=True)
    sc = sasl1_login(s, "SCRAM-SHA-256-PLUS", USERS[2], cb_type="tls-server-end-point")
    check(sc is not None and sc.ok,
          f"{DOMAIN}: SCRAM-SHA-256-PLUS tls-server-end-point over direct TLS (second host connection)")
    s.close()

    s = Stream(DOMAIN)
    s.starttls()
    bad = Scram("SCRAM-SHA-256", USERS[0], PASSWORD + "x")
    s.send(f"<auth xmlns='{NS_SASL}' mechanism='SCRAM-SHA-256'>{b64(bad.initial())}</auth>")
    el = s.read()
    s.send(f"<response xmlns='{NS_SASL}'>{b64(bad.response(unb64(el.text)))}</response>")
    el = s.read()
    check(tag(el) == "failure" and el.find(f"{{{NS_SASL}}}not-authorized") is not None,
          f"{DOMAIN}: a wrong password gets <failure><not-authorized/>")
    s.close()

    s = Stream(SHA1_DOMAIN)
    s.starttls()
    sc = sasl1_login(s, "SCRAM-SHA-1", USERS[0])
    if check(sc is not None and sc.ok, f"{SHA1_DOMAIN}: SCRAM-SHA-1 login"):
        print(f"    server-first-message: {sc.server_first}")
        s.features = s.open()
        print(f"  {SHA1_DOMAIN}: features after SASL:")
        describe_features(s.features)
        s.send(f"<iq type='set' id='b1'><bind xmlns='{NS_BIND}'><resource>check</resource></bind></iq>")
        el = s.read()
        jid = el.findtext(f".//{{{NS_BIND}}}jid")
        check(jid == f"{USERS[0]}@{SHA1_DOMAIN}/check", f"{SHA1_DOMAIN}: resource bound: {jid}")
    s.close()
    s = Stream(SHA1_DOMAIN)
    s.starttls()
    sc = sasl1_login(s, "SCRAM-SHA-256", USERS[0])
    check(sc is None, f"{SHA1_DOMAIN}: SCRAM-SHA-256 is refused (SHA-1 hashed accounts)")
    s.close()
    s = Stream(DOMAIN)
    s.starttls()
    sc = sasl1_login(s, "SCRAM-SHA-1", USERS[0])
    check(sc is None, f"{DOMAIN}: SCRAM-SHA-1 is refused (SHA-256 hashed accounts)")
    s.close()


def iq(s, to, payload, type_="get"):
    iq_id = uuid.uuid4().hex[:8]
    s.send(f"<iq type='{type_}' id='{iq_id}' to={quoteattr(to)}>{payload}</iq>")
    while True:
        el = s.read()
        if tag(el) == "iq" and el.get("id") == iq_id:
            return el


def check_sasl2_and_upload():
    print("\n== SASL2 (XEP-0388), Bind2 (XEP-0386), FAST (XEP-0484)")
    user = USERS[0]
    jid = f"{user}@{DOMAIN}"
    client_id = str(uuid.uuid4())
    s = Stream(DOMAIN, from_jid=jid)
    s.starttls()
    sc = Scram("SCRAM-SHA-256-PLUS", user, PASSWORD, "tls-server-end-point",
               s.cb_data("tls-server-end-point"))
    extra = (user_agent(client_id) +
             f"<bind xmlns='{NS_BIND2}'><tag>check</tag>"
             f"<enable xmlns='urn:xmpp:carbons:2'/><inactive xmlns='urn:xmpp:csi:0'/>"
             f"<enable xmlns='{NS_SM}' resume='true'/></bind>"
             f"<request-token xmlns='{NS_FAST}' mechanism='HT-SHA-256-ENDP'/>")
    el = sasl2_authenticate(s, sc.mech, sc.initial(), extra)
    token = None
    if check(tag(el) == "challenge", "SASL2 SCRAM-SHA-256-PLUS: challenge"):
        print(f"    server-first-message: {unb64(el.text).decode()}")
        s.send(f"<response xmlns='{NS_SASL2}'>{b64(sc.response(unb64(el.text)))}</response>")
        el = s.read()
        ok = tag(el) == "success"
        if not ok:
            print("    server:", ET.tostring(el).decode())
        check(ok and sc.verify(unb64(el.findtext(f"{{{NS_SASL2}}}additional-data"))),
              "SASL2 success with verified server signature")
        if ok:
            print("    success:", ET.tostring(el).decode())
            authz = el.findtext(f"{{{NS_SASL2}}}authorization-identifier") or ""
            check(authz.startswith(f"{jid}/check"), f"Bind2 bound {authz}")
            bound = el.find(f"{{{NS_BIND2}}}bound")
            check(bound is not None, "Bind2 <bound/>")
            if bound is not None:
                check(bound.find(f"{{{NS_SM}}}enabled") is not None, "Bind2: SM enabled inline")
            tok = el.find(f"{{{NS_FAST}}}token")
            if check(tok is not None, "FAST token issued"):
                token = tok.get("token")

    if ok:
        # Disco of the server and an upload.
        info = iq(s, DOMAIN, f"<query xmlns='{NS_DISCO_INFO}'/>")
        feats = sorted(f.get("var") for f in info.iter(f"{{{NS_DISCO_INFO}}}feature"))
        ids = [f"{i.get('category')}/{i.get('type')}" for i in info.iter(f"{{{NS_DISCO_INFO}}}identity")]
        print(f"  disco#info of {DOMAIN}: identities {' '.join(ids)}")
        for f in feats:
            print(f"    {f}")
        for comp in (ENV["LK_TEST_MUC_DOMAIN"], UPLOAD_DOMAIN):
            ci = iq(s, comp, f"<query xmlns='{NS_DISCO_INFO}'/>")
            cids = [f"{i.get('category')}/{i.get('type')}"
                    for i in ci.iter(f"{{{NS_DISCO_INFO}}}identity")]
            cfeats = sorted(f.get("var") for f in ci.iter(f"{{{NS_DISCO_INFO}}}feature"))
            check(ci.get("type") == "result", f"disco#info of {comp}")
            print(f"    identities {' '.join(cids)}; features {' '.join(cfeats)}")
        acct = iq(s, jid, f"<query xmlns='{NS_DISCO_INFO}'/>")
        afeats = sorted(f.get("var") for f in acct.iter(f"{{{NS_DISCO_INFO}}}feature"))
        print(f"  disco#info of the account {jid}: {' '.join(afeats)}")
        check_upload(s)
    s.close()

    if token:
        s = Stream(DOMAIN, from_jid=jid)
        s.starttls()
        cb = s.cb_data("tls-server-end-point")
        mac = hmac.new(token.encode(), b"Initiator" + cb, "sha256").digest()
        el = sasl2_authenticate(s, "HT-SHA-256-ENDP", user.encode() + b"\0" + mac,
                                user_agent(client_id) + f"<fast xmlns='{NS_FAST}'/>")
        ok = tag(el) == "success"
        if not ok:
            print("    server:", ET.tostring(el).decode())
        want = hmac.new(token.encode(), b"Responder" + cb, "sha256").digest()
        check(ok and unb64(el.findtext(f"{{{NS_SASL2}}}additional-data")) == want,
              "FAST login with the token (HT-SHA-256-ENDP), server's Responder hash verified")
        s.close()


def check_upload(s):
    print("\n== HTTP File Upload (XEP-0363) over HTTPS")
    body = b"hello from check-server\n"
    el = iq(s, UPLOAD_DOMAIN,
            f"<request xmlns='{NS_UPLOAD}' filename='hello.txt' size='{len(body)}'"
            f" content-type='text/plain'/>")
    slot = el.find(f"{{{NS_UPLOAD}}}slot")
    if not check(slot is not None, f"upload slot from {UPLOAD_DOMAIN}"):
        print("    server:", ET.tostring(el).decode())
        return
    put = slot.find(f"{{{NS_UPLOAD}}}put")
    get_url = slot.find(f"{{{NS_UPLOAD}}}get").get("url")
    headers = {h.get("name"): h.text for h in put.findall(f"{{{NS_UPLOAD}}}header")}
    print(f"    PUT {put.get('url')}\n    GET {get_url}")
    ctx = ssl.create_default_context(cafile=CA_FILE)

    def request(method, url, data=None, hdrs=None):
        u = urllib.parse.urlsplit(url)
        c = http.client.HTTPSConnection(u.hostname, u.port, context=ctx, timeout=10)
        c.request(method, u.path + (f"?{u.query}" if u.query else ""), body=data,
                  headers=hdrs or {})
        r = c.getresponse()
        out = r.status, r.read()
        c.close()
        return out

    status, _ = request("PUT", put.get("url"), body,
                        {**headers, "Content-Type": "text/plain",
                         "Content-Length": str(len(body))})
    check(status in (200, 201), f"PUT over HTTPS (certificate verified against the CA): {status}")
    status, data = request("GET", get_url)
    check(status == 200 and data == body, f"GET returns the file: {status}")
    # Over the size limit.
    el = iq(s, UPLOAD_DOMAIN,
            f"<request xmlns='{NS_UPLOAD}' filename='big.bin' size='{64 * 1024 * 1024}'/>")
    check(el.get("type") == "error", "a file over the size limit is refused")


def main():
    print(f"server {ENV.get('LK_TEST_SERVER')} on {HOST}: STARTTLS {PORT}, direct TLS {TLS_PORT},"
          f" HTTPS {ENV.get('LK_TEST_HTTPS_PORT')}")
    print(f"certificate SHA-256 {CERT_SHA256}")
    with open(CA_FILE, "rb") as f:
        check(b"BEGIN CERTIFICATE" in f.read(), "LK_TEST_CA_FILE is a PEM certificate")
    try:
        check_openssl()
        found = check_features()
        check_sasl1(found)
        check_sasl2_and_upload()
    except Exception as e:  # report, then fail
        import traceback
        traceback.print_exc()
        failures.append(f"exception: {e!r}")
    print()
    if failures:
        print(f"{len(failures)} check(s) failed:")
        for f in failures:
            print(f"  {f}")
        return 1
    print("all checks passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
