/* xmpp-auth.h: the SASL exchange on a stream (RFC 6120 §6).
 *
 * Chooses the mechanism from the stream features and what the TLS layer
 * can bind to (xmpp-sasl.h holds the computations), then runs the
 * exchange over the connection. Every failure is an XMPP_AUTH_ERROR with a
 * sentence of its own.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "xmpp-connection.h"
#include "xmpp-jid.h"

G_BEGIN_DECLS

typedef struct {
  char *mechanism;        /* "SCRAM-SHA-256-PLUS" */
  char *channel_binding;  /* "tls-exporter", or NULL */
  char *reason;           /* why, in one sentence */
} XmppAuthResult;

void            xmpp_auth_result_free (XmppAuthResult *result);

void            xmpp_auth_async  (XmppConnection      *connection,
                                  XmppStanza          *features,
                                  GTlsConnection      *tls,
                                  XmppJid             *jid,
                                  const char          *password,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data);
XmppAuthResult *xmpp_auth_finish (GAsyncResult        *result,
                                  GError             **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (XmppAuthResult, xmpp_auth_result_free)

G_END_DECLS
