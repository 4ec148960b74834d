/* xmpp-connector.c
 *
 * One connect at a time; the state of the attempt lives on the connector,
 * each step is a function that starts an async call, and each callback
 * either fails the task or calls the next step.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "xmpp-connector.h"
#include "xmpp-auth.h"
#include "xmpp-error.h"
#include "xmpp-ns.h"
#include "xmpp-srv.h"

#include <gio/gnetworking.h>
#include <glib/gi18n-lib.h>
#include <string.h>

/* Long enough for a slow server over a bad link, short enough that a
 * silent one does not hang the sign-in forever. */
#define CONNECT_TIMEOUT_SECONDS 30

struct _XmppConnector {
  GObject         parent_instance;

  /* settings */
  XmppJid        *jid;
  char           *password;
  char           *host;
  guint16         port;
  gboolean        direct_tls;
  GTlsDatabase   *database;
  GStrv           pins;
  char           *user_agent_id;
  char           *fast_mechanism;  /* the caller's token, tried first */
  char           *fast_token;
  gboolean        request_fast_token;
  gboolean        skip_auth;       /* stop after TLS: in-band registration */
  gboolean        token_refused;   /* this connect: sign in with the password */
  gboolean        no_early;        /* this connect: wait for the features */
  guint           timeout;         /* seconds */

  /* the attempt */
  GPtrArray      *targets;
  guint           next_target;
  GError         *connect_error;
  GSocketConnection *socket;
  GIOStream      *tls;
  XmppConnection *connection;
  XmppAuthEarly  *early;           /* a token <authenticate/> sent with the header */
  gboolean        sent_early;      /* on this stream */
  gboolean        authenticated;
  GCancellable   *cancellable;     /* ours, cancelled by the caller's or the timeout */
  gulong          cancel_handler;
  GCancellable   *caller_cancellable;
  guint           timeout_id;
  gboolean        timed_out;

  /* what was negotiated */
  char           *endpoint;
  GTlsProtocolVersion tls_version;
  char           *tls_cipher;
  XmppAuthResult *auth;
  XmppStanza     *features[2];     /* before, after authentication */
  XmppCertificateInfo *peer_certificate;
  XmppJid        *bound_jid;

  /* XEP-0198 resumption asked for, and its outcome */
  XmppStanza     *resume;          /* <resume previd h/>, or NULL */
  gboolean        resumed;
  guint32         resumed_h;
  gboolean        resume_failed;
  guint           redirects;       /* see-other-host followed in this attempt */
  char           *bind_id;
};

G_DEFINE_FINAL_TYPE (XmppConnector, xmpp_connector, G_TYPE_OBJECT)

static void open_stream (GTask *task);

/* The steps' one shape: send a request, read what comes back. */
static void
send_and_wait (GTask               *task,
               XmppStanza          *request,
               GAsyncReadyCallback  on_reply)
{
  XmppConnector *self = g_task_get_source_object (task);

  xmpp_connection_send_stanza_async (self->connection, request, NULL, NULL, NULL);
  xmpp_connection_recv_async (self->connection, self->cancellable, on_reply, task);
}
static void on_features (GObject *source, GAsyncResult *result, gpointer user_data);
static void reconnect (GTask *task);

static void
clear_attempt (XmppConnector *self)
{
  g_clear_pointer (&self->targets, g_ptr_array_unref);
  g_clear_error (&self->connect_error);
  g_clear_object (&self->socket);
  g_clear_object (&self->tls);
  g_clear_object (&self->connection);
  g_clear_pointer (&self->early, xmpp_auth_early_free);
  self->sent_early = FALSE;
  g_clear_handle_id (&self->timeout_id, g_source_remove);
  if (self->caller_cancellable != NULL)
    g_cancellable_disconnect (self->caller_cancellable, self->cancel_handler);
  self->cancel_handler = 0;
  g_clear_object (&self->caller_cancellable);
  g_clear_object (&self->cancellable);
  self->next_target = 0;
  self->authenticated = FALSE;
  self->timed_out = FALSE;
}

static void
xmpp_connector_finalize (GObject *object)
{
  XmppConnector *self = XMPP_CONNECTOR (object);

  clear_attempt (self);
  g_clear_pointer (&self->jid, xmpp_jid_unref);
  if (self->password != NULL)
    memset (self->password, 0, strlen (self->password));
  g_free (self->password);
  g_free (self->host);
  g_clear_object (&self->database);
  g_strfreev (self->pins);
  g_free (self->user_agent_id);
  g_free (self->fast_mechanism);
  if (self->fast_token != NULL)
    memset (self->fast_token, 0, strlen (self->fast_token));
  g_free (self->fast_token);
  g_free (self->endpoint);
  g_free (self->tls_cipher);
  g_clear_pointer (&self->auth, xmpp_auth_result_free);
  g_clear_pointer (&self->features[0], xmpp_stanza_unref);
  g_clear_pointer (&self->features[1], xmpp_stanza_unref);
  g_clear_pointer (&self->peer_certificate, xmpp_certificate_info_free);
  g_clear_pointer (&self->bound_jid, xmpp_jid_unref);
  g_clear_pointer (&self->resume, xmpp_stanza_unref);
  g_free (self->bind_id);
  G_OBJECT_CLASS (xmpp_connector_parent_class)->finalize (object);
}

static void
xmpp_connector_class_init (XmppConnectorClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = xmpp_connector_finalize;
}

static void
xmpp_connector_init (XmppConnector *self)
{
  self->timeout = CONNECT_TIMEOUT_SECONDS;
}

XmppConnector *
xmpp_connector_new (XmppJid    *jid,
                    const char *password)
{
  XmppConnector *self = g_object_new (XMPP_TYPE_CONNECTOR, NULL);

  self->jid = xmpp_jid_ref (jid);
  self->password = g_strdup (password);
  return self;
}

void
xmpp_connector_set_host (XmppConnector *self,
                         const char    *host,
                         guint16        port,
                         gboolean       direct_tls)
{
  g_free (self->host);
  self->host = g_strdup (host);
  self->port = port;
  self->direct_tls = direct_tls;
}

void
xmpp_connector_set_database (XmppConnector *self,
                             GTlsDatabase  *database)
{
  g_set_object (&self->database, database);
}

void
xmpp_connector_set_pins (XmppConnector      *self,
                         const char * const *pins)
{
  g_strfreev (self->pins);
  self->pins = g_strdupv ((char **) pins);
}

void
xmpp_connector_set_timeout (XmppConnector *self,
                            guint          seconds)
{
  g_return_if_fail (seconds > 0);

  self->timeout = seconds;
}

void
xmpp_connector_set_user_agent_id (XmppConnector *self,
                                  const char    *uuid)
{
  g_return_if_fail (uuid == NULL || g_uuid_string_is_valid (uuid));

  g_free (self->user_agent_id);
  self->user_agent_id = g_strdup (uuid);
}

void
xmpp_connector_set_fast_token (XmppConnector *self,
                               const char    *mechanism,
                               const char    *token)
{
  g_return_if_fail ((mechanism == NULL) == (token == NULL));

  g_free (self->fast_mechanism);
  self->fast_mechanism = g_strdup (mechanism);
  if (self->fast_token != NULL)
    memset (self->fast_token, 0, strlen (self->fast_token));
  g_free (self->fast_token);
  self->fast_token = g_strdup (token);
}

void
xmpp_connector_request_fast_token (XmppConnector *self,
                                   gboolean       request)
{
  self->request_fast_token = request;
}

void
xmpp_connector_set_skip_auth (XmppConnector *self,
                              gboolean       skip)
{
  self->skip_auth = skip;
}

/* Failing */


/* RFC 6120 §4.9.3.19: "host", "host:port", "[v6]" or "[v6]:port". */
static XmppSrvTarget *
parse_other_host (const char *text,
                  gboolean    direct_tls)
{
  g_autofree char *spec = g_strstrip (g_strdup (text ? text : ""));
  const char *colon;
  XmppSrvTarget *target;
  guint64 port = direct_tls ? 5223 : 5222;
  g_autofree char *host = NULL;

  if (spec[0] == '[')
    {
      const char *end = strchr (spec, ']');
      if (end == NULL)
        return NULL;
      host = g_strndup (spec + 1, end - spec - 1);
      colon = end[1] == ':' ? end + 1 : NULL;
    }
  else
    {
      colon = strrchr (spec, ':');
      host = colon ? g_strndup (spec, colon - spec) : g_strdup (spec);
    }
  if (colon != NULL && !g_ascii_string_to_unsigned (colon + 1, 10, 1, 65535, &port, NULL))
    return NULL;
  if (host[0] == '\0')
    return NULL;
  target = g_new0 (XmppSrvTarget, 1);
  target->host = g_steal_pointer (&host);
  target->port = port;
  target->direct_tls = direct_tls;
  return target;
}

/* The server sent us elsewhere: go there, keeping the account's domain as
 * the identity TLS checks, a few times at most (a loop is an error). */
static gboolean
follow_other_host (GTask        *task,
                   const GError *error)
{
  XmppConnector *self = g_task_get_source_object (task);
  XmppStanza *stream_error;
  XmppSrvTarget *current, *target;

  if (!g_error_matches (error, XMPP_STREAM_ERROR, XMPP_STREAM_ERROR_SEE_OTHER_HOST) ||
      self->connection == NULL || self->redirects >= 3 || self->targets == NULL ||
      self->next_target == 0)
    return FALSE;
  stream_error = xmpp_connection_get_stream_error (self->connection);
  current = g_ptr_array_index (self->targets, self->next_target - 1);
  target = stream_error ? parse_other_host (xmpp_node_get_child_text (xmpp_stanza_get_top (stream_error),
                                                                      "see-other-host", XMPP_NS_STREAMS),
                                            current->direct_tls)
                        : NULL;
  if (target == NULL)
    return FALSE;
  g_debug ("see-other-host: %s:%u", target->host, target->port);
  self->redirects++;
  g_ptr_array_set_size (self->targets, 0);
  g_ptr_array_add (self->targets, target);
  reconnect (task);
  return TRUE;
}

static void
fail (GTask  *task,
      GError *error)
{
  XmppConnector *self = g_task_get_source_object (task);

  if (follow_other_host (task, error))
    {
      g_error_free (error);
      return;
    }

  /* Our own cancellable fired: either the caller cancelled (their error
   * says so) or the server fell silent. */
  if (self->timed_out && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_clear_error (&error);
      error = g_error_new (XMPP_CONNECTION_ERROR, XMPP_CONNECTION_ERROR_TIMEOUT,
                           g_dngettext (GETTEXT_PACKAGE,
                                        "The server did not answer within %u second.",
                                        "The server did not answer within %u seconds.",
                                        self->timeout),
                           self->timeout);
    }
  clear_attempt (self);
  g_task_return_error (task, error);
  g_object_unref (task);
}

static void
protocol_error (GTask      *task,
                const char *what)
{
  fail (task, g_error_new (XMPP_CONNECTION_ERROR, XMPP_CONNECTION_ERROR_PROTOCOL,
                           _("The server broke the protocol: %s"), what));
}

static const char *
domain (XmppConnector *self)
{
  return xmpp_jid_get_domain (self->jid);
}

/* Step: the stream is bound, the connection is the caller's. */

static void
succeed (GTask *task)
{
  XmppConnector *self = g_task_get_source_object (task);
  XmppConnection *connection = g_steal_pointer (&self->connection);

  clear_attempt (self);
  g_task_return_pointer (task, connection, g_object_unref);
  g_object_unref (task);
}

/* Step: RFC 3921 session establishment, for servers that still ask. */

static void
on_session_reply (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  GTask *task = user_data;
  XmppConnector *self = g_task_get_source_object (task);
  GError *error = NULL;
  g_autoptr(XmppStanza) reply = xmpp_connection_recv_finish (self->connection, result, &error);

  if (reply == NULL)
    return fail (task, error);
  if (g_strcmp0 (xmpp_stanza_get_id (reply), "session") != 0)
    {
      xmpp_connection_recv_async (self->connection, self->cancellable, on_session_reply, task);
      return;
    }
  if (g_strcmp0 (xmpp_stanza_get_kind (reply), "result") != 0)
    return protocol_error (task, _("it refused to establish the session."));
  succeed (task);
}

static gboolean
session_required (XmppStanza *features)
{
  XmppNode *session = xmpp_node_get_child (xmpp_stanza_get_top (features), "session", XMPP_NS_SESSION);

  return session != NULL && xmpp_node_get_child (session, "optional", XMPP_NS_SESSION) == NULL;
}

static void
establish_session (GTask *task)
{
  g_autoptr(XmppStanza) iq = xmpp_stanza_new ("iq", XMPP_NS_CLIENT);

  xmpp_node_set_attr (xmpp_stanza_get_top (iq), "type", "set");
  xmpp_node_set_attr (xmpp_stanza_get_top (iq), "id", "session");
  xmpp_node_add_child (xmpp_stanza_get_top (iq), "session", XMPP_NS_SESSION);
  send_and_wait (task, iq, on_session_reply);
}

/* Step: bind a resource (RFC 6120 §7). */

static void
on_bind_reply (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  GTask *task = user_data;
  XmppConnector *self = g_task_get_source_object (task);
  GError *error = NULL;
  g_autoptr(XmppStanza) reply = xmpp_connection_recv_finish (self->connection, result, &error);
  const char *jid_text;
  XmppNode *bind;

  if (reply == NULL)
    return fail (task, error);
  if (!xmpp_node_is (xmpp_stanza_get_top (reply), "iq", XMPP_NS_CLIENT) ||
      g_strcmp0 (xmpp_stanza_get_id (reply), self->bind_id) != 0)
    {
      /* Not the answer: nothing else should come before it, but a server
       * may push something early; it is not ours to handle yet. */
      xmpp_connection_recv_async (self->connection, self->cancellable, on_bind_reply, task);
      return;
    }
  if (g_strcmp0 (xmpp_stanza_get_kind (reply), "result") != 0)
    return protocol_error (task, _("it refused to bind a resource."));
  bind = xmpp_node_get_child (xmpp_stanza_get_top (reply), "bind", XMPP_NS_BIND);
  jid_text = bind ? xmpp_node_get_child_text (bind, "jid", XMPP_NS_BIND) : NULL;
  self->bound_jid = jid_text ? xmpp_jid_new (jid_text, NULL) : NULL;
  if (self->bound_jid == NULL || !xmpp_jid_equal_bare (self->bound_jid, self->jid) ||
      xmpp_jid_is_bare (self->bound_jid))
    return protocol_error (task, _("it bound the session to an address that is not this account’s."));
  if (session_required (self->features[1]))
    establish_session (task);
  else
    succeed (task);
}

static void
bind_resource (GTask *task)
{
  XmppConnector *self = g_task_get_source_object (task);
  g_autoptr(XmppStanza) iq = xmpp_stanza_new ("iq", XMPP_NS_CLIENT);
  XmppNode *bind;

  if (xmpp_node_get_child (xmpp_stanza_get_top (self->features[1]), "bind", XMPP_NS_BIND) == NULL)
    return protocol_error (task, _("it offers no resource binding."));
  g_free (self->bind_id);
  self->bind_id = g_uuid_string_random ();
  xmpp_node_set_attr (xmpp_stanza_get_top (iq), "type", "set");
  xmpp_node_set_attr (xmpp_stanza_get_top (iq), "id", self->bind_id);
  bind = xmpp_node_add_child (xmpp_stanza_get_top (iq), "bind", XMPP_NS_BIND);
  if (xmpp_jid_get_resource (self->jid) != NULL)
    xmpp_node_add_child_text (bind, "resource", NULL, xmpp_jid_get_resource (self->jid));
  send_and_wait (task, iq, on_bind_reply);
}

/* Step: XEP-0198 resumption instead of binding (after SASL1, or when a
 * SASL2 server answered inline). */

static gboolean
take_resumed (XmppConnector *self,
              XmppNode      *answer)
{
  const char *h;

  if (xmpp_node_is (answer, "failed", XMPP_NS_SM))
    {
      self->resume_failed = TRUE;
      return FALSE;
    }
  if (!xmpp_node_is (answer, "resumed", XMPP_NS_SM))
    return FALSE;
  h = xmpp_node_get_attr (answer, "h");
  self->resumed = TRUE;
  self->resumed_h = h ? (guint32) g_ascii_strtoull (h, NULL, 10) : 0;
  return TRUE;
}

static void
on_resume_reply (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  GTask *task = user_data;
  XmppConnector *self = g_task_get_source_object (task);
  GError *error = NULL;
  g_autoptr(XmppStanza) reply = xmpp_connection_recv_finish (self->connection, result, &error);

  if (reply == NULL)
    return fail (task, error);
  if (take_resumed (self, xmpp_stanza_get_top (reply)))
    return succeed (task);
  if (!self->resume_failed)
    {
      xmpp_connection_recv_async (self->connection, self->cancellable, on_resume_reply, task);
      return;
    }
  /* The server forgot the session: a new one, and the caller resends. */
  bind_resource (task);
}

static void
resume_stream (GTask *task)
{
  XmppConnector *self = g_task_get_source_object (task);

  send_and_wait (task, self->resume, on_resume_reply);
}

/* Step: SASL (xmpp-auth.c does the exchange). */

static void
on_authenticated (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  GTask *task = user_data;
  XmppConnector *self = g_task_get_source_object (task);
  GError *error = NULL;

  g_clear_pointer (&self->auth, xmpp_auth_result_free);
  self->auth = xmpp_auth_finish (result, &error);
  if (self->auth == NULL && xmpp_auth_token_refused (result) && self->password != NULL &&
      !self->token_refused)
    {
      /* Not on this stream: see xmpp-auth.c. */
      g_debug ("the server refused the FAST token; signing in with the password on a new connection");
      g_clear_error (&error);
      self->token_refused = TRUE;
      return reconnect (task);
    }
  if (self->auth == NULL && self->sent_early && !self->no_early &&
      error->domain != XMPP_AUTH_ERROR && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      /* The server did not take an <authenticate/> before its features
       * (a stream error, a closed connection): once more, waiting. */
      g_debug ("the early sign-in failed (%s); once more, waiting for the features", error->message);
      g_clear_error (&error);
      self->no_early = TRUE;
      return reconnect (task);
    }
  if (self->auth == NULL)
    return fail (task, error);
  self->authenticated = TRUE;
  if (self->auth->sasl2)
    {
      XmppNode *answer = self->auth->success != NULL
        ? xmpp_node_get_child_ns (xmpp_stanza_get_top (self->auth->success), XMPP_NS_SM) : NULL;

      /* Resumed inline (XEP-0198 in SASL2): the old session goes on. */
      if (answer != NULL && take_resumed (self, answer))
        return succeed (task);
      /* XEP-0388: no restart; the features of the signed-in stream
       * follow <success/> at once. */
      xmpp_connection_recv_async (self->connection, self->cancellable, on_features, task);
      return;
    }
  xmpp_connection_restart (self->connection);
  open_stream (task);
}

static XmppAuthParams
auth_params (XmppConnector *self)
{
  XmppAuthParams params = {
    .password = self->password,
    .user_agent_id = self->user_agent_id,
    .fast_mechanism = self->token_refused ? NULL : self->fast_mechanism,
    .fast_token = self->token_refused ? NULL : self->fast_token,
    .request_fast_token = self->request_fast_token,
    .sm_request = self->resume ? xmpp_stanza_get_top (self->resume) : NULL,
  };

  return params;
}

static void
authenticate (GTask *task)
{
  XmppConnector *self = g_task_get_source_object (task);
  XmppAuthParams params = auth_params (self);

  if (self->early != NULL)
    xmpp_auth_early_async (g_steal_pointer (&self->early), self->features[0],
                           self->cancellable, on_authenticated, task);
  else
    xmpp_auth_async (self->connection, self->features[0], G_TLS_CONNECTION (self->tls),
                     self->jid, &params, self->cancellable, on_authenticated, task);
}

/* Step: TLS, direct or after STARTTLS. */

static void
on_handshake (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  GTask *task = user_data;
  XmppConnector *self = g_task_get_source_object (task);
  g_autoptr(GError) error = NULL;
  GTlsCertificate *peer;

  if (!g_tls_connection_handshake_finish (G_TLS_CONNECTION (source), result, &error))
    {
      g_clear_pointer (&self->peer_certificate, xmpp_certificate_info_free);
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return fail (task, g_steal_pointer (&error));
      return fail (task, xmpp_tls_explain_failure (self->tls, error, &self->peer_certificate));
    }
  self->tls_version = g_tls_connection_get_protocol_version (G_TLS_CONNECTION (self->tls));
  g_free (self->tls_cipher);
  self->tls_cipher = g_tls_connection_get_ciphersuite_name (G_TLS_CONNECTION (self->tls));
  peer = g_tls_connection_get_peer_certificate (G_TLS_CONNECTION (self->tls));
  g_clear_pointer (&self->peer_certificate, xmpp_certificate_info_free);
  if (peer != NULL)
    self->peer_certificate = xmpp_certificate_info_new (
      peer, g_tls_connection_get_peer_certificate_errors (G_TLS_CONNECTION (self->tls)));
  if (self->connection == NULL)
    self->connection = xmpp_connection_new (self->tls);
  else
    xmpp_connection_set_stream (self->connection, self->tls);
  open_stream (task);
}

static void
start_tls (GTask    *task,
           gboolean  direct)
{
  XmppConnector *self = g_task_get_source_object (task);
  GError *error = NULL;

  self->tls = xmpp_tls_client_new (G_IO_STREAM (self->socket), domain (self), self->database,
                                   (const char * const *) self->pins, direct, &error);
  if (self->tls == NULL)
    return fail (task, error);
  g_tls_connection_handshake_async (G_TLS_CONNECTION (self->tls), G_PRIORITY_DEFAULT,
                                    self->cancellable, on_handshake, task);
}

static void
on_starttls_reply (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  GTask *task = user_data;
  XmppConnector *self = g_task_get_source_object (task);
  GError *error = NULL;
  g_autoptr(XmppStanza) reply = xmpp_connection_recv_finish (self->connection, result, &error);

  if (reply == NULL)
    return fail (task, error);
  if (!xmpp_node_is (xmpp_stanza_get_top (reply), "proceed", XMPP_NS_TLS))
    return fail (task, g_error_new_literal (XMPP_TLS_ERROR, XMPP_TLS_ERROR_HANDSHAKE,
                                            _("The server refused to start TLS.")));
  start_tls (task, FALSE);
}

static void
request_starttls (GTask *task)
{
  g_autoptr(XmppStanza) starttls = xmpp_stanza_new ("starttls", XMPP_NS_TLS);

  send_and_wait (task, starttls, on_starttls_reply);
}

/* Step: a stream is open; its features say what comes next. */

static void
on_features (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  GTask *task = user_data;
  XmppConnector *self = g_task_get_source_object (task);
  GError *error = NULL;
  XmppStanza *features = xmpp_connection_recv_finish (self->connection, result, &error);

  if (features == NULL)
    return fail (task, error);
  if (!xmpp_node_is (xmpp_stanza_get_top (features), "features", XMPP_NS_STREAM))
    {
      xmpp_stanza_unref (features);
      return protocol_error (task, _("it did not send its stream features."));
    }
  if (self->tls == NULL)
    {
      gboolean offered = xmpp_node_get_child (xmpp_stanza_get_top (features), "starttls",
                                              XMPP_NS_TLS) != NULL;
      xmpp_stanza_unref (features);
      if (!offered)
        return fail (task, g_error_new_literal (XMPP_TLS_ERROR, XMPP_TLS_ERROR_UNAVAILABLE,
                                                _("The server does not offer an encrypted "
                                                  "connection, so this client will not sign in "
                                                  "there: the password and messages would travel "
                                                  "in the clear.")));
      return request_starttls (task);
    }
  g_clear_pointer (&self->features[self->authenticated], xmpp_stanza_unref);
  self->features[self->authenticated] = features;
  /* XEP-0077: the account is created on this stream, before signing in. */
  if (self->skip_auth)
    return succeed (task);
  if (!self->authenticated)
    authenticate (task);
  else if (self->resumed)
    succeed (task);
  else if (self->resume != NULL && !self->resume_failed && !self->auth->sasl2 &&
           xmpp_node_get_child (xmpp_stanza_get_top (features), "sm", XMPP_NS_SM) != NULL)
    resume_stream (task);
  else if (self->auth->bound_jid != NULL)
    {
      /* Bind2 bound the resource within SASL2 (XEP-0386). */
      self->bound_jid = xmpp_jid_ref (self->auth->bound_jid);
      succeed (task);
    }
  else
    bind_resource (task);
}

static void
on_header (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  GTask *task = user_data;
  XmppConnector *self = g_task_get_source_object (task);
  GError *error = NULL;
  g_autoptr(XmppStanza) header = xmpp_connection_recv_finish (self->connection, result, &error);

  if (header == NULL)
    return fail (task, error);
  if (g_strcmp0 (xmpp_stanza_get_attr (header, "version"), "1.0") != 0)
    return fail (task, g_error_new_literal (XMPP_STREAM_ERROR, XMPP_STREAM_ERROR_UNSUPPORTED_VERSION,
                                            _("The server speaks an XMPP version older than 1.0.")));
  xmpp_connection_recv_async (self->connection, self->cancellable, on_features, task);
}

static void
open_stream (GTask *task)
{
  XmppConnector *self = g_task_get_source_object (task);
  g_autofree char *bare = xmpp_jid_get_local (self->jid) ?
    g_strdup_printf ("%s@%s", xmpp_jid_get_local (self->jid), domain (self)) : NULL;

  /* 'from' only once the stream is encrypted (RFC 6120 §4.7.1): it tells
   * eavesdroppers who is signing in. Prosody offers FAST only with it. */
  xmpp_connection_send_open_async (self->connection, domain (self),
                                   self->tls != NULL ? bare : NULL,
                                   NULL, NULL, NULL);
  /* With a token, signing in need not wait for the features: XEP-0484
   * in one round trip. */
  if (self->tls != NULL && !self->authenticated && !self->no_early)
    {
      XmppAuthParams params = auth_params (self);

      g_clear_pointer (&self->early, xmpp_auth_early_free);
      self->early = xmpp_auth_send_early (self->connection, G_TLS_CONNECTION (self->tls),
                                          self->jid, &params);
      self->sent_early = self->early != NULL;
    }
  xmpp_connection_recv_async (self->connection, self->cancellable, on_header, task);
}

/* Step: TCP to each target in turn. */

static void try_next_target (GTask *task);

static void
on_connected (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  GTask *task = user_data;
  XmppConnector *self = g_task_get_source_object (task);
  XmppSrvTarget *target = g_ptr_array_index (self->targets, self->next_target - 1);
  g_autoptr(GError) error = NULL;

  self->socket = g_socket_client_connect_to_host_finish (G_SOCKET_CLIENT (source), result, &error);
  if (self->socket == NULL)
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return fail (task, g_steal_pointer (&error));
      g_clear_error (&self->connect_error);
      self->connect_error = g_steal_pointer (&error);
      return try_next_target (task);
    }
  /* The client's I/O timeout stays on the socket and would end a session
   * quiet for that long; the attempt's own timer bounds signing in. */
  g_socket_set_timeout (g_socket_connection_get_socket (self->socket), 0);
  /* Each stanza goes out in one write: Nagle's algorithm would hold one
   * back until the last is acknowledged, a round trip lost whenever two
   * go together (the stream header and an early <authenticate/>). */
  g_socket_set_option (g_socket_connection_get_socket (self->socket), IPPROTO_TCP, TCP_NODELAY,
                       TRUE, NULL);
  g_free (self->endpoint);
  self->endpoint = g_strdup_printf ("%s:%u (%s)", target->host, target->port,
                                    target->direct_tls ? "direct TLS" : "STARTTLS");
  if (target->direct_tls)
    return start_tls (task, TRUE);
  self->connection = xmpp_connection_new (G_IO_STREAM (self->socket));
  open_stream (task);
}

/* Starts over from the first target, on a new connection. */
static void
reconnect (GTask *task)
{
  XmppConnector *self = g_task_get_source_object (task);

  g_clear_object (&self->connection);
  g_clear_pointer (&self->early, xmpp_auth_early_free);
  self->sent_early = FALSE;
  g_clear_object (&self->tls);
  g_clear_object (&self->socket);
  g_clear_error (&self->connect_error);
  self->authenticated = FALSE;
  self->next_target = 0;
  try_next_target (task);
}

static void
try_next_target (GTask *task)
{
  XmppConnector *self = g_task_get_source_object (task);
  g_autoptr(GSocketClient) client = NULL;
  XmppSrvTarget *target;

  if (self->next_target >= self->targets->len)
    return fail (task, g_error_new (XMPP_CONNECTION_ERROR, XMPP_CONNECTION_ERROR_CONNECT,
                                    _("Could not connect to the server of %s (%s)."), domain (self),
                                    self->connect_error ? self->connect_error->message : "?"));
  target = g_ptr_array_index (self->targets, self->next_target++);
  client = g_socket_client_new ();
  g_socket_client_set_timeout (client, self->timeout);
  g_socket_client_connect_to_host_async (client, target->host, target->port,
                                         self->cancellable, on_connected, task);
}

static void
on_resolved (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  GTask *task = user_data;
  XmppConnector *self = g_task_get_source_object (task);
  GError *error = NULL;

  self->targets = xmpp_srv_resolve_finish (result, &error);
  if (self->targets == NULL)
    return fail (task, error);
  try_next_target (task);
}

static gboolean
on_timeout (gpointer user_data)
{
  XmppConnector *self = user_data;

  self->timeout_id = 0;
  self->timed_out = TRUE;
  g_cancellable_cancel (self->cancellable);
  return G_SOURCE_REMOVE;
}

static void
on_caller_cancelled (GCancellable *caller,
                     GCancellable *ours)
{
  g_cancellable_cancel (ours);
}

void
xmpp_connector_connect_async (XmppConnector       *self,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);

  g_task_set_source_tag (task, xmpp_connector_connect_async);
  clear_attempt (self);
  self->redirects = 0;
  self->resumed = self->resume_failed = FALSE;
  self->resumed_h = 0;
  g_clear_pointer (&self->bound_jid, xmpp_jid_unref);
  g_clear_pointer (&self->auth, xmpp_auth_result_free);
  g_clear_pointer (&self->features[0], xmpp_stanza_unref);
  g_clear_pointer (&self->features[1], xmpp_stanza_unref);
  self->token_refused = FALSE;
  self->no_early = FALSE;
  self->cancellable = g_cancellable_new ();
  if (cancellable != NULL)
    {
      self->caller_cancellable = g_object_ref (cancellable);
      self->cancel_handler = g_cancellable_connect (cancellable, G_CALLBACK (on_caller_cancelled),
                                                    g_object_ref (self->cancellable), g_object_unref);
    }
  self->timeout_id = g_timeout_add_seconds (self->timeout, on_timeout, self);

  if (self->host != NULL)
    {
      guint16 port = self->port ? self->port : (self->direct_tls ? 5223 : 5222);
      XmppSrvTarget *target = g_new0 (XmppSrvTarget, 1);

      target->host = g_strdup (self->host);
      target->port = port;
      target->direct_tls = self->direct_tls;
      self->targets = g_ptr_array_new_with_free_func ((GDestroyNotify) xmpp_srv_target_free);
      g_ptr_array_add (self->targets, target);
      try_next_target (task);
      return;
    }
  xmpp_srv_resolve_async (domain (self), self->cancellable, on_resolved, task);
}

XmppConnection *
xmpp_connector_connect_finish (XmppConnector  *self,
                               GAsyncResult   *result,
                               GError        **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}

XmppJid *
xmpp_connector_get_bound_jid (XmppConnector *self)
{
  return self->bound_jid;
}

const char *
xmpp_connector_get_endpoint (XmppConnector *self)
{
  return self->endpoint;
}

GTlsProtocolVersion
xmpp_connector_get_tls_version (XmppConnector *self)
{
  return self->tls_version;
}

const char *
xmpp_connector_get_tls_cipher (XmppConnector *self)
{
  return self->tls_cipher;
}

const char *
xmpp_connector_get_mechanism (XmppConnector *self)
{
  return self->auth ? self->auth->mechanism : NULL;
}

const char *
xmpp_connector_get_channel_binding (XmppConnector *self)
{
  return self->auth ? self->auth->channel_binding : NULL;
}

const char *
xmpp_connector_get_auth_reason (XmppConnector *self)
{
  return self->auth ? self->auth->reason : NULL;
}

XmppStanza *
xmpp_connector_get_features (XmppConnector *self,
                             gboolean       authenticated)
{
  return self->features[authenticated ? 1 : 0];
}

const XmppCertificateInfo *
xmpp_connector_get_peer_certificate (XmppConnector *self)
{
  return self->peer_certificate;
}

gboolean
xmpp_connector_get_used_sasl2 (XmppConnector *self)
{
  return self->auth != NULL && self->auth->sasl2;
}

gboolean
xmpp_connector_get_used_fast (XmppConnector *self)
{
  return self->auth != NULL && self->auth->used_fast;
}

const char *
xmpp_connector_get_fast_token (XmppConnector  *self,
                               const char    **mechanism,
                               GDateTime     **expiry)
{
  gboolean has = self->auth != NULL && self->auth->fast_token != NULL;

  if (mechanism != NULL)
    *mechanism = has ? self->auth->fast_mechanism : NULL;
  if (expiry != NULL)
    *expiry = has ? self->auth->fast_expiry : NULL;
  return has ? self->auth->fast_token : NULL;
}

XmppStanza *
xmpp_connector_get_sasl2_success (XmppConnector *self)
{
  return self->auth != NULL ? self->auth->success : NULL;
}

void
xmpp_connector_set_resume (XmppConnector *self,
                           const char    *previd,
                           guint32        h)
{
  char text[16];

  g_clear_pointer (&self->resume, xmpp_stanza_unref);
  if (previd == NULL)
    return;
  self->resume = xmpp_stanza_new ("resume", XMPP_NS_SM);
  g_snprintf (text, sizeof text, "%u", h);
  xmpp_node_set_attr (xmpp_stanza_get_top (self->resume), "previd", previd);
  xmpp_node_set_attr (xmpp_stanza_get_top (self->resume), "h", text);
}

gboolean
xmpp_connector_get_resumed (XmppConnector *self,
                            guint32       *h)
{
  if (h != NULL)
    *h = self->resumed_h;
  return self->resumed;
}

XmppSaslDowngrade
xmpp_connector_get_downgrade_protection (XmppConnector *self)
{
  return self->auth ? self->auth->downgrade : XMPP_SASL_DOWNGRADE_UNCHECKED;
}
