/* test-signin.c: signing in to the real server the harness started.
 *
 * Run under tests/harness/xmpp-server, which exports LK_TEST_* (domain,
 * ports, CA, password, certificate fingerprint). Every test makes a real
 * TCP connection, TLS handshake and SASL exchange.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "lk-test-server.h"
#include "xmpp-connector.h"
#include "xmpp-error.h"
#include "xmpp-ns.h"

#include <gio/gnetworking.h>
#include <string.h>

typedef struct {
  const char *server;     /* prosody, ejabberd */
  const char *domain;
  const char *sha1_domain;
  const char *host;
  guint16     port;
  guint16     tls_port;
  const char *ca_file;
  const char *password;
  const char *cert_sha256;
} Env;

static Env env;

static void
read_env (void)
{
  env.server = lk_test_env ("LK_TEST_SERVER");
  env.domain = lk_test_env ("LK_TEST_DOMAIN");
  env.sha1_domain = g_getenv ("LK_TEST_SHA1_DOMAIN");
  env.host = lk_test_env ("LK_TEST_HOST");
  env.port = lk_test_env_port ("LK_TEST_PORT");
  env.tls_port = lk_test_env_port ("LK_TEST_TLS_PORT");
  env.ca_file = lk_test_env ("LK_TEST_CA_FILE");
  env.password = lk_test_env ("LK_TEST_PASSWORD");
  env.cert_sha256 = lk_test_env ("LK_TEST_CERT_SHA256");
}

typedef struct {
  XmppConnector  *connector;
  XmppConnection *connection;
  GError         *error;
  GMainLoop      *loop;
} Attempt;

static void
attempt_clear (Attempt *a)
{
  g_clear_object (&a->connector);
  g_clear_object (&a->connection);
  g_clear_error (&a->error);
  g_clear_pointer (&a->loop, g_main_loop_unref);
}

static void
on_connected (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  Attempt *a = user_data;

  a->connection = xmpp_connector_connect_finish (XMPP_CONNECTOR (source), result, &a->error);
  g_main_loop_quit (a->loop);
}

typedef struct {
  const char *local;
  const char *domain;
  const char *resource;
  const char *password;     /* NULL: the right one */
  gboolean    no_password;  /* none at all (a token only) */
  guint16     port;         /* instead of the server's (a proxy) */
  gboolean    direct_tls;
  gboolean    trust_ca;     /* else the system store, which does not know the test CA */
  const char *pin;
  const char *user_agent_id;
  const char *fast_mechanism;
  const char *fast_token;
  gboolean    request_fast_token;
} Options;

static void
attempt_run (Attempt       *a,
             const Options *o)
{
  g_autofree char *address = g_strdup_printf ("%s@%s%s%s", o->local, o->domain ? o->domain : env.domain,
                                               o->resource ? "/" : "", o->resource ? o->resource : "");
  g_autoptr(XmppJid) jid = xmpp_jid_new (address, NULL);

  g_assert_nonnull (jid);
  a->loop = g_main_loop_new (NULL, FALSE);
  a->connector = xmpp_connector_new (jid, o->no_password ? NULL :
                                           o->password ? o->password : env.password);
  xmpp_connector_set_host (a->connector, env.host,
                           o->port ? o->port : o->direct_tls ? env.tls_port : env.port,
                           o->direct_tls);
  if (o->trust_ca)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GTlsDatabase) db = g_tls_file_database_new (env.ca_file, &error);
      g_assert_no_error (error);
      xmpp_connector_set_database (a->connector, db);
    }
  if (o->pin != NULL)
    {
      const char *pins[] = { o->pin, NULL };
      xmpp_connector_set_pins (a->connector, pins);
    }
  xmpp_connector_set_user_agent_id (a->connector, o->user_agent_id);
  xmpp_connector_set_fast_token (a->connector, o->fast_mechanism, o->fast_token);
  xmpp_connector_request_fast_token (a->connector, o->request_fast_token);
  xmpp_connector_connect_async (a->connector, NULL, on_connected, a);
  g_main_loop_run (a->loop);
}

static void
assert_signed_in (Attempt    *a,
                  const char *local,
                  const char *domain)
{
  XmppJid *bound;

  g_assert_no_error (a->error);
  g_assert_nonnull (a->connection);
  bound = xmpp_connector_get_bound_jid (a->connector);
  g_assert_nonnull (bound);
  g_assert_cmpstr (xmpp_jid_get_local (bound), ==, local);
  g_assert_cmpstr (xmpp_jid_get_domain (bound), ==, domain);
  g_assert_nonnull (xmpp_jid_get_resource (bound));
  g_test_message ("%s: %s, %s, %s (%s) — %s", xmpp_jid_to_string (bound),
                  xmpp_connector_get_endpoint (a->connector),
                  xmpp_tls_protocol_name (xmpp_connector_get_tls_version (a->connector)),
                  xmpp_connector_get_mechanism (a->connector),
                  xmpp_connector_get_channel_binding (a->connector),
                  xmpp_connector_get_auth_reason (a->connector));
}

/* The best the server offers: SCRAM-SHA-256-PLUS bound to tls-exporter on
 * TLS 1.3, from the XEP-0440 list Prosody sends. */
static void
test_starttls (void)
{
  Attempt a = { 0 };
  Options o = { .local = "alice", .trust_ca = TRUE };

  attempt_run (&a, &o);
  assert_signed_in (&a, "alice", env.domain);
  g_assert_cmpint (xmpp_connector_get_tls_version (a.connector), ==, G_TLS_PROTOCOL_VERSION_TLS_1_3);
  g_assert_true (strstr (xmpp_connector_get_endpoint (a.connector), "STARTTLS") != NULL);
  g_assert_cmpstr (xmpp_connector_get_mechanism (a.connector), ==, "SCRAM-SHA-256-PLUS");
  g_assert_cmpstr (xmpp_connector_get_channel_binding (a.connector), ==, "tls-exporter");
  /* Both servers send XEP-0474's hash: it matched what the client saw. */
  g_assert_cmpint (xmpp_connector_get_downgrade_protection (a.connector), ==, XMPP_SASL_DOWNGRADE_VERIFIED);
  g_assert_nonnull (xmpp_connector_get_peer_certificate (a.connector));
  g_assert_cmpstr (xmpp_connector_get_peer_certificate (a.connector)->sha256, ==, env.cert_sha256);
  g_assert_cmpuint (xmpp_connector_get_peer_certificate (a.connector)->errors, ==, 0);
  attempt_clear (&a);
}

static void
test_direct_tls (void)
{
  Attempt a = { 0 };
  Options o = { .local = "bob", .trust_ca = TRUE, .direct_tls = TRUE };

  attempt_run (&a, &o);
  assert_signed_in (&a, "bob", env.domain);
  g_assert_true (strstr (xmpp_connector_get_endpoint (a.connector), "direct TLS") != NULL);
  g_assert_cmpstr (xmpp_connector_get_mechanism (a.connector), ==, "SCRAM-SHA-256-PLUS");
  attempt_clear (&a);
}

/* A host whose passwords are stored for SCRAM-SHA-1 offers only that. */
static void
test_scram_sha1 (void)
{
  Attempt a = { 0 };
  Options o = { .local = "alice", .domain = env.sha1_domain, .trust_ca = TRUE };

  if (env.sha1_domain == NULL)
    {
      g_test_skip ("this server has no SCRAM-SHA-1 host");
      return;
    }
  attempt_run (&a, &o);
  assert_signed_in (&a, "alice", env.sha1_domain);
  g_assert_cmpstr (xmpp_connector_get_mechanism (a.connector), ==, "SCRAM-SHA-1-PLUS");
  attempt_clear (&a);
}

static void
test_resource (void)
{
  Attempt a = { 0 };
  Options o = { .local = "carol", .resource = "lorikeet-test", .trust_ca = TRUE };

  attempt_run (&a, &o);
  assert_signed_in (&a, "carol", env.domain);
  g_assert_cmpstr (xmpp_jid_get_resource (xmpp_connector_get_bound_jid (a.connector)), ==,
                   "lorikeet-test");
  attempt_clear (&a);
}

static void
test_wrong_password (void)
{
  Attempt a = { 0 };
  Options o = { .local = "alice", .password = "not-the-password", .trust_ca = TRUE };

  attempt_run (&a, &o);
  g_assert_error (a.error, XMPP_AUTH_ERROR, XMPP_AUTH_ERROR_NOT_AUTHORIZED);
  g_assert_null (a.connection);
  g_test_message ("wrong password: %s", a.error->message);
  attempt_clear (&a);
}

static void
test_no_such_account (void)
{
  Attempt a = { 0 };
  Options o = { .local = "nobody-here", .trust_ca = TRUE };

  attempt_run (&a, &o);
  g_assert_error (a.error, XMPP_AUTH_ERROR, XMPP_AUTH_ERROR_NOT_AUTHORIZED);
  attempt_clear (&a);
}

/* Without the test CA the certificate does not verify: the connection
 * stops with its details; pinned, it goes through; another pin fails. */
static void
test_untrusted_then_pinned (void)
{
  Attempt a = { 0 };
  Options untrusted = { .local = "alice" };
  Options pinned = { .local = "alice", .pin = env.cert_sha256 };
  Options wrong_pin = { .local = "alice",
                        .pin = "0000000000000000000000000000000000000000000000000000000000000000" };
  const XmppCertificateInfo *cert;

  attempt_run (&a, &untrusted);
  g_assert_error (a.error, XMPP_TLS_ERROR, XMPP_TLS_ERROR_UNTRUSTED);
  cert = xmpp_connector_get_peer_certificate (a.connector);
  g_assert_nonnull (cert);
  g_assert_cmpstr (cert->sha256, ==, env.cert_sha256);
  g_assert_true (cert->errors & G_TLS_CERTIFICATE_UNKNOWN_CA);
  g_assert_true (g_strv_contains ((const char * const *) cert->names, env.domain));
  g_assert_nonnull (cert->subject);
  g_assert_nonnull (cert->not_after);
  g_test_message ("untrusted: %s", a.error->message);
  attempt_clear (&a);

  attempt_run (&a, &pinned);
  assert_signed_in (&a, "alice", env.domain);
  attempt_clear (&a);

  attempt_run (&a, &wrong_pin);
  g_assert_error (a.error, XMPP_TLS_ERROR, XMPP_TLS_ERROR_PIN_MISMATCH);
  attempt_clear (&a);
}

/* The stream after sign-in works: a disco#info round trip to the server. */
static void
on_disco (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  Attempt *a = user_data;
  g_autoptr(XmppStanza) reply = xmpp_connection_recv_finish (a->connection, result, &a->error);

  if (reply != NULL && g_strcmp0 (xmpp_stanza_get_id (reply), "disco1") != 0)
    {
      xmpp_connection_recv_async (a->connection, NULL, on_disco, a);
      return;
    }
  if (reply != NULL)
    g_assert_nonnull (xmpp_node_get_child (xmpp_stanza_get_top (reply), "query", XMPP_NS_DISCO_INFO));
  g_main_loop_quit (a->loop);
}

static void
assert_stream_works (Attempt *a)
{
  g_autoptr(XmppStanza) iq = xmpp_stanza_new ("iq", XMPP_NS_CLIENT);

  xmpp_node_set_attr (xmpp_stanza_get_top (iq), "type", "get");
  xmpp_node_set_attr (xmpp_stanza_get_top (iq), "id", "disco1");
  xmpp_node_set_attr (xmpp_stanza_get_top (iq), "to", env.domain);
  xmpp_node_add_child (xmpp_stanza_get_top (iq), "query", XMPP_NS_DISCO_INFO);
  xmpp_connection_send_stanza_async (a->connection, iq, NULL, NULL, NULL);
  xmpp_connection_recv_async (a->connection, NULL, on_disco, a);
  g_main_loop_run (a->loop);
  g_assert_no_error (a->error);
}

static void
test_stream_after_bind (void)
{
  Attempt a = { 0 };
  Options o = { .local = "bob", .trust_ca = TRUE };
  g_autoptr(XmppStanza) iq = xmpp_stanza_new ("iq", XMPP_NS_CLIENT);

  attempt_run (&a, &o);
  assert_signed_in (&a, "bob", env.domain);
  xmpp_node_set_attr (xmpp_stanza_get_top (iq), "type", "get");
  xmpp_node_set_attr (xmpp_stanza_get_top (iq), "id", "disco1");
  xmpp_node_set_attr (xmpp_stanza_get_top (iq), "to", env.domain);
  xmpp_node_add_child (xmpp_stanza_get_top (iq), "query", XMPP_NS_DISCO_INFO);
  xmpp_connection_send_stanza_async (a.connection, iq, NULL, NULL, NULL);
  xmpp_connection_recv_async (a.connection, NULL, on_disco, &a);
  g_main_loop_run (a.loop);
  g_assert_no_error (a.error);
  attempt_clear (&a);
}

static gboolean
is_server (const char *name)
{
  return strcmp (env.server, name) == 0;
}

/* SASL2 (XEP-0388) with Bind2 (XEP-0386): one <authenticate/> signs in and
 * binds, no stream restart, and the stream is usable at once. */
static void
test_sasl2_bind2 (void)
{
  g_autofree char *uuid = g_uuid_string_random ();
  Attempt a = { 0 };
  Options o = { .local = "alice", .trust_ca = TRUE, .user_agent_id = uuid };
  XmppStanza *success;
  XmppNode *bound;
  const char *resource;

  attempt_run (&a, &o);
  assert_signed_in (&a, "alice", env.domain);
  g_assert_true (xmpp_connector_get_used_sasl2 (a.connector));
  g_assert_false (xmpp_connector_get_used_fast (a.connector));
  g_assert_cmpstr (xmpp_connector_get_mechanism (a.connector), ==, "SCRAM-SHA-256-PLUS");
  g_assert_cmpstr (xmpp_connector_get_channel_binding (a.connector), ==, "tls-exporter");
  g_assert_null (xmpp_connector_get_fast_token (a.connector, NULL, NULL));
  success = xmpp_connector_get_sasl2_success (a.connector);
  g_assert_nonnull (success);
  bound = xmpp_node_get_child (xmpp_stanza_get_top (success), "bound", XMPP_NS_BIND2);
  g_assert_nonnull (bound);
  /* Bound by Bind2: the features after sign-in offer no RFC 6120 binding
   * any more, and the resource is the server's choice, starting with our
   * tag as XEP-0386 recommends: "Lorikeet~…" on Prosody, "Lorikeet.…" on
   * ejabberd (which makes a number instead when no user-agent id is
   * given). */
  g_assert_null (xmpp_node_get_child (xmpp_stanza_get_top (xmpp_connector_get_features (a.connector, TRUE)),
                                      "bind", XMPP_NS_BIND));
  resource = xmpp_jid_get_resource (xmpp_connector_get_bound_jid (a.connector));
  g_assert_true (g_str_has_prefix (resource, "Lorikeet"));
  xmpp_node_foreach_child (bound, child)
    g_test_message ("bound: <%s xmlns='%s'/>", child->name, child->ns);
  /* Carbons asked for inline: Prosody says it enabled them; ejabberd
   * answers with an empty <bound/>, which XEP-0386 allows (no answer is
   * needed for carbons). */
  if (is_server ("prosody"))
    g_assert_nonnull (xmpp_node_get_child (bound, "enabled", XMPP_NS_CARBONS));
  assert_stream_works (&a);
  attempt_clear (&a);
}

/* A host that offers no SASL2: RFC 6120 SASL, a restart, and binding.
 * Prosody's sha1 host loads no SASL2; ejabberd's has the same modules as
 * the main one, so there SASL2 is used. A token given for it is sent
 * early, found unusable (Prosody) or refused (ejabberd), and the password
 * signs in on a new connection. */
static void
test_sasl1_fallback (void)
{
  Attempt a = { 0 };
  Options o = { .local = "alice", .domain = env.sha1_domain, .trust_ca = TRUE,
                .user_agent_id = "4b9bd2a4-0d8e-4e2c-9d55-1d0f3d0f9a11", .request_fast_token = TRUE,
                .fast_mechanism = "HT-SHA-256-EXPR", .fast_token = "secret-token:not-one" };

  if (env.sha1_domain == NULL)
    {
      g_test_skip ("this server has no second host");
      return;
    }
  attempt_run (&a, &o);
  assert_signed_in (&a, "alice", env.sha1_domain);
  g_assert_cmpstr (xmpp_connector_get_mechanism (a.connector), ==, "SCRAM-SHA-1-PLUS");
  g_assert_false (xmpp_connector_get_used_fast (a.connector));
  if (is_server ("prosody"))
    {
      g_assert_false (xmpp_connector_get_used_sasl2 (a.connector));
      g_assert_null (xmpp_connector_get_sasl2_success (a.connector));
      g_assert_null (xmpp_connector_get_fast_token (a.connector, NULL, NULL));
      g_assert_nonnull (xmpp_node_get_child (xmpp_stanza_get_top (xmpp_connector_get_features (a.connector, TRUE)),
                                             "bind", XMPP_NS_BIND));
    }
  else
    {
      g_assert_true (xmpp_connector_get_used_sasl2 (a.connector));
      g_assert_nonnull (xmpp_connector_get_fast_token (a.connector, NULL, NULL));
    }
  assert_stream_works (&a);
  attempt_clear (&a);
}

typedef struct {
  char      *mechanism;
  char      *token;
} Token;

static void
token_clear (Token *t)
{
  g_clear_pointer (&t->mechanism, g_free);
  g_clear_pointer (&t->token, g_free);
}

/* Takes the token the last sign-in got, if any (a rotation). */
static gboolean
take_token (Attempt *a,
            Token   *t)
{
  const char *mechanism = NULL;
  GDateTime *expiry = NULL;
  const char *token = xmpp_connector_get_fast_token (a->connector, &mechanism, &expiry);
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();

  if (token == NULL)
    return FALSE;
  g_assert_nonnull (mechanism);
  g_assert_true (g_str_has_prefix (mechanism, "HT-"));
  g_assert_nonnull (expiry);
  g_assert_cmpint (g_date_time_compare (expiry, now), >, 0);
  token_clear (t);
  t->mechanism = g_strdup (mechanism);
  t->token = g_strdup (token);
  return TRUE;
}

/* XEP-0484: a password sign-in asks for a token; the token alone signs in
 * (the password given is wrong, so it cannot have been used); a corrupted
 * token falls back to the password on the same connection, or fails with
 * NOT_AUTHORIZED when there is none. */
static void
test_fast (void)
{
  g_autofree char *uuid = g_uuid_string_random ();
  g_autofree char *corrupted = NULL;
  Token t = { 0 };
  Attempt a = { 0 };
  Options first = { .local = "carol", .trust_ca = TRUE, .user_agent_id = uuid,
                    .request_fast_token = TRUE };
  Options with_token = { .local = "carol", .trust_ca = TRUE, .user_agent_id = uuid,
                         .password = "not-the-password" };

  attempt_run (&a, &first);
  assert_signed_in (&a, "carol", env.domain);
  g_assert_true (xmpp_connector_get_used_sasl2 (a.connector));
  g_assert_false (xmpp_connector_get_used_fast (a.connector));
  g_assert_true (take_token (&a, &t));
  /* With channel binding (tls-exporter on TLS 1.3), as both servers offer. */
  g_assert_cmpstr (t.mechanism, ==, "HT-SHA-256-EXPR");
  attempt_clear (&a);

  /* The token, and a wrong password. */
  with_token.fast_mechanism = t.mechanism;
  with_token.fast_token = t.token;
  attempt_run (&a, &with_token);
  assert_signed_in (&a, "carol", env.domain);
  g_assert_true (xmpp_connector_get_used_sasl2 (a.connector));
  g_assert_true (xmpp_connector_get_used_fast (a.connector));
  g_assert_cmpstr (xmpp_connector_get_mechanism (a.connector), ==, t.mechanism);
  g_assert_cmpstr (xmpp_connector_get_channel_binding (a.connector), ==, "tls-exporter");
  assert_stream_works (&a);
  g_test_message ("token sign-in: %s", take_token (&a, &t) ? "rotated" : "no new token");
  attempt_clear (&a);

  /* Direct TLS too. */
  with_token.fast_mechanism = t.mechanism;
  with_token.fast_token = t.token;
  with_token.direct_tls = TRUE;
  attempt_run (&a, &with_token);
  assert_signed_in (&a, "carol", env.domain);
  g_assert_true (xmpp_connector_get_used_fast (a.connector));
  take_token (&a, &t);
  attempt_clear (&a);

  /* A corrupted token and no password. */
  corrupted = g_strconcat (t.token, "x", NULL);
  {
    Options o = { .local = "carol", .trust_ca = TRUE, .user_agent_id = uuid, .no_password = TRUE,
                  .fast_mechanism = t.mechanism, .fast_token = corrupted };

    attempt_run (&a, &o);
    g_assert_error (a.error, XMPP_AUTH_ERROR, XMPP_AUTH_ERROR_NOT_AUTHORIZED);
    g_test_message ("corrupted token: %s", a.error->message);
    attempt_clear (&a);
  }
  /* A corrupted token and a wrong password: the password is tried and
   * refused. */
  {
    Options o = { .local = "carol", .trust_ca = TRUE, .user_agent_id = uuid,
                  .password = "not-the-password", .fast_mechanism = t.mechanism,
                  .fast_token = corrupted };

    attempt_run (&a, &o);
    g_assert_error (a.error, XMPP_AUTH_ERROR, XMPP_AUTH_ERROR_NOT_AUTHORIZED);
    attempt_clear (&a);
  }
  /* A corrupted token and the password: signed in with the password on
   * the same connection, and a new token comes with it. */
  {
    Options o = { .local = "carol", .trust_ca = TRUE, .user_agent_id = uuid,
                  .fast_mechanism = t.mechanism, .fast_token = corrupted,
                  .request_fast_token = TRUE };

    attempt_run (&a, &o);
    assert_signed_in (&a, "carol", env.domain);
    g_assert_false (xmpp_connector_get_used_fast (a.connector));
    g_assert_cmpstr (xmpp_connector_get_mechanism (a.connector), ==, "SCRAM-SHA-256-PLUS");
    g_assert_true (take_token (&a, &t));
    attempt_clear (&a);
  }
  /* That new token works. */
  with_token.fast_mechanism = t.mechanism;
  with_token.fast_token = t.token;
  with_token.direct_tls = FALSE;
  attempt_run (&a, &with_token);
  assert_signed_in (&a, "carol", env.domain);
  g_assert_true (xmpp_connector_get_used_fast (a.connector));
  attempt_clear (&a);

  /* Another device's id does not unlock this device's token. */
  {
    g_autofree char *other = g_uuid_string_random ();
    Options o = { .local = "carol", .trust_ca = TRUE, .user_agent_id = other, .no_password = TRUE,
                  .fast_mechanism = t.mechanism, .fast_token = t.token };

    attempt_run (&a, &o);
    g_assert_error (a.error, XMPP_AUTH_ERROR, XMPP_AUTH_ERROR_NOT_AUTHORIZED);
    attempt_clear (&a);
  }
  token_clear (&t);
}

/* Round trips, counted through a proxy on loopback that holds every
 * chunk for PROXY_DELAY_MS each way: a sign-in takes that many whole
 * round trips of 2 × PROXY_DELAY_MS, and the rest is the time the two
 * ends compute (tens of milliseconds; the TCP handshake to the proxy is
 * not delayed). */
/* The local work of a sign-in (PBKDF2, TLS) must stay under one round
 * trip for the count to be exact: under AddressSanitizer it is several
 * times slower, so the delay grows with it. */
#if defined(__SANITIZE_ADDRESS__)
# define PROXY_DELAY_MS 500
#elif defined(__has_feature)
# if __has_feature(address_sanitizer)
#  define PROXY_DELAY_MS 500
# endif
#endif
#ifndef PROXY_DELAY_MS
# define PROXY_DELAY_MS 150
#endif

typedef struct {
  GIOStream     *from;
  GIOStream     *to;
  guint         *live;
  guint8         buffer[16384];
} Pump;

typedef struct {
  Pump   *pump;
  GBytes *bytes;     /* NULL: the end */
} Chunk;

static void
pump_free (Pump *pump)
{
  (*pump->live)--;
  g_object_unref (pump->from);
  g_object_unref (pump->to);
  g_free (pump);
}

static gboolean
deliver (gpointer data)
{
  Chunk *chunk = data;
  GSocket *socket = g_socket_connection_get_socket (G_SOCKET_CONNECTION (chunk->pump->to));

  if (chunk->bytes != NULL)
    g_output_stream_write_all (g_io_stream_get_output_stream (chunk->pump->to),
                               g_bytes_get_data (chunk->bytes, NULL), g_bytes_get_size (chunk->bytes),
                               NULL, NULL, NULL);
  else
    {
      g_socket_shutdown (socket, FALSE, TRUE, NULL);
      pump_free (chunk->pump);
    }
  g_clear_pointer (&chunk->bytes, g_bytes_unref);
  g_free (chunk);
  return G_SOURCE_REMOVE;
}

static void
on_pump_read (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  Pump *pump = user_data;
  gssize n = g_input_stream_read_finish (G_INPUT_STREAM (source), result, NULL);
  Chunk *chunk = g_new0 (Chunk, 1);

  chunk->pump = pump;
  if (n > 0)
    chunk->bytes = g_bytes_new (pump->buffer, n);
  g_timeout_add (PROXY_DELAY_MS, deliver, chunk);
  if (n > 0)
    g_input_stream_read_async (G_INPUT_STREAM (source), pump->buffer, sizeof pump->buffer,
                               G_PRIORITY_DEFAULT, NULL, on_pump_read, pump);
}

static void
pump_start (GIOStream *from,
            GIOStream *to,
            guint     *live)
{
  Pump *pump = g_new0 (Pump, 1);

  pump->from = g_object_ref (from);
  pump->to = g_object_ref (to);
  pump->live = live;
  (*live)++;
  g_input_stream_read_async (g_io_stream_get_input_stream (from), pump->buffer, sizeof pump->buffer,
                             G_PRIORITY_DEFAULT, NULL, on_pump_read, pump);
}

static gboolean
on_proxy_incoming (GSocketService    *service,
                   GSocketConnection *client,
                   GObject           *source,
                   gpointer           user_data)
{
  guint *live = user_data;
  g_autoptr(GSocketClient) connector = g_socket_client_new ();
  g_autoptr(GSocketConnection) server = NULL;
  g_autoptr(GError) error = NULL;
  guint16 port = GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (service), "port"));

  server = g_socket_client_connect_to_host (connector, env.host, port, NULL, &error);
  g_assert_no_error (error);
  g_socket_set_option (g_socket_connection_get_socket (server), IPPROTO_TCP, TCP_NODELAY, TRUE, NULL);
  g_socket_set_option (g_socket_connection_get_socket (client), IPPROTO_TCP, TCP_NODELAY, TRUE, NULL);
  pump_start (G_IO_STREAM (client), G_IO_STREAM (server), live);
  pump_start (G_IO_STREAM (server), G_IO_STREAM (client), live);
  return TRUE;
}

/* A proxy to the server's @port; its own port in @proxy_port. */
static GSocketService *
proxy_new (guint16  port,
           guint   *live,
           guint16 *proxy_port)
{
  GSocketService *service = g_socket_service_new ();
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) address = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GSocketAddress) bound = NULL;
  g_autoptr(GError) error = NULL;

  g_socket_listener_add_address (G_SOCKET_LISTENER (service), address, G_SOCKET_TYPE_STREAM,
                                 G_SOCKET_PROTOCOL_TCP, NULL, &bound, &error);
  g_assert_no_error (error);
  *proxy_port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
  g_object_set_data (G_OBJECT (service), "port", GUINT_TO_POINTER (port));
  g_signal_connect (service, "incoming", G_CALLBACK (on_proxy_incoming), live);
  g_socket_service_start (service);
  return service;
}

/* Signs in through the proxy; the round trips it took. */
static guint
count_round_trips (Attempt *a,
                   Options *o)
{
  guint live = 0;
  guint16 proxy_port = 0;
  g_autoptr(GSocketService) proxy = proxy_new (o->direct_tls ? env.tls_port : env.port,
                                               &live, &proxy_port);
  gint64 start;
  gint64 elapsed;

  o->port = proxy_port;
  start = g_get_monotonic_time ();
  attempt_run (a, o);
  elapsed = g_get_monotonic_time () - start;
  /* Closes the connection, and lets the proxy see both ends go. */
  g_clear_object (&a->connection);
  g_socket_service_stop (proxy);
  g_socket_listener_close (G_SOCKET_LISTENER (proxy));
  while (live > 0)
    g_main_context_iteration (NULL, TRUE);
  return (guint) (elapsed / (2 * PROXY_DELAY_MS * 1000));
}

/* The point of FAST (XEP-0484): a token sign-in in one round trip after
 * TLS, the <authenticate/> going out with the stream header. Counted
 * without the TCP handshake (the proxy does not delay it): STARTTLS is
 * header, <starttls/>, TLS 1.3 and then one; direct TLS is TLS and one. A
 * password takes two for SCRAM and one for the features first. */
static void
test_round_trips (void)
{
  g_autofree char *uuid = g_uuid_string_random ();
  Token t = { 0 };
  Attempt a = { 0 };
  Options password = { .local = "alice", .trust_ca = TRUE, .user_agent_id = uuid,
                       .request_fast_token = TRUE };
  Options token = { .local = "alice", .trust_ca = TRUE, .user_agent_id = uuid, .no_password = TRUE };
  guint n;

  n = count_round_trips (&a, &password);
  g_assert_no_error (a.error);
  g_test_message ("password, STARTTLS: %u round trips", n);
  g_assert_cmpuint (n, ==, 6);
  g_assert_true (take_token (&a, &t));
  attempt_clear (&a);

  token.fast_mechanism = t.mechanism;
  token.fast_token = t.token;
  n = count_round_trips (&a, &token);
  g_assert_no_error (a.error);
  g_assert_true (xmpp_connector_get_used_fast (a.connector));
  g_test_message ("token, STARTTLS: %u round trips", n);
  g_assert_cmpuint (n, ==, 4);
  attempt_clear (&a);

  token.direct_tls = TRUE;
  n = count_round_trips (&a, &token);
  g_assert_no_error (a.error);
  g_test_message ("token, direct TLS: %u round trips", n);
  g_assert_cmpuint (n, ==, 2);
  attempt_clear (&a);
  token_clear (&t);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  read_env ();

  g_test_add_func ("/signin/starttls", test_starttls);
  g_test_add_func ("/signin/direct-tls", test_direct_tls);
  g_test_add_func ("/signin/scram-sha-1", test_scram_sha1);
  g_test_add_func ("/signin/resource", test_resource);
  g_test_add_func ("/signin/wrong-password", test_wrong_password);
  g_test_add_func ("/signin/no-such-account", test_no_such_account);
  g_test_add_func ("/signin/untrusted-then-pinned", test_untrusted_then_pinned);
  g_test_add_func ("/signin/stream-after-bind", test_stream_after_bind);
  g_test_add_func ("/signin/sasl2-bind2", test_sasl2_bind2);
  g_test_add_func ("/signin/sasl1-fallback", test_sasl1_fallback);
  g_test_add_func ("/signin/fast", test_fast);
  g_test_add_func ("/signin/round-trips", test_round_trips);

  return g_test_run ();
}
