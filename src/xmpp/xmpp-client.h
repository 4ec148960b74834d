/* xmpp-client.h: an account that stays connected.
 *
 * Owns the connector (the account's settings) and the current session.
 * When the connection breaks it reconnects — at once after a cut, then
 * with exponential back-off and jitter — resuming the XEP-0198 session
 * when the server still has it, otherwise starting a new one and carrying
 * over what the server never acknowledged. It reconnects at once when the
 * network comes back (GNetworkMonitor), and pings a silent server so a
 * dead connection is noticed. Errors that retrying cannot fix (a wrong
 * password, an untrusted certificate, no TLS) stop it with the error.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "xmpp-connector.h"
#include "xmpp-session.h"

G_BEGIN_DECLS

typedef enum {
  XMPP_CLIENT_STOPPED,      /* not started, or stopped */
  XMPP_CLIENT_CONNECTING,   /* signing in, or waiting to retry */
  XMPP_CLIENT_CONNECTED,
  XMPP_CLIENT_FAILED,       /* stopped by an error retrying cannot fix */
} XmppClientState;

#define XMPP_TYPE_CLIENT (xmpp_client_get_type ())
G_DECLARE_FINAL_TYPE (XmppClient, xmpp_client, XMPP, CLIENT, GObject)

XmppClient      *xmpp_client_new           (XmppConnector *connector);
/* Back-off between failed attempts: from @initial_ms, doubling, up to
 * @max_ms, each delay drawn between half and all of it (jitter). */
void             xmpp_client_set_backoff   (XmppClient    *self,
                                            guint          initial_ms,
                                            guint          max_ms);
/* Ping the server after @idle_seconds without a byte from it; no answer
 * within @timeout_seconds means the connection is dead. 0 turns it off. */
void             xmpp_client_set_keepalive (XmppClient    *self,
                                            guint          idle_seconds,
                                            guint          timeout_seconds);

void             xmpp_client_start         (XmppClient    *self);
/* Closes the session politely (after pending sends are acknowledged). */
void             xmpp_client_stop_async    (XmppClient          *self,
                                            GCancellable        *cancellable,
                                            GAsyncReadyCallback  callback,
                                            gpointer             user_data);
gboolean         xmpp_client_stop_finish   (XmppClient          *self,
                                            GAsyncResult        *result,
                                            GError             **error);

XmppClientState  xmpp_client_get_state     (XmppClient    *self);
/* Why the client failed, or why the last attempt did. */
const GError    *xmpp_client_get_error     (XmppClient    *self);
/* The current session (the same object across resumptions), or NULL. */
XmppSession     *xmpp_client_get_session   (XmppClient    *self);
XmppConnector   *xmpp_client_get_connector (XmppClient    *self);
/* How many times the stream was resumed / a new session started. */
guint            xmpp_client_get_resumptions (XmppClient  *self);
guint            xmpp_client_get_sessions    (XmppClient  *self);

/* Signals:
 *   "session-started" (XmppSession *session): a new session (not a
 *   resumption): register handlers and send initial presence on it.
 *   notify::state */

G_END_DECLS
