/* xmpp-connector.h: from an address and a password to a bound stream.
 *
 * The steps of RFC 6120 in order: find the server (SRV, XEP-0368), connect,
 * TLS (direct or STARTTLS; required), authenticate (SASL), bind a
 * resource. Where the server offers SASL2 (XEP-0388), authentication binds
 * the resource too (Bind2, XEP-0386) with no stream restart, and can use
 * or hand out a FAST token (XEP-0484). Each step is its own function; the
 * connector only sequences them and remembers what was negotiated, for
 * `probe` and for the user.
 *
 * The engine keeps no secret and no trust decision: pins, the user-agent
 * id and a token come in from the caller; the certificate the server
 * presented and a new token go back out.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "xmpp-connection.h"
#include "xmpp-jid.h"
#include "xmpp-sasl.h"
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
/* XEP-0388: a UUID (g_uuid_string_random()) made once for this account on
 * this device and kept by the caller; the server ties tokens and the Bind2
 * resource to it. Without one, FAST is not used. */
void            xmpp_connector_set_user_agent_id (XmppConnector *self,
                                                  const char    *uuid);
/* A XEP-0484 token from an earlier sign-in ("HT-SHA-256-EXPR", …), used
 * instead of the password; both NULL for none. If the server refuses it
 * (or no longer offers FAST), the password is used, on a new connection
 * if need be, and get_used_fast() is FALSE: forget the token. Without a
 * password the connect fails with XMPP_AUTH_ERROR_NOT_AUTHORIZED. */
void            xmpp_connector_set_fast_token   (XmppConnector *self,
                                                 const char    *mechanism,
                                                 const char    *token);
/* Ask for a token when signing in with the password, where FAST is
 * offered (needs the user-agent id). */
void            xmpp_connector_request_fast_token (XmppConnector *self,
                                                   gboolean       request);
/* Stop once TLS is up and its stream features are in, without signing in
 * or binding: the connection is for creating an account (XEP-0077,
 * xmpp-register.h); get_features (self, FALSE) holds those features. The
 * password may be NULL; set no FAST token. */
void            xmpp_connector_set_skip_auth    (XmppConnector *self,
                                                 gboolean       skip);
/* How long the server may take to connect and sign in, in seconds
 * (default 30); past it the attempt fails with XMPP_CONNECTION_ERROR_TIMEOUT.
 * Applies from the next connect. */
void            xmpp_connector_set_timeout      (XmppConnector *self,
                                                 guint          seconds);

/* Resume the XEP-0198 session @previd (the server's id) instead of
 * binding a new one, telling it we received @h stanzas; NULL: none. If
 * the server cannot, the connector binds a new session. */
void            xmpp_connector_set_resume       (XmppConnector *self,
                                                 const char    *previd,
                                                 guint32        h);
/* After success: TRUE when the old session was resumed, and the server's
 * count of stanzas it received from us. */
gboolean        xmpp_connector_get_resumed      (XmppConnector *self,
                                                 guint32       *h);

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
/* XEP-0474: whether the server's SCRAM message vouched for the mechanisms
 * and channel bindings this client saw offered (a mismatch fails the
 * sign-in instead). */
XmppSaslDowngrade xmpp_connector_get_downgrade_protection (XmppConnector *self);
/* <stream:features> before authentication (after TLS) and after. */
XmppStanza     *xmpp_connector_get_features     (XmppConnector *self,
                                                 gboolean       authenticated);
/* The server's certificate: after success, and after a failure because
 * it did not verify (to show the user and, if they accept, pin it). */
const XmppCertificateInfo *xmpp_connector_get_peer_certificate (XmppConnector *self);
/* Whether the sign-in was SASL2 (XEP-0388), and whether with the token. */
gboolean        xmpp_connector_get_used_sasl2   (XmppConnector *self);
gboolean        xmpp_connector_get_used_fast    (XmppConnector *self);
/* The token the server gave in this sign-in (asked for, or a rotation of
 * the one used), to store in place of the old one; NULL if none. Also
 * after a failure that came after authentication. @mechanism and @expiry
 * (NULL if the server did not say) may be NULL; all stay the connector's. */
const char     *xmpp_connector_get_fast_token   (XmppConnector  *self,
                                                 const char    **mechanism,
                                                 GDateTime     **expiry);
/* The SASL2 <success/>: the answers to what was asked inline (Bind2
 * <bound/> with carbons <enabled/> and XEP-0313 metadata); NULL after
 * RFC 6120 SASL. */
XmppStanza     *xmpp_connector_get_sasl2_success (XmppConnector *self);

G_END_DECLS
