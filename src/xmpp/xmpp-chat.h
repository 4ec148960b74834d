/* xmpp-chat.h: one-to-one chat messages (RFC 6121 §5), with XEP-0280
 * carbons, XEP-0359 stanza and origin ids and XEP-0203 delays.
 *
 * An XmppChat attaches to an XmppSession and emits every chat or normal
 * message with a body as an XmppChatMessage: live ones, and the carbon
 * copies of messages to or from the account's other resources. Carbons
 * are accepted only from the account's own bare JID (XEP-0280 §11); a
 * carbon from anyone else is dropped and logged. A server's stanza-id is
 * kept only when its 'by' is the account's bare JID (XEP-0359 §3.1): a
 * stanza-id by anyone else could have been put there by the sender; and
 * when a message carries more than one by the account (Prosody 13 keeps
 * one the sender forged beside its own), none is kept.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "xmpp-jid.h"
#include "xmpp-session.h"
#include "xmpp-stanza.h"

G_BEGIN_DECLS

typedef enum {
  XMPP_CHAT_DIRECTION_INCOMING,
  XMPP_CHAT_DIRECTION_OUTGOING,    /* sent by another resource of ours */
} XmppChatDirection;

typedef enum {
  XMPP_CHAT_VIA_LIVE,
  XMPP_CHAT_VIA_CARBON_RECEIVED,
  XMPP_CHAT_VIA_CARBON_SENT,
} XmppChatVia;

/* One message. Plain data: copy and free it. */
typedef struct {
  XmppJid          *from;          /* full as sent; never NULL */
  XmppJid          *to;            /* never NULL */
  XmppJid          *peer;          /* the other side: from, or to when outgoing */
  char             *type;          /* "chat" or "normal" */
  char             *id;            /* the stanza's id attribute; nullable */
  char             *origin_id;     /* XEP-0359 <origin-id/>; nullable */
  char             *stanza_id;     /* XEP-0359 <stanza-id/> by stanza_id_by; nullable */
  char             *stanza_id_by;  /* the account's bare JID, or NULL */
  char             *body;
  char             *thread;        /* nullable */
  GDateTime        *timestamp;     /* XEP-0203 delay, else when received */
  gboolean          delayed;       /* the timestamp came from a delay */
  XmppChatDirection direction;
  XmppChatVia       via;
} XmppChatMessage;

#define XMPP_TYPE_CHAT_MESSAGE (xmpp_chat_message_get_type ())
GType            xmpp_chat_message_get_type (void) G_GNUC_CONST;
XmppChatMessage *xmpp_chat_message_copy     (const XmppChatMessage *message);
void             xmpp_chat_message_free     (XmppChatMessage       *message);
/* Parses a <message/> node received by @own (the account's JID, whose
 * bare form is the only trusted stanza-id 'by'); NULL when it has no body
 * or no valid addresses. Direction and via are left to the caller. */
XmppChatMessage *xmpp_chat_message_new_from_node (const XmppNode *node,
                                                  XmppJid        *own);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (XmppChatMessage, xmpp_chat_message_free)

#define XMPP_TYPE_CHAT (xmpp_chat_get_type ())
G_DECLARE_FINAL_TYPE (XmppChat, xmpp_chat, XMPP, CHAT, GObject)

/* Registers the message handlers on @session; they go when the chat is
 * disposed. */
XmppChat    *xmpp_chat_new         (XmppSession *session);
XmppSession *xmpp_chat_get_session (XmppChat    *self);

/* Sends a chat message with a new UUID as both its id and its XEP-0359
 * origin-id; completes when the server has it. */
void         xmpp_chat_send_async  (XmppChat            *self,
                                    XmppJid             *to,
                                    const char          *body,
                                    GCancellable        *cancellable,
                                    GAsyncReadyCallback  callback,
                                    gpointer             user_data);
/* Returns the origin-id (new string), or NULL with @error. */
char        *xmpp_chat_send_finish (XmppChat            *self,
                                    GAsyncResult        *result,
                                    GError             **error);

/* Turns carbons on for the session. @sasl2_success (nullable: from
 * xmpp_connector_get_sasl2_success) says whether Bind2 already did; then
 * no IQ is sent. Errors: the server's XMPP_STANZA_ERROR. */
void         xmpp_chat_enable_carbons_async  (XmppChat            *self,
                                              XmppStanza          *sasl2_success,
                                              GCancellable        *cancellable,
                                              GAsyncReadyCallback  callback,
                                              gpointer             user_data);
gboolean     xmpp_chat_enable_carbons_finish (XmppChat            *self,
                                              GAsyncResult        *result,
                                              GError             **error);
gboolean     xmpp_chat_get_carbons_enabled   (XmppChat            *self);

/* Signals:
 *   "message" (XmppChatMessage *message): a chat or normal message with a
 *   body, live or a carbon copy. */

G_END_DECLS
