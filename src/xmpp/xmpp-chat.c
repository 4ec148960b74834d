/* xmpp-chat.c: one-to-one chat messages, carbons and stanza ids.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "xmpp-chat.h"

#include <string.h>

#include "xmpp-carbons.h"
#include "xmpp-ns.h"

XmppChatMessage *
xmpp_chat_message_copy (const XmppChatMessage *message)
{
  XmppChatMessage *copy = g_new0 (XmppChatMessage, 1);

  copy->from = xmpp_jid_ref (message->from);
  copy->to = xmpp_jid_ref (message->to);
  copy->peer = xmpp_jid_ref (message->peer);
  copy->type = g_strdup (message->type);
  copy->id = g_strdup (message->id);
  copy->origin_id = g_strdup (message->origin_id);
  copy->stanza_id = g_strdup (message->stanza_id);
  copy->stanza_id_by = g_strdup (message->stanza_id_by);
  copy->body = g_strdup (message->body);
  copy->thread = g_strdup (message->thread);
  copy->timestamp = g_date_time_ref (message->timestamp);
  copy->delayed = message->delayed;
  copy->direction = message->direction;
  copy->via = message->via;
  return copy;
}

void
xmpp_chat_message_free (XmppChatMessage *message)
{
  if (message == NULL)
    return;
  g_clear_pointer (&message->from, xmpp_jid_unref);
  g_clear_pointer (&message->to, xmpp_jid_unref);
  g_clear_pointer (&message->peer, xmpp_jid_unref);
  g_free (message->type);
  g_free (message->id);
  g_free (message->origin_id);
  g_free (message->stanza_id);
  g_free (message->stanza_id_by);
  g_free (message->body);
  g_free (message->thread);
  g_clear_pointer (&message->timestamp, g_date_time_unref);
  g_free (message);
}

G_DEFINE_BOXED_TYPE (XmppChatMessage, xmpp_chat_message, xmpp_chat_message_copy, xmpp_chat_message_free)

/* XEP-0203: the stamp of a <delay/> child of @node, or NULL. */
static GDateTime *
read_delay (const XmppNode *node)
{
  XmppNode *delay = node ? xmpp_node_get_child (node, "delay", XMPP_NS_DELAY) : NULL;
  const char *stamp = delay ? xmpp_node_get_attr (delay, "stamp") : NULL;

  return stamp ? g_date_time_new_from_iso8601 (stamp, NULL) : NULL;
}

/* XEP-0359 §3.1: only a stanza-id by our own account was added by our
 * server; any other may have come from the sender, and is ignored. The
 * server must also remove one by us that the sender put there, but not
 * every server does (Prosody 13 keeps it and adds its own): with more
 * than one by us, we cannot tell which is real, and keep none. */
static void
read_stanza_id (const XmppNode  *node,
                XmppJid         *own,
                XmppChatMessage *message)
{
  const char *found = NULL;
  guint n = 0;

  for (XmppNode *sid = xmpp_node_get_child (node, "stanza-id", XMPP_NS_SID); sid != NULL;
       sid = xmpp_node_get_next_sibling (sid, "stanza-id", XMPP_NS_SID))
    {
      const char *by_text = xmpp_node_get_attr (sid, "by");
      const char *id = xmpp_node_get_attr (sid, "id");
      g_autoptr(XmppJid) by = by_text ? xmpp_jid_new (by_text, NULL) : NULL;

      if (id == NULL || by == NULL || !xmpp_jid_is_bare (by) || !xmpp_jid_equal_bare (by, own))
        continue;
      found = id;
      n++;
    }
  if (n > 1)
    {
      g_message ("ignoring %u stanza-ids by this account on one message: one at most is the server's", n);
      return;
    }
  if (found != NULL)
    {
      message->stanza_id = g_strdup (found);
      message->stanza_id_by = g_strdup (xmpp_jid_bare_string (own));
    }
}

XmppChatMessage *
xmpp_chat_message_new_from_node (const XmppNode *node,
                                 XmppJid        *own)
{
  const char *body = xmpp_node_get_child_text (node, "body", XMPP_NS_CLIENT);
  const char *from_text = xmpp_node_get_attr (node, "from");
  const char *to_text = xmpp_node_get_attr (node, "to");
  const char *type = xmpp_node_get_attr (node, "type");
  XmppNode *origin = xmpp_node_get_child (node, "origin-id", XMPP_NS_SID);
  g_autoptr(XmppJid) from = NULL;
  g_autoptr(XmppJid) to = NULL;
  XmppChatMessage *message;

  if (!xmpp_node_is (node, "message", XMPP_NS_CLIENT) || body == NULL)
    return NULL;
  if (type == NULL)
    type = "normal";
  if (strcmp (type, "chat") != 0 && strcmp (type, "normal") != 0)
    return NULL;
  /* RFC 6120 §8.1.2.1: no 'from' is our own account, no 'to' is us. */
  from = from_text ? xmpp_jid_new (from_text, NULL) : xmpp_jid_get_bare (own);
  to = to_text ? xmpp_jid_new (to_text, NULL) : xmpp_jid_ref (own);
  if (from == NULL || to == NULL)
    return NULL;

  message = g_new0 (XmppChatMessage, 1);
  message->from = g_steal_pointer (&from);
  message->to = g_steal_pointer (&to);
  message->peer = xmpp_jid_ref (message->from);
  message->type = g_strdup (type);
  message->id = g_strdup (xmpp_node_get_attr (node, "id"));
  message->origin_id = g_strdup (origin ? xmpp_node_get_attr (origin, "id") : NULL);
  read_stanza_id (node, own, message);
  message->body = g_strdup (body);
  message->thread = g_strdup (xmpp_node_get_child_text (node, "thread", XMPP_NS_CLIENT));
  message->timestamp = read_delay (node);
  message->delayed = message->timestamp != NULL;
  if (message->timestamp == NULL)
    message->timestamp = g_date_time_new_now_utc ();
  return message;
}

struct _XmppChat {
  GObject      parent_instance;
  XmppSession *session;
  GArray      *handlers;       /* guint ids on session */
  gboolean     carbons;
};

G_DEFINE_FINAL_TYPE (XmppChat, xmpp_chat, G_TYPE_OBJECT)

enum {
  MESSAGE,
  N_SIGNALS
};
static guint signals[N_SIGNALS];

static void
xmpp_chat_dispose (GObject *object)
{
  XmppChat *self = XMPP_CHAT (object);

  if (self->session != NULL)
    {
      for (guint i = 0; i < self->handlers->len; i++)
        xmpp_session_remove_handler (self->session, g_array_index (self->handlers, guint, i));
      g_array_set_size (self->handlers, 0);
      g_clear_object (&self->session);
    }
  G_OBJECT_CLASS (xmpp_chat_parent_class)->dispose (object);
}

static void
xmpp_chat_finalize (GObject *object)
{
  XmppChat *self = XMPP_CHAT (object);

  g_array_unref (self->handlers);
  G_OBJECT_CLASS (xmpp_chat_parent_class)->finalize (object);
}

static void
xmpp_chat_class_init (XmppChatClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = xmpp_chat_dispose;
  object_class->finalize = xmpp_chat_finalize;

  signals[MESSAGE] =
    g_signal_new ("message", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, XMPP_TYPE_CHAT_MESSAGE);
}

static void
xmpp_chat_init (XmppChat *self)
{
  self->handlers = g_array_new (FALSE, FALSE, sizeof (guint));
}

static void
emit_message (XmppChat        *self,
              XmppChatMessage *message)
{
  g_object_ref (self);
  g_signal_emit (self, signals[MESSAGE], 0, message);
  g_object_unref (self);
}

static gboolean
on_message (XmppSession *session,
            XmppStanza  *stanza,
            gpointer     user_data)
{
  XmppChat *self = user_data;
  g_autoptr(XmppChatMessage) message =
    xmpp_chat_message_new_from_node (xmpp_stanza_get_top (stanza), xmpp_session_get_jid (session));

  if (message == NULL)
    return FALSE;   /* no body (chat states, receipts…): someone else's */
  message->direction = XMPP_CHAT_DIRECTION_INCOMING;
  message->via = XMPP_CHAT_VIA_LIVE;
  emit_message (self, message);
  return TRUE;
}

static gboolean
on_carbon (XmppSession *session,
           XmppStanza  *stanza,
           gpointer     user_data)
{
  XmppChat *self = user_data;
  XmppJid *own = xmpp_session_get_jid (session);
  XmppNode *forwarded, *inner;
  XmppCarbonKind kind = xmpp_carbons_unwrap (session, stanza, &forwarded, &inner);
  g_autoptr(XmppChatMessage) message = NULL;
  XmppJid *ours;

  switch (kind)
    {
    case XMPP_CARBON_NONE:
      return FALSE;   /* <private/> and the like on a plain message */
    case XMPP_CARBON_SPOOFED:
      /* Logged as a message, not a warning: anyone can send one, and
       * warnings are fatal under G_DEBUG=fatal-warnings. */
      g_message ("ignoring a carbon copy from %s, which is not this account",
                 xmpp_stanza_get_from (stanza));
      return TRUE;
    case XMPP_CARBON_MALFORMED:
      g_debug ("ignoring a carbon copy without a forwarded message");
      return TRUE;
    case XMPP_CARBON_RECEIVED:
    case XMPP_CARBON_SENT:
    default:
      break;
    }

  message = xmpp_chat_message_new_from_node (inner, own);
  if (message == NULL)
    return TRUE;   /* a copy of something that is not a chat message */
  /* The copy must be of a message of ours: sent by or to this account. */
  ours = kind == XMPP_CARBON_SENT ? message->from : message->to;
  if (!xmpp_jid_equal_bare (ours, own))
    {
      g_message ("ignoring a carbon copy of a message %s %s, which is not this account",
                 kind == XMPP_CARBON_SENT ? "from" : "to", xmpp_jid_to_string (ours));
      return TRUE;
    }
  if (!message->delayed)
    {
      GDateTime *stamp = read_delay (forwarded);

      if (stamp != NULL)
        {
          g_date_time_unref (message->timestamp);
          message->timestamp = stamp;
          message->delayed = TRUE;
        }
    }
  if (kind == XMPP_CARBON_SENT)
    {
      message->direction = XMPP_CHAT_DIRECTION_OUTGOING;
      message->via = XMPP_CHAT_VIA_CARBON_SENT;
      g_clear_pointer (&message->peer, xmpp_jid_unref);
      message->peer = xmpp_jid_ref (message->to);
    }
  else
    {
      message->direction = XMPP_CHAT_DIRECTION_INCOMING;
      message->via = XMPP_CHAT_VIA_CARBON_RECEIVED;
    }
  emit_message (self, message);
  return TRUE;
}

static void
add_handler (XmppChat       *self,
             const char     *type,
             const char     *child_ns,
             int             priority,
             XmppHandlerFunc func)
{
  guint id = xmpp_session_add_handler (self->session, "message", type, child_ns, priority, func, self, NULL);

  g_array_append_val (self->handlers, id);
}

XmppChat *
xmpp_chat_new (XmppSession *session)
{
  XmppChat *self;

  g_return_val_if_fail (XMPP_IS_SESSION (session), NULL);
  self = g_object_new (XMPP_TYPE_CHAT, NULL);
  self->session = g_object_ref (session);
  /* Carbons first, whatever the wrapper's type: a spoofed copy must be
   * dropped before anything reads the wrapper as a message. */
  add_handler (self, NULL, XMPP_NS_CARBONS, 10, on_carbon);
  add_handler (self, "chat", NULL, 0, on_message);
  add_handler (self, "normal", NULL, 0, on_message);
  return self;
}

XmppSession *
xmpp_chat_get_session (XmppChat *self)
{
  g_return_val_if_fail (XMPP_IS_CHAT (self), NULL);
  return self->session;
}

static void
on_sent (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;

  if (xmpp_session_send_finish (XMPP_SESSION (source), result, &error))
    g_task_return_pointer (task, g_strdup (g_task_get_task_data (task)), g_free);
  else
    g_task_return_error (task, error);
}

void
xmpp_chat_send_async (XmppChat            *self,
                      XmppJid             *to,
                      const char          *body,
                      GCancellable        *cancellable,
                      GAsyncReadyCallback  callback,
                      gpointer             user_data)
{
  g_autoptr(XmppStanza) message = NULL;
  char *id;
  XmppNode *top;
  GTask *task;

  g_return_if_fail (XMPP_IS_CHAT (self));
  g_return_if_fail (to != NULL);
  g_return_if_fail (body != NULL);

  id = g_uuid_string_random ();
  message = xmpp_stanza_new ("message", XMPP_NS_CLIENT);
  top = xmpp_stanza_get_top (message);
  xmpp_node_set_attr (top, "type", "chat");
  xmpp_node_set_attr (top, "to", xmpp_jid_to_string (to));
  xmpp_node_set_attr (top, "id", id);
  xmpp_node_add_child_text (top, "body", NULL, body);
  xmpp_node_set_attr (xmpp_node_add_child (top, "origin-id", XMPP_NS_SID), "id", id);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, xmpp_chat_send_async);
  g_task_set_task_data (task, id, g_free);
  xmpp_session_send_async (self->session, message, cancellable, on_sent, task);
}

char *
xmpp_chat_send_finish (XmppChat      *self,
                       GAsyncResult  *result,
                       GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
on_carbons_enabled (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  XmppChat *self = g_task_get_source_object (task);
  GError *error = NULL;

  if (!xmpp_carbons_enable_finish (XMPP_SESSION (source), result, &error))
    {
      g_task_return_error (task, error);
      return;
    }
  self->carbons = TRUE;
  g_task_return_boolean (task, TRUE);
}

void
xmpp_chat_enable_carbons_async (XmppChat            *self,
                                XmppStanza          *sasl2_success,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  GTask *task;

  g_return_if_fail (XMPP_IS_CHAT (self));
  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, xmpp_chat_enable_carbons_async);
  if (self->carbons || xmpp_carbons_enabled_by_bind2 (sasl2_success))
    {
      self->carbons = TRUE;
      g_task_return_boolean (task, TRUE);
      g_object_unref (task);
      return;
    }
  xmpp_carbons_enable_async (self->session, cancellable, on_carbons_enabled, task);
}

gboolean
xmpp_chat_enable_carbons_finish (XmppChat      *self,
                                 GAsyncResult  *result,
                                 GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

gboolean
xmpp_chat_get_carbons_enabled (XmppChat *self)
{
  g_return_val_if_fail (XMPP_IS_CHAT (self), FALSE);
  return self->carbons;
}
