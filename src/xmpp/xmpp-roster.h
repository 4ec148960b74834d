/* xmpp-roster.h: the roster and presence subscriptions (RFC 6121 §2, §3).
 *
 * An XmppRoster attaches to an XmppSession: it fetches the roster (with
 * roster versioning, §2.6), takes roster pushes (§2.1.6) and subscription
 * presence (§3), keeps the items it has seen, and emits typed signals.
 *
 * A push is taken only when it has no 'from' or comes from the account's
 * own bare JID; any other push is spoofed: it is dropped, logged and not
 * answered (§2.1.6 lets a client keep silent, which leaks no presence).
 * A valid push is answered with an empty result.
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
  XMPP_ROSTER_ERROR_UNSUPPORTED,   /* the server does not offer it */
  XMPP_ROSTER_ERROR_MALFORMED,     /* the server's answer breaks RFC 6121 */
} XmppRosterError;

#define XMPP_ROSTER_ERROR (xmpp_roster_error_quark ())
GQuark xmpp_roster_error_quark (void);

typedef enum {
  XMPP_ROSTER_SUBSCRIPTION_NONE,
  XMPP_ROSTER_SUBSCRIPTION_TO,      /* we see their presence */
  XMPP_ROSTER_SUBSCRIPTION_FROM,    /* they see ours */
  XMPP_ROSTER_SUBSCRIPTION_BOTH,
  XMPP_ROSTER_SUBSCRIPTION_REMOVE,  /* only in pushes and removals */
} XmppRosterSubscription;

/* One roster item. Plain data: copy and free it. */
typedef struct {
  XmppJid               *jid;           /* bare */
  char                  *name;          /* nullable */
  XmppRosterSubscription subscription;
  gboolean               ask;           /* our subscription request is pending */
  gboolean               approved;      /* pre-approved (§3.4) */
  GStrv                  groups;        /* never NULL, maybe empty */
} XmppRosterItem;

#define XMPP_TYPE_ROSTER_ITEM (xmpp_roster_item_get_type ())
GType           xmpp_roster_item_get_type (void) G_GNUC_CONST;
XmppRosterItem *xmpp_roster_item_copy     (const XmppRosterItem *item);
void            xmpp_roster_item_free     (XmppRosterItem       *item);
/* Parses an <item/> of jabber:iq:roster; NULL when it is not valid. */
XmppRosterItem *xmpp_roster_item_new_from_node (const XmppNode *node);
const char     *xmpp_roster_subscription_to_string (XmppRosterSubscription subscription);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (XmppRosterItem, xmpp_roster_item_free)

#define XMPP_TYPE_ROSTER (xmpp_roster_get_type ())
G_DECLARE_FINAL_TYPE (XmppRoster, xmpp_roster, XMPP, ROSTER, GObject)

/* Registers the push and subscription handlers on @session; they go when
 * the roster is disposed. */
XmppRoster     *xmpp_roster_new          (XmppSession *session);
/* The stream features after authentication (from the connector): they say
 * whether the server offers versioning and pre-approval. Without them,
 * versioning is assumed and pre-approval is not. */
void            xmpp_roster_set_features (XmppRoster  *self,
                                          XmppStanza  *features);
gboolean        xmpp_roster_get_versioning_offered   (XmppRoster *self);
gboolean        xmpp_roster_get_preapproval_offered  (XmppRoster *self);
XmppSession    *xmpp_roster_get_session  (XmppRoster  *self);
/* The latest version seen (fetch or push), or NULL. */
const char     *xmpp_roster_get_version  (XmppRoster  *self);
/* The items seen so far in fetches and pushes; NULL when unknown. */
const XmppRosterItem *xmpp_roster_lookup (XmppRoster  *self,
                                          XmppJid     *jid);

/* Fetches the roster. @version: the cached one (nullable; "" for none yet)
 * is sent when the server offers versioning. */
void            xmpp_roster_fetch_async  (XmppRoster          *self,
                                          const char          *version,
                                          GCancellable        *cancellable,
                                          GAsyncReadyCallback  callback,
                                          gpointer             user_data);
/* On success, @items gets the whole roster (XmppRosterItem, new array) or
 * NULL when it is unchanged since the version sent (the changes then come
 * as pushes); @version gets the new version (NULL when the server has no
 * versioning). Both may be NULL. Errors: XMPP_STANZA_ERROR, those of the
 * session, XMPP_ROSTER_ERROR_MALFORMED for an empty answer to a fetch that
 * sent no version. */
gboolean        xmpp_roster_fetch_finish (XmppRoster          *self,
                                          GAsyncResult        *result,
                                          GPtrArray          **items,
                                          char               **version,
                                          GError             **error);

/* Adds or updates an item (name and groups nullable); completes when the
 * server has it. */
void            xmpp_roster_set_item_async     (XmppRoster          *self,
                                                XmppJid             *jid,
                                                const char          *name,
                                                const char * const  *groups,
                                                GCancellable        *cancellable,
                                                GAsyncReadyCallback  callback,
                                                gpointer             user_data);
gboolean        xmpp_roster_set_item_finish    (XmppRoster          *self,
                                                GAsyncResult        *result,
                                                GError             **error);
/* Removes an item, which cancels subscriptions both ways (§2.5). */
void            xmpp_roster_remove_item_async  (XmppRoster          *self,
                                                XmppJid             *jid,
                                                GCancellable        *cancellable,
                                                GAsyncReadyCallback  callback,
                                                gpointer             user_data);
gboolean        xmpp_roster_remove_item_finish (XmppRoster          *self,
                                                GAsyncResult        *result,
                                                GError             **error);

/* Subscription presence (§3); each completes when the server has it.
 * subscribe: ask to see @jid's presence (@nick, nullable: XEP-0172).
 * approve: let @jid see ours (an answer to a request).
 * deny: refuse a request, or cancel a subscription @jid has to us (§3.2).
 * unsubscribe: stop seeing @jid's presence (§3.3).
 * preapprove: approve before any request (§3.4); fails with
 * XMPP_ROSTER_ERROR_UNSUPPORTED unless the server offers it. */
void            xmpp_roster_subscribe_async    (XmppRoster          *self,
                                                XmppJid             *jid,
                                                const char          *nick,
                                                GCancellable        *cancellable,
                                                GAsyncReadyCallback  callback,
                                                gpointer             user_data);
void            xmpp_roster_approve_async      (XmppRoster          *self,
                                                XmppJid             *jid,
                                                GCancellable        *cancellable,
                                                GAsyncReadyCallback  callback,
                                                gpointer             user_data);
void            xmpp_roster_deny_async         (XmppRoster          *self,
                                                XmppJid             *jid,
                                                GCancellable        *cancellable,
                                                GAsyncReadyCallback  callback,
                                                gpointer             user_data);
void            xmpp_roster_unsubscribe_async  (XmppRoster          *self,
                                                XmppJid             *jid,
                                                GCancellable        *cancellable,
                                                GAsyncReadyCallback  callback,
                                                gpointer             user_data);
void            xmpp_roster_preapprove_async   (XmppRoster          *self,
                                                XmppJid             *jid,
                                                GCancellable        *cancellable,
                                                GAsyncReadyCallback  callback,
                                                gpointer             user_data);
/* The finish of all five. */
gboolean        xmpp_roster_subscription_finish (XmppRoster         *self,
                                                 GAsyncResult       *result,
                                                 GError            **error);

/* Signals:
 *   "item-changed" (XmppRosterItem *item): a push added or changed it.
 *   "item-removed" (XmppJid *jid): a push removed it.
 *   "subscription-request" (XmppJid *from, const char *nick): @from (bare)
 *   asks to see our presence; @nick is NULL unless they sent one.
 *   "subscribed" (XmppJid *from): @from approved our request.
 *   "unsubscribed" (XmppJid *from): @from denied our request or cancelled
 *   our subscription. */

G_END_DECLS
