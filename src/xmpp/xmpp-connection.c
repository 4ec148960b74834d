/* xmpp-connection.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "xmpp-connection.h"
#include "xmpp-error.h"
#include "xmpp-ns.h"
#include "xmpp-reader.h"
#include "xmpp-writer.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#define READ_SIZE 16384

struct _XmppConnection {
  GObject       parent_instance;

  GIOStream    *stream;
  XmppReader   *reader;
  GCancellable *cancellable;   /* ours: ends reads and writes on dispose */

  /* reading */
  GTask        *recv_task;
  gboolean      reading;
  char         *buffer;
  gint64        last_read;
  GError       *read_error;    /* sticky: the stream is over */
  XmppStanza   *stream_error;  /* the peer's <stream:error>, if it sent one */

  /* writing: one write in flight, the rest queued in order */
  GQueue        writes;
  gboolean      writing;
};

G_DEFINE_FINAL_TYPE (XmppConnection, xmpp_connection, G_TYPE_OBJECT)

static gboolean
debug_enabled (void)
{
  static gsize once = 0;
  static gboolean enabled;

  if (g_once_init_enter (&once))
    {
      const char *domains = g_getenv ("G_MESSAGES_DEBUG");
      enabled = domains != NULL && (strstr (domains, "xmpp") || strstr (domains, "all"));
      g_once_init_leave (&once, 1);
    }
  return enabled;
}

/* The XML console. What the client sends to authenticate is left out: a
 * PLAIN message is the password in base64, and SCRAM proofs and FAST
 * tokens should not sit in logs either. The server's side stays visible. */
static gboolean
carries_credentials (XmppStanza *stanza)
{
  const char *ns = xmpp_stanza_get_ns (stanza);
  const char *name = xmpp_stanza_get_name (stanza);

  return (g_strcmp0 (ns, XMPP_NS_SASL) == 0 || g_strcmp0 (ns, XMPP_NS_SASL2) == 0) &&
         (strcmp (name, "auth") == 0 || strcmp (name, "authenticate") == 0 ||
          strcmp (name, "response") == 0);
}

static void
log_stanza (const char *direction,
            XmppStanza *stanza)
{
  g_autofree char *xml = NULL;

  if (!debug_enabled ())
    return;
  if (carries_credentials (stanza))
    {
      g_debug ("%s <%s xmlns='%s'>…", direction, xmpp_stanza_get_name (stanza),
               xmpp_stanza_get_ns (stanza));
      return;
    }
  xml = xmpp_stanza_to_string (stanza);
  g_debug ("%s %s", direction, xml);
}

static void
xmpp_connection_dispose (GObject *object)
{
  XmppConnection *self = XMPP_CONNECTION (object);

  g_cancellable_cancel (self->cancellable);
  G_OBJECT_CLASS (xmpp_connection_parent_class)->dispose (object);
}

static void
xmpp_connection_finalize (GObject *object)
{
  XmppConnection *self = XMPP_CONNECTION (object);

  g_assert (self->recv_task == NULL);
  g_assert (g_queue_is_empty (&self->writes));
  g_clear_object (&self->stream);
  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->reader, xmpp_reader_free);
  g_clear_error (&self->read_error);
  g_clear_pointer (&self->stream_error, xmpp_stanza_unref);
  g_free (self->buffer);
  G_OBJECT_CLASS (xmpp_connection_parent_class)->finalize (object);
}

static void
xmpp_connection_class_init (XmppConnectionClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = xmpp_connection_dispose;
  object_class->finalize = xmpp_connection_finalize;
}

static void
xmpp_connection_init (XmppConnection *self)
{
  self->reader = xmpp_reader_new ();
  self->cancellable = g_cancellable_new ();
  self->buffer = g_malloc (READ_SIZE);
  g_queue_init (&self->writes);
}

XmppConnection *
xmpp_connection_new (GIOStream *stream)
{
  XmppConnection *self = g_object_new (XMPP_TYPE_CONNECTION, NULL);

  self->stream = g_object_ref (stream);
  self->last_read = g_get_monotonic_time ();
  return self;
}

GIOStream *
xmpp_connection_get_stream (XmppConnection *self)
{
  return self->stream;
}

void
xmpp_connection_set_stream (XmppConnection *self,
                            GIOStream      *stream)
{
  g_return_if_fail (!self->reading && !self->writing);

  g_set_object (&self->stream, stream);
  xmpp_connection_restart (self);
}

void
xmpp_connection_restart (XmppConnection *self)
{
  xmpp_reader_reset (self->reader);
}

XmppStanza *
xmpp_connection_get_stream_error (XmppConnection *self)
{
  return self->stream_error;
}

gint64
xmpp_connection_get_last_read (XmppConnection *self)
{
  return self->last_read;
}

/* Writing */

static void write_next (XmppConnection *self);

static void
on_written (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  XmppConnection *self = g_task_get_source_object (task);
  g_autoptr(GError) error = NULL;

  self->writing = FALSE;
  if (g_output_stream_write_all_finish (G_OUTPUT_STREAM (source), result, NULL, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, g_steal_pointer (&error));
  write_next (self);
}

static void
write_next (XmppConnection *self)
{
  GTask *task;
  GBytes *bytes;

  if (self->writing || g_queue_is_empty (&self->writes))
    return;
  task = g_queue_pop_head (&self->writes);
  /* A send cancelled while queued is dropped whole; once writing starts it
   * goes out whole, or the stream would be left with half an element. */
  if (g_task_return_error_if_cancelled (task))
    {
      g_object_unref (task);
      write_next (self);
      return;
    }
  bytes = g_task_get_task_data (task);
  self->writing = TRUE;
  g_output_stream_write_all_async (g_io_stream_get_output_stream (self->stream),
                                   g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes),
                                   G_PRIORITY_DEFAULT, self->cancellable, on_written, task);
}

void
xmpp_connection_send_raw_async (XmppConnection      *self,
                                GBytes              *bytes,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);

  g_task_set_source_tag (task, xmpp_connection_send_raw_async);
  g_task_set_task_data (task, g_bytes_ref (bytes), (GDestroyNotify) g_bytes_unref);
  g_queue_push_tail (&self->writes, task);
  write_next (self);
}

static void
send_string (XmppConnection      *self,
             char                *xml,
             GCancellable        *cancellable,
             GAsyncReadyCallback  callback,
             gpointer             user_data)
{
  g_autoptr(GBytes) bytes = g_bytes_new_take (xml, strlen (xml));

  xmpp_connection_send_raw_async (self, bytes, cancellable, callback, user_data);
}

void
xmpp_connection_send_open_async (XmppConnection      *self,
                                 const char          *to,
                                 const char          *from,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  char *open = xmpp_writer_stream_open (XMPP_NS_CLIENT, to, from, NULL, "en");

  g_debug ("SEND %s", open);
  send_string (self, open, cancellable, callback, user_data);
}

void
xmpp_connection_send_stanza_async (XmppConnection      *self,
                                   XmppStanza          *stanza,
                                   GCancellable        *cancellable,
                                   GAsyncReadyCallback  callback,
                                   gpointer             user_data)
{
  GString *out = g_string_sized_new (256);

  log_stanza ("SEND", stanza);
  xmpp_writer_append_node (out, xmpp_stanza_get_top (stanza), XMPP_NS_CLIENT);
  send_string (self, g_string_free (out, FALSE), cancellable, callback, user_data);
}

gboolean
xmpp_connection_send_finish (XmppConnection  *self,
                             GAsyncResult    *result,
                             GError         **error)
{
  return g_task_propagate_boolean (G_TASK (result), error);
}

/* Reading */

static const char * const condition_sentences[][2] = {
  { "conflict", N_("Another client signed in with the same resource and replaced this one.") },
  { "host-unknown", N_("The server does not serve this domain.") },
  { "not-authorized", N_("The server refused the stream: not authorised.") },
  { "policy-violation", N_("The server closed the connection for breaking its policy.") },
  { "system-shutdown", N_("The server is shutting down.") },
  { "see-other-host", N_("The server sent this client to another host.") },
  { "connection-timeout", N_("The server closed the connection after a long silence.") },
  { "reset", N_("The server reset the connection.") },
  { "not-well-formed", N_("The server could not read what this client sent.") },
  { "resource-constraint", N_("The server is too busy to serve this connection.") },
};

GError *
xmpp_stream_error_from_stanza (XmppStanza *stanza)
{
  XmppNode *top = xmpp_stanza_get_top (stanza);
  const char *condition = "undefined-condition";
  const char *text = xmpp_node_get_child_text (top, "text", XMPP_NS_STREAMS);
  const char *sentence = NULL;
  g_autofree char *generic = NULL;

  xmpp_node_foreach_child (top, child)
    if (strcmp (child->ns, XMPP_NS_STREAMS) == 0 && strcmp (child->name, "text") != 0)
      {
        condition = child->name;
        break;
      }
  for (guint i = 0; i < G_N_ELEMENTS (condition_sentences); i++)
    if (strcmp (condition, condition_sentences[i][0]) == 0)
      sentence = _(condition_sentences[i][1]);
  if (sentence == NULL)
    sentence = generic = g_strdup_printf (_("The server ended the stream (%s)."), condition);
  if (text != NULL && *text != '\0')
    return g_error_new (XMPP_STREAM_ERROR, xmpp_stream_error_from_condition (condition),
                        _("%s It said: “%s”."), sentence, text);
  return g_error_new_literal (XMPP_STREAM_ERROR, xmpp_stream_error_from_condition (condition),
                              sentence);
}

static void read_more (XmppConnection *self);

/* RFC 6120 §4.9: tell the peer why its stream is being closed. Best
 * effort: the stream is over whether or not this gets through. */
static void
send_stream_error (XmppConnection *self,
                   const GError   *error)
{
  g_autofree char *xml = g_strdup_printf ("<stream:error><%s xmlns='%s'/></stream:error>%s",
                                          xmpp_stream_error_to_condition (error->code),
                                          XMPP_NS_STREAMS, XMPP_WRITER_STREAM_CLOSE);
  g_autoptr(GBytes) bytes = g_bytes_new (xml, strlen (xml));

  g_debug ("SEND %s", xml);
  xmpp_connection_send_raw_async (self, bytes, NULL, NULL, NULL);
}

static void
complete_recv (XmppConnection *self,
               XmppStanza     *stanza,
               GError         *error)
{
  g_autoptr(GTask) task = g_steal_pointer (&self->recv_task);

  if (error != NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, stanza, (GDestroyNotify) xmpp_stanza_unref);
}

/* Hands the waiting receiver the next event, or reads for one. */
static void
deliver (XmppConnection *self)
{
  XmppStanza *stanza = NULL;
  GError *error = NULL;

  if (self->recv_task == NULL)
    return;
  if (self->read_error != NULL)
    {
      complete_recv (self, NULL, g_error_copy (self->read_error));
      return;
    }
  switch (xmpp_reader_pop (self->reader, &stanza, &error))
    {
    case XMPP_READER_NONE:
      read_more (self);
      return;
    case XMPP_READER_STREAM_OPEN:
      log_stanza ("RECV", stanza);
      complete_recv (self, stanza, NULL);
      return;
    case XMPP_READER_STANZA:
      log_stanza ("RECV", stanza);
      if (xmpp_node_is (xmpp_stanza_get_top (stanza), "error", XMPP_NS_STREAM))
        {
          self->read_error = xmpp_stream_error_from_stanza (stanza);
          g_clear_pointer (&self->stream_error, xmpp_stanza_unref);
          self->stream_error = stanza;
          complete_recv (self, NULL, g_error_copy (self->read_error));
          return;
        }
      complete_recv (self, stanza, NULL);
      return;
    case XMPP_READER_STREAM_CLOSE:
      self->read_error = g_error_new_literal (XMPP_CONNECTION_ERROR, XMPP_CONNECTION_ERROR_CLOSED,
                                              _("The server ended the stream."));
      break;
    case XMPP_READER_ERROR:
      self->read_error = error;
      send_stream_error (self, error);
      break;
    }
  complete_recv (self, NULL, g_error_copy (self->read_error));
}

static void
on_read (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(XmppConnection) self = user_data;
  g_autoptr(GError) error = NULL;
  gssize n = g_input_stream_read_finish (G_INPUT_STREAM (source), result, &error);

  self->reading = FALSE;
  if (n > 0)
    {
      self->last_read = g_get_monotonic_time ();
      xmpp_reader_feed (self->reader, self->buffer, n);
    }
  else if (n == 0)
    self->read_error = g_error_new_literal (XMPP_CONNECTION_ERROR, XMPP_CONNECTION_ERROR_CLOSED,
                                            _("The server closed the connection."));
  else if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      if (self->recv_task != NULL)
        complete_recv (self, NULL, g_steal_pointer (&error));
      return;
    }
  else
    self->read_error = g_error_new (XMPP_CONNECTION_ERROR, XMPP_CONNECTION_ERROR_CLOSED,
                                    _("The connection to the server broke (%s)."), error->message);
  deliver (self);
}

static void
read_more (XmppConnection *self)
{
  if (self->reading)
    return;
  self->reading = TRUE;
  g_input_stream_read_async (g_io_stream_get_input_stream (self->stream),
                             self->buffer, READ_SIZE, G_PRIORITY_DEFAULT,
                             g_task_get_cancellable (self->recv_task),
                             on_read, g_object_ref (self));
}

void
xmpp_connection_recv_async (XmppConnection      *self,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);

  g_task_set_source_tag (task, xmpp_connection_recv_async);
  if (self->recv_task != NULL)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_PENDING,
                               "A receive is already pending on this connection");
      g_object_unref (task);
      return;
    }
  self->recv_task = task;
  deliver (self);
}

XmppStanza *
xmpp_connection_recv_finish (XmppConnection  *self,
                             GAsyncResult    *result,
                             GError         **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}

/* Closing */

static void
on_closed (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;

  if (!g_io_stream_close_finish (G_IO_STREAM (source), result, &error))
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_boolean (task, TRUE);
}

static void
on_close_sent (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  GTask *task = user_data;
  XmppConnection *self = g_task_get_source_object (task);

  /* The stream is ending either way: a failed write changes nothing. */
  xmpp_connection_send_finish (self, result, NULL);
  g_io_stream_close_async (self->stream, G_PRIORITY_DEFAULT, g_task_get_cancellable (task),
                           on_closed, task);
}

void
xmpp_connection_close_async (XmppConnection      *self,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);
  g_autoptr(GBytes) close = g_bytes_new_static (XMPP_WRITER_STREAM_CLOSE,
                                                strlen (XMPP_WRITER_STREAM_CLOSE));

  g_task_set_source_tag (task, xmpp_connection_close_async);
  g_debug ("SEND %s", XMPP_WRITER_STREAM_CLOSE);
  xmpp_connection_send_raw_async (self, close, cancellable, on_close_sent, task);
}

gboolean
xmpp_connection_close_finish (XmppConnection  *self,
                              GAsyncResult    *result,
                              GError         **error)
{
  return g_task_propagate_boolean (G_TASK (result), error);
}
