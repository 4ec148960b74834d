/* xmpp-connector.h: from an address and a password to a bound stream.
 *
 * The steps of RFC 6120 in order: find the server (SRV, XEP-0368), connect,
 * TLS (direct or STARTTLS; required), authenticate (SASL), bind a
 * resource. Each step is its own function; the connector only sequences
 * them and remembers what was negotiated, for `probe` and for the user.
 *
 * The engine keeps no secret and no trust decision: pins come in from the
 * caller, and the certificate the server presented goes back out.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "xmpp-connection.h"
#include "xmpp-jid.h"
#include "xmpp-tls.h"

G_BEGIN_DECLS

#define XMPP_TYPE_CONNECTOR (xmpp_connector_get_type ())
G_DECLARE_FINAL_TYPE (XmppConnector, xmpp_connector, XMPP, CONNECTOR, GObject)

/* @jid: the account; a resource in it is the one asked for when binding. */
XmppConnector  *xmpp_connector_new              (XmppJid      *jid,
                                                 const char   *password);
/* Connect to @host:@port instead of looking the domain up; @port 0 is the
 * default (5222, or 5223 with @direct_tls). */
void            xmpp_connector_set_host         (XmppConnector *self,
                                                 const char    *host,
                                                 guint16        port,
                                                 gboolean       direct_tls);
/* Certificate authorities to trust instead of the system's. */
void            xmpp_connector_set_database     (XmppConnector *self,
                                                 GTlsDatabase  *database);
/* SHA-256 fingerprints the user accepted for this account. */
void            xmpp_connector_set_pins         (XmppConnector      *self,
                                                 const char * const *pins);

void            xmpp_connector_connect_async    (XmppConnector       *self,
                                                 GCancellable        *cancellable,
                                                 GAsyncReadyCallback  callback,
                                                 gpointer             user_data);
XmppConnection *xmpp_connector_connect_finish   (XmppConnector       *self,
                                                 GAsyncResult        *result,
                                                 GError             **error);

/* What was negotiated (valid after success; some also after a failure). */
XmppJid        *xmpp_connector_get_bound_jid    (XmppConnector *self);
/* "host:port (STARTTLS)" or "(direct TLS)". */
const char     *xmpp_connector_get_endpoint     (XmppConnector *self);
GTlsProtocolVersion xmpp_connector_get_tls_version (XmppConnector *self);
const char     *xmpp_connector_get_tls_cipher   (XmppConnector *self);
const char     *xmpp_connector_get_mechanism    (XmppConnector *self);
/* The channel binding type used, or NULL. */
const char     *xmpp_connector_get_channel_binding (XmppConnector *self);
/* One sentence: why this mechanism and binding. */
const char     *xmpp_connector_get_auth_reason  (XmppConnector *self);
/* <stream:features> before authentication (after TLS) and after. */
XmppStanza     *xmpp_connector_get_features     (XmppConnector *self,
                                                 gboolean       authenticated);
/* The server's certificate: after success, and after a failure because
 * it did not verify (to show the user and, if they accept, pin it). */
const XmppCertificateInfo *xmpp_connector_get_peer_certificate (XmppConnector *self);

G_END_DECLS
