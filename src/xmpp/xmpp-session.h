/* xmpp-session.h: a signed-in stream, routed.
 *
 * Takes the bound connection from the connector and owns it: reads every
 * stanza and hands it to the handlers registered for it (highest priority
 * first, until one says it handled it), matches IQ replies to requests by
 * id and sender, answers IQ requests nobody handles, and runs XEP-0198
 * stream management (acks both ways) when the server offers it, so that a
 * send completes only when the server has the stanza.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "xmpp-connection.h"
#include "xmpp-jid.h"

G_BEGIN_DECLS

/* Stanza errors (RFC 6120 §8.3) of IQ replies: the code is the condition. */
typedef enum {
  XMPP_STANZA_ERROR_BAD_REQUEST,
  XMPP_STANZA_ERROR_CONFLICT,
  XMPP_STANZA_ERROR_FEATURE_NOT_IMPLEMENTED,
  XMPP_STANZA_ERROR_FORBIDDEN,
  XMPP_STANZA_ERROR_GONE,
  XMPP_STANZA_ERROR_INTERNAL_SERVER_ERROR,
  XMPP_STANZA_ERROR_ITEM_NOT_FOUND,
  XMPP_STANZA_ERROR_JID_MALFORMED,
  XMPP_STANZA_ERROR_NOT_ACCEPTABLE,
  XMPP_STANZA_ERROR_NOT_ALLOWED,
  XMPP_STANZA_ERROR_NOT_AUTHORIZED,
  XMPP_STANZA_ERROR_POLICY_VIOLATION,
  XMPP_STANZA_ERROR_RECIPIENT_UNAVAILABLE,
  XMPP_STANZA_ERROR_REDIRECT,
  XMPP_STANZA_ERROR_REGISTRATION_REQUIRED,
  XMPP_STANZA_ERROR_REMOTE_SERVER_NOT_FOUND,
  XMPP_STANZA_ERROR_REMOTE_SERVER_TIMEOUT,
  XMPP_STANZA_ERROR_RESOURCE_CONSTRAINT,
  XMPP_STANZA_ERROR_SERVICE_UNAVAILABLE,
  XMPP_STANZA_ERROR_SUBSCRIPTION_REQUIRED,
  XMPP_STANZA_ERROR_UNDEFINED_CONDITION,
  XMPP_STANZA_ERROR_UNEXPECTED_REQUEST,
} XmppStanzaError;

#define XMPP_STANZA_ERROR (xmpp_stanza_error_quark ())
GQuark xmpp_stanza_error_quark (void);

/* The condition (never NULL), text and type of a type='error' stanza's
 * <error/>; the strings belong to the stanza. */
void    xmpp_stanza_error_read (XmppStanza  *stanza,
                                const char **condition,
                                const char **text,
                                const char **type);
/* The error of a type='error' stanza, with the server's text if any. */
GError *xmpp_stanza_error_from_stanza (XmppStanza *stanza);
const char *xmpp_stanza_error_to_condition (XmppStanzaError code);

#define XMPP_TYPE_SESSION (xmpp_session_get_type ())
G_DECLARE_FINAL_TYPE (XmppSession, xmpp_session, XMPP, SESSION, GObject)

/* Returns TRUE when it handled the stanza; the next handler is not asked. */
typedef gboolean (*XmppHandlerFunc) (XmppSession *session,
                                     XmppStanza  *stanza,
                                     gpointer     user_data);

/* @features: the stream features after authentication (they say whether
 * stream management is offered). The session starts reading at once. */
XmppSession *xmpp_session_new          (XmppConnection *connection,
                                        XmppJid        *bound_jid,
                                        XmppStanza     *features);
XmppJid     *xmpp_session_get_jid      (XmppSession    *self);
XmppConnection *xmpp_session_get_connection (XmppSession *self);
/* TRUE once the server enabled XEP-0198 for this stream. */
gboolean     xmpp_session_get_sm_enabled (XmppSession  *self);

/* XEP-0352 client state indication: tell the server whether the user is
 * looking, so it can hold back unimportant traffic. Does nothing where the
 * server does not offer it. Sessions start active. */
void         xmpp_session_set_active      (XmppSession *self,
                                           gboolean     active);
gboolean     xmpp_session_get_csi_offered (XmppSession *self);

/* XEP-0198 resumption. When the transport breaks and the server allows
 * resuming, the session emits "interrupted" and keeps its handlers, its
 * pending sends (new ones wait too) and IQs. The owner reconnects with
 * the resume point (xmpp_connector_set_resume) and then either resumes
 * this session on the new connection with the server's h, or starts a new
 * session, moves the unacknowledged stanzas to it, and ends this one. */
gboolean     xmpp_session_get_resume_point (XmppSession    *self,
                                            const char    **previd,
                                            guint32        *h);
void         xmpp_session_resume       (XmppSession    *self,
                                        XmppConnection *connection,
                                        guint32         h);
void         xmpp_session_move_unacked (XmppSession    *from,
                                        XmppSession    *to);
/* Ends the session for good with @error (NULL: a plain close). */
void         xmpp_session_end          (XmppSession    *self,
                                        GError         *error);

/* Handlers match on the stanza's element name ("message", "presence",
 * "iq"; NULL for any), its type attribute (NULL for any; "normal" matches
 * a message without one, "available" a presence without one) and the
 * namespace of a child (NULL for any). */
guint        xmpp_session_add_handler    (XmppSession    *self,
                                          const char     *name,
                                          const char     *type,
                                          const char     *child_ns,
                                          int             priority,
                                          XmppHandlerFunc func,
                                          gpointer        user_data,
                                          GDestroyNotify  destroy);
void         xmpp_session_remove_handler (XmppSession    *self,
                                          guint           id);

/* Sends @stanza. With stream management the send completes when the
 * server acknowledged it; without, when it was written. If the stream
 * ends first, it fails with the stream's error. */
void         xmpp_session_send_async   (XmppSession         *self,
                                        XmppStanza          *stanza,
                                        GCancellable        *cancellable,
                                        GAsyncReadyCallback  callback,
                                        gpointer             user_data);
gboolean     xmpp_session_send_finish  (XmppSession         *self,
                                        GAsyncResult        *result,
                                        GError             **error);

/* Sends an IQ get or set (an id is added if missing) and completes with
 * the result from the entity asked, or the error it sent as a GError
 * (XMPP_STANZA_ERROR). A reply from anyone else is not a reply. */
void         xmpp_session_send_iq_async  (XmppSession         *self,
                                          XmppStanza          *iq,
                                          GCancellable        *cancellable,
                                          GAsyncReadyCallback  callback,
                                          gpointer             user_data);
XmppStanza  *xmpp_session_send_iq_finish (XmppSession         *self,
                                          GAsyncResult        *result,
                                          GError             **error);

/* A XEP-0199 ping to the server: a dead connection fails it after
 * @timeout_seconds. */
void         xmpp_session_ping_async     (XmppSession         *self,
                                          guint                timeout_seconds,
                                          GCancellable        *cancellable,
                                          GAsyncReadyCallback  callback,
                                          gpointer             user_data);
gboolean     xmpp_session_ping_finish    (XmppSession         *self,
                                          GAsyncResult        *result,
                                          GError             **error);

/* Ends the stream politely once every pending send is acknowledged (or
 * failed). */
void         xmpp_session_close_async    (XmppSession         *self,
                                          GCancellable        *cancellable,
                                          GAsyncReadyCallback  callback,
                                          gpointer             user_data);
gboolean     xmpp_session_close_finish   (XmppSession         *self,
                                          GAsyncResult        *result,
                                          GError             **error);

/* Signals:
 *   "closed" (GError *error): the stream ended; NULL error for a close we
 *   asked for. Pending sends and IQs have failed by then.
 *   "interrupted" (GError *error): the transport broke but the session can
 *   be resumed (see above). */

G_END_DECLS
