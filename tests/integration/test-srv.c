/* test-srv.c: finding the server through DNS SRV records (RFC 6120 §3.2,
 * XEP-0368), served by a real DNS server.
 *
 * Run as tests/integration/meson.build does:
 *
 *   with-dns --netns-only -- xmpp-server prosody -- with-dns RECORD... -- test-srv
 *
 * i.e. in a network namespace of its own whose resolv.conf names only a
 * dnsmasq on the namespace's 127.0.0.1, with Prosody (LK_TEST_*) listening in
 * that namespace too. The records (the `srv_records` list of meson.build)
 * are, per case:
 *
 *   lorikeet.test       _xmpps-client xmpps.lorikeet.test:TLS_PORT prio 5,
 *                       _xmpp-client  xmpp.lorikeet.test:PORT      prio 10
 *   sha1.lorikeet.test  _xmpp-client  dead.lorikeet.test:9 prio 1 (nothing listens),
 *                       _xmpp-client  live.lorikeet.test:PORT prio 2,
 *                       _xmpps-client live.lorikeet.test:TLS_PORT prio 3
 *   weights.test        _xmpp-client  heavy.weights.test:5222 prio 10 weight 90,
 *                                     light.weights.test:5222 prio 10 weight 10
 *   fallback.test       no SRV record; A 127.0.0.1
 *   none.test           target "." for both services; A 127.0.0.1
 *
 * Every host name resolves to 127.0.0.1. No test here sets a host on the
 * connector: each one looks the JID's domain up.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "lk-test-server.h"
#include "xmpp-connector.h"
#include "xmpp-error.h"
#include "xmpp-srv.h"

#include <string.h>

#define DEAD_PORT 9
#define WEIGHT_ROUNDS 400

typedef struct {
  const char *domain;
  const char *sha1_domain;
  guint16     port;
  guint16     tls_port;
  const char *ca_file;
  const char *password;
} Env;

static Env env;

static void
read_env (void)
{
  env.domain = lk_test_env ("LK_TEST_DOMAIN");
  env.sha1_domain = lk_test_env ("LK_TEST_SHA1_DOMAIN");
  env.port = lk_test_env_port ("LK_TEST_PORT");
  env.tls_port = lk_test_env_port ("LK_TEST_TLS_PORT");
  env.ca_file = lk_test_env ("LK_TEST_CA_FILE");
  env.password = lk_test_env ("LK_TEST_PASSWORD");
  lk_test_env ("LK_DNS_NETNS");
}

/* xmpp_srv_resolve, synchronously */

typedef struct {
  GPtrArray *targets;
  GError    *error;
  gboolean   done;
} Resolved;

static void
on_resolved (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  Resolved *r = user_data;

  r->targets = xmpp_srv_resolve_finish (result, &r->error);
  r->done = TRUE;
  g_main_context_wakeup (NULL);
}

static GPtrArray *
resolve (const char  *domain,
         GError     **error)
{
  Resolved r = { 0 };

  xmpp_srv_resolve_async (domain, NULL, on_resolved, &r);
  while (!r.done)
    g_main_context_iteration (NULL, TRUE);
  if (r.error != NULL)
    g_propagate_error (error, r.error);
  return r.targets;
}

static char *
describe (GPtrArray *targets)
{
  GString *s = g_string_new (NULL);

  for (guint i = 0; i < targets->len; i++)
    {
      XmppSrvTarget *t = g_ptr_array_index (targets, i);

      g_string_append_printf (s, "%s%s:%u%s", i ? ", " : "", t->host, t->port,
                              t->direct_tls ? " (direct TLS)" : "");
    }
  return g_string_free (s, FALSE);
}

static void
assert_target (GPtrArray  *targets,
               guint       i,
               const char *host,
               guint16     port,
               gboolean    direct_tls)
{
  XmppSrvTarget *t;

  g_assert_cmpuint (i, <, targets->len);
  t = g_ptr_array_index (targets, i);
  g_assert_cmpstr (t->host, ==, host);
  g_assert_cmpuint (t->port, ==, port);
  g_assert_cmpint (t->direct_tls, ==, direct_tls);
}

static GPtrArray *
resolve_ok (const char *domain)
{
  g_autoptr(GError) error = NULL;
  GPtrArray *targets = resolve (domain, &error);
  g_autofree char *text = NULL;

  g_assert_no_error (error);
  g_assert_nonnull (targets);
  text = describe (targets);
  g_test_message ("%s: %s", domain, text);
  return targets;
}

/* The connector, with no host set */

typedef struct {
  XmppConnector  *connector;
  XmppConnection *connection;
  GError         *error;
  gboolean        done;
} Attempt;

static void
attempt_clear (Attempt *a)
{
  g_clear_object (&a->connector);
  g_clear_object (&a->connection);
  g_clear_error (&a->error);
}

static void
on_connected (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  Attempt *a = user_data;

  a->connection = xmpp_connector_connect_finish (XMPP_CONNECTOR (source), result, &a->error);
  a->done = TRUE;
  g_main_context_wakeup (NULL);
}

static void
attempt_run (Attempt    *a,
             const char *local,
             const char *domain)
{
  g_autofree char *address = g_strdup_printf ("%s@%s", local, domain);
  g_autoptr(XmppJid) jid = xmpp_jid_new (address, NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(GTlsDatabase) db = g_tls_file_database_new (env.ca_file, &error);

  g_assert_no_error (error);
  g_assert_nonnull (jid);
  a->connector = xmpp_connector_new (jid, env.password);
  xmpp_connector_set_database (a->connector, db);
  xmpp_connector_connect_async (a->connector, NULL, on_connected, a);
  while (!a->done)
    g_main_context_iteration (NULL, TRUE);
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
  g_test_message ("%s: signed in through %s", xmpp_jid_to_string (bound),
                  xmpp_connector_get_endpoint (a->connector));
}

/* XEP-0368: a direct TLS record of a better priority comes first, and the
 * connector signs in through it. */
static void
test_direct_tls_first (void)
{
  g_autoptr(GPtrArray) targets = resolve_ok (env.domain);
  g_autofree char *endpoint = g_strdup_printf ("xmpps.%s:%u (direct TLS)", env.domain, env.tls_port);
  g_autofree char *tls_host = g_strdup_printf ("xmpps.%s", env.domain);
  g_autofree char *plain_host = g_strdup_printf ("xmpp.%s", env.domain);
  Attempt a = { 0 };

  g_assert_cmpuint (targets->len, ==, 2);
  assert_target (targets, 0, tls_host, env.tls_port, TRUE);
  assert_target (targets, 1, plain_host, env.port, FALSE);

  attempt_run (&a, "alice", env.domain);
  assert_signed_in (&a, "alice", env.domain);
  g_assert_true (strstr (xmpp_connector_get_endpoint (a.connector), "direct TLS") != NULL);
  g_assert_cmpstr (xmpp_connector_get_endpoint (a.connector), ==, endpoint);
  attempt_clear (&a);
}

/* Lower priority values first, across both services; a target that
 * refuses the connection is skipped for the next one. */
static void
test_priority (void)
{
  g_autoptr(GPtrArray) targets = resolve_ok (env.sha1_domain);
  g_autofree char *endpoint = g_strdup_printf ("live.%s:%u (STARTTLS)", env.domain, env.port);
  g_autofree char *dead = g_strdup_printf ("dead.%s", env.domain);
  g_autofree char *live = g_strdup_printf ("live.%s", env.domain);
  Attempt a = { 0 };

  g_assert_cmpuint (targets->len, ==, 3);
  assert_target (targets, 0, dead, DEAD_PORT, FALSE);
  assert_target (targets, 1, live, env.port, FALSE);
  assert_target (targets, 2, live, env.tls_port, TRUE);

  attempt_run (&a, "alice", env.sha1_domain);
  assert_signed_in (&a, "alice", env.sha1_domain);
  g_assert_cmpstr (xmpp_connector_get_endpoint (a.connector), ==, endpoint);
  attempt_clear (&a);
}

/* RFC 2782: among equal priorities, a target is first with a probability
 * proportional to its weight (here 90 and 10; GLib draws from 0..sum, so
 * 91/101 ≈ 90 %). Over 400 lookups the 75–98 % band is more than 5
 * standard deviations wide on each side. */
static void
test_weight (void)
{
  guint heavy_first = 0;
  gint64 start = g_get_monotonic_time ();

  for (guint i = 0; i < WEIGHT_ROUNDS; i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GPtrArray) targets = resolve ("weights.test", &error);
      XmppSrvTarget *first, *second;

      g_assert_no_error (error);
      g_assert_cmpuint (targets->len, ==, 2);
      first = g_ptr_array_index (targets, 0);
      second = g_ptr_array_index (targets, 1);
      g_assert_cmpuint (first->port, ==, 5222);
      g_assert_cmpuint (second->port, ==, 5222);
      g_assert_false (first->direct_tls);
      g_assert_false (second->direct_tls);
      g_assert_cmpstr (first->host, !=, second->host);
      if (g_str_equal (first->host, "heavy.weights.test"))
        heavy_first++;
      else
        g_assert_cmpstr (first->host, ==, "light.weights.test");
    }
  g_test_message ("heavy.weights.test (weight 90) first in %u of %u lookups (%.1f %%), %.1f ms a lookup",
                  heavy_first, WEIGHT_ROUNDS, 100.0 * heavy_first / WEIGHT_ROUNDS,
                  (g_get_monotonic_time () - start) / 1000.0 / WEIGHT_ROUNDS);
  g_assert_cmpuint (heavy_first * 100, >=, 75 * WEIGHT_ROUNDS);
  g_assert_cmpuint (heavy_first * 100, <=, 98 * WEIGHT_ROUNDS);
}

/* With no SRV record, the domain itself on 5222 (RFC 6120 §3.2.2), and the
 * connector does go there: a listener on the namespace's 127.0.0.1:5222
 * sees the connection (and closes it: no XMPP server behind). */
static gboolean
on_incoming (GSocketService    *service,
             GSocketConnection *connection,
             GObject           *source,
             gpointer           user_data)
{
  guint *count = user_data;

  (*count)++;
  g_io_stream_close (G_IO_STREAM (connection), NULL, NULL);
  return TRUE;
}

static void
test_fallback (void)
{
  g_autoptr(GPtrArray) targets = resolve_ok ("fallback.test");
  g_autoptr(GSocketService) service = g_socket_service_new ();
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) address = g_inet_socket_address_new (loopback, 5222);
  g_autoptr(GError) error = NULL;
  Attempt a = { 0 };
  guint incoming = 0;

  g_assert_cmpuint (targets->len, ==, 1);
  assert_target (targets, 0, "fallback.test", 5222, FALSE);

  g_socket_listener_add_address (G_SOCKET_LISTENER (service), address, G_SOCKET_TYPE_STREAM,
                                 G_SOCKET_PROTOCOL_TCP, NULL, NULL, &error);
  g_assert_no_error (error);
  g_signal_connect (service, "incoming", G_CALLBACK (on_incoming), &incoming);
  g_socket_service_start (service);

  attempt_run (&a, "alice", "fallback.test");
  g_assert_nonnull (a.error);
  g_assert_null (a.connection);
  g_assert_cmpuint (incoming, ==, 1);
  g_assert_cmpstr (xmpp_connector_get_endpoint (a.connector), ==, "fallback.test:5222 (STARTTLS)");
  g_test_message ("fallback.test:5222 reached; then, with no server there: %s", a.error->message);
  attempt_clear (&a);
  g_socket_service_stop (service);
  g_socket_listener_close (G_SOCKET_LISTENER (service));
}

/* A single "." target for both services: the domain offers no XMPP
 * service; no fallback to 5222 (none.test has an address). */
static void
test_none (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) targets = resolve ("none.test", &error);
  Attempt a = { 0 };

  if (targets != NULL)
    {
      g_autofree char *text = describe (targets);
      g_test_message ("none.test: %s", text);
    }
  g_assert_error (error, XMPP_CONNECTION_ERROR, XMPP_CONNECTION_ERROR_RESOLVE);
  g_assert_null (targets);
  g_assert_true (strstr (error->message, "none.test") != NULL);
  g_test_message ("none.test: %s", error->message);

  attempt_run (&a, "alice", "none.test");
  g_assert_error (a.error, XMPP_CONNECTION_ERROR, XMPP_CONNECTION_ERROR_RESOLVE);
  g_assert_cmpstr (a.error->message, ==, error->message);
  g_assert_null (a.connection);
  attempt_clear (&a);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  read_env ();

  g_test_add_func ("/srv/direct-tls-first", test_direct_tls_first);
  g_test_add_func ("/srv/priority", test_priority);
  g_test_add_func ("/srv/weight", test_weight);
  g_test_add_func ("/srv/fallback", test_fallback);
  g_test_add_func ("/srv/none", test_none);

  return g_test_run ();
}
