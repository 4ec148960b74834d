/* test-signin.c: signing in to the real server the harness started.
 *
 * Run under tests/harness/xmpp-server, which exports LK_TEST_* (domain,
 * ports, CA, password, certificate fingerprint). Every test makes a real
 * TCP connection, TLS handshake and SASL exchange.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "xmpp-connector.h"
#include "xmpp-error.h"
#include "xmpp-ns.h"

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

static const char *
need (const char *name)
{
  const char *value = g_getenv (name);

  if (value == NULL)
    g_error ("%s is not set: run this under tests/harness/xmpp-server", name);
  return value;
}

static void
read_env (void)
{
  env.server = need ("LK_TEST_SERVER");
  env.domain = need ("LK_TEST_DOMAIN");
  env.sha1_domain = g_getenv ("LK_TEST_SHA1_DOMAIN");
  env.host = need ("LK_TEST_HOST");
  env.port = atoi (need ("LK_TEST_PORT"));
  env.tls_port = atoi (need ("LK_TEST_TLS_PORT"));
  env.ca_file = need ("LK_TEST_CA_FILE");
  env.password = need ("LK_TEST_PASSWORD");
  env.cert_sha256 = need ("LK_TEST_CERT_SHA256");
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
  gboolean    direct_tls;
  gboolean    trust_ca;     /* else the system store, which does not know the test CA */
  const char *pin;
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
  a->connector = xmpp_connector_new (jid, o->password ? o->password : env.password);
  xmpp_connector_set_host (a->connector, env.host, o->direct_tls ? env.tls_port : env.port,
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

  return g_test_run ();
}
