/* test-client.c: XmppClient's retries, without a server.
 *
 * A listener on loopback that accepts and at once closes every
 * connection: each attempt fails with a closed connection, which is worth
 * retrying, so the client keeps coming back — at the back-off's pace.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "xmpp-client.h"
#include "xmpp-error.h"

typedef struct {
  GArray *times;   /* gint64, monotonic µs of each connection */
} Door;

static gboolean
on_incoming (GSocketService    *service,
             GSocketConnection *connection,
             GObject           *source,
             gpointer           user_data)
{
  Door *door = user_data;
  gint64 now = g_get_monotonic_time ();

  g_array_append_val (door->times, now);
  g_io_stream_close (G_IO_STREAM (connection), NULL, NULL);
  return TRUE;
}

static guint16
open_door (GSocketService *service,
           Door           *door)
{
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) any = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GSocketAddress) bound = NULL;

  g_assert_true (g_socket_listener_add_address (G_SOCKET_LISTENER (service), any, G_SOCKET_TYPE_STREAM,
                                                G_SOCKET_PROTOCOL_TCP, NULL, &bound, NULL));
  g_signal_connect (service, "incoming", G_CALLBACK (on_incoming), door);
  return g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
}

static XmppClient *
client_for (guint16 port)
{
  g_autoptr(XmppJid) jid = xmpp_jid_new ("alice@backoff.test", NULL);
  g_autoptr(XmppConnector) connector = xmpp_connector_new (jid, "secret");
  XmppClient *client;

  xmpp_connector_set_host (connector, "127.0.0.1", port, FALSE);
  client = xmpp_client_new (connector);
  xmpp_client_set_keepalive (client, 0, 1);
  return client;
}

/* Delays from 100 ms doubling to a 800 ms cap, each drawn between half
 * and all of its step: the gaps between attempts grow, then stay capped. */
static void
test_backoff (void)
{
  g_autoptr(GSocketService) service = g_socket_service_new ();
  Door door = { g_array_new (FALSE, FALSE, sizeof (gint64)) };
  guint16 port = open_door (service, &door);
  g_autoptr(XmppClient) client = client_for (port);
  gint64 start = g_get_monotonic_time ();

  xmpp_client_set_backoff (client, 100, 800);
  xmpp_client_start (client);
  while (door.times->len < 7 && g_get_monotonic_time () - start < 10 * G_USEC_PER_SEC)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpuint (door.times->len, >=, 7);
  g_assert_cmpint (xmpp_client_get_state (client), ==, XMPP_CLIENT_CONNECTING);
  g_assert_nonnull (xmpp_client_get_error (client));

  for (guint i = 1; i < door.times->len; i++)
    {
      double gap = (g_array_index (door.times, gint64, i) - g_array_index (door.times, gint64, i - 1)) / 1000.0;
      /* Attempt i waits step(i-1): 0 (the first retry is at once), then
       * 100, 200, 400, 800, 800 … ms, between half and all of it. */
      double step = i == 1 ? 0 : MIN (100.0 * (1 << (i - 2)), 800.0);

      g_test_message ("attempt %u after %.0f ms (step %.0f ms)", i + 1, gap, step);
      g_assert_cmpfloat (gap, >=, step / 2 - 5);
      /* Generous above: a loaded machine (sanitizers, parallel tests) may
       * be slow to connect; below is what shows the back-off. */
      g_assert_cmpfloat (gap, <=, step + 1000);
    }
  g_socket_service_stop (service);
  g_array_unref (door.times);
}

/* Back on the network: a waiting client does not sit out its delay. */
static void
test_network_back (void)
{
  g_autoptr(GSocketService) service = g_socket_service_new ();
  Door door = { g_array_new (FALSE, FALSE, sizeof (gint64)) };
  guint16 port = open_door (service, &door);
  g_autoptr(XmppClient) client = client_for (port);
  GNetworkMonitor *monitor = g_network_monitor_get_default ();
  gint64 start = g_get_monotonic_time ();
  guint before;

  xmpp_client_set_backoff (client, 5000, 5000);
  xmpp_client_start (client);
  /* The first attempt, then the immediate retry; the third waits 2.5–5 s. */
  while (door.times->len < 2 && g_get_monotonic_time () - start < 5 * G_USEC_PER_SEC)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpuint (door.times->len, ==, 2);
  /* Let the client see that attempt fail and start waiting. */
  start = g_get_monotonic_time ();
  while (g_get_monotonic_time () - start < 300 * 1000)
    g_main_context_iteration (NULL, FALSE);
  g_assert_cmpuint (door.times->len, ==, 2);
  before = door.times->len;
  start = g_get_monotonic_time ();
  g_signal_emit_by_name (monitor, "network-changed", TRUE);
  while (door.times->len == before && g_get_monotonic_time () - start < 2 * G_USEC_PER_SEC)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpuint (door.times->len, >, before);
  g_assert_cmpint (g_get_monotonic_time () - start, <, G_USEC_PER_SEC);
  g_socket_service_stop (service);
  g_array_unref (door.times);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/client/backoff", test_backoff);
  g_test_add_func ("/client/network-back", test_network_back);

  return g_test_run ();
}
