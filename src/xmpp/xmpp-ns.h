/* xmpp-ns.h: every XML namespace the engine speaks, in one place.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#define XMPP_NS_XML            "http://www.w3.org/XML/1998/namespace"
#define XMPP_NS_XMLNS          "http://www.w3.org/2000/xmlns/"

/* RFC 6120 */
#define XMPP_NS_STREAM         "http://etherx.jabber.org/streams"
#define XMPP_NS_CLIENT         "jabber:client"
#define XMPP_NS_SERVER         "jabber:server"
#define XMPP_NS_STREAMS        "urn:ietf:params:xml:ns:xmpp-streams"
#define XMPP_NS_STANZAS        "urn:ietf:params:xml:ns:xmpp-stanzas"
#define XMPP_NS_TLS            "urn:ietf:params:xml:ns:xmpp-tls"
#define XMPP_NS_SASL           "urn:ietf:params:xml:ns:xmpp-sasl"
#define XMPP_NS_BIND           "urn:ietf:params:xml:ns:xmpp-bind"

/* RFC 6121 */
#define XMPP_NS_ROSTER         "jabber:iq:roster"
#define XMPP_NS_ROSTER_VER     "urn:xmpp:features:rosterver"
#define XMPP_NS_PRE_APPROVAL   "urn:xmpp:features:pre-approval"
/* XEP-0172 */
#define XMPP_NS_NICK           "http://jabber.org/protocol/nick"
/* XEP-0066 */
#define XMPP_NS_OOB            "jabber:x:oob"

/* XEP-0004 */
#define XMPP_NS_DATA_FORMS     "jabber:x:data"
/* XEP-0221 */
#define XMPP_NS_DATA_FORMS_MEDIA "urn:xmpp:media-element"
/* XEP-0122 */
#define XMPP_NS_DATA_VALIDATE  "http://jabber.org/protocol/xdata-validate"
/* XEP-0030 */
#define XMPP_NS_DISCO_INFO     "http://jabber.org/protocol/disco#info"
#define XMPP_NS_DISCO_ITEMS    "http://jabber.org/protocol/disco#items"
/* XEP-0115 */
#define XMPP_NS_CAPS           "http://jabber.org/protocol/caps"
/* XEP-0297 */
#define XMPP_NS_FORWARD        "urn:xmpp:forward:0"
/* XEP-0203 */
#define XMPP_NS_DELAY          "urn:xmpp:delay"
/* XEP-0313 */
#define XMPP_NS_MAM            "urn:xmpp:mam:2"
/* XEP-0359 */
#define XMPP_NS_SID            "urn:xmpp:sid:0"
/* XEP-0280 */
#define XMPP_NS_CARBONS        "urn:xmpp:carbons:2"
/* XEP-0085 */
#define XMPP_NS_CHATSTATES     "http://jabber.org/protocol/chatstates"
/* XEP-0184 */
#define XMPP_NS_RECEIPTS       "urn:xmpp:receipts"
/* XEP-0198 */
#define XMPP_NS_SM             "urn:xmpp:sm:3"
/* XEP-0059 */
#define XMPP_NS_RSM            "http://jabber.org/protocol/rsm"
/* XEP-0054 */
#define XMPP_NS_VCARD_TEMP     "vcard-temp"

/* RFC 3921 §3 (legacy session establishment) */
#define XMPP_NS_SESSION        "urn:ietf:params:xml:ns:xmpp-session"
/* XEP-0388 SASL2, XEP-0386 Bind2, XEP-0484 FAST */
#define XMPP_NS_SASL2          "urn:xmpp:sasl:2"
#define XMPP_NS_BIND2          "urn:xmpp:bind:0"
#define XMPP_NS_FAST           "urn:xmpp:fast:0"
/* XEP-0440 */
#define XMPP_NS_SASL_CB        "urn:xmpp:sasl-cb:0"
/* XEP-0199 */
#define XMPP_NS_PING           "urn:xmpp:ping"
/* XEP-0352 */
#define XMPP_NS_CSI            "urn:xmpp:csi:0"
/* XEP-0077 */
#define XMPP_NS_REGISTER       "jabber:iq:register"
#define XMPP_NS_REGISTER_FEATURE "http://jabber.org/features/iq-register"
/* XEP-0092 */
#define XMPP_NS_VERSION        "jabber:iq:version"
