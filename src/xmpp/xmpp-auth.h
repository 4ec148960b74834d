/* xmpp-auth.h: signing in on a stream: RFC 6120 §6 SASL, or XEP-0388
 * SASL2 where the server offers it, with XEP-0386 Bind2 and XEP-0484 FAST
 * tokens inline.
 *
 * Chooses the mechanism from the stream features and what the TLS layer
 * can bind to (xmpp-sasl.h holds the computations), then runs the
 * exchange over the connection. Every failure is an XMPP_AUTH_ERROR with a
 * sentence of its own.
 *
 * The engine keeps nothing: the user-agent id, a token and its mechanism
 * come in from the caller, and a new token goes back out in the result.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "xmpp-connection.h"
#include "xmpp-jid.h"
#include "xmpp-sasl.h"

G_BEGIN_DECLS

/* What to sign in with. Strings are copied; the password is wiped. */
typedef struct {
  const char     *password;            /* NULL when only a token is given */
  /* XEP-0388 <user-agent id>: a UUID the caller made once for this account
   * on this device and keeps. NULL: none is sent, and FAST is not used
   * (servers tie tokens to it). */
  const char     *user_agent_id;
  /* A XEP-0484 token from an earlier sign-in and its mechanism
   * ("HT-SHA-256-EXPR"); NULL for none. Used instead of the password where
   * the stream can take it; if the server refuses it, the exchange fails
   * (see xmpp_auth_token_refused()). */
  const char     *fast_mechanism;
  const char     *fast_token;
  /* Ask for a token where the server offers FAST, when signing in with the
   * password (a token sign-in may bring a new one anyway: servers rotate
   * them). Needs the user-agent id. */
  gboolean        request_fast_token;
  /* Reserved for XEP-0198 inline: a <resume xmlns='urn:xmpp:sm:3'/> (sent
   * in <authenticate/>) or <enable xmlns='urn:xmpp:sm:3'/> (sent in the
   * Bind2 request); its answer comes back in result->success. The
   * connector does not set it yet. */
  const XmppNode *sm_request;
} XmppAuthParams;

typedef struct {
  char       *mechanism;        /* "SCRAM-SHA-256-PLUS", "HT-SHA-256-EXPR" */
  char       *channel_binding;  /* "tls-exporter", or NULL */
  char       *reason;           /* why, in one sentence */
  gboolean    sasl2;            /* XEP-0388: no stream restart follows */
  XmppJid    *bound_jid;        /* the full JID Bind2 bound; NULL otherwise */
  gboolean    used_fast;        /* signed in with the caller's token */
  char       *fast_token;       /* a new token, or NULL */
  char       *fast_mechanism;   /* its mechanism */
  GDateTime  *fast_expiry;      /* when it expires; NULL if the server did not say */
  XmppStanza *success;          /* SASL2 <success/>: the answers to inline requests */
  XmppSaslDowngrade downgrade;  /* what XEP-0474 told (SCRAM only) */
} XmppAuthResult;

void            xmpp_auth_result_free (XmppAuthResult *result);

void            xmpp_auth_async  (XmppConnection       *connection,
                                  XmppStanza           *features,
                                  GTlsConnection       *tls,
                                  XmppJid              *jid,
                                  const XmppAuthParams *params,
                                  GCancellable         *cancellable,
                                  GAsyncReadyCallback   callback,
                                  gpointer              user_data);
XmppAuthResult *xmpp_auth_finish (GAsyncResult         *result,
                                  GError              **error);
/* In the callback, after xmpp_auth_finish() failed: whether because the
 * token was refused, or could not be used on this stream while there is
 * no password (XMPP_AUTH_ERROR_NOT_AUTHORIZED); the password was not
 * tried, and may be on a new connection. */
gboolean        xmpp_auth_token_refused (GAsyncResult  *result);

/* XEP-0484 in one round trip: the <authenticate/> with the token, sent
 * right after the stream header (call it then), before the features
 * arrive. The features are assumed to be what they were when the server
 * issued the token (SASL2, FAST with its mechanism, Bind2). NULL, and
 * nothing sent, when @params hold no token this stream could take. */
typedef struct _XmppAuthEarly XmppAuthEarly;

XmppAuthEarly  *xmpp_auth_send_early  (XmppConnection       *connection,
                                       GTlsConnection       *tls,
                                       XmppJid              *jid,
                                       const XmppAuthParams *params);
void            xmpp_auth_early_free  (XmppAuthEarly        *early);
/* Once the features are in: takes @early, checks the guess, and waits for
 * the answer. Finish with xmpp_auth_finish(). A wrong guess fails as a
 * refused token (xmpp_auth_token_refused()); the stream is lost then. */
void            xmpp_auth_early_async (XmppAuthEarly        *early,
                                       XmppStanza           *features,
                                       GCancellable         *cancellable,
                                       GAsyncReadyCallback   callback,
                                       gpointer              user_data);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (XmppAuthResult, xmpp_auth_result_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (XmppAuthEarly, xmpp_auth_early_free)

G_END_DECLS
