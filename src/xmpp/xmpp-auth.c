/* xmpp-auth.c: RFC 6120 §6 SASL, or XEP-0388 SASL2, over a connection.
 *
 * One exchange; the profile is chosen from the features once. SASL2 adds
 * to the password exchange what the server offers inline: Bind2 (XEP-0386)
 * and FAST (XEP-0484).
 *
 * With a token, the <authenticate/> can go out with the stream header,
 * before the features arrive (xmpp_auth_send_early()): the server's
 * header, features, <success/> and the features of the signed-in stream
 * then come back together, one round trip after TLS, as XEP-0484 means
 * FAST to be. What the features would have said is assumed from what the
 * server offered when it issued the token (XEP-0388 calls the features
 * stable), and checked when they arrive.
 *
 * A refused token ends the exchange, although XEP-0388 would allow the
 * password in a second <authenticate/> on the same stream: Prosody 13
 * answers that one with a XEP-0474 hash over other channel-binding types
 * than it listed (its FAST module falls back to a copy of the SASL2
 * handler, which knows only tls-exporter), which is exactly what a
 * downgrade looks like. The connector signs in with the password on a
 * new connection instead; that costs a few round trips, and only when a
 * token has expired or been revoked.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "xmpp-auth.h"
#include "xmpp-error.h"
#include "xmpp-ns.h"
#include "xmpp-sasl.h"

#include <glib/gi18n-lib.h>
#include <string.h>

/* The Bind2 tag (the start of the resource) and the user-agent software. */
#define CLIENT_NAME "Lorikeet"

struct _XmppAuthEarly {
  XmppConnection *connection;
  GTlsConnection *tls;
  XmppJid        *jid;
  XmppSaslTlsInfo info;

  /* what the caller gave */
  char           *password;
  char           *user_agent_id;
  char           *fast_mechanism;
  char           *fast_token;
  gboolean        request_fast_token;
  XmppStanza     *sm_request;       /* holds the node below */
  const XmppNode *sm_request_node;

  /* what the server offers (or, sending early, is assumed to) */
  XmppStanza     *features;
  XmppNode       *authentication;   /* SASL2, or NULL for RFC 6120 SASL */
  GStrv           mechanisms;
  GStrv           offered_cb;
  GStrv           fast_offered;     /* XEP-0484 mechanisms, NULL when no FAST */

  /* the attempt under way */
  XmppSasl       *sasl;
  gboolean        with_token;
  gboolean        token_refused;
  char           *requested_token_mechanism;
  XmppAuthResult *result;
};

typedef struct _XmppAuthEarly Exchange;

static void
wipe (char **secret)
{
  if (*secret != NULL)
    memset (*secret, 0, strlen (*secret));
  g_clear_pointer (secret, g_free);
}

static void
exchange_free (Exchange *ex)
{
  g_clear_object (&ex->connection);
  g_clear_object (&ex->tls);
  g_clear_pointer (&ex->jid, xmpp_jid_unref);
  wipe (&ex->password);
  g_free (ex->user_agent_id);
  g_free (ex->fast_mechanism);
  wipe (&ex->fast_token);
  g_clear_pointer (&ex->sm_request, xmpp_stanza_unref);
  g_clear_pointer (&ex->features, xmpp_stanza_unref);
  g_strfreev (ex->mechanisms);
  g_strfreev (ex->offered_cb);
  g_strfreev (ex->fast_offered);
  g_clear_pointer (&ex->sasl, xmpp_sasl_free);
  g_free (ex->requested_token_mechanism);
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
  g_clear_pointer (&result->bound_jid, xmpp_jid_unref);
  wipe (&result->fast_token);
  g_free (result->fast_mechanism);
  g_clear_pointer (&result->fast_expiry, g_date_time_unref);
  g_clear_pointer (&result->success, xmpp_stanza_unref);
  g_free (result);
}

/* The texts (or @attr) of @list's children called @child_name in @list's
 * namespace: <mechanisms><mechanism>…, for instance. NULL when there is no
 * such list, which differs from an empty one for XEP-0440. */
static GStrv
collect (XmppNode   *list,
         const char *child_name,
         const char *attr)
{
  GStrvBuilder *builder;
  GStrv result;

  if (list == NULL)
    return NULL;
  builder = g_strv_builder_new ();
  xmpp_node_foreach_child (list, child)
    if (xmpp_node_is (child, child_name, list->ns))
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

/* SASL payloads are base64 in XML. In RFC 6120, "=" is an empty one
 * (§6.4.2); in SASL2 an empty element is (XEP-0388 §2.2). */
static void
set_payload (XmppNode *node,
             GBytes   *payload,
             gboolean  sasl2)
{
  gsize len = payload ? g_bytes_get_size (payload) : 0;
  char *b64;

  if (len == 0)
    {
      if (!sasl2)
        xmpp_node_set_text (node, "=");
      return;
    }
  b64 = g_base64_encode (g_bytes_get_data (payload, NULL), len);
  xmpp_node_set_text (node, b64);
  /* A PLAIN message or a token's HMAC, encoded. */
  memset (b64, 0, strlen (b64));
  g_free (b64);
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

static const char *
profile_ns (Exchange *ex)
{
  return ex->authentication != NULL ? XMPP_NS_SASL2 : XMPP_NS_SASL;
}

static void
send_stanza (Exchange   *ex,
             XmppStanza *stanza)
{
  xmpp_connection_send_stanza_async (ex->connection, stanza, NULL, NULL, NULL);
}

/* <response/>, in either profile. */
static void
send_response (Exchange *ex,
               GBytes   *payload)
{
  g_autoptr(XmppStanza) stanza = xmpp_stanza_new ("response", profile_ns (ex));

  set_payload (xmpp_stanza_get_top (stanza), payload, ex->authentication != NULL);
  send_stanza (ex, stanza);
}

/* Whether the Bind2 offer lists @var among the features it can enable. */
static gboolean
bind2_offers (XmppNode   *bind2,
              const char *var)
{
  XmppNode *list = xmpp_node_get_child (bind2, "inline", XMPP_NS_BIND2);

  if (list != NULL)
    xmpp_node_foreach_child (list, feature)
      if (xmpp_node_is (feature, "feature", XMPP_NS_BIND2) &&
          g_strcmp0 (xmpp_node_get_attr (feature, "var"), var) == 0)
        return TRUE;
  return FALSE;
}

/* The requests that ride in <authenticate/> besides SASL: resource
 * binding with the session features asked for at once (XEP-0386), and a
 * token to be used or issued (XEP-0484). @sm_request is where XEP-0198
 * joins: a <resume/> goes in <authenticate/> itself, to be answered by
 * <resumed/> or <failed/> in <success/> (and then Bind2 binds only if
 * resumption failed); an <enable/> goes in the Bind2 request, to be
 * answered in <bound/>. */
static void
add_inline_requests (Exchange       *ex,
                     XmppNode       *authenticate,
                     const XmppNode *sm_request)
{
  XmppNode *offer = xmpp_node_get_child (ex->authentication, "inline", XMPP_NS_SASL2);
  XmppNode *bind2_offer = offer ? xmpp_node_get_child (offer, "bind", XMPP_NS_BIND2) : NULL;
  gboolean sm_offered = offer && xmpp_node_get_child (offer, "sm", XMPP_NS_SM) != NULL;

  if (sm_request != NULL && sm_offered && xmpp_node_is (sm_request, "resume", XMPP_NS_SM))
    xmpp_node_add_copy (authenticate, sm_request);
  /* Bind2 lets the client choose only a tag, not the resource: a resource
   * in the account's address is asked for the RFC 6120 way, after. */
  if (bind2_offer != NULL && xmpp_jid_get_resource (ex->jid) == NULL)
    {
      XmppNode *bind = xmpp_node_add_child (authenticate, "bind", XMPP_NS_BIND2);

      xmpp_node_add_child_text (bind, "tag", NULL, CLIENT_NAME);
      if (bind2_offers (bind2_offer, XMPP_NS_CARBONS))
        xmpp_node_add_child (bind, "enable", XMPP_NS_CARBONS);
      /* The session starts active, as a session bound the RFC 6120 way
       * does; the caller says otherwise later. */
      if (bind2_offers (bind2_offer, XMPP_NS_CSI))
        xmpp_node_add_child (bind, "active", XMPP_NS_CSI);
      if (sm_request != NULL && bind2_offers (bind2_offer, XMPP_NS_SM) &&
          xmpp_node_is (sm_request, "enable", XMPP_NS_SM))
        xmpp_node_add_copy (bind, sm_request);
    }
  if (ex->with_token)
    /* No 'count': it is required only with TLS 0-RTT, which GIO cannot do,
     * and keeping it would be state the engine does not keep. */
    xmpp_node_add_child (authenticate, "fast", XMPP_NS_FAST);
  else if (ex->request_fast_token && ex->user_agent_id != NULL && ex->fast_offered != NULL)
    {
      g_auto(XmppSaslChoice) choice = { 0 };

      if (xmpp_sasl_choose_fast ((const char * const *) ex->fast_offered, &ex->info, &choice, NULL))
        {
          XmppNode *request = xmpp_node_add_child (authenticate, "request-token", XMPP_NS_FAST);

          xmpp_node_set_attr (request, "mechanism", choice.mechanism);
          g_free (ex->requested_token_mechanism);
          ex->requested_token_mechanism = g_strdup (choice.mechanism);
        }
    }
}

/* XEP-0388 <user-agent/>: the id ties tokens and Bind2 resources to this
 * device. The device is the system's name ("Debian GNU/Linux 12
 * (bookworm)"), which says which device it is without naming its owner. */
static void
add_user_agent (Exchange *ex,
                XmppNode *authenticate)
{
  g_autofree char *device = g_get_os_info (G_OS_INFO_KEY_PRETTY_NAME);
  XmppNode *agent;

  if (ex->user_agent_id == NULL)
    return;
  agent = xmpp_node_add_child (authenticate, "user-agent", NULL);
  xmpp_node_set_attr (agent, "id", ex->user_agent_id);
  xmpp_node_add_child_text (agent, "software", NULL, CLIENT_NAME);
  if (device != NULL && *device != '\0')
    xmpp_node_add_child_text (agent, "device", NULL, device);
}

static void
send_initial (Exchange   *ex,
              const char *mechanism,
              GBytes     *initial)
{
  g_autoptr(XmppStanza) stanza = NULL;
  XmppNode *top;

  if (ex->authentication == NULL)
    {
      stanza = xmpp_stanza_new ("auth", XMPP_NS_SASL);
      top = xmpp_stanza_get_top (stanza);
      xmpp_node_set_attr (top, "mechanism", mechanism);
      set_payload (top, initial, FALSE);
      send_stanza (ex, stanza);
      return;
    }
  stanza = xmpp_stanza_new ("authenticate", XMPP_NS_SASL2);
  top = xmpp_stanza_get_top (stanza);
  xmpp_node_set_attr (top, "mechanism", mechanism);
  set_payload (xmpp_node_add_child (top, "initial-response", NULL), initial, TRUE);
  add_user_agent (ex, top);
  add_inline_requests (ex, top, ex->sm_request_node);
  send_stanza (ex, stanza);
}

/* Starts one SASL exchange with @choice: the password's, or the token's
 * when @with_token. */
static gboolean
begin (Exchange        *ex,
       XmppSaslChoice  *choice,
       gboolean         with_token,
       GError         **error)
{
  g_autoptr(GBytes) cb_data = NULL;
  g_autoptr(GBytes) initial = NULL;

  g_clear_pointer (&ex->sasl, xmpp_sasl_free);
  g_clear_pointer (&ex->result, xmpp_auth_result_free);
  ex->with_token = with_token;
  if (choice->cb_type != XMPP_SASL_CB_NONE)
    {
      cb_data = channel_binding_data (ex->tls, choice->cb_type, error);
      if (cb_data == NULL)
        return FALSE;
    }
  ex->sasl = xmpp_sasl_new (choice, &ex->info, xmpp_jid_get_local (ex->jid),
                            with_token ? ex->fast_token : ex->password, cb_data, error);
  if (ex->sasl == NULL)
    return FALSE;
  if (!with_token)
    xmpp_sasl_set_offered (ex->sasl, (const char * const *) ex->mechanisms,
                           (const char * const *) ex->offered_cb);
  initial = xmpp_sasl_initial_response (ex->sasl, error);
  if (initial == NULL)
    return FALSE;

  ex->result = g_new0 (XmppAuthResult, 1);
  ex->result->mechanism = g_strdup (choice->mechanism);
  ex->result->channel_binding = g_strdup (xmpp_sasl_cb_type_to_string (choice->cb_type));
  ex->result->reason = g_steal_pointer (&choice->reason);
  ex->result->sasl2 = ex->authentication != NULL;
  ex->result->used_fast = with_token;
  send_initial (ex, choice->mechanism, initial);
  return TRUE;
}

static gboolean
begin_with_password (Exchange  *ex,
                     GError   **error)
{
  g_auto(XmppSaslChoice) choice = { 0 };

  if (ex->mechanisms == NULL)
    {
      g_set_error_literal (error, XMPP_AUTH_ERROR, XMPP_AUTH_ERROR_NO_MECHANISM,
                           _("The server offers no way to sign in."));
      return FALSE;
    }
  if (!xmpp_sasl_choose ((const char * const *) ex->mechanisms,
                         (const char * const *) ex->offered_cb, &ex->info, TRUE, &choice, error))
    return FALSE;
  return begin (ex, &choice, FALSE, error);
}

/* The caller's token, when this stream can take it: SASL2 with FAST
 * offering its mechanism, a channel binding for it, and the user-agent id
 * the token was issued to. */
static gboolean
token_usable (Exchange       *ex,
              XmppSaslChoice *choice)
{
  const char *mechanism[] = { ex->fast_mechanism, NULL };

  if (ex->fast_token == NULL || ex->fast_mechanism == NULL || ex->user_agent_id == NULL ||
      ex->fast_offered == NULL || !g_strv_contains ((const char * const *) ex->fast_offered,
                                                    ex->fast_mechanism))
    return FALSE;
  /* Checks that this connection has the binding the mechanism needs. */
  if (!xmpp_sasl_choose_fast (mechanism, &ex->info, choice, NULL))
    return FALSE;
  g_free (choice->reason);
  if (choice->cb_type != XMPP_SASL_CB_NONE)
    /* TRANSLATORS: `probe` output; the first %s is a mechanism, the second
     * a channel-binding type. */
    choice->reason = g_strdup_printf (_("%s: the sign-in token this device was given "
                                        "(XEP-0484), bound to this connection with %s."),
                                      choice->mechanism,
                                      xmpp_sasl_cb_type_to_string (choice->cb_type));
  else
    /* TRANSLATORS: `probe` output; %s is a mechanism. */
    choice->reason = g_strdup_printf (_("%s: the sign-in token this device was given "
                                        "(XEP-0484), without channel binding."),
                                      choice->mechanism);
  return TRUE;
}

static GError *
token_refused_error (Exchange *ex)
{
  ex->token_refused = TRUE;
  return g_error_new_literal (XMPP_AUTH_ERROR, XMPP_AUTH_ERROR_NOT_AUTHORIZED,
                              _("The server no longer accepts this device’s sign-in "
                                "token; the password is needed."));
}

/* The condition of a <failure/>: the RFC 6120 one if it is there, else
 * the first element that is not the text. */
static const char *
failure_condition (XmppNode *top)
{
  XmppNode *condition = xmpp_node_get_child_ns (top, XMPP_NS_SASL);

  if (condition != NULL && strcmp (condition->name, "text") != 0)
    return condition->name;
  xmpp_node_foreach_child (top, child)
    if (strcmp (child->name, "text") != 0)
      return child->name;
  return NULL;
}

static GError *
failure_error (XmppNode *top)
{
  return xmpp_auth_error_new_from_failure (failure_condition (top),
                                           xmpp_node_get_child_text (top, "text", top->ns));
}

/* A refused token says nothing about the password (XEP-0484 §4: discard
 * the token, sign in another way), unless the server says that the
 * account itself cannot sign in now. */
static GError *
token_failure_error (Exchange *ex,
                     XmppNode *failure)
{
  XmppAuthError code = xmpp_auth_error_from_condition (failure_condition (failure));

  if (code == XMPP_AUTH_ERROR_ACCOUNT_DISABLED || code == XMPP_AUTH_ERROR_TEMPORARY_FAILURE)
    return failure_error (failure);
  return token_refused_error (ex);
}

static void on_reply (GObject *source, GAsyncResult *result, gpointer user_data);

static void
wait_reply (GTask *task)
{
  Exchange *ex = g_task_get_task_data (task);

  xmpp_connection_recv_async (ex->connection, g_task_get_cancellable (task), on_reply,
                              g_object_ref (task));
}

/* XEP-0484 <token/>: XEP-0082 time, which always carries its zone. */
static void
take_token (Exchange *ex,
            XmppNode *token)
{
  const char *secret = xmpp_node_get_attr (token, "token");
  const char *expiry = xmpp_node_get_attr (token, "expiry");

  if (secret == NULL || *secret == '\0')
    return;
  ex->result->fast_token = g_strdup (secret);
  /* What was asked for, or what a rotated token replaces. */
  ex->result->fast_mechanism = g_strdup (ex->requested_token_mechanism ?
                                         ex->requested_token_mechanism : ex->fast_mechanism);
  if (expiry != NULL)
    ex->result->fast_expiry = g_date_time_new_from_iso8601 (expiry, NULL);
}

/* SASL2 <success/>: the server's proof, the identity it signed us in as
 * (a full JID when Bind2 bound a resource), and what inline requests got. */
static gboolean
sasl2_success (Exchange    *ex,
               XmppStanza  *reply,
               GError     **error)
{
  XmppNode *top = xmpp_stanza_get_top (reply);
  XmppNode *data = xmpp_node_get_child (top, "additional-data", XMPP_NS_SASL2);
  XmppNode *token = xmpp_node_get_child (top, "token", XMPP_NS_FAST);
  g_autoptr(GBytes) in = NULL;
  XmppNode *authzid_node = xmpp_node_get_child (top, "authorization-identifier", XMPP_NS_SASL2);
  g_autofree char *authzid = NULL;
  g_autoptr(XmppJid) identity = NULL;

  /* The examples of XEP-0386 and XEP-0484 spell it "-identity". */
  if (authzid_node == NULL)
    authzid_node = xmpp_node_get_child (top, "authorization-identity", XMPP_NS_SASL2);
  if (data != NULL && (in = get_payload (data, error)) == NULL)
    return FALSE;
  if (!xmpp_sasl_finish (ex->sasl, in, error))
    return FALSE;
  if (authzid_node == NULL)
    {
      g_set_error_literal (error, XMPP_AUTH_ERROR, XMPP_AUTH_ERROR_MALFORMED,
                           _("The server did not say which address it signed in."));
      return FALSE;
    }
  authzid = g_strstrip (g_strdup (xmpp_node_get_text (authzid_node)));
  identity = xmpp_jid_new (authzid, NULL);
  if (identity == NULL || !xmpp_jid_equal_bare (identity, ex->jid))
    {
      g_set_error_literal (error, XMPP_AUTH_ERROR, XMPP_AUTH_ERROR_MALFORMED,
                           _("The server signed in an address that is not this account’s."));
      return FALSE;
    }
  /* Without <bound/> (<failed/> instead), no resource is bound yet: the
   * connector binds one the RFC 6120 way. */
  if (xmpp_node_get_child (top, "bound", XMPP_NS_BIND2) != NULL)
    {
      if (xmpp_jid_is_bare (identity))
        {
          g_set_error_literal (error, XMPP_AUTH_ERROR, XMPP_AUTH_ERROR_MALFORMED,
                               _("The server bound a resource but did not say which."));
          return FALSE;
        }
      ex->result->bound_jid = g_steal_pointer (&identity);
    }
  if (token != NULL)
    take_token (ex, token);
  ex->result->success = xmpp_stanza_ref (reply);
  return TRUE;
}

/* Answering a SCRAM challenge runs PBKDF2 over the password, as many
 * rounds as the server asks (up to XMPP_SCRAM_MAX_ITERATIONS): on a slow
 * machine that is long enough to freeze a window, so it runs in a worker
 * thread. Nothing else touches the exchange meanwhile: the stream waits. */
static void
respond_in_thread (GTask        *job,
                   gpointer      source,
                   gpointer      data,
                   GCancellable *cancellable)
{
  GTask *task = source;
  Exchange *ex = g_task_get_task_data (task);
  GError *error = NULL;
  GBytes *out = xmpp_sasl_respond (ex->sasl, data, &error);

  if (out == NULL)
    g_task_return_error (job, error);
  else
    g_task_return_pointer (job, out, (GDestroyNotify) g_bytes_unref);
}

static void
on_responded (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  GTask *task = G_TASK (source);
  Exchange *ex = g_task_get_task_data (task);
  GError *error = NULL;
  g_autoptr(GBytes) out = g_task_propagate_pointer (G_TASK (result), &error);

  if (out == NULL)
    g_task_return_error (task, error);
  else
    {
      send_response (ex, out);
      wait_reply (task);
    }
  g_object_unref (task);
}

static void
respond_off_main_loop (GTask  *task,
                       GBytes *challenge)
{
  /* The job's source object is the exchange's task, kept alive by it. */
  g_autoptr(GTask) job = g_task_new (g_object_ref (task), g_task_get_cancellable (task),
                                     on_responded, NULL);

  g_task_set_task_data (job, g_bytes_ref (challenge), (GDestroyNotify) g_bytes_unref);
  g_task_run_in_thread (job, respond_in_thread);
}

static void
handle_reply (GTask      *task,
              XmppStanza *reply)
{
  Exchange *ex = g_task_get_task_data (task);
  XmppNode *top = xmpp_stanza_get_top (reply);
  const char *ns = profile_ns (ex);
  g_autoptr(GBytes) in = NULL;
  GError *error = NULL;

  if (xmpp_node_is (top, "failure", ns))
    return g_task_return_error (task, ex->with_token ? token_failure_error (ex, top)
                                                     : failure_error (top));
  if (ex->authentication != NULL && xmpp_node_is (top, "continue", XMPP_NS_SASL2))
    return g_task_return_new_error (task, XMPP_AUTH_ERROR, XMPP_AUTH_ERROR_FAILED,
                                    _("The server asks for another step after the password, "
                                      "such as a second factor or a new password, which "
                                      "Lorikeet cannot do yet."));
  if (!xmpp_node_is (top, "challenge", ns) && !xmpp_node_is (top, "success", ns))
    return g_task_return_new_error (task, XMPP_AUTH_ERROR, XMPP_AUTH_ERROR_MALFORMED,
                                    _("The server sent “%s” in the middle of authentication."),
                                    top->name);
  if (strcmp (top->name, "success") == 0)
    {
      gboolean ok;

      if (ex->authentication != NULL)
        ok = sasl2_success (ex, reply, &error);
      else
        ok = (in = get_payload (top, &error)) != NULL &&
             xmpp_sasl_finish (ex->sasl, in, &error);
      if (!ok)
        return g_task_return_error (task, error);
      ex->result->downgrade = xmpp_sasl_get_downgrade (ex->sasl);
      return g_task_return_pointer (task, g_steal_pointer (&ex->result),
                                    (GDestroyNotify) xmpp_auth_result_free);
    }
  in = get_payload (top, &error);
  if (in == NULL)
    return g_task_return_error (task, error);
  respond_off_main_loop (task, in);
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

/* Reads the features: the profile, its mechanisms, and what it offers
 * inline. */
static void
read_features (Exchange   *ex,
               XmppStanza *features)
{
  XmppNode *top = xmpp_stanza_get_top (features);

  g_clear_pointer (&ex->features, xmpp_stanza_unref);
  g_clear_pointer (&ex->mechanisms, g_strfreev);
  g_clear_pointer (&ex->offered_cb, g_strfreev);
  g_clear_pointer (&ex->fast_offered, g_strfreev);
  ex->features = xmpp_stanza_ref (features);
  ex->offered_cb = collect (xmpp_node_get_child (top, "sasl-channel-binding", XMPP_NS_SASL_CB),
                            "channel-binding", "type");
  ex->authentication = xmpp_node_get_child (top, "authentication", XMPP_NS_SASL2);
  if (ex->authentication != NULL)
    {
      XmppNode *offer = xmpp_node_get_child (ex->authentication, "inline", XMPP_NS_SASL2);

      /* XEP-0474 hashes the list of the profile in use: this one. */
      ex->mechanisms = collect (ex->authentication, "mechanism", NULL);
      ex->fast_offered = collect (offer ? xmpp_node_get_child (offer, "fast", XMPP_NS_FAST) : NULL,
                                  "mechanism", NULL);
    }
  else
    ex->mechanisms = collect (xmpp_node_get_child (top, "mechanisms", XMPP_NS_SASL),
                              "mechanism", NULL);
}

static gboolean
start (Exchange  *ex,
       GError   **error)
{
  g_auto(XmppSaslChoice) token_choice = { 0 };

  if (token_usable (ex, &token_choice))
    return begin (ex, &token_choice, TRUE, error);
  if (ex->password == NULL && ex->fast_token != NULL)
    {
      g_propagate_error (error, token_refused_error (ex));
      return FALSE;
    }
  return begin_with_password (ex, error);
}

static Exchange *
exchange_new (XmppConnection       *connection,
              GTlsConnection       *tls,
              XmppJid              *jid,
              const XmppAuthParams *params)
{
  Exchange *ex = g_new0 (Exchange, 1);

  ex->connection = g_object_ref (connection);
  ex->tls = tls ? g_object_ref (tls) : NULL;
  ex->jid = xmpp_jid_ref (jid);
  read_tls_info (tls, &ex->info);
  ex->password = g_strdup (params->password);
  ex->user_agent_id = g_strdup (params->user_agent_id);
  ex->fast_mechanism = g_strdup (params->fast_mechanism);
  ex->fast_token = g_strdup (params->fast_token);
  ex->request_fast_token = params->request_fast_token;
  if (params->sm_request != NULL)
    {
      ex->sm_request = xmpp_stanza_ref (params->sm_request->stanza);
      ex->sm_request_node = params->sm_request;
    }
  return ex;
}

static GTask *
exchange_task (Exchange            *ex,
               GCancellable        *cancellable,
               GAsyncReadyCallback  callback,
               gpointer             user_data,
               gpointer             source_tag)
{
  GTask *task = g_task_new (NULL, cancellable, callback, user_data);

  g_task_set_source_tag (task, source_tag);
  g_task_set_task_data (task, ex, (GDestroyNotify) exchange_free);
  return task;
}

void
xmpp_auth_async (XmppConnection       *connection,
                 XmppStanza           *features,
                 GTlsConnection       *tls,
                 XmppJid              *jid,
                 const XmppAuthParams *params,
                 GCancellable         *cancellable,
                 GAsyncReadyCallback   callback,
                 gpointer              user_data)
{
  Exchange *ex = exchange_new (connection, tls, jid, params);
  g_autoptr(GTask) task = exchange_task (ex, cancellable, callback, user_data, xmpp_auth_async);
  GError *error = NULL;

  if (xmpp_jid_get_local (jid) == NULL)
    {
      g_task_return_new_error (task, XMPP_AUTH_ERROR, XMPP_AUTH_ERROR_FAILED,
                               _("An account address needs a user name before the “@”."));
      return;
    }
  read_features (ex, features);
  if (!start (ex, &error))
    {
      g_task_return_error (task, error);
      return;
    }
  wait_reply (task);
}

/* What a server that issued a token offered then, and so is taken to
 * offer now: SASL2 with FAST for the token's mechanism, and Bind2 with
 * the session features this engine asks for. A server ignores requests
 * for what it does not offer after all. */
static XmppStanza *
assumed_features (const char *fast_mechanism)
{
  XmppStanza *features = xmpp_stanza_new ("features", XMPP_NS_STREAM);
  XmppNode *authentication = xmpp_node_add_child (xmpp_stanza_get_top (features),
                                                  "authentication", XMPP_NS_SASL2);
  XmppNode *offer = xmpp_node_add_child (authentication, "inline", NULL);
  XmppNode *bind2 = xmpp_node_add_child (offer, "bind", XMPP_NS_BIND2);
  XmppNode *bind2_inline = xmpp_node_add_child (bind2, "inline", NULL);

  xmpp_node_set_attr (xmpp_node_add_child (bind2_inline, "feature", NULL), "var", XMPP_NS_CARBONS);
  xmpp_node_set_attr (xmpp_node_add_child (bind2_inline, "feature", NULL), "var", XMPP_NS_CSI);
  xmpp_node_set_attr (xmpp_node_add_child (bind2_inline, "feature", NULL), "var", XMPP_NS_SM);
  xmpp_node_add_child (offer, "sm", XMPP_NS_SM);
  xmpp_node_add_child_text (xmpp_node_add_child (offer, "fast", XMPP_NS_FAST),
                            "mechanism", NULL, fast_mechanism);
  return features;
}

XmppAuthEarly *
xmpp_auth_send_early (XmppConnection       *connection,
                      GTlsConnection       *tls,
                      XmppJid              *jid,
                      const XmppAuthParams *params)
{
  g_autoptr(XmppAuthEarly) ex = NULL;
  g_autoptr(XmppStanza) features = NULL;
  g_auto(XmppSaslChoice) choice = { 0 };

  if (params->fast_token == NULL || params->fast_mechanism == NULL || tls == NULL ||
      xmpp_jid_get_local (jid) == NULL)
    return NULL;
  ex = exchange_new (connection, tls, jid, params);
  features = assumed_features (params->fast_mechanism);
  read_features (ex, features);
  /* Whatever stops the token here will stop it again, and be reported,
   * when the features are in. */
  if (!token_usable (ex, &choice) || !begin (ex, &choice, TRUE, NULL))
    return NULL;
  return g_steal_pointer (&ex);
}

void
xmpp_auth_early_free (XmppAuthEarly *early)
{
  if (early != NULL)
    exchange_free (early);
}

void
xmpp_auth_early_async (XmppAuthEarly       *early,
                       XmppStanza          *features,
                       GCancellable        *cancellable,
                       GAsyncReadyCallback  callback,
                       gpointer             user_data)
{
  g_autoptr(GTask) task = exchange_task (early, cancellable, callback, user_data,
                                         xmpp_auth_early_async);
  g_auto(XmppSaslChoice) choice = { 0 };

  read_features (early, features);
  /* The guess was wrong: the server will refuse what was sent, or not
   * understand it. The stream is lost either way. */
  if (!token_usable (early, &choice))
    {
      g_task_return_error (task, token_refused_error (early));
      return;
    }
  wait_reply (task);
}

XmppAuthResult *
xmpp_auth_finish (GAsyncResult  *result,
                  GError       **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}

gboolean
xmpp_auth_token_refused (GAsyncResult *result)
{
  Exchange *ex = g_task_get_task_data (G_TASK (result));

  return ex != NULL && ex->token_refused;
}
