/* xmpp-carbons.h: XEP-0280 message carbons.
 *
 * Turning carbons on for a session, and unwrapping the <received/> and
 * <sent/> copies the server sends. A copy is trusted only when the outer
 * message comes from the account's own bare JID (XEP-0280 §11): anyone
 * else can put a <received/> in a message, and such a copy is a spoof.
 * XmppChat (xmpp-chat.h) uses this to show copies as messages.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "xmpp-session.h"
#include "xmpp-stanza.h"

G_BEGIN_DECLS

typedef enum {
  XMPP_CARBON_NONE,        /* not a carbon at all */
  XMPP_CARBON_RECEIVED,    /* a copy of a message to another resource */
  XMPP_CARBON_SENT,        /* a copy of a message another resource sent */
  XMPP_CARBON_SPOOFED,     /* carbon-shaped, but not from our account: drop */
  XMPP_CARBON_MALFORMED,   /* from our account, but no forwarded message */
} XmppCarbonKind;

/* Looks at @message (a whole stanza received on @session). For RECEIVED
 * and SENT, @forwarded gets the <forwarded/> node and @inner the message
 * inside it (both owned by @message); otherwise they are set to NULL. */
XmppCarbonKind xmpp_carbons_unwrap       (XmppSession  *session,
                                          XmppStanza   *message,
                                          XmppNode    **forwarded,
                                          XmppNode    **inner);

/* Asks the server to send this session copies (iq set <enable/>, no 'to').
 * Fails with the server's XMPP_STANZA_ERROR when it has no carbons. */
void           xmpp_carbons_enable_async  (XmppSession         *session,
                                           GCancellable        *cancellable,
                                           GAsyncReadyCallback  callback,
                                           gpointer             user_data);
gboolean       xmpp_carbons_enable_finish (XmppSession         *session,
                                           GAsyncResult        *result,
                                           GError             **error);

/* TRUE when the SASL2 <success/> (nullable) says Bind2 already enabled
 * carbons inline (XEP-0386 with XEP-0280), so no IQ is needed. */
gboolean       xmpp_carbons_enabled_by_bind2 (XmppStanza *sasl2_success);

G_END_DECLS
