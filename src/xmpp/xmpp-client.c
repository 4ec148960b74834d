/* xmpp-client.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "xmpp-client.h"
#include "xmpp-error.h"

#include <glib/gi18n-lib.h>

struct _XmppClient {
  GObject          parent_instance;

  XmppConnector   *connector;
  XmppSession     *session;
  XmppClientState  state;
  GError          *error;
  GCancellable    *cancellable;
  gboolean         connecting;
  gboolean         stopping;

  guint            backoff_initial_ms;
  guint            backoff_max_ms;
  guint            attempt;           /* failed attempts in a row */
  guint            retry_id;

  guint            idle_seconds;
  guint            ping_timeout_seconds;
  guint            keepalive_id;
  gboolean         pinging;

  GNetworkMonitor *monitor;
  gulong           network_handler;

  guint            resumptions;
  guint            sessions;
};

enum { PROP_0, PROP_STATE, N_PROPS };
enum { SIGNAL_SESSION_STARTED, N_SIGNALS };
static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (XmppClient, xmpp_client, G_TYPE_OBJECT)

static void connect_now (XmppClient *self);

static void
set_state (XmppClient      *self,
           XmppClientState  state)
{
  if (self->state == state)
    return;
  self->state = state;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);
}

/* Retrying cannot fix these: the user must act (password, certificate,
 * server setup), and hammering the server would not help either. */
static gboolean
is_permanent (const GError *error)
{
  if (error->domain == XMPP_AUTH_ERROR)
    return error->code != XMPP_AUTH_ERROR_TEMPORARY_FAILURE;
  if (error->domain == XMPP_TLS_ERROR)
    return error->code != XMPP_TLS_ERROR_HANDSHAKE;
  if (error->domain == XMPP_STREAM_ERROR)
    return error->code == XMPP_STREAM_ERROR_CONFLICT ||
           error->code == XMPP_STREAM_ERROR_NOT_AUTHORIZED ||
           error->code == XMPP_STREAM_ERROR_HOST_UNKNOWN;
  return FALSE;
}

static void
fail_for_good (XmppClient *self,
               GError     *error)
{
  g_clear_error (&self->error);
  self->error = error;
  g_clear_handle_id (&self->retry_id, g_source_remove);
  if (self->session != NULL)
    xmpp_session_end (self->session, g_error_copy (error));
  set_state (self, XMPP_CLIENT_FAILED);
}

static gboolean
on_retry (gpointer user_data)
{
  XmppClient *self = user_data;

  self->retry_id = 0;
  connect_now (self);
  return G_SOURCE_REMOVE;
}

/* The first retry after a cut is immediate; then from the initial delay,
 * doubling, capped, with jitter so that many clients cut by the same
 * outage do not come back in step. */
static void
schedule_retry (XmppClient *self)
{
  guint64 delay = 0;

  g_clear_handle_id (&self->retry_id, g_source_remove);
  set_state (self, XMPP_CLIENT_CONNECTING);
  if (self->attempt > 0)
    {
      delay = (guint64) self->backoff_initial_ms << MIN (self->attempt - 1, 20);
      delay = MIN (delay, self->backoff_max_ms);
      delay = delay / 2 + g_random_int_range (0, (gint32) MAX (delay / 2, 1));
    }
  self->attempt++;
  self->retry_id = g_timeout_add ((guint) delay, on_retry, self);
}

/* Keepalive */

static void
on_keepalive_pong (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(XmppClient) self = user_data;
  g_autoptr(GError) error = NULL;

  self->pinging = FALSE;
  if (xmpp_session_ping_finish (XMPP_SESSION (source), result, &error))
    return;
  if (g_error_matches (error, XMPP_CONNECTION_ERROR, XMPP_CONNECTION_ERROR_TIMEOUT) &&
      XMPP_SESSION (source) == self->session)
    {
      /* Dead: closing the transport makes the session notice. */
      g_debug ("keepalive: %s", error->message);
      g_io_stream_close_async (xmpp_connection_get_stream (xmpp_session_get_connection (self->session)),
                               G_PRIORITY_DEFAULT, NULL, NULL, NULL);
    }
}

static gboolean
on_keepalive (gpointer user_data)
{
  XmppClient *self = user_data;
  XmppConnection *connection;
  gint64 idle;

  if (self->state != XMPP_CLIENT_CONNECTED || self->session == NULL || self->pinging)
    return G_SOURCE_CONTINUE;
  connection = xmpp_session_get_connection (self->session);
  idle = (g_get_monotonic_time () - xmpp_connection_get_last_read (connection)) / G_USEC_PER_SEC;
  if (idle < self->idle_seconds)
    return G_SOURCE_CONTINUE;
  self->pinging = TRUE;
  xmpp_session_ping_async (self->session, self->ping_timeout_seconds, NULL, on_keepalive_pong,
                           g_object_ref (self));
  return G_SOURCE_CONTINUE;
}

/* Sessions */

static void on_session_interrupted (XmppSession *session, const GError *error, XmppClient *self);
static void on_session_closed (XmppSession *session, const GError *error, XmppClient *self);

static void
adopt_session (XmppClient  *self,
               XmppSession *session)
{
  XmppSession *old = g_steal_pointer (&self->session);

  self->session = session;
  self->sessions++;
  g_signal_connect (session, "interrupted", G_CALLBACK (on_session_interrupted), self);
  g_signal_connect (session, "closed", G_CALLBACK (on_session_closed), self);
  if (old != NULL)
    {
      /* Nothing is lost: what the old session never had acknowledged goes
       * out again on the new one. */
      g_signal_handlers_disconnect_by_data (old, self);
      xmpp_session_move_unacked (old, session);
      xmpp_session_end (old, g_error_new_literal (XMPP_CONNECTION_ERROR, XMPP_CONNECTION_ERROR_CLOSED,
                                                  _("The server could not resume the session.")));
      g_object_unref (old);
    }
  g_signal_emit (self, signals[SIGNAL_SESSION_STARTED], 0, session);
}

static void
on_session_interrupted (XmppSession  *session,
                        const GError *error,
                        XmppClient   *self)
{
  g_debug ("the stream broke (%s): resuming", error ? error->message : "");
  g_clear_error (&self->error);
  self->error = error ? g_error_copy (error) : NULL;
  self->attempt = 0;
  schedule_retry (self);
}

static void
on_session_closed (XmppSession  *session,
                   const GError *error,
                   XmppClient   *self)
{
  if (error == NULL || self->stopping)
    return;
  if (is_permanent (error))
    {
      fail_for_good (self, g_error_copy (error));
      return;
    }
  g_clear_error (&self->error);
  self->error = g_error_copy (error);
  schedule_retry (self);
}

static void
on_connected (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(XmppClient) self = user_data;
  g_autoptr(XmppConnection) connection = NULL;
  GError *error = NULL;
  guint32 h = 0;

  self->connecting = FALSE;
  connection = xmpp_connector_connect_finish (self->connector, result, &error);
  if (self->stopping)
    {
      g_clear_error (&error);
      return;
    }
  if (connection == NULL)
    {
      if (is_permanent (error))
        return fail_for_good (self, error);
      g_clear_error (&self->error);
      self->error = error;
      schedule_retry (self);
      return;
    }
  self->attempt = 0;
  if (xmpp_connector_get_resumed (self->connector, &h) && self->session != NULL)
    {
      self->resumptions++;
      xmpp_session_resume (self->session, connection, h);
    }
  else
    adopt_session (self, xmpp_session_new (connection, xmpp_connector_get_bound_jid (self->connector),
                                           xmpp_connector_get_features (self->connector, TRUE)));
  set_state (self, XMPP_CLIENT_CONNECTED);
}

static void
connect_now (XmppClient *self)
{
  const char *previd = NULL;
  guint32 h = 0;

  /* The network monitor only hurries retries up (on_network_changed): it
   * does not hold them back, since a server on this machine or a link it
   * does not know about may well be reachable. */
  if (self->connecting || self->stopping)
    return;
  self->connecting = TRUE;
  set_state (self, XMPP_CLIENT_CONNECTING);
  if (self->session != NULL && xmpp_session_get_resume_point (self->session, &previd, &h))
    xmpp_connector_set_resume (self->connector, previd, h);
  else
    xmpp_connector_set_resume (self->connector, NULL, 0);
  xmpp_connector_connect_async (self->connector, self->cancellable, on_connected, g_object_ref (self));
}

static void
on_network_changed (GNetworkMonitor *monitor,
                    gboolean         available,
                    XmppClient      *self)
{
  /* Back on the network: no reason to wait out the back-off. */
  if (available && self->retry_id != 0)
    {
      g_clear_handle_id (&self->retry_id, g_source_remove);
      connect_now (self);
    }
}

void
xmpp_client_start (XmppClient *self)
{
  g_return_if_fail (self->state == XMPP_CLIENT_STOPPED || self->state == XMPP_CLIENT_FAILED);

  self->stopping = FALSE;
  self->attempt = 0;
  g_clear_error (&self->error);
  if (self->idle_seconds > 0 && self->keepalive_id == 0)
    self->keepalive_id = g_timeout_add_seconds (MAX (self->idle_seconds / 2, 1), on_keepalive, self);
  connect_now (self);
}

static void
on_session_stopped (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  XmppClient *self = g_task_get_source_object (task);

  xmpp_session_close_finish (XMPP_SESSION (source), result, NULL);
  set_state (self, XMPP_CLIENT_STOPPED);
  g_task_return_boolean (task, TRUE);
}

void
xmpp_client_stop_async (XmppClient          *self,
                        GCancellable        *cancellable,
                        GAsyncReadyCallback  callback,
                        gpointer             user_data)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);

  g_task_set_source_tag (task, xmpp_client_stop_async);
  self->stopping = TRUE;
  g_clear_handle_id (&self->retry_id, g_source_remove);
  g_clear_handle_id (&self->keepalive_id, g_source_remove);
  if (self->session != NULL && self->state == XMPP_CLIENT_CONNECTED)
    {
      xmpp_session_close_async (self->session, cancellable, on_session_stopped, task);
      return;
    }
  g_cancellable_cancel (self->cancellable);
  if (self->state != XMPP_CLIENT_FAILED)
    set_state (self, XMPP_CLIENT_STOPPED);
  g_task_return_boolean (task, TRUE);
  g_object_unref (task);
}

gboolean
xmpp_client_stop_finish (XmppClient    *self,
                         GAsyncResult  *result,
                         GError       **error)
{
  return g_task_propagate_boolean (G_TASK (result), error);
}

/* GObject */

static void
xmpp_client_dispose (GObject *object)
{
  XmppClient *self = XMPP_CLIENT (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_handle_id (&self->retry_id, g_source_remove);
  g_clear_handle_id (&self->keepalive_id, g_source_remove);
  g_clear_signal_handler (&self->network_handler, self->monitor);
  if (self->session != NULL)
    g_signal_handlers_disconnect_by_data (self->session, self);
  g_clear_object (&self->session);
  G_OBJECT_CLASS (xmpp_client_parent_class)->dispose (object);
}

static void
xmpp_client_finalize (GObject *object)
{
  XmppClient *self = XMPP_CLIENT (object);

  g_clear_object (&self->connector);
  g_clear_object (&self->cancellable);
  g_clear_error (&self->error);
  G_OBJECT_CLASS (xmpp_client_parent_class)->finalize (object);
}

static void
xmpp_client_get_property (GObject    *object,
                          guint       prop_id,
                          GValue     *value,
                          GParamSpec *pspec)
{
  XmppClient *self = XMPP_CLIENT (object);

  switch (prop_id)
    {
    case PROP_STATE:
      g_value_set_int (value, self->state);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
xmpp_client_class_init (XmppClientClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = xmpp_client_dispose;
  object_class->finalize = xmpp_client_finalize;
  object_class->get_property = xmpp_client_get_property;
  properties[PROP_STATE] = g_param_spec_int ("state", NULL, NULL, XMPP_CLIENT_STOPPED,
                                             XMPP_CLIENT_FAILED, XMPP_CLIENT_STOPPED,
                                             G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY |
                                             G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
  signals[SIGNAL_SESSION_STARTED] = g_signal_new ("session-started", G_TYPE_FROM_CLASS (klass),
                                                  G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                                  G_TYPE_NONE, 1, XMPP_TYPE_SESSION);
}

static void
xmpp_client_init (XmppClient *self)
{
  self->cancellable = g_cancellable_new ();
  self->backoff_initial_ms = 1000;
  self->backoff_max_ms = 300000;
  self->idle_seconds = 120;
  self->ping_timeout_seconds = 30;
}

XmppClient *
xmpp_client_new (XmppConnector *connector)
{
  XmppClient *self = g_object_new (XMPP_TYPE_CLIENT, NULL);

  self->connector = g_object_ref (connector);
  self->monitor = g_network_monitor_get_default ();
  self->network_handler = g_signal_connect (self->monitor, "network-changed",
                                            G_CALLBACK (on_network_changed), self);
  return self;
}

void
xmpp_client_set_backoff (XmppClient *self,
                         guint       initial_ms,
                         guint       max_ms)
{
  self->backoff_initial_ms = MAX (initial_ms, 1);
  self->backoff_max_ms = MAX (max_ms, self->backoff_initial_ms);
}

void
xmpp_client_set_keepalive (XmppClient *self,
                           guint       idle_seconds,
                           guint       timeout_seconds)
{
  self->idle_seconds = idle_seconds;
  self->ping_timeout_seconds = MAX (timeout_seconds, 1);
}

XmppClientState
xmpp_client_get_state (XmppClient *self)
{
  return self->state;
}

const GError *
xmpp_client_get_error (XmppClient *self)
{
  return self->error;
}

XmppSession *
xmpp_client_get_session (XmppClient *self)
{
  return self->session;
}

XmppConnector *
xmpp_client_get_connector (XmppClient *self)
{
  return self->connector;
}

guint
xmpp_client_get_resumptions (XmppClient *self)
{
  return self->resumptions;
}

guint
xmpp_client_get_sessions (XmppClient *self)
{
  return self->sessions;
}
