/* xmpp-session.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "xmpp-session.h"
#include "xmpp-error.h"
#include "xmpp-ns.h"

#include <glib/gi18n-lib.h>
#include <stdlib.h>
#include <string.h>

/* Indexed by XmppStanzaError; keep in the enum's order. */
static const char * const stanza_conditions[] = {
  "bad-request", "conflict", "feature-not-implemented", "forbidden", "gone",
  "internal-server-error", "item-not-found", "jid-malformed", "not-acceptable",
  "not-allowed", "not-authorized", "policy-violation", "recipient-unavailable",
  "redirect", "registration-required", "remote-server-not-found",
  "remote-server-timeout", "resource-constraint", "service-unavailable",
  "subscription-required", "undefined-condition", "unexpected-request",
};

G_STATIC_ASSERT (G_N_ELEMENTS (stanza_conditions) == XMPP_STANZA_ERROR_UNEXPECTED_REQUEST + 1);
G_DEFINE_QUARK (xmpp-stanza-error-quark, xmpp_stanza_error)

const char *
xmpp_stanza_error_to_condition (XmppStanzaError code)
{
  if ((guint) code >= G_N_ELEMENTS (stanza_conditions))
    return "undefined-condition";
  return stanza_conditions[code];
}

void
xmpp_stanza_error_read (XmppStanza  *stanza,
                        const char **condition,
                        const char **text,
                        const char **type)
{
  XmppNode *error = xmpp_node_get_child (xmpp_stanza_get_top (stanza), "error", NULL);

  *condition = "undefined-condition";
  *text = NULL;
  if (type != NULL)
    *type = error ? xmpp_node_get_attr (error, "type") : NULL;
  if (error == NULL)
    return;
  xmpp_node_foreach_child (error, child)
    {
      if (strcmp (child->ns, XMPP_NS_STANZAS) != 0)
        continue;
      if (strcmp (child->name, "text") == 0)
        *text = xmpp_node_get_text (child);
      else
        *condition = child->name;
    }
}

GError *
xmpp_stanza_error_from_stanza (XmppStanza *stanza)
{
  XmppStanzaError code = XMPP_STANZA_ERROR_UNDEFINED_CONDITION;
  const char *condition, *text;

  xmpp_stanza_error_read (stanza, &condition, &text, NULL);
  for (guint i = 0; i < G_N_ELEMENTS (stanza_conditions); i++)
    if (strcmp (condition, stanza_conditions[i]) == 0)
      code = i;
  if (text != NULL && *text != '\0')
    return g_error_new (XMPP_STANZA_ERROR, code, _("The request failed (%s): “%s”."), condition, text);
  return g_error_new (XMPP_STANZA_ERROR, code, _("The request failed (%s)."), condition);
}

typedef struct {
  gatomicrefcount ref_count;
  guint           id;
  char           *name;
  char           *type;
  char           *child_ns;
  int             priority;
  XmppHandlerFunc func;
  gpointer        user_data;
  GDestroyNotify  destroy;
  gboolean        removed;
} Handler;

static Handler *
handler_ref (Handler *h)
{
  g_atomic_ref_count_inc (&h->ref_count);
  return h;
}

static void
handler_unref (Handler *h)
{
  if (!g_atomic_ref_count_dec (&h->ref_count))
    return;
  if (h->destroy != NULL)
    h->destroy (h->user_data);
  g_free (h->name);
  g_free (h->type);
  g_free (h->child_ns);
  g_free (h);
}

/* A stanza sent while stream management counts: it stays here until the
 * server's <a h=…/> covers it. */
typedef struct {
  XmppStanza *stanza;
  GTask      *task;     /* NULL for stanzas nobody waits on (IQs) */
} Unacked;

typedef struct {
  GTask   *task;
  XmppJid *to;          /* whom we asked; NULL: our own account */
  guint    timeout_id;
} IqRequest;

struct _XmppSession {
  GObject         parent_instance;

  XmppConnection *connection;
  XmppJid        *jid;
  GCancellable   *cancellable;
  GError         *closed_error;   /* set once the stream is over */
  gboolean        closing;
  GTask          *close_task;

  GPtrArray      *handlers;       /* of Handler, highest priority first */
  guint           next_handler_id;
  GHashTable     *iqs;            /* id → IqRequest */

  /* XEP-0198 */
  gboolean        sm_requested;
  gboolean        sm_enabled;
  gboolean        sm_resumable;   /* the server said resume='true' */
  gboolean        interrupted;    /* the stream broke; waiting to resume */
  char           *sm_id;
  guint32         inbound;        /* stanzas received since <enable/> */
  guint32         acked;          /* the server's last h */
  GQueue          unacked;
  gboolean        ack_requested;

  /* XEP-0352 */
  gboolean        csi_offered;
  gboolean        inactive;
};

enum { SIGNAL_CLOSED, SIGNAL_INTERRUPTED, N_SIGNALS };
static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (XmppSession, xmpp_session, G_TYPE_OBJECT)

static void
iq_request_free (IqRequest *req)
{
  g_clear_handle_id (&req->timeout_id, g_source_remove);
  g_clear_pointer (&req->to, xmpp_jid_unref);
  g_clear_object (&req->task);
  g_free (req);
}

/* The end: everything still waiting fails with the reason. */
static void
session_closed (XmppSession *self,
                GError      *error)
{
  GHashTableIter iter;
  IqRequest *req;
  Unacked *u;

  if (self->closed_error != NULL)
    {
      g_clear_error (&error);
      return;
    }
  self->closed_error = error ? error : g_error_new_literal (XMPP_CONNECTION_ERROR,
                                                            XMPP_CONNECTION_ERROR_CLOSED,
                                                            _("The session was closed."));
  while ((u = g_queue_pop_head (&self->unacked)) != NULL)
    {
      if (u->task != NULL)
        {
          g_task_return_error (u->task, g_error_copy (self->closed_error));
          g_object_unref (u->task);
        }
      xmpp_stanza_unref (u->stanza);
      g_free (u);
    }
  g_hash_table_iter_init (&iter, self->iqs);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &req))
    {
      g_task_return_error (req->task, g_error_copy (self->closed_error));
      g_hash_table_iter_remove (&iter);
    }
  if (self->close_task != NULL)
    {
      GTask *task = g_steal_pointer (&self->close_task);
      g_task_return_boolean (task, TRUE);
      g_object_unref (task);
    }
  g_signal_emit (self, signals[SIGNAL_CLOSED], 0, error ? self->closed_error : NULL);
}

static void
xmpp_session_dispose (GObject *object)
{
  XmppSession *self = XMPP_SESSION (object);

  g_cancellable_cancel (self->cancellable);
  G_OBJECT_CLASS (xmpp_session_parent_class)->dispose (object);
}

static void
xmpp_session_finalize (GObject *object)
{
  XmppSession *self = XMPP_SESSION (object);

  g_clear_object (&self->connection);
  g_clear_pointer (&self->jid, xmpp_jid_unref);
  g_clear_object (&self->cancellable);
  g_clear_error (&self->closed_error);
  g_ptr_array_unref (self->handlers);
  g_hash_table_unref (self->iqs);
  g_free (self->sm_id);
  G_OBJECT_CLASS (xmpp_session_parent_class)->finalize (object);
}

static void
xmpp_session_class_init (XmppSessionClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = xmpp_session_dispose;
  object_class->finalize = xmpp_session_finalize;
  signals[SIGNAL_CLOSED] = g_signal_new ("closed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                         0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_ERROR);
  signals[SIGNAL_INTERRUPTED] = g_signal_new ("interrupted", G_TYPE_FROM_CLASS (klass),
                                              G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                              G_TYPE_NONE, 1, G_TYPE_ERROR);
}

static void
xmpp_session_init (XmppSession *self)
{
  self->cancellable = g_cancellable_new ();
  self->handlers = g_ptr_array_new_with_free_func ((GDestroyNotify) handler_unref);
  self->iqs = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) iq_request_free);
  g_queue_init (&self->unacked);
}

/* Writing */

static gboolean
is_counted (XmppStanza *stanza)
{
  const char *name = xmpp_stanza_get_name (stanza);

  return strcmp (name, "message") == 0 || strcmp (name, "presence") == 0 ||
         strcmp (name, "iq") == 0;
}

static void
send_nonza (XmppSession *self,
            const char  *name,
            const char  *h)
{
  g_autoptr(XmppStanza) nonza = xmpp_stanza_new (name, XMPP_NS_SM);

  if (h != NULL)
    xmpp_node_set_attr (xmpp_stanza_get_top (nonza), "h", h);
  xmpp_connection_send_stanza_async (self->connection, nonza, NULL, NULL, NULL);
}

static void
request_ack (XmppSession *self)
{
  if (self->ack_requested || self->closed_error != NULL || self->interrupted)
    return;
  self->ack_requested = TRUE;
  send_nonza (self, "r", NULL);
}

static void
on_written (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;

  if (!xmpp_connection_send_finish (XMPP_CONNECTION (source), result, &error))
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

static void
send_counted (XmppSession *self,
              XmppStanza  *stanza,
              GTask       *task)
{
  if (self->closed_error != NULL)
    {
      if (task != NULL)
        g_task_return_error (task, g_error_copy (self->closed_error));
      return;
    }
  if (self->sm_requested && is_counted (stanza))
    {
      Unacked *u = g_new0 (Unacked, 1);

      u->stanza = xmpp_stanza_ref (stanza);
      u->task = task ? g_object_ref (task) : NULL;
      g_queue_push_tail (&self->unacked, u);
      /* While the stream is broken it waits here, to go out on resume. */
      if (self->interrupted)
        return;
      xmpp_connection_send_stanza_async (self->connection, stanza, NULL, NULL, NULL);
      request_ack (self);
      return;
    }
  xmpp_connection_send_stanza_async (self->connection, stanza, NULL, on_written,
                                     task ? g_object_ref (task) : NULL);
}

void
xmpp_session_send_async (XmppSession         *self,
                         XmppStanza          *stanza,
                         GCancellable        *cancellable,
                         GAsyncReadyCallback  callback,
                         gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);

  g_task_set_source_tag (task, xmpp_session_send_async);
  send_counted (self, stanza, task);
}

gboolean
xmpp_session_send_finish (XmppSession   *self,
                          GAsyncResult  *result,
                          GError       **error)
{
  return g_task_propagate_boolean (G_TASK (result), error);
}

/* XEP-0198 */

static void maybe_finish_close (XmppSession *self);
static void send_counted (XmppSession *self, XmppStanza *stanza, GTask *task);

/* h counts modulo 2^32 (XEP-0198 §4): the difference is what it covers. */
static void
on_ack (XmppSession *self,
        const char  *h_text,
        guint32      h_value)
{
  guint64 h = h_text ? g_ascii_strtoull (h_text, NULL, 10) : h_value;
  guint32 newly = (guint32) h - self->acked;

  self->ack_requested = FALSE;
  if (newly > g_queue_get_length (&self->unacked))
    {
      session_closed (self, g_error_new_literal (XMPP_STREAM_ERROR, XMPP_STREAM_ERROR_UNDEFINED_CONDITION,
                                                 _("The server acknowledged more stanzas than were sent.")));
      return;
    }
  self->acked = (guint32) h;
  for (guint32 i = 0; i < newly; i++)
    {
      Unacked *u = g_queue_pop_head (&self->unacked);

      if (u->task != NULL)
        {
          g_task_return_boolean (u->task, TRUE);
          g_object_unref (u->task);
        }
      xmpp_stanza_unref (u->stanza);
      g_free (u);
    }
  if (!g_queue_is_empty (&self->unacked))
    request_ack (self);
  maybe_finish_close (self);
}

static void
handle_sm (XmppSession *self,
           XmppStanza  *stanza)
{
  XmppNode *top = xmpp_stanza_get_top (stanza);

  if (strcmp (top->name, "r") == 0)
    {
      char h[16];
      g_snprintf (h, sizeof h, "%u", self->inbound);
      send_nonza (self, "a", h);
    }
  else if (strcmp (top->name, "a") == 0)
    on_ack (self, xmpp_node_get_attr (top, "h") ? xmpp_node_get_attr (top, "h") : "0", 0);
  else if (strcmp (top->name, "enabled") == 0)
    {
      const char *resume = xmpp_node_get_attr (top, "resume");

      self->sm_enabled = TRUE;
      self->sm_resumable = g_strcmp0 (resume, "true") == 0 || g_strcmp0 (resume, "1") == 0;
      g_free (self->sm_id);
      self->sm_id = g_strdup (xmpp_node_get_attr (top, "id"));
    }
  else if (strcmp (top->name, "failed") == 0)
    {
      GList *pending = self->unacked.head;

      /* No acks will come: what was sent since <enable/> is as delivered
       * as it will ever be known to be. */
      self->sm_requested = FALSE;
      self->unacked.head = self->unacked.tail = NULL;
      self->unacked.length = 0;
      for (GList *l = pending; l != NULL; l = l->next)
        {
          Unacked *u = l->data;
          if (u->task != NULL)
            {
              g_task_return_boolean (u->task, TRUE);
              g_object_unref (u->task);
            }
          xmpp_stanza_unref (u->stanza);
          g_free (u);
        }
      g_list_free (pending);
    }
}

/* Routing */

static gboolean
handler_matches (Handler    *h,
                 XmppStanza *stanza)
{
  XmppNode *top = xmpp_stanza_get_top (stanza);
  const char *type = xmpp_node_get_attr (top, "type");

  if (h->removed || (h->name != NULL && strcmp (h->name, top->name) != 0))
    return FALSE;
  if (h->type != NULL)
    {
      if (type == NULL)
        type = strcmp (top->name, "message") == 0 ? "normal" : "available";
      if (strcmp (h->type, type) != 0)
        return FALSE;
    }
  return h->child_ns == NULL || xmpp_node_get_child_ns (top, h->child_ns) != NULL;
}

static void
reply_error (XmppSession     *self,
             XmppStanza      *request,
             XmppStanzaError  code,
             const char      *kind)
{
  XmppNode *req = xmpp_stanza_get_top (request);
  g_autoptr(XmppStanza) reply = xmpp_stanza_new ("iq", XMPP_NS_CLIENT);
  XmppNode *top = xmpp_stanza_get_top (reply);
  XmppNode *error;

  xmpp_node_set_attr (top, "type", "error");
  xmpp_node_set_attr (top, "id", xmpp_node_get_attr (req, "id"));
  xmpp_node_set_attr (top, "to", xmpp_node_get_attr (req, "from"));
  error = xmpp_node_add_child (top, "error", NULL);
  xmpp_node_set_attr (error, "type", kind);
  xmpp_node_add_child (error, xmpp_stanza_error_to_condition (code), XMPP_NS_STANZAS);
  send_counted (self, reply, NULL);
}

/* RFC 6120 §10.3.3 and §8.1.2.1: a reply must come from whom we asked; for
 * a request without 'to' that is our own account (often without 'from'). */
static gboolean
from_expected (XmppSession *self,
               IqRequest   *req,
               const char  *from_text)
{
  g_autoptr(XmppJid) from = from_text ? xmpp_jid_new (from_text, NULL) : NULL;

  if (from_text != NULL && from == NULL)
    return FALSE;
  if (req->to == NULL)
    return from == NULL || xmpp_jid_equal (from, self->jid) ||
           (xmpp_jid_is_bare (from) && xmpp_jid_equal_bare (from, self->jid));
  if (from == NULL)   /* a server answering for the account itself */
    return xmpp_jid_is_bare (req->to) && xmpp_jid_equal_bare (req->to, self->jid);
  return xmpp_jid_equal (from, req->to);
}

static gboolean
handle_iq_reply (XmppSession *self,
                 XmppStanza  *stanza)
{
  const char *id = xmpp_stanza_get_id (stanza);
  IqRequest *req = id ? g_hash_table_lookup (self->iqs, id) : NULL;
  g_autoptr(GTask) task = NULL;

  if (req == NULL || !from_expected (self, req, xmpp_stanza_get_from (stanza)))
    {
      g_debug ("dropping an IQ reply nobody asked for (id %s from %s)", id,
               xmpp_stanza_get_from (stanza));
      return TRUE;
    }
  task = g_object_ref (req->task);
  g_hash_table_remove (self->iqs, id);
  if (g_strcmp0 (xmpp_stanza_get_kind (stanza), "error") == 0)
    g_task_return_error (task, xmpp_stanza_error_from_stanza (stanza));
  else
    g_task_return_pointer (task, xmpp_stanza_ref (stanza), (GDestroyNotify) xmpp_stanza_unref);
  return TRUE;
}

static void
route (XmppSession *self,
       XmppStanza  *stanza)
{
  XmppNode *top = xmpp_stanza_get_top (stanza);
  const char *type = xmpp_node_get_attr (top, "type");
  g_autoptr(GPtrArray) snapshot = NULL;

  if (strcmp (top->name, "iq") == 0 && (g_strcmp0 (type, "result") == 0 || g_strcmp0 (type, "error") == 0))
    {
      handle_iq_reply (self, stanza);
      return;
    }
  /* Handlers may add or remove handlers while they run. */
  snapshot = g_ptr_array_new_with_free_func ((GDestroyNotify) handler_unref);
  for (guint i = 0; i < self->handlers->len; i++)
    g_ptr_array_add (snapshot, handler_ref (g_ptr_array_index (self->handlers, i)));
  for (guint i = 0; i < snapshot->len; i++)
    {
      Handler *h = g_ptr_array_index (snapshot, i);
      if (handler_matches (h, stanza) && h->func (self, stanza, h->user_data))
        return;
    }
  if (strcmp (top->name, "iq") == 0 && (g_strcmp0 (type, "get") == 0 || g_strcmp0 (type, "set") == 0))
    reply_error (self, stanza, XMPP_STANZA_ERROR_SERVICE_UNAVAILABLE, "cancel");
}

static void read_next (XmppSession *self);

/* The transport broke but the server keeps the session for a while
 * (XEP-0198 §5): keep everything, and let the owner reconnect and call
 * xmpp_session_resume(). A stream error is an answer, not a cut. */
static void
interrupt (XmppSession *self,
           GError      *error)
{
  self->interrupted = TRUE;
  self->ack_requested = FALSE;
  g_signal_emit (self, signals[SIGNAL_INTERRUPTED], 0, error);
  g_error_free (error);
}

static void
on_received (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(XmppSession) self = user_data;
  GError *error = NULL;
  g_autoptr(XmppStanza) stanza = xmpp_connection_recv_finish (self->connection, result, &error);

  if (stanza == NULL)
    {
      if (self->closing && g_error_matches (error, XMPP_CONNECTION_ERROR, XMPP_CONNECTION_ERROR_CLOSED))
        g_clear_error (&error);   /* the server's </stream:stream> to ours */
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_clear_error (&error);
      else if (error != NULL && self->sm_resumable && self->sm_id != NULL && !self->closing &&
               error->domain != XMPP_STREAM_ERROR)
        interrupt (self, error);
      else
        session_closed (self, error);
      return;
    }
  if (strcmp (xmpp_stanza_get_ns (stanza), XMPP_NS_SM) == 0)
    handle_sm (self, stanza);
  else
    {
      if (self->sm_enabled && is_counted (stanza))
        self->inbound++;
      route (self, stanza);
    }
  if (self->closed_error == NULL)
    read_next (self);
}

static void
read_next (XmppSession *self)
{
  xmpp_connection_recv_async (self->connection, self->cancellable, on_received, g_object_ref (self));
}

/* XEP-0199: answering the server's or a contact's ping is the session's
 * job, whoever else is listening. */
static gboolean
on_ping (XmppSession *self,
         XmppStanza  *stanza,
         gpointer     user_data)
{
  g_autoptr(XmppStanza) reply = xmpp_stanza_new ("iq", XMPP_NS_CLIENT);
  XmppNode *top = xmpp_stanza_get_top (reply);

  xmpp_node_set_attr (top, "type", "result");
  xmpp_node_set_attr (top, "id", xmpp_stanza_get_id (stanza));
  xmpp_node_set_attr (top, "to", xmpp_stanza_get_from (stanza));
  send_counted (self, reply, NULL);
  return TRUE;
}

XmppSession *
xmpp_session_new (XmppConnection *connection,
                  XmppJid        *bound_jid,
                  XmppStanza     *features)
{
  XmppSession *self = g_object_new (XMPP_TYPE_SESSION, NULL);

  self->connection = g_object_ref (connection);
  self->jid = xmpp_jid_ref (bound_jid);
  xmpp_session_add_handler (self, "iq", "get", XMPP_NS_PING, 0, on_ping, NULL, NULL);
  self->csi_offered = features != NULL &&
    xmpp_node_get_child (xmpp_stanza_get_top (features), "csi", XMPP_NS_CSI) != NULL;
  if (features != NULL &&
      xmpp_node_get_child (xmpp_stanza_get_top (features), "sm", XMPP_NS_SM) != NULL)
    {
      g_autoptr(XmppStanza) enable = xmpp_stanza_new ("enable", XMPP_NS_SM);

      /* Counting starts with what we send after <enable/> (XEP-0198 §4). */
      xmpp_node_set_attr (xmpp_stanza_get_top (enable), "resume", "true");
      xmpp_connection_send_stanza_async (self->connection, enable, NULL, NULL, NULL);
      self->sm_requested = TRUE;
    }
  read_next (self);
  return self;
}

gboolean
xmpp_session_get_resume_point (XmppSession  *self,
                               const char  **previd,
                               guint32      *h)
{
  if (!self->sm_resumable || self->sm_id == NULL || self->closed_error != NULL)
    return FALSE;
  *previd = self->sm_id;
  *h = self->inbound;
  return TRUE;
}

void
xmpp_session_resume (XmppSession    *self,
                     XmppConnection *connection,
                     guint32         h)
{
  g_return_if_fail (self->interrupted);

  g_set_object (&self->connection, connection);
  self->interrupted = FALSE;
  /* What the server had before the cut is done; the rest goes again, in
   * order, and is counted again from the server's h. */
  on_ack (self, NULL, h);
  for (GList *l = self->unacked.head; l != NULL; l = l->next)
    {
      Unacked *u = l->data;
      xmpp_connection_send_stanza_async (self->connection, u->stanza, NULL, NULL, NULL);
    }
  if (!g_queue_is_empty (&self->unacked))
    request_ack (self);
  read_next (self);
}

void
xmpp_session_move_unacked (XmppSession *from,
                           XmppSession *to)
{
  Unacked *u;

  while ((u = g_queue_pop_head (&from->unacked)) != NULL)
    {
      send_counted (to, u->stanza, u->task);
      g_clear_object (&u->task);
      xmpp_stanza_unref (u->stanza);
      g_free (u);
    }
}

void
xmpp_session_end (XmppSession *self,
                  GError      *error)
{
  self->interrupted = FALSE;
  session_closed (self, error);
}

void
xmpp_session_set_active (XmppSession *self,
                         gboolean     active)
{
  g_autoptr(XmppStanza) state = NULL;

  if (!self->csi_offered || self->inactive == !active || self->closed_error != NULL)
    return;
  self->inactive = !active;
  /* A nonza: not counted by stream management. Lost in a cut, it is sent
   * again by the owner on the next session, like presence. */
  state = xmpp_stanza_new (active ? "active" : "inactive", XMPP_NS_CSI);
  if (!self->interrupted)
    xmpp_connection_send_stanza_async (self->connection, state, NULL, NULL, NULL);
}

gboolean
xmpp_session_get_csi_offered (XmppSession *self)
{
  return self->csi_offered;
}

XmppConnection *
xmpp_session_get_connection (XmppSession *self)
{
  return self->connection;
}

XmppJid *
xmpp_session_get_jid (XmppSession *self)
{
  return self->jid;
}

gboolean
xmpp_session_get_sm_enabled (XmppSession *self)
{
  return self->sm_enabled;
}

static gint
by_priority (gconstpointer a,
             gconstpointer b)
{
  const Handler *ha = *(Handler **) a;
  const Handler *hb = *(Handler **) b;

  return hb->priority - ha->priority;
}

guint
xmpp_session_add_handler (XmppSession    *self,
                          const char     *name,
                          const char     *type,
                          const char     *child_ns,
                          int             priority,
                          XmppHandlerFunc func,
                          gpointer        user_data,
                          GDestroyNotify  destroy)
{
  Handler *h = g_new0 (Handler, 1);

  g_atomic_ref_count_init (&h->ref_count);
  h->id = ++self->next_handler_id;
  h->name = g_strdup (name);
  h->type = g_strdup (type);
  h->child_ns = g_strdup (child_ns);
  h->priority = priority;
  h->func = func;
  h->user_data = user_data;
  h->destroy = destroy;
  g_ptr_array_add (self->handlers, h);
  g_ptr_array_sort (self->handlers, by_priority);
  return h->id;
}

void
xmpp_session_remove_handler (XmppSession *self,
                             guint        id)
{
  for (guint i = 0; i < self->handlers->len; i++)
    {
      Handler *h = g_ptr_array_index (self->handlers, i);
      if (h->id == id)
        {
          h->removed = TRUE;
          g_ptr_array_remove_index (self->handlers, i);
          return;
        }
    }
}

/* IQs */

void
xmpp_session_send_iq_async (XmppSession         *self,
                            XmppStanza          *iq,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);
  XmppNode *top = xmpp_stanza_get_top (iq);
  const char *to = xmpp_node_get_attr (top, "to");
  IqRequest *req;

  g_task_set_source_tag (task, xmpp_session_send_iq_async);
  if (self->closed_error != NULL)
    {
      g_task_return_error (task, g_error_copy (self->closed_error));
      g_object_unref (task);
      return;
    }
  if (xmpp_node_get_attr (top, "id") == NULL)
    {
      g_autofree char *id = g_uuid_string_random ();
      xmpp_node_set_attr (top, "id", id);
    }
  req = g_new0 (IqRequest, 1);
  req->task = task;
  req->to = to ? xmpp_jid_new (to, NULL) : NULL;
  g_hash_table_replace (self->iqs, g_strdup (xmpp_node_get_attr (top, "id")), req);
  send_counted (self, iq, NULL);
}

XmppStanza *
xmpp_session_send_iq_finish (XmppSession   *self,
                             GAsyncResult  *result,
                             GError       **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}

/* Ping */

typedef struct {
  XmppSession *session;
  char        *id;
} PingTimeout;

static gboolean
on_ping_timeout (gpointer user_data)
{
  PingTimeout *pt = user_data;
  IqRequest *req = g_hash_table_lookup (pt->session->iqs, pt->id);
  g_autoptr(GTask) task = NULL;

  if (req == NULL)
    return G_SOURCE_REMOVE;
  req->timeout_id = 0;
  task = g_object_ref (req->task);
  g_hash_table_remove (pt->session->iqs, pt->id);
  g_task_return_new_error (task, XMPP_CONNECTION_ERROR, XMPP_CONNECTION_ERROR_TIMEOUT,
                           _("The server did not answer a ping: the connection is dead."));
  return G_SOURCE_REMOVE;
}

static void
ping_timeout_free (PingTimeout *pt)
{
  g_free (pt->id);
  g_free (pt);
}

static void
on_pong (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;
  g_autoptr(XmppStanza) reply = xmpp_session_send_iq_finish (XMPP_SESSION (source), result, &error);

  /* Any answer, even an error, proves the connection is alive. */
  if (reply != NULL || error->domain == XMPP_STANZA_ERROR)
    {
      g_clear_error (&error);
      g_task_return_boolean (task, TRUE);
    }
  else
    g_task_return_error (task, error);
}

void
xmpp_session_ping_async (XmppSession         *self,
                         guint                timeout_seconds,
                         GCancellable        *cancellable,
                         GAsyncReadyCallback  callback,
                         gpointer             user_data)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);
  g_autoptr(XmppStanza) iq = xmpp_stanza_new ("iq", XMPP_NS_CLIENT);
  XmppNode *top = xmpp_stanza_get_top (iq);
  g_autofree char *id = g_uuid_string_random ();
  IqRequest *req;
  PingTimeout *pt;

  g_task_set_source_tag (task, xmpp_session_ping_async);
  xmpp_node_set_attr (top, "type", "get");
  xmpp_node_set_attr (top, "id", id);
  xmpp_node_set_attr (top, "to", xmpp_jid_get_domain (self->jid));
  xmpp_node_add_child (top, "ping", XMPP_NS_PING);
  xmpp_session_send_iq_async (self, iq, cancellable, on_pong, task);
  req = g_hash_table_lookup (self->iqs, id);
  if (req == NULL)
    return;
  pt = g_new0 (PingTimeout, 1);
  pt->session = self;
  pt->id = g_steal_pointer (&id);
  req->timeout_id = g_timeout_add_seconds_full (G_PRIORITY_DEFAULT, timeout_seconds, on_ping_timeout,
                                                pt, (GDestroyNotify) ping_timeout_free);
}

gboolean
xmpp_session_ping_finish (XmppSession   *self,
                          GAsyncResult  *result,
                          GError       **error)
{
  return g_task_propagate_boolean (G_TASK (result), error);
}

/* Closing */

static void
on_connection_closed (GObject      *source,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  XmppSession *self = g_task_get_source_object (task);

  xmpp_connection_close_finish (XMPP_CONNECTION (source), result, NULL);
  g_cancellable_cancel (self->cancellable);
  session_closed (self, NULL);
  g_task_return_boolean (task, TRUE);
}

static void
maybe_finish_close (XmppSession *self)
{
  GTask *task = self->close_task;

  if (task == NULL || !g_queue_is_empty (&self->unacked))
    return;
  self->close_task = NULL;
  /* Tell the server what arrived: stanzas it never saw acknowledged it
   * would deliver again to the next session, as offline messages. */
  if (self->sm_enabled)
    {
      char h[16];
      g_snprintf (h, sizeof h, "%u", self->inbound);
      send_nonza (self, "a", h);
    }
  xmpp_connection_close_async (self->connection, NULL, on_connection_closed, task);
}

void
xmpp_session_close_async (XmppSession         *self,
                          GCancellable        *cancellable,
                          GAsyncReadyCallback  callback,
                          gpointer             user_data)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);

  g_task_set_source_tag (task, xmpp_session_close_async);
  if (self->closed_error != NULL || self->close_task != NULL)
    {
      g_task_return_boolean (task, TRUE);
      g_object_unref (task);
      return;
    }
  self->closing = TRUE;
  self->close_task = task;
  maybe_finish_close (self);
}

gboolean
xmpp_session_close_finish (XmppSession   *self,
                           GAsyncResult  *result,
                           GError       **error)
{
  return g_task_propagate_boolean (G_TASK (result), error);
}
