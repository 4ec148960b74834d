/* xmpp-auth.c: RFC 6120 §6 SASL over a connection.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "xmpp-auth.h"
#include "xmpp-error.h"
#include "xmpp-ns.h"
#include "xmpp-sasl.h"

#include <glib/gi18n-lib.h>
#include <string.h>

typedef struct {
  XmppConnection *connection;
  XmppSasl       *sasl;
  XmppAuthResult *result;
} Exchange;

static void
exchange_free (Exchange *ex)
{
  g_clear_object (&ex->connection);
  g_clear_pointer (&ex->sasl, xmpp_sasl_free);
  g_clear_pointer (&ex->result, xmpp_auth_result_free);
  g_free (ex);
}

void
xmpp_auth_result_free (XmppAuthResult *result)
{
  if (result == NULL)
    return;
  g_free (result->mechanism);
  g_free (result->channel_binding);
  g_free (result->reason);
  g_free (result);
}

/* The texts of the children called @child_name of @parent's first child
 * @list_name in @ns: <mechanisms><mechanism>…, for instance. NULL when
 * there is no such list, which differs from an empty one for XEP-0440. */
static GStrv
collect (XmppNode   *parent,
         const char *list_name,
         const char *ns,
         const char *child_name,
         const char *attr)
{
  XmppNode *list = xmpp_node_get_child (parent, list_name, ns);
  GStrvBuilder *builder;
  GStrv result;

  if (list == NULL)
    return NULL;
  builder = g_strv_builder_new ();
  xmpp_node_foreach_child (list, child)
    if (strcmp (child->name, child_name) == 0)
      {
        const char *value = attr ? xmpp_node_get_attr (child, attr) : xmpp_node_get_text (child);
        if (value != NULL)
          g_strv_builder_add (builder, value);
      }
  result = g_strv_builder_end (builder);
  g_strv_builder_unref (builder);
  return result;
}

static const struct {
  XmppSaslCbType         ours;
  GTlsChannelBindingType gio;
} cb_types[] = {
  { XMPP_SASL_CB_TLS_UNIQUE, G_TLS_CHANNEL_BINDING_TLS_UNIQUE },
  { XMPP_SASL_CB_TLS_SERVER_END_POINT, G_TLS_CHANNEL_BINDING_TLS_SERVER_END_POINT },
  { XMPP_SASL_CB_TLS_EXPORTER, G_TLS_CHANNEL_BINDING_TLS_EXPORTER },
};

/* What the TLS layer is and which bindings GIO can produce for it: asking
 * with no buffer only checks support. */
static void
read_tls_info (GTlsConnection  *tls,
               XmppSaslTlsInfo *info)
{
  info->version = XMPP_SASL_TLS_NONE;
  info->cb_types = XMPP_SASL_CB_NONE;
  if (tls == NULL)
    return;
  info->version = g_tls_connection_get_protocol_version (tls) == G_TLS_PROTOCOL_VERSION_TLS_1_3
                  ? XMPP_SASL_TLS_1_3 : XMPP_SASL_TLS_1_2;
  for (guint i = 0; i < G_N_ELEMENTS (cb_types); i++)
    if (g_tls_connection_get_channel_binding_data (tls, cb_types[i].gio, NULL, NULL))
      info->cb_types |= cb_types[i].ours;
}

static GBytes *
channel_binding_data (GTlsConnection  *tls,
                      XmppSaslCbType   type,
                      GError         **error)
{
  g_autoptr(GByteArray) data = g_byte_array_new ();

  for (guint i = 0; i < G_N_ELEMENTS (cb_types); i++)
    if (cb_types[i].ours == type)
      {
        if (!g_tls_connection_get_channel_binding_data (tls, cb_types[i].gio, data, error))
          return NULL;
        return g_byte_array_free_to_bytes (g_steal_pointer (&data));
      }
  g_set_error (error, XMPP_AUTH_ERROR, XMPP_AUTH_ERROR_CHANNEL_BINDING,
               _("This client cannot bind to the TLS channel as the server asks."));
  return NULL;
}

/* SASL payloads are base64 in XML; "=" is an empty one (RFC 6120 §6.4.2). */
static void
set_payload (XmppNode *node,
             GBytes   *payload)
{
  gsize len = payload ? g_bytes_get_size (payload) : 0;
  g_autofree char *b64 = NULL;

  if (len == 0)
    {
      xmpp_node_set_text (node, "=");
      return;
    }
  b64 = g_base64_encode (g_bytes_get_data (payload, NULL), len);
  xmpp_node_set_text (node, b64);
}

static GBytes *
get_payload (XmppNode  *node,
             GError   **error)
{
  const char *text = xmpp_node_get_text (node);
  g_autofree char *clean = g_strstrip (g_strdup (text));
  gsize len = 0;
  guchar *data;

  if (clean[0] == '\0' || strcmp (clean, "=") == 0)
    return g_bytes_new (NULL, 0);
  for (const char *p = clean; *p; p++)
    if (!g_ascii_isalnum (*p) && *p != '+' && *p != '/' && *p != '=')
      {
        g_set_error_literal (error, XMPP_AUTH_ERROR, XMPP_AUTH_ERROR_MALFORMED,
                             _("The server sent authentication data that is not base64."));
        return NULL;
      }
  data = g_base64_decode (clean, &len);
  return g_bytes_new_take (data, len);
}

static void
send_element (Exchange   *ex,
              const char *name,
              GBytes     *payload,
              const char *mechanism)
{
  g_autoptr(XmppStanza) stanza = xmpp_stanza_new (name, XMPP_NS_SASL);

  if (mechanism != NULL)
    xmpp_node_set_attr (xmpp_stanza_get_top (stanza), "mechanism", mechanism);
  set_payload (xmpp_stanza_get_top (stanza), payload);
  xmpp_connection_send_stanza_async (ex->connection, stanza, NULL, NULL, NULL);
}

static GError *
failure_error (XmppStanza *failure)
{
  XmppNode *top = xmpp_stanza_get_top (failure);
  const char *condition = NULL;

  xmpp_node_foreach_child (top, child)
    if (strcmp (child->name, "text") != 0)
      {
        condition = child->name;
        break;
      }
  return xmpp_auth_error_new_from_failure (condition,
                                           xmpp_node_get_child_text (top, "text", XMPP_NS_SASL));
}

static void on_reply (GObject *source, GAsyncResult *result, gpointer user_data);

static void
handle_reply (GTask      *task,
              XmppStanza *reply)
{
  Exchange *ex = g_task_get_task_data (task);
  XmppNode *top = xmpp_stanza_get_top (reply);
  g_autoptr(GBytes) in = NULL;
  g_autoptr(GBytes) out = NULL;
  GError *error = NULL;

  if (xmpp_node_is (top, "failure", XMPP_NS_SASL))
    {
      g_task_return_error (task, failure_error (reply));
      return;
    }
  if (!xmpp_node_is (top, "challenge", XMPP_NS_SASL) && !xmpp_node_is (top, "success", XMPP_NS_SASL))
    {
      g_task_return_new_error (task, XMPP_AUTH_ERROR, XMPP_AUTH_ERROR_MALFORMED,
                               _("The server sent “%s” in the middle of authentication."), top->name);
      return;
    }
  in = get_payload (top, &error);
  if (in == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  if (strcmp (top->name, "success") == 0)
    {
      if (!xmpp_sasl_finish (ex->sasl, in, &error))
        g_task_return_error (task, error);
      else
        g_task_return_pointer (task, g_steal_pointer (&ex->result),
                               (GDestroyNotify) xmpp_auth_result_free);
      return;
    }
  out = xmpp_sasl_respond (ex->sasl, in, &error);
  if (out == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  send_element (ex, "response", out, NULL);
  xmpp_connection_recv_async (ex->connection, g_task_get_cancellable (task), on_reply,
                              g_object_ref (task));
}

static void
on_reply (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;
  g_autoptr(XmppStanza) reply = xmpp_connection_recv_finish (XMPP_CONNECTION (source), result, &error);

  if (reply == NULL)
    g_task_return_error (task, error);
  else
    handle_reply (task, reply);
}

static gboolean
start (GTask           *task,
       XmppStanza      *features,
       GTlsConnection  *tls,
       XmppJid         *jid,
       const char      *password,
       GError         **error)
{
  Exchange *ex = g_task_get_task_data (task);
  XmppNode *top = xmpp_stanza_get_top (features);
  g_auto(GStrv) mechanisms = collect (top, "mechanisms", XMPP_NS_SASL, "mechanism", NULL);
  g_auto(GStrv) offered_cb = collect (top, "sasl-channel-binding", XMPP_NS_SASL_CB,
                                      "channel-binding", "type");
  g_auto(XmppSaslChoice) choice = { 0 };
  XmppSaslTlsInfo info;
  g_autoptr(GBytes) cb_data = NULL;
  g_autoptr(GBytes) initial = NULL;

  if (mechanisms == NULL)
    {
      g_set_error_literal (error, XMPP_AUTH_ERROR, XMPP_AUTH_ERROR_NO_MECHANISM,
                           _("The server offers no way to sign in."));
      return FALSE;
    }
  read_tls_info (tls, &info);
  if (!xmpp_sasl_choose ((const char * const *) mechanisms, (const char * const *) offered_cb,
                         &info, TRUE, &choice, error))
    return FALSE;
  if (choice.cb_type != XMPP_SASL_CB_NONE)
    {
      cb_data = channel_binding_data (tls, choice.cb_type, error);
      if (cb_data == NULL)
        return FALSE;
    }
  ex->sasl = xmpp_sasl_new (&choice, &info, xmpp_jid_get_local (jid), password, cb_data, error);
  if (ex->sasl == NULL)
    return FALSE;
  xmpp_sasl_set_offered (ex->sasl, (const char * const *) mechanisms,
                         (const char * const *) offered_cb);
  initial = xmpp_sasl_initial_response (ex->sasl, error);
  if (initial == NULL)
    return FALSE;

  ex->result = g_new0 (XmppAuthResult, 1);
  ex->result->mechanism = g_strdup (choice.mechanism);
  ex->result->channel_binding = g_strdup (xmpp_sasl_cb_type_to_string (choice.cb_type));
  ex->result->reason = g_strdup (choice.reason);
  send_element (ex, "auth", initial, choice.mechanism);
  return TRUE;
}

void
xmpp_auth_async (XmppConnection      *connection,
                 XmppStanza          *features,
                 GTlsConnection      *tls,
                 XmppJid             *jid,
                 const char          *password,
                 GCancellable        *cancellable,
                 GAsyncReadyCallback  callback,
                 gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (NULL, cancellable, callback, user_data);
  Exchange *ex = g_new0 (Exchange, 1);
  GError *error = NULL;

  g_task_set_source_tag (task, xmpp_auth_async);
  ex->connection = g_object_ref (connection);
  g_task_set_task_data (task, ex, (GDestroyNotify) exchange_free);
  if (xmpp_jid_get_local (jid) == NULL)
    {
      g_task_return_new_error (task, XMPP_AUTH_ERROR, XMPP_AUTH_ERROR_FAILED,
                               _("An account address needs a user name before the “@”."));
      return;
    }
  if (!start (task, features, tls, jid, password, &error))
    {
      g_task_return_error (task, error);
      return;
    }
  xmpp_connection_recv_async (connection, cancellable, on_reply, g_object_ref (task));
}

XmppAuthResult *
xmpp_auth_finish (GAsyncResult  *result,
                  GError       **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}
