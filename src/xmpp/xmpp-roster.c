/* xmpp-roster.c: the roster and presence subscriptions (RFC 6121).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "xmpp-roster.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "xmpp-ns.h"

G_DEFINE_QUARK (xmpp-roster-error-quark, xmpp_roster_error)

static const char *subscriptions[] = { "none", "to", "from", "both", "remove" };

const char *
xmpp_roster_subscription_to_string (XmppRosterSubscription subscription)
{
  g_return_val_if_fail (subscription <= XMPP_ROSTER_SUBSCRIPTION_REMOVE, NULL);
  return subscriptions[subscription];
}

XmppRosterItem *
xmpp_roster_item_copy (const XmppRosterItem *item)
{
  XmppRosterItem *copy = g_new0 (XmppRosterItem, 1);

  copy->jid = xmpp_jid_ref (item->jid);
  copy->name = g_strdup (item->name);
  copy->subscription = item->subscription;
  copy->ask = item->ask;
  copy->approved = item->approved;
  copy->groups = g_strdupv (item->groups);
  return copy;
}

void
xmpp_roster_item_free (XmppRosterItem *item)
{
  if (item == NULL)
    return;
  g_clear_pointer (&item->jid, xmpp_jid_unref);
  g_free (item->name);
  g_strfreev (item->groups);
  g_free (item);
}

G_DEFINE_BOXED_TYPE (XmppRosterItem, xmpp_roster_item, xmpp_roster_item_copy, xmpp_roster_item_free)

XmppRosterItem *
xmpp_roster_item_new_from_node (const XmppNode *node)
{
  const char *jid_text = xmpp_node_get_attr (node, "jid");
  const char *sub = xmpp_node_get_attr (node, "subscription");
  const char *approved = xmpp_node_get_attr (node, "approved");
  g_autoptr(XmppJid) jid = NULL;
  g_autoptr(GStrvBuilder) groups = g_strv_builder_new ();
  XmppRosterItem *item;
  guint subscription = XMPP_ROSTER_SUBSCRIPTION_NONE;

  if (!xmpp_node_is (node, "item", XMPP_NS_ROSTER) || jid_text == NULL)
    return NULL;
  jid = xmpp_jid_new (jid_text, NULL);
  if (jid == NULL)
    return NULL;
  if (sub != NULL)
    {
      for (subscription = 0; subscription < G_N_ELEMENTS (subscriptions); subscription++)
        if (strcmp (sub, subscriptions[subscription]) == 0)
          break;
      if (subscription == G_N_ELEMENTS (subscriptions))
        return NULL;
    }
  xmpp_node_foreach_child (node, child)
    if (xmpp_node_is (child, "group", XMPP_NS_ROSTER) && xmpp_node_get_text (child) != NULL)
      g_strv_builder_add (groups, xmpp_node_get_text (child));

  item = g_new0 (XmppRosterItem, 1);
  item->jid = xmpp_jid_get_bare (jid);
  item->name = g_strdup (xmpp_node_get_attr (node, "name"));
  item->subscription = subscription;
  item->ask = g_strcmp0 (xmpp_node_get_attr (node, "ask"), "subscribe") == 0;
  item->approved = g_strcmp0 (approved, "true") == 0 || g_strcmp0 (approved, "1") == 0;
  item->groups = g_strv_builder_end (groups);
  return item;
}

struct _XmppRoster {
  GObject      parent_instance;
  XmppSession *session;
  GArray      *handlers;       /* guint ids on session */
  GHashTable  *items;          /* XmppJid → XmppRosterItem */
  char        *version;
  gboolean     versioning;
  gboolean     preapproval;
};

G_DEFINE_FINAL_TYPE (XmppRoster, xmpp_roster, G_TYPE_OBJECT)

enum {
  ITEM_CHANGED,
  ITEM_REMOVED,
  SUBSCRIPTION_REQUEST,
  SUBSCRIBED,
  UNSUBSCRIBED,
  N_SIGNALS
};
static guint signals[N_SIGNALS];

static void
xmpp_roster_dispose (GObject *object)
{
  XmppRoster *self = XMPP_ROSTER (object);

  if (self->session != NULL)
    {
      for (guint i = 0; i < self->handlers->len; i++)
        xmpp_session_remove_handler (self->session, g_array_index (self->handlers, guint, i));
      g_array_set_size (self->handlers, 0);
      g_clear_object (&self->session);
    }
  G_OBJECT_CLASS (xmpp_roster_parent_class)->dispose (object);
}

static void
xmpp_roster_finalize (GObject *object)
{
  XmppRoster *self = XMPP_ROSTER (object);

  g_array_unref (self->handlers);
  g_hash_table_unref (self->items);
  g_free (self->version);
  G_OBJECT_CLASS (xmpp_roster_parent_class)->finalize (object);
}

static void
xmpp_roster_class_init (XmppRosterClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = xmpp_roster_dispose;
  object_class->finalize = xmpp_roster_finalize;

  signals[ITEM_CHANGED] =
    g_signal_new ("item-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, XMPP_TYPE_ROSTER_ITEM);
  signals[ITEM_REMOVED] =
    g_signal_new ("item-removed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, XMPP_TYPE_JID);
  signals[SUBSCRIPTION_REQUEST] =
    g_signal_new ("subscription-request", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                  NULL, G_TYPE_NONE, 2, XMPP_TYPE_JID, G_TYPE_STRING);
  signals[SUBSCRIBED] =
    g_signal_new ("subscribed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, XMPP_TYPE_JID);
  signals[UNSUBSCRIBED] =
    g_signal_new ("unsubscribed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, XMPP_TYPE_JID);
}

static void
xmpp_roster_init (XmppRoster *self)
{
  self->handlers = g_array_new (FALSE, FALSE, sizeof (guint));
  self->items = g_hash_table_new_full (xmpp_jid_hash, xmpp_jid_equal, NULL,
                                       (GDestroyNotify) xmpp_roster_item_free);
  self->versioning = TRUE;
}

static void
set_version (XmppRoster *self,
             const char *version)
{
  if (version != NULL)
    {
      g_free (self->version);
      self->version = g_strdup (version);
    }
}

/* The key is the item's own JID, which the item keeps alive. */
static void
store_item (XmppRoster     *self,
            XmppRosterItem *item)
{
  g_hash_table_remove (self->items, item->jid);
  if (item->subscription == XMPP_ROSTER_SUBSCRIPTION_REMOVE)
    xmpp_roster_item_free (item);
  else
    g_hash_table_insert (self->items, item->jid, item);
}

/* RFC 6121 §2.1.6: from nobody (the server) or our own bare JID. */
static gboolean
push_is_trusted (XmppRoster *self,
                 const char *from_text)
{
  g_autoptr(XmppJid) from = NULL;
  XmppJid *own = xmpp_session_get_jid (self->session);

  if (from_text == NULL)
    return TRUE;
  from = xmpp_jid_new (from_text, NULL);
  return from != NULL && xmpp_jid_is_bare (from) && xmpp_jid_equal_bare (from, own);
}

static gboolean
on_push (XmppSession *session,
         XmppStanza  *stanza,
         gpointer     user_data)
{
  XmppRoster *self = user_data;
  XmppNode *top = xmpp_stanza_get_top (stanza);
  XmppNode *query = xmpp_node_get_child (top, "query", XMPP_NS_ROSTER);
  XmppNode *node;
  g_autoptr(XmppStanza) reply = NULL;
  XmppRosterItem *item;

  if (query == NULL)
    return FALSE;
  if (!push_is_trusted (self, xmpp_stanza_get_from (stanza)))
    {
      /* Ignored without an answer: an error would tell the sender we are
       * online (RFC 6121 §2.1.6 allows silence for this reason). Logged
       * as a message, not a warning: anyone can send one, and warnings are
       * fatal under G_DEBUG=fatal-warnings. */
      g_message ("ignoring a roster push from %s, which is not this account",
                 xmpp_stanza_get_from (stanza));
      return TRUE;
    }
  node = xmpp_node_get_child (query, "item", XMPP_NS_ROSTER);
  item = node != NULL && xmpp_node_get_next_sibling (node, "item", XMPP_NS_ROSTER) == NULL
    ? xmpp_roster_item_new_from_node (node) : NULL;
  if (item == NULL)
    {
      g_debug ("ignoring a roster push without exactly one valid item");
      return FALSE;   /* the session answers it with an error */
    }

  reply = xmpp_stanza_new ("iq", XMPP_NS_CLIENT);
  xmpp_node_set_attr (xmpp_stanza_get_top (reply), "type", "result");
  xmpp_node_set_attr (xmpp_stanza_get_top (reply), "id", xmpp_stanza_get_id (stanza));
  if (xmpp_stanza_get_from (stanza) != NULL)
    xmpp_node_set_attr (xmpp_stanza_get_top (reply), "to", xmpp_stanza_get_from (stanza));
  xmpp_session_send_async (session, reply, NULL, NULL, NULL);

  set_version (self, xmpp_node_get_attr (query, "ver"));
  g_object_ref (self);
  if (item->subscription == XMPP_ROSTER_SUBSCRIPTION_REMOVE)
    {
      g_autoptr(XmppJid) jid = xmpp_jid_ref (item->jid);

      store_item (self, item);
      g_signal_emit (self, signals[ITEM_REMOVED], 0, jid);
    }
  else
    {
      g_autoptr(XmppRosterItem) copy = xmpp_roster_item_copy (item);

      store_item (self, item);
      g_signal_emit (self, signals[ITEM_CHANGED], 0, copy);
    }
  g_object_unref (self);
  return TRUE;
}

static gboolean
on_subscription (XmppSession *session,
                 XmppStanza  *stanza,
                 gpointer     user_data)
{
  XmppRoster *self = user_data;
  const char *type = xmpp_stanza_get_kind (stanza);
  const char *from_text = xmpp_stanza_get_from (stanza);
  g_autoptr(XmppJid) from = from_text ? xmpp_jid_new (from_text, NULL) : NULL;
  g_autoptr(XmppJid) bare = NULL;

  if (from == NULL)
    {
      g_debug ("ignoring subscription presence without a valid 'from'");
      return TRUE;
    }
  bare = xmpp_jid_get_bare (from);
  if (g_strcmp0 (type, "subscribe") == 0)
    {
      const char *nick = xmpp_node_get_child_text (xmpp_stanza_get_top (stanza), "nick", XMPP_NS_NICK);
      g_signal_emit (self, signals[SUBSCRIPTION_REQUEST], 0, bare, nick);
    }
  else if (g_strcmp0 (type, "subscribed") == 0)
    g_signal_emit (self, signals[SUBSCRIBED], 0, bare);
  else if (g_strcmp0 (type, "unsubscribed") == 0)
    g_signal_emit (self, signals[UNSUBSCRIBED], 0, bare);
  else
    return FALSE;   /* not registered for others ("unsubscribe": the push tells it) */
  return TRUE;
}

static void
add_handler (XmppRoster     *self,
             const char     *name,
             const char     *type,
             const char     *child_ns,
             XmppHandlerFunc func)
{
  guint id = xmpp_session_add_handler (self->session, name, type, child_ns, 0, func, self, NULL);

  g_array_append_val (self->handlers, id);
}

XmppRoster *
xmpp_roster_new (XmppSession *session)
{
  XmppRoster *self;

  g_return_val_if_fail (XMPP_IS_SESSION (session), NULL);
  self = g_object_new (XMPP_TYPE_ROSTER, NULL);
  self->session = g_object_ref (session);
  add_handler (self, "iq", "set", XMPP_NS_ROSTER, on_push);
  add_handler (self, "presence", "subscribe", NULL, on_subscription);
  add_handler (self, "presence", "subscribed", NULL, on_subscription);
  add_handler (self, "presence", "unsubscribed", NULL, on_subscription);
  return self;
}

void
xmpp_roster_set_features (XmppRoster *self,
                          XmppStanza *features)
{
  XmppNode *top;

  g_return_if_fail (XMPP_IS_ROSTER (self));
  if (features == NULL)
    {
      self->versioning = TRUE;
      self->preapproval = FALSE;
      return;
    }
  top = xmpp_stanza_get_top (features);
  self->versioning = xmpp_node_get_child (top, "ver", XMPP_NS_ROSTER_VER) != NULL;
  self->preapproval = xmpp_node_get_child (top, "sub", XMPP_NS_PRE_APPROVAL) != NULL;
}

gboolean
xmpp_roster_get_versioning_offered (XmppRoster *self)
{
  g_return_val_if_fail (XMPP_IS_ROSTER (self), FALSE);
  return self->versioning;
}

gboolean
xmpp_roster_get_preapproval_offered (XmppRoster *self)
{
  g_return_val_if_fail (XMPP_IS_ROSTER (self), FALSE);
  return self->preapproval;
}

XmppSession *
xmpp_roster_get_session (XmppRoster *self)
{
  g_return_val_if_fail (XMPP_IS_ROSTER (self), NULL);
  return self->session;
}

const char *
xmpp_roster_get_version (XmppRoster *self)
{
  g_return_val_if_fail (XMPP_IS_ROSTER (self), NULL);
  return self->version;
}

const XmppRosterItem *
xmpp_roster_lookup (XmppRoster *self,
                    XmppJid    *jid)
{
  g_autoptr(XmppJid) bare = NULL;

  g_return_val_if_fail (XMPP_IS_ROSTER (self), NULL);
  bare = xmpp_jid_get_bare (jid);
  return g_hash_table_lookup (self->items, bare);
}

static XmppStanza *
new_roster_iq (const char *type,
               XmppNode  **query)
{
  XmppStanza *iq = xmpp_stanza_new ("iq", XMPP_NS_CLIENT);

  xmpp_node_set_attr (xmpp_stanza_get_top (iq), "type", type);
  *query = xmpp_node_add_child (xmpp_stanza_get_top (iq), "query", XMPP_NS_ROSTER);
  return iq;
}

typedef struct {
  GPtrArray *items;     /* NULL: unchanged */
  char      *version;
} FetchResult;

static void
fetch_result_free (FetchResult *r)
{
  g_clear_pointer (&r->items, g_ptr_array_unref);
  g_free (r->version);
  g_free (r);
}

static void
on_fetched (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  XmppRoster *self = g_task_get_source_object (task);
  GError *error = NULL;
  g_autoptr(XmppStanza) reply = xmpp_session_send_iq_finish (XMPP_SESSION (source), result, &error);
  FetchResult *r;
  XmppNode *query;

  if (reply == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  query = xmpp_node_get_child (xmpp_stanza_get_top (reply), "query", XMPP_NS_ROSTER);
  /* An empty result means "unchanged", which needs a version we sent. */
  if (query == NULL && (g_task_get_task_data (task) == NULL || *(char *) g_task_get_task_data (task) == '\0'))
    {
      g_task_return_new_error (task, XMPP_ROSTER_ERROR, XMPP_ROSTER_ERROR_MALFORMED,
                               _("The server sent no roster."));
      return;
    }
  r = g_new0 (FetchResult, 1);
  if (query != NULL)
    {
      r->items = g_ptr_array_new_with_free_func ((GDestroyNotify) xmpp_roster_item_free);
      r->version = g_strdup (xmpp_node_get_attr (query, "ver"));
      g_hash_table_remove_all (self->items);
      xmpp_node_foreach_child (query, child)
        {
          XmppRosterItem *item = xmpp_roster_item_new_from_node (child);

          if (item == NULL || item->subscription == XMPP_ROSTER_SUBSCRIPTION_REMOVE)
            {
              g_debug ("skipping an invalid roster item (%s)", xmpp_node_get_attr (child, "jid"));
              xmpp_roster_item_free (item);
              continue;
            }
          g_ptr_array_add (r->items, xmpp_roster_item_copy (item));
          store_item (self, item);
        }
    }
  else
    r->version = g_strdup (g_task_get_task_data (task));
  set_version (self, r->version);
  g_task_return_pointer (task, r, (GDestroyNotify) fetch_result_free);
}

void
xmpp_roster_fetch_async (XmppRoster          *self,
                         const char          *version,
                         GCancellable        *cancellable,
                         GAsyncReadyCallback  callback,
                         gpointer             user_data)
{
  GTask *task;
  XmppNode *query;
  g_autoptr(XmppStanza) iq = new_roster_iq ("get", &query);

  g_return_if_fail (XMPP_IS_ROSTER (self));
  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, xmpp_roster_fetch_async);
  if (self->versioning)
    {
      xmpp_node_set_attr (query, "ver", version != NULL ? version : "");
      g_task_set_task_data (task, g_strdup (version), g_free);
    }
  xmpp_session_send_iq_async (self->session, iq, cancellable, on_fetched, task);
}

gboolean
xmpp_roster_fetch_finish (XmppRoster    *self,
                          GAsyncResult  *result,
                          GPtrArray    **items,
                          char         **version,
                          GError       **error)
{
  FetchResult *r;

  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  r = g_task_propagate_pointer (G_TASK (result), error);
  if (r == NULL)
    return FALSE;
  if (items != NULL)
    *items = g_steal_pointer (&r->items);
  if (version != NULL)
    *version = g_steal_pointer (&r->version);
  fetch_result_free (r);
  return TRUE;
}

static void
on_set (GObject      *source,
        GAsyncResult *result,
        gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;
  g_autoptr(XmppStanza) reply = xmpp_session_send_iq_finish (XMPP_SESSION (source), result, &error);

  if (reply == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

static void
send_item (XmppRoster          *self,
           XmppJid             *jid,
           const char          *name,
           const char * const  *groups,
           gboolean             remove,
           gpointer             tag,
           GCancellable        *cancellable,
           GAsyncReadyCallback  callback,
           gpointer             user_data)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);
  XmppNode *query, *item;
  g_autoptr(XmppStanza) iq = new_roster_iq ("set", &query);

  g_task_set_source_tag (task, tag);
  item = xmpp_node_add_child (query, "item", NULL);
  xmpp_node_set_attr (item, "jid", xmpp_jid_bare_string (jid));
  if (remove)
    xmpp_node_set_attr (item, "subscription", "remove");
  else
    {
      if (name != NULL)
        xmpp_node_set_attr (item, "name", name);
      for (guint i = 0; groups != NULL && groups[i] != NULL; i++)
        xmpp_node_add_child_text (item, "group", NULL, groups[i]);
    }
  xmpp_session_send_iq_async (self->session, iq, cancellable, on_set, task);
}

void
xmpp_roster_set_item_async (XmppRoster          *self,
                            XmppJid             *jid,
                            const char          *name,
                            const char * const  *groups,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  g_return_if_fail (XMPP_IS_ROSTER (self));
  g_return_if_fail (jid != NULL);
  send_item (self, jid, name, groups, FALSE, xmpp_roster_set_item_async, cancellable, callback, user_data);
}

gboolean
xmpp_roster_set_item_finish (XmppRoster    *self,
                             GAsyncResult  *result,
                             GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

void
xmpp_roster_remove_item_async (XmppRoster          *self,
                               XmppJid             *jid,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  g_return_if_fail (XMPP_IS_ROSTER (self));
  g_return_if_fail (jid != NULL);
  send_item (self, jid, NULL, NULL, TRUE, xmpp_roster_remove_item_async, cancellable, callback, user_data);
}

gboolean
xmpp_roster_remove_item_finish (XmppRoster    *self,
                                GAsyncResult  *result,
                                GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
on_presence_sent (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;

  if (xmpp_session_send_finish (XMPP_SESSION (source), result, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

static void
send_subscription (XmppRoster          *self,
                   XmppJid             *jid,
                   const char          *type,
                   const char          *nick,
                   gpointer             tag,
                   GCancellable        *cancellable,
                   GAsyncReadyCallback  callback,
                   gpointer             user_data)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);
  g_autoptr(XmppStanza) presence = xmpp_stanza_new ("presence", XMPP_NS_CLIENT);
  XmppNode *top = xmpp_stanza_get_top (presence);

  g_task_set_source_tag (task, tag);
  xmpp_node_set_attr (top, "to", xmpp_jid_bare_string (jid));
  xmpp_node_set_attr (top, "type", type);
  if (nick != NULL)
    xmpp_node_add_child_text (top, "nick", XMPP_NS_NICK, nick);
  xmpp_session_send_async (self->session, presence, cancellable, on_presence_sent, task);
}

void
xmpp_roster_subscribe_async (XmppRoster          *self,
                             XmppJid             *jid,
                             const char          *nick,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  g_return_if_fail (XMPP_IS_ROSTER (self));
  send_subscription (self, jid, "subscribe", nick, xmpp_roster_subscribe_async, cancellable, callback,
                     user_data);
}

void
xmpp_roster_approve_async (XmppRoster          *self,
                           XmppJid             *jid,
                           GCancellable        *cancellable,
                           GAsyncReadyCallback  callback,
                           gpointer             user_data)
{
  g_return_if_fail (XMPP_IS_ROSTER (self));
  send_subscription (self, jid, "subscribed", NULL, xmpp_roster_approve_async, cancellable, callback,
                     user_data);
}

void
xmpp_roster_deny_async (XmppRoster          *self,
                        XmppJid             *jid,
                        GCancellable        *cancellable,
                        GAsyncReadyCallback  callback,
                        gpointer             user_data)
{
  g_return_if_fail (XMPP_IS_ROSTER (self));
  send_subscription (self, jid, "unsubscribed", NULL, xmpp_roster_deny_async, cancellable, callback,
                     user_data);
}

void
xmpp_roster_unsubscribe_async (XmppRoster          *self,
                               XmppJid             *jid,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  g_return_if_fail (XMPP_IS_ROSTER (self));
  send_subscription (self, jid, "unsubscribe", NULL, xmpp_roster_unsubscribe_async, cancellable, callback,
                     user_data);
}

void
xmpp_roster_preapprove_async (XmppRoster          *self,
                              XmppJid             *jid,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  g_return_if_fail (XMPP_IS_ROSTER (self));
  if (!self->preapproval)
    {
      g_task_report_new_error (self, callback, user_data, xmpp_roster_preapprove_async,
                               XMPP_ROSTER_ERROR, XMPP_ROSTER_ERROR_UNSUPPORTED,
                               _("The server does not support approving a contact before they ask."));
      return;
    }
  send_subscription (self, jid, "subscribed", NULL, xmpp_roster_preapprove_async, cancellable, callback,
                     user_data);
}

gboolean
xmpp_roster_subscription_finish (XmppRoster    *self,
                                 GAsyncResult  *result,
                                 GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}
