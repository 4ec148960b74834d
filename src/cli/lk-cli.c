/* lk-cli.c: lorikeet-cli, the engine's headless front-end.
 *
 * For scripting and diagnosis: sign in and show what was negotiated
 * (probe). Errors are one sentence on stderr and an exit code per class.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "lorikeet-cli"

#include <glib/gi18n.h>
#include <locale.h>
#include <stdio.h>
#include <string.h>

#include "lk-secrets.h"
#include "xmpp-auth.h"
#include "xmpp-client.h"
#include "xmpp-connector.h"
#include "xmpp-error.h"
#include "xmpp-ns.h"
#include "xmpp-register.h"
#include "xmpp-session.h"
#include "xmpp-writer.h"

/* Exit codes, one per class of failure, so scripts can tell them apart. */
enum {
  EXIT_OK = 0,
  EXIT_FAILURE_OTHER = 1,
  EXIT_USAGE = 2,
  EXIT_NETWORK = 3,
  EXIT_TLS = 4,
  EXIT_AUTH = 5,
  EXIT_PROTOCOL = 6,
};

typedef struct {
  /* options */
  char         *jid_text;
  char         *password_file;
  char         *host;
  int           port;
  gboolean      direct_tls;
  char         *ca_file;
  char         *trust_fingerprint;
  char         *data_dir;

  /* run */
  XmppJid      *jid;
  XmppConnector *connector;
  XmppConnection *connection;
  GMainLoop    *loop;
  int           status;
  char         *disco_id;
  GAsyncReadyCallback callback;  /* probe, register: after connecting */
  GCallback     on_session;   /* send, listen: on each new session */

  /* FAST (XEP-0484) with --data-dir: the token kept in the Secret Service */
  gboolean      keep_token;   /* a data dir, and a keyring answers */
  char         *fast_mechanism; /* the token the connector has, if any */
  char         *fast_token;
  guint         keyring_pending; /* stores and clears not yet done */
  gboolean      quit_pending; /* finished: quit once they are */

  /* send and listen */
  int           count;
  int           timeout;
  char        **args;         /* after the command */
  XmppClient   *client;
  gboolean      started;
  gboolean      sent_all;
  GPtrArray    *lines;
  GHashTable   *seen;         /* listen: "sender origin-id" shown already */
  GQueue        seen_order;
  guint         pending;      /* sends not yet acknowledged */
  guint         received;
  guint         timeout_id;
} Cli;

static void
cli_clear (Cli *cli)
{
  g_free (cli->jid_text);
  g_free (cli->password_file);
  g_free (cli->host);
  g_free (cli->ca_file);
  g_free (cli->trust_fingerprint);
  g_free (cli->data_dir);
  g_clear_pointer (&cli->jid, xmpp_jid_unref);
  g_clear_object (&cli->connector);
  g_clear_object (&cli->connection);
  g_clear_pointer (&cli->loop, g_main_loop_unref);
  g_free (cli->disco_id);
  g_free (cli->fast_mechanism);
  lk_secrets_free (cli->fast_token);
  g_clear_handle_id (&cli->timeout_id, g_source_remove);
  g_clear_object (&cli->client);
  g_clear_pointer (&cli->lines, g_ptr_array_unref);
  g_queue_clear (&cli->seen_order);
  g_clear_pointer (&cli->seen, g_hash_table_unref);
}

static int
exit_code_for (const GError *error)
{
  if (error->domain == XMPP_TLS_ERROR)
    return EXIT_TLS;
  if (error->domain == XMPP_AUTH_ERROR)
    return EXIT_AUTH;
  if (error->domain == XMPP_CONNECTION_ERROR)
    return error->code == XMPP_CONNECTION_ERROR_PROTOCOL ? EXIT_PROTOCOL : EXIT_NETWORK;
  if (error->domain == XMPP_STREAM_ERROR)
    return EXIT_PROTOCOL;
  if (error->domain == G_IO_ERROR || error->domain == G_RESOLVER_ERROR)
    return EXIT_NETWORK;
  return EXIT_FAILURE_OTHER;
}

static void
finish (Cli          *cli,
        const GError *error)
{
  if (error != NULL)
    {
      g_printerr ("lorikeet-cli: %s\n", error->message);
      cli->status = exit_code_for (error);
    }
  /* A token being stored or cleared is waited for. */
  if (cli->keyring_pending > 0)
    cli->quit_pending = TRUE;
  else
    g_main_loop_quit (cli->loop);
}

/* Pins, kept in the data dir: one file per account, a fingerprint a line. */

static char *
pins_path (Cli *cli)
{
  const char *bare = xmpp_jid_bare_string (cli->jid);

  return g_build_filename (cli->data_dir, "pins", bare, NULL);
}

static GStrv
load_pins (Cli *cli)
{
  GStrvBuilder *builder = g_strv_builder_new ();
  GStrv pins;

  if (cli->data_dir != NULL)
    {
      g_autofree char *path = pins_path (cli);
      g_autofree char *contents = NULL;

      if (g_file_get_contents (path, &contents, NULL, NULL))
        {
          g_auto(GStrv) lines = g_strsplit (contents, "\n", -1);
          for (guint i = 0; lines[i] != NULL; i++)
            {
              g_autofree char *pin = xmpp_certificate_normalize_fingerprint (lines[i]);
              if (pin != NULL)
                g_strv_builder_add (builder, pin);
            }
        }
    }
  if (cli->trust_fingerprint != NULL)
    {
      g_autofree char *pin = xmpp_certificate_normalize_fingerprint (cli->trust_fingerprint);
      g_strv_builder_add (builder, pin);
    }
  pins = g_strv_builder_end (builder);
  g_strv_builder_unref (builder);
  return pins;
}

/* A fingerprint given on the command line and used is remembered, so the
 * next run needs no flag, as a dialog's "accept" would be. */
static void
save_pin (Cli        *cli,
          const char *pin)
{
  g_autofree char *path = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *contents = NULL;
  g_autoptr(GError) error = NULL;

  if (cli->data_dir == NULL)
    return;
  path = pins_path (cli);
  dir = g_path_get_dirname (path);
  g_file_get_contents (path, &contents, NULL, NULL);
  if (contents != NULL && strstr (contents, pin) != NULL)
    return;
  g_mkdir_with_parents (dir, 0700);
  {
    g_autofree char *updated = g_strconcat (contents ? contents : "", pin, "\n", NULL);
    if (!g_file_set_contents_full (path, updated, -1, G_FILE_SET_CONTENTS_CONSISTENT, 0600, &error))
      g_printerr ("lorikeet-cli: %s\n", error->message);
  }
}

/* FAST (XEP-0484) with --data-dir. The token is tied to a user-agent id
 * that the server sees on every sign-in: one UUID per account, made once
 * and kept in DATA_DIR/user-agents/BARE-JID (not a secret). The token
 * itself is kept only in the Secret Service, as "MECHANISM\nTOKEN\nEXPIRY"
 * (EXPIRY ISO 8601, or empty); with no keyring it is not kept at all. */

static char *
load_user_agent (Cli *cli)
{
  g_autofree char *path = g_build_filename (cli->data_dir, "user-agents",
                                            xmpp_jid_bare_string (cli->jid), NULL);
  g_autofree char *dir = g_path_get_dirname (path);
  g_autofree char *contents = NULL;
  g_autofree char *text = NULL;
  g_autoptr(GError) error = NULL;
  char *uuid;

  if (g_file_get_contents (path, &contents, NULL, NULL) &&
      g_uuid_string_is_valid (g_strstrip (contents)))
    return g_steal_pointer (&contents);
  uuid = g_uuid_string_random ();
  text = g_strconcat (uuid, "\n", NULL);
  g_mkdir_with_parents (dir, 0700);
  if (!g_file_set_contents_full (path, text, -1, G_FILE_SET_CONTENTS_CONSISTENT, 0600, &error))
    g_printerr ("lorikeet-cli: %s\n", error->message);
  return uuid;
}

/* The keyring could not be used: said once, and the token is not kept. */
static void
keyring_failed (Cli          *cli,
                const GError *error)
{
  if (!cli->keep_token)
    return;
  cli->keep_token = FALSE;
  if (g_error_matches (error, LK_STORE_ERROR, LK_STORE_ERROR_NO_SECRET_SERVICE))
    g_printerr ("lorikeet-cli: %s\n", _("no keyring on the session bus; the sign-in token is not kept"));
  else
    g_printerr ("lorikeet-cli: %s\n", error->message);
}

static void
keyring_done (Cli          *cli,
              const GError *error)
{
  if (error != NULL)
    keyring_failed (cli, error);
  if (--cli->keyring_pending == 0 && cli->quit_pending)
    g_main_loop_quit (cli->loop);
}

static void
on_token_stored (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(GError) error = NULL;

  lk_secrets_store_finish (result, &error);
  keyring_done (user_data, error);
}

static void
on_token_cleared (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(GError) error = NULL;

  lk_secrets_clear_finish (result, &error);
  keyring_done (user_data, error);
}

static void
set_fast_token (Cli        *cli,
                const char *mechanism,
                const char *token)
{
  g_free (cli->fast_mechanism);
  cli->fast_mechanism = g_strdup (mechanism);
  lk_secrets_free (cli->fast_token);
  cli->fast_token = g_strdup (token);
  xmpp_connector_set_fast_token (cli->connector, mechanism, token);
}

/* After each sign-in: a new token (asked for, or the used one rotated)
 * replaces the kept one; a token the server did not take is forgotten. */
static void
keep_fast_token (Cli *cli)
{
  const char *bare = xmpp_jid_bare_string (cli->jid);
  const char *mechanism = NULL;
  GDateTime *expiry = NULL;
  const char *token;

  if (!cli->keep_token)
    return;
  token = xmpp_connector_get_fast_token (cli->connector, &mechanism, &expiry);
  if (token != NULL && mechanism != NULL && strchr (token, '\n') == NULL &&
      strchr (mechanism, '\n') == NULL)
    {
      g_autofree char *until = expiry ? g_date_time_format_iso8601 (expiry) : NULL;
      g_autofree char *label = NULL;
      char *secret;

      if (g_strcmp0 (token, cli->fast_token) == 0)
        return;
      set_fast_token (cli, mechanism, token);
      secret = g_strdup_printf ("%s\n%s\n%s", mechanism, token, until ? until : "");
      label = g_strdup_printf (_("Lorikeet sign-in token for %s"), bare);
      cli->keyring_pending++;
      lk_secrets_store_async (bare, LK_SECRET_FAST_TOKEN, label, secret, NULL, on_token_stored, cli);
      lk_secrets_free (secret);
    }
  else if (cli->fast_token != NULL && !xmpp_connector_get_used_fast (cli->connector))
    {
      /* Refused, or FAST no longer offered: the password was used. */
      set_fast_token (cli, NULL, NULL);
      cli->keyring_pending++;
      lk_secrets_clear_async (bare, LK_SECRET_FAST_TOKEN, NULL, on_token_cleared, cli);
    }
}

/* The kept token, given to the connector unless it has expired. */
static void
take_kept_token (Cli        *cli,
                 const char *secret)
{
  g_auto(GStrv) parts = g_strsplit (secret, "\n", 3);
  g_autoptr(GDateTime) expiry = NULL;
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();

  if (g_strv_length (parts) != 3 || *parts[0] == '\0' || *parts[1] == '\0')
    goto out;
  if (*parts[2] != '\0')
    {
      expiry = g_date_time_new_from_iso8601 (parts[2], NULL);
      if (expiry != NULL && g_date_time_compare (expiry, now) <= 0)
        goto out;
    }
  set_fast_token (cli, parts[0], parts[1]);
out:
  for (guint i = 0; parts[i] != NULL; i++)
    memset (parts[i], 0, strlen (parts[i]));
}

static void begin (Cli *cli);

static void
on_token_looked_up (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  Cli *cli = user_data;
  g_autoptr(GError) error = NULL;
  char *secret = lk_secrets_lookup_finish (result, &error);

  if (error != NULL)
    keyring_failed (cli, error);
  else if (secret != NULL)
    take_kept_token (cli, secret);
  lk_secrets_free (secret);
  begin (cli);
}

/* probe */

static void
print_features (const char *title,
                XmppStanza *features)
{
  if (features == NULL)
    return;
  g_print ("%s:\n", title);
  xmpp_node_foreach_child (xmpp_stanza_get_top (features), child)
    {
      g_print ("  %s (%s)", child->name, child->ns);
      if (strcmp (child->name, "mechanisms") == 0 || strcmp (child->name, "authentication") == 0)
        xmpp_node_foreach_child (child, mech)
          if (strcmp (mech->name, "mechanism") == 0)
            g_print (" %s", xmpp_node_get_text (mech));
      if (strcmp (child->name, "sasl-channel-binding") == 0)
        xmpp_node_foreach_child (child, cb)
          g_print (" %s", xmpp_node_get_attr (cb, "type"));
      g_print ("\n");
    }
}

static void
print_disco (XmppStanza *reply)
{
  XmppNode *query = xmpp_node_get_child (xmpp_stanza_get_top (reply), "query", XMPP_NS_DISCO_INFO);

  if (query == NULL)
    {
      g_print ("disco#info: (no answer)\n");
      return;
    }
  g_print ("disco#info:\n");
  xmpp_node_foreach_child (query, child)
    {
      if (strcmp (child->name, "identity") == 0)
        g_print ("  identity %s/%s %s\n", xmpp_node_get_attr (child, "category"),
                 xmpp_node_get_attr (child, "type"),
                 xmpp_node_get_attr (child, "name") ? xmpp_node_get_attr (child, "name") : "");
      else if (strcmp (child->name, "feature") == 0)
        g_print ("  feature %s\n", xmpp_node_get_attr (child, "var"));
    }
}

static void
on_closed (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  Cli *cli = user_data;

  xmpp_connection_close_finish (XMPP_CONNECTION (source), result, NULL);
  finish (cli, NULL);
}

static void
on_disco_reply (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  Cli *cli = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(XmppStanza) reply = xmpp_connection_recv_finish (cli->connection, result, &error);

  if (reply == NULL)
    return finish (cli, error);
  if (g_strcmp0 (xmpp_stanza_get_id (reply), cli->disco_id) != 0)
    {
      xmpp_connection_recv_async (cli->connection, NULL, on_disco_reply, cli);
      return;
    }
  print_disco (reply);
  xmpp_connection_close_async (cli->connection, NULL, on_closed, cli);
}

static void
probe_disco (Cli *cli)
{
  g_autoptr(XmppStanza) iq = xmpp_stanza_new ("iq", XMPP_NS_CLIENT);
  XmppNode *top = xmpp_stanza_get_top (iq);

  cli->disco_id = g_uuid_string_random ();
  xmpp_node_set_attr (top, "type", "get");
  xmpp_node_set_attr (top, "id", cli->disco_id);
  xmpp_node_set_attr (top, "to", xmpp_jid_get_domain (cli->jid));
  xmpp_node_add_child (top, "query", XMPP_NS_DISCO_INFO);
  xmpp_connection_send_stanza_async (cli->connection, iq, NULL, NULL, NULL);
  xmpp_connection_recv_async (cli->connection, NULL, on_disco_reply, cli);
}

static void
print_certificate (FILE                      *out,
                   const XmppCertificateInfo *info)
{
  g_autofree char *text = xmpp_certificate_info_describe (info);
  g_auto(GStrv) lines = g_strsplit (text, "\n", -1);

  for (guint i = 0; lines[i] != NULL && lines[i][0] != '\0'; i++)
    fprintf (out, "  %s\n", lines[i]);
}

static void
on_probe_connected (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  Cli *cli = user_data;
  XmppConnector *c = cli->connector;
  g_autoptr(GError) error = NULL;
  const XmppCertificateInfo *cert;

  cli->connection = xmpp_connector_connect_finish (c, result, &error);
  cert = xmpp_connector_get_peer_certificate (c);
  if (cli->connection == NULL)
    {
      if (cert != NULL && g_error_matches (error, XMPP_TLS_ERROR, XMPP_TLS_ERROR_UNTRUSTED))
        {
          g_printerr ("The certificate the server presented:\n");
          print_certificate (stderr, cert);
          g_printerr ("To trust it for this account, check the fingerprint with the server's "
                      "administrator and run again with --trust-fingerprint.\n");
        }
      return finish (cli, error);
    }
  if (cert != NULL && cert->errors != 0)
    save_pin (cli, cert->sha256);
  keep_fast_token (cli);

  g_print ("endpoint: %s\n", xmpp_connector_get_endpoint (c));
  g_print ("tls: %s, %s\n", xmpp_tls_protocol_name (xmpp_connector_get_tls_version (c)),
           xmpp_connector_get_tls_cipher (c));
  if (cert != NULL)
    {
      g_print ("certificate:%s\n", cert->errors ? " (accepted by pin)" : " (verified)");
      print_certificate (stdout, cert);
    }
  g_print ("sasl: %s\n", xmpp_connector_get_mechanism (c));
  g_print ("channel-binding: %s\n", xmpp_connector_get_channel_binding (c) ?
           xmpp_connector_get_channel_binding (c) : "none");
  g_print ("sasl-reason: %s\n", xmpp_connector_get_auth_reason (c));
  g_print ("bound: %s\n", xmpp_jid_to_string (xmpp_connector_get_bound_jid (c)));
  g_print ("sasl2: %s\n", xmpp_connector_get_used_sasl2 (c) ? "yes" : "no");
  g_print ("downgrade-protection: %s\n",
           xmpp_connector_get_downgrade_protection (c) == XMPP_SASL_DOWNGRADE_VERIFIED
           ? "verified (XEP-0474)"
           : xmpp_connector_get_downgrade_protection (c) == XMPP_SASL_DOWNGRADE_NOT_OFFERED
           ? "not offered by the server" : "not applicable");
  {
    const char *fast_mechanism = NULL;
    GDateTime *expiry = NULL;
    g_autofree char *until = NULL;

    if (xmpp_connector_get_used_fast (c))
      g_print ("fast: signed in with the stored token\n");
    if (xmpp_connector_get_fast_token (c, &fast_mechanism, &expiry) == NULL)
      {
        if (!xmpp_connector_get_used_fast (c))
          g_print ("fast: no token\n");
      }
    else
      g_print ("fast: token received (%s, expires %s)\n", fast_mechanism,
               expiry ? (until = g_date_time_format_iso8601 (expiry)) : "?");
  }
  print_features ("features-before-auth", xmpp_connector_get_features (c, FALSE));
  print_features ("features-after-auth", xmpp_connector_get_features (c, TRUE));
  probe_disco (cli);
}

/* send and listen: an XmppClient keeps the account connected, resuming
 * the session after a cut, so a send survives connection trouble. */

static void
on_client_stopped (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  Cli *cli = user_data;

  xmpp_client_stop_finish (cli->client, result, NULL);
  finish (cli, NULL);
}

static void
stop_client (Cli *cli)
{
  xmpp_client_stop_async (cli->client, NULL, on_client_stopped, cli);
}

static void
on_client_state (XmppClient *client,
                 GParamSpec *pspec,
                 Cli        *cli)
{
  if (xmpp_client_get_state (client) == XMPP_CLIENT_CONNECTED)
    keep_fast_token (cli);
  if (xmpp_client_get_state (client) == XMPP_CLIENT_FAILED && cli->status == EXIT_OK)
    finish (cli, xmpp_client_get_error (client));
}

/* Without stream management, the answer to a ping sent after the messages
 * shows the server has processed them: it handles a stream in order. */
static void
on_final_ping (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  Cli *cli = user_data;
  g_autoptr(GError) error = NULL;

  if (!xmpp_session_ping_finish (XMPP_SESSION (source), result, &error))
    return finish (cli, error);
  stop_client (cli);
}

static void
on_message_sent (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  Cli *cli = user_data;
  g_autoptr(GError) error = NULL;
  XmppSession *session;

  /* The task belongs to the session it was sent on; after a failed
   * resumption it completes on the next one. */
  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      if (cli->status == EXIT_OK)
        finish (cli, error);
      return;
    }
  if (--cli->pending > 0)
    return;
  session = xmpp_client_get_session (cli->client);
  if (xmpp_session_get_sm_enabled (session))
    stop_client (cli);
  else
    xmpp_session_ping_async (session, 30, NULL, on_final_ping, cli);
}

static void
send_chat (Cli         *cli,
           XmppSession *session,
           XmppJid     *to,
           const char  *text)
{
  g_autoptr(XmppStanza) message = xmpp_stanza_new ("message", XMPP_NS_CLIENT);
  XmppNode *top = xmpp_stanza_get_top (message);
  g_autofree char *id = g_uuid_string_random ();
  XmppNode *origin;

  xmpp_node_set_attr (top, "to", xmpp_jid_to_string (to));
  xmpp_node_set_attr (top, "type", "chat");
  xmpp_node_set_attr (top, "id", id);
  xmpp_node_add_child_text (top, "body", NULL, text);
  origin = xmpp_node_add_child (top, "origin-id", XMPP_NS_SID);
  xmpp_node_set_attr (origin, "id", id);
  cli->pending++;
  xmpp_session_send_async (session, message, NULL, on_message_sent, cli);
}

/* The messages go out once the server has answered a ping on the new
 * session: by then it has also answered <enable/> (it handles a stream in
 * order), so every message is covered by stream management and a cut can
 * be resumed without guessing what arrived. */
static void
on_ready_ping (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  Cli *cli = user_data;
  XmppSession *session = XMPP_SESSION (source);
  g_autoptr(GError) error = NULL;
  g_autoptr(XmppJid) to = NULL;

  if (!xmpp_session_ping_finish (session, result, &error) || cli->sent_all)
    return;   /* the session broke: the next one tries again */
  cli->sent_all = TRUE;
  to = xmpp_jid_new (cli->args[0], NULL);
  for (guint i = 0; i < cli->lines->len; i++)
    send_chat (cli, session, to, g_ptr_array_index (cli->lines, i));
  if (cli->pending == 0)
    stop_client (cli);
}

static void
on_send_session (XmppClient  *client,
                 XmppSession *session,
                 Cli         *cli)
{
  if (!cli->sent_all)
    xmpp_session_ping_async (session, 30, NULL, on_ready_ping, cli);
}

/* The text to send, read before connecting: one message, or one per
 * line of standard input. */
static gboolean
read_messages (Cli     *cli,
               GError **error)
{
  g_autoptr(XmppJid) to = xmpp_jid_new (cli->args[0], error);

  if (to == NULL)
    return FALSE;
  cli->lines = g_ptr_array_new_with_free_func (g_free);
  if (cli->args[1] != NULL)
    g_ptr_array_add (cli->lines, g_strdup (cli->args[1]));
  else
    {
      g_autoptr(GIOChannel) in = g_io_channel_unix_new (0);
      char *line = NULL;
      gsize len, end;

      while (g_io_channel_read_line (in, &line, &len, &end, NULL) == G_IO_STATUS_NORMAL)
        {
          line[end] = '\0';
          if (*line != '\0')
            g_ptr_array_add (cli->lines, g_steal_pointer (&line));
          g_free (line);
        }
    }
  return TRUE;
}

/* FROM<TAB>BODY, with backslash, tab and newline escaped so each message
 * is exactly one line. */
static void
print_message (XmppStanza *stanza)
{
  const char *body = xmpp_node_get_child_text (xmpp_stanza_get_top (stanza), "body", NULL);
  const char *from = xmpp_stanza_get_from (stanza);
  GString *out = g_string_new (from ? from : "");

  g_string_append_c (out, '\t');
  for (const char *p = body; *p; p++)
    {
      if (*p == '\\')
        g_string_append (out, "\\\\");
      else if (*p == '\t')
        g_string_append (out, "\\t");
      else if (*p == '\n')
        g_string_append (out, "\\n");
      else
        g_string_append_c (out, *p);
    }
  g_string_append_c (out, '\n');
  fputs (out->str, stdout);
  fflush (stdout);
  g_string_free (out, TRUE);
}

/* XEP-0359: a message that comes twice (a server resending after a
 * resumption it miscounted, or a sender resending after a failed one)
 * carries the same origin-id; it is shown once. The most recent ids are
 * remembered, per sender. */
#define SEEN_MAX 10000

static gboolean
seen_before (Cli        *cli,
             XmppStanza *stanza)
{
  XmppNode *origin = xmpp_node_get_child (xmpp_stanza_get_top (stanza), "origin-id", XMPP_NS_SID);
  const char *id = origin ? xmpp_node_get_attr (origin, "id") : NULL;
  g_autoptr(XmppJid) from = NULL;
  char *key;

  if (id == NULL || xmpp_stanza_get_from (stanza) == NULL)
    return FALSE;
  from = xmpp_jid_new (xmpp_stanza_get_from (stanza), NULL);
  if (from == NULL)
    return FALSE;
  key = g_strconcat (xmpp_jid_bare_string (from), " ", id, NULL);
  if (g_hash_table_contains (cli->seen, key))
    {
      g_free (key);
      return TRUE;
    }
  g_hash_table_add (cli->seen, key);
  g_queue_push_tail (&cli->seen_order, key);
  if (g_queue_get_length (&cli->seen_order) > SEEN_MAX)
    g_hash_table_remove (cli->seen, g_queue_pop_head (&cli->seen_order));
  return FALSE;
}

static gboolean
on_chat_message (XmppSession *session,
                 XmppStanza  *stanza,
                 gpointer     user_data)
{
  Cli *cli = user_data;

  if (xmpp_node_get_child (xmpp_stanza_get_top (stanza), "body", NULL) == NULL)
    return FALSE;
  if (seen_before (cli, stanza))
    return TRUE;
  /* After the count, while the stream closes, more may arrive: they are
   * left for the next session rather than printed. */
  if (cli->count > 0 && cli->received >= (guint) cli->count)
    return TRUE;
  print_message (stanza);
  if (cli->count > 0 && ++cli->received >= (guint) cli->count)
    stop_client (cli);
  return TRUE;
}

static gboolean
on_listen_timeout (gpointer user_data)
{
  Cli *cli = user_data;

  cli->timeout_id = 0;
  if (cli->count > 0)
    {
      g_printerr ("lorikeet-cli: %s\n", _("Not all the messages asked for arrived in time."));
      cli->status = EXIT_NETWORK;
    }
  stop_client (cli);
  return G_SOURCE_REMOVE;
}

static void
on_listen_session (XmppClient  *client,
                   XmppSession *session,
                   Cli         *cli)
{
  g_autoptr(XmppStanza) presence = xmpp_stanza_new ("presence", XMPP_NS_CLIENT);

  xmpp_session_add_handler (session, "message", "chat", NULL, 0, on_chat_message, cli, NULL);
  xmpp_session_add_handler (session, "message", "normal", NULL, 0, on_chat_message, cli, NULL);
  /* Available presence: the server delivers messages (and offline ones). */
  xmpp_session_send_async (session, presence, NULL, NULL, NULL);
  if (cli->timeout > 0 && cli->timeout_id == 0 && !cli->started)
    cli->timeout_id = g_timeout_add_seconds (cli->timeout, on_listen_timeout, cli);
  cli->started = TRUE;
}

static void
start_client (Cli       *cli,
              GCallback  on_session)
{
  cli->client = xmpp_client_new (cli->connector);
  /* A script waits for us: retry soon, and not for long. */
  xmpp_client_set_backoff (cli->client, 200, 5000);
  g_signal_connect (cli->client, "session-started", on_session, cli);
  g_signal_connect (cli->client, "notify::state", G_CALLBACK (on_client_state), cli);
  xmpp_client_start (cli->client);
}

/* Signs in: at once, or as an XmppClient that stays connected. */
static void
begin (Cli *cli)
{
  if (cli->on_session != NULL)
    start_client (cli, cli->on_session);
  else
    xmpp_connector_connect_async (cli->connector, NULL, cli->callback, cli);
}

/* Setup shared by the commands that sign in. */

static char *
read_password (Cli     *cli,
               GError **error)
{
  const char *env = g_getenv ("LORIKEET_PASSWORD");
  char *contents = NULL;

  if (cli->password_file != NULL)
    {
      if (!g_file_get_contents (cli->password_file, &contents, NULL, error))
        return NULL;
      g_strchomp (contents);
      return contents;
    }
  if (env != NULL)
    return g_strdup (env);
  g_set_error_literal (error, G_OPTION_ERROR, G_OPTION_ERROR_FAILED,
                       _("No password: give --password-file or set LORIKEET_PASSWORD."));
  return NULL;
}

static gboolean
make_connector (Cli     *cli,
                GError **error)
{
  g_autofree char *password = NULL;
  g_auto(GStrv) pins = NULL;

  if (cli->jid_text == NULL)
    {
      g_set_error_literal (error, G_OPTION_ERROR, G_OPTION_ERROR_FAILED,
                           _("No account: give --jid."));
      return FALSE;
    }
  cli->jid = xmpp_jid_new (cli->jid_text, error);
  if (cli->jid == NULL)
    return FALSE;
  if (cli->trust_fingerprint != NULL)
    {
      g_autofree char *pin = xmpp_certificate_normalize_fingerprint (cli->trust_fingerprint);
      if (pin == NULL)
        {
          g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                       _("“%s” is not a SHA-256 fingerprint."), cli->trust_fingerprint);
          return FALSE;
        }
    }
  password = read_password (cli, error);
  if (password == NULL)
    return FALSE;
  cli->connector = xmpp_connector_new (cli->jid, password);
  memset (password, 0, strlen (password));
  if (cli->host != NULL)
    xmpp_connector_set_host (cli->connector, cli->host, cli->port, cli->direct_tls);
  else if (cli->port != 0 || cli->direct_tls)
    xmpp_connector_set_host (cli->connector, xmpp_jid_get_domain (cli->jid), cli->port,
                             cli->direct_tls);
  if (cli->ca_file != NULL)
    {
      g_autoptr(GTlsDatabase) db = g_tls_file_database_new (cli->ca_file, error);
      if (db == NULL)
        return FALSE;
      xmpp_connector_set_database (cli->connector, db);
    }
  pins = load_pins (cli);
  xmpp_connector_set_pins (cli->connector, (const char * const *) pins);
  return TRUE;
}

/* register: the account is created in-band (XEP-0077) on a stream that is
 * not signed in, then signed in with on a new connection to show it
 * exists. The server's refusal (the name taken, registration closed, a
 * field this program cannot fill in such as a CAPTCHA) is the auth class. */

static void
register_fail (Cli          *cli,
               const GError *error)
{
  g_printerr ("lorikeet-cli: %s\n", error->message);
  if (error->domain == XMPP_REGISTER_ERROR)
    cli->status = EXIT_AUTH;
  else if (error->domain == XMPP_DATA_FORM_ERROR)
    cli->status = error->code == XMPP_DATA_FORM_ERROR_MALFORMED ? EXIT_PROTOCOL : EXIT_AUTH;
  else
    cli->status = exit_code_for (error);
  g_main_loop_quit (cli->loop);
}

static void
on_register_signed_in (GObject      *source,
                       GAsyncResult *result,
                       gpointer      user_data)
{
  Cli *cli = user_data;
  g_autoptr(GError) error = NULL;

  cli->connection = xmpp_connector_connect_finish (cli->connector, result, &error);
  if (cli->connection == NULL)
    return finish (cli, error);
  g_print ("registered: %s\n", xmpp_jid_bare_string (xmpp_connector_get_bound_jid (cli->connector)));
  xmpp_connection_close_async (cli->connection, NULL, on_closed, cli);
}

static void
on_register_stream_closed (GObject      *source,
                           GAsyncResult *result,
                           gpointer      user_data)
{
  Cli *cli = user_data;

  xmpp_connection_close_finish (cli->connection, result, NULL);
  g_clear_object (&cli->connection);
  /* The same settings, signing in this time. */
  xmpp_connector_set_skip_auth (cli->connector, FALSE);
  xmpp_connector_connect_async (cli->connector, NULL, on_register_signed_in, cli);
}

static void
on_register_submitted (GObject      *source,
                       GAsyncResult *result,
                       gpointer      user_data)
{
  Cli *cli = user_data;
  g_autoptr(GError) error = NULL;

  if (!xmpp_register_submit_finish (result, &error))
    return register_fail (cli, error);
  xmpp_connection_close_async (cli->connection, NULL, on_register_stream_closed, cli);
}

static void
on_register_form (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  Cli *cli = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(XmppDataForm) form = xmpp_register_get_form_finish (result, NULL, &error);
  g_autofree char *password = NULL;
  gboolean filled;

  if (form == NULL)
    return register_fail (cli, error);
  password = read_password (cli, &error);
  if (password == NULL)
    return register_fail (cli, error);
  filled = xmpp_register_fill (form, xmpp_jid_get_local (cli->jid), password, &error);
  memset (password, 0, strlen (password));
  if (!filled)
    return register_fail (cli, error);
  xmpp_register_submit_async (cli->connection, xmpp_jid_get_domain (cli->jid), form, NULL,
                              on_register_submitted, cli);
}

static void
on_register_connected (GObject      *source,
                       GAsyncResult *result,
                       gpointer      user_data)
{
  Cli *cli = user_data;
  g_autoptr(GError) error = NULL;
  const XmppCertificateInfo *cert;

  cli->connection = xmpp_connector_connect_finish (cli->connector, result, &error);
  cert = xmpp_connector_get_peer_certificate (cli->connector);
  if (cli->connection == NULL)
    {
      if (cert != NULL && g_error_matches (error, XMPP_TLS_ERROR, XMPP_TLS_ERROR_UNTRUSTED))
        {
          g_printerr ("The certificate the server presented:\n");
          print_certificate (stderr, cert);
          g_printerr ("To trust it, check the fingerprint with the server's administrator "
                      "and run again with --trust-fingerprint.\n");
        }
      return finish (cli, error);
    }
  if (cert != NULL && cert->errors != 0)
    save_pin (cli, cert->sha256);
  xmpp_register_get_form_async (cli->connection, xmpp_jid_get_domain (cli->jid), NULL,
                                on_register_form, cli);
}

/* register JID: the JID is the account to create; the connector stops
 * before signing in. */
static gboolean
register_prepare (Cli     *cli,
                  GError **error)
{
  if (xmpp_jid_get_local (cli->jid) == NULL)
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   _("“%s” has no user name to register."), cli->jid_text);
      return FALSE;
    }
  xmpp_connector_set_skip_auth (cli->connector, TRUE);
  return TRUE;
}

static const char usage_commands[] =
  "Commands:\n"
  "  probe            sign in, print the negotiated TLS version, SASL mechanism and\n"
  "                   channel binding, the server's stream features and disco#info\n"
  "  send JID [TEXT]  send one chat message, or one per line of standard input;\n"
  "                   exit 0 only when the server has them all\n"
  "  listen           print each incoming chat message as FROM<TAB>BODY\n"
  "                   (--count N to stop after N, --timeout S to stop after S seconds)\n"
  "  register JID     create an account in-band (XEP-0077) with the password of\n"
  "                   --password-file or LORIKEET_PASSWORD, then sign in with it;\n"
  "                   exit 5 when the server refuses it (the name is taken,\n"
  "                   registration is closed, its form asks for more, e.g. a CAPTCHA)";

int
main (int    argc,
      char **argv)
{
  Cli cli = { 0 };
  GAsyncReadyCallback callback = NULL;
  GCallback on_session = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GOptionContext) context = NULL;
  const GOptionEntry entries[] = {
    { "jid", 0, 0, G_OPTION_ARG_STRING, &cli.jid_text, N_("The account"), "JID" },
    { "password-file", 0, 0, G_OPTION_ARG_FILENAME, &cli.password_file, N_("Read the password from FILE"), "FILE" },
    { "host", 0, 0, G_OPTION_ARG_STRING, &cli.host, N_("Connect to this host instead of looking up the domain"), "H" },
    { "port", 0, 0, G_OPTION_ARG_INT, &cli.port, N_("Connect to this port"), "P" },
    { "direct-tls", 0, 0, G_OPTION_ARG_NONE, &cli.direct_tls, N_("TLS from the first byte (XEP-0368)"), NULL },
    { "ca-file", 0, 0, G_OPTION_ARG_FILENAME, &cli.ca_file, N_("Trust the certificate authorities in this PEM file"), "PEM" },
    { "trust-fingerprint", 0, 0, G_OPTION_ARG_STRING, &cli.trust_fingerprint, N_("Accept the server certificate with this SHA-256 fingerprint"), "SHA256" },
    { "data-dir", 0, 0, G_OPTION_ARG_FILENAME, &cli.data_dir, N_("Keep certificate pins and user-agent ids here (tokens go to the keyring)"), "DIR" },
    { "count", 0, 0, G_OPTION_ARG_INT, &cli.count, N_("listen: stop after N messages"), "N" },
    { "timeout", 0, 0, G_OPTION_ARG_INT, &cli.timeout, N_("listen: stop after S seconds"), "S" },
    { NULL }
  };

  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  context = g_option_context_new ("COMMAND [ARGS…]");
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  g_option_context_set_description (context, usage_commands);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("lorikeet-cli: %s\n", error->message);
      cli_clear (&cli);
      return EXIT_USAGE;
    }
  if (argc < 2 || cli.port < 0 || cli.port > 65535)
    {
      g_printerr ("lorikeet-cli: %s\n", _("Give a command; see --help."));
      cli_clear (&cli);
      return EXIT_USAGE;
    }
  if (strcmp (argv[1], "probe") == 0)
    callback = on_probe_connected;
  else if (strcmp (argv[1], "send") == 0 && argc >= 3 && argc <= 4)
    on_session = G_CALLBACK (on_send_session);
  else if (strcmp (argv[1], "listen") == 0 && argc == 2)
    on_session = G_CALLBACK (on_listen_session);
  else if (strcmp (argv[1], "register") == 0 && argc == 3)
    {
      callback = on_register_connected;
      g_free (cli.jid_text);
      cli.jid_text = g_strdup (argv[2]);
    }
  else
    {
      g_printerr ("lorikeet-cli: %s “%s”; see --help.\n", _("Unknown command or wrong arguments:"), argv[1]);
      cli_clear (&cli);
      return EXIT_USAGE;
    }
  cli.args = argv + 2;
  cli.seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  if (on_session == G_CALLBACK (on_send_session) && !read_messages (&cli, &error))
    {
      g_printerr ("lorikeet-cli: %s\n", error->message);
      cli_clear (&cli);
      return EXIT_USAGE;
    }
  if (!make_connector (&cli, &error) ||
      (callback == on_register_connected && !register_prepare (&cli, &error)))
    {
      g_printerr ("lorikeet-cli: %s\n", error->message);
      cli_clear (&cli);
      return EXIT_USAGE;
    }

  if (cli.data_dir != NULL && callback != on_register_connected)
    {
      /* FAST: this device's id for the account, and the token kept. */
      g_autofree char *agent = load_user_agent (&cli);

      xmpp_connector_set_user_agent_id (cli.connector, agent);
      xmpp_connector_request_fast_token (cli.connector, TRUE);
      cli.keep_token = TRUE;
    }
  else if (callback == on_probe_connected)
    {
      /* To show whether FAST works; the token is not kept, so neither is the id. */
      g_autofree char *agent = g_uuid_string_random ();

      xmpp_connector_set_user_agent_id (cli.connector, agent);
      xmpp_connector_request_fast_token (cli.connector, TRUE);
    }
  cli.callback = callback;
  cli.on_session = on_session;
  cli.loop = g_main_loop_new (NULL, FALSE);
  if (cli.keep_token)
    lk_secrets_lookup_async (xmpp_jid_bare_string (cli.jid), LK_SECRET_FAST_TOKEN, NULL,
                             on_token_looked_up, &cli);
  else
    begin (&cli);
  g_main_loop_run (cli.loop);
  {
    int status = cli.status;
    cli_clear (&cli);
    return status;
  }
}
