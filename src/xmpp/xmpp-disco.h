/* xmpp-disco.h: who we are and what we do (XEP-0030, XEP-0115, XEP-0092).
 *
 * Attached to a session, it answers disco#info (also for our caps node),
 * and software version requests, from the features the other modules add.
 * It computes our XEP-0115 verification string and checks the ones others
 * advertise, so a cache keyed by it can be trusted.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "xmpp-session.h"

G_BEGIN_DECLS

#define XMPP_CAPS_NODE "https://lorikeet.im"

#define XMPP_TYPE_DISCO (xmpp_disco_get_type ())
G_DECLARE_FINAL_TYPE (XmppDisco, xmpp_disco, XMPP, DISCO, GObject)

/* @name and @version are what XEP-0092 and the identity say. */
XmppDisco  *xmpp_disco_new          (XmppSession *session,
                                     const char  *name,
                                     const char  *version);
void        xmpp_disco_add_feature  (XmppDisco   *self,
                                     const char  *feature);
/* Our XEP-0115 'ver' for the current features (SHA-1, base64). */
const char *xmpp_disco_get_caps_ver (XmppDisco   *self);
/* <c xmlns='http://jabber.org/protocol/caps' hash node ver/> for presence. */
void        xmpp_disco_add_caps     (XmppDisco   *self,
                                     XmppNode    *presence);

/* Asks @jid (NULL: our server) for its disco#info, at @node if not NULL;
 * completes with the <query/> answer's stanza. */
void        xmpp_disco_info_async   (XmppDisco           *self,
                                     const char          *jid,
                                     const char          *node,
                                     GCancellable        *cancellable,
                                     GAsyncReadyCallback  callback,
                                     gpointer             user_data);
XmppStanza *xmpp_disco_info_finish  (XmppDisco           *self,
                                     GAsyncResult        *result,
                                     GError             **error);

/* XEP-0115 §5.1: the verification string of a disco#info <query/>, or
 * NULL with an error when the answer is ill-formed (§5.4: the same
 * identity or feature twice, two forms of one FORM_TYPE), so it must not
 * be cached under any 'ver'. Only the SHA-1 method is defined. */
char       *xmpp_caps_compute_ver   (const XmppNode *query,
                                     GError        **error);

G_END_DECLS
