/* test-session.c: routing, IQ tracking and stream management on real
 * sessions of several accounts of the server the harness started.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "lk-test-server.h"
#include "xmpp-client.h"
#include "xmpp-disco.h"
#include "xmpp-connector.h"
#include "xmpp-error.h"
#include "xmpp-ns.h"
#include "xmpp-session.h"

#include <stdlib.h>
#include <string.h>

static const char *domain;

static XmppSession *
sign_in (const char *local)
{
  g_autofree char *address = g_strdup_printf ("%s@%s", local, domain);
  g_autoptr(XmppConnector) connector = lk_test_connector_new (address, NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(XmppConnection) connection = lk_test_connect (connector, &error);

  g_assert_no_error (error);
  return xmpp_session_new (connection, xmpp_connector_get_bound_jid (connector),
                           xmpp_connector_get_features (connector, TRUE));
}

typedef struct {
  XmppStanza *reply;
  GError     *error;
  gboolean    done;
} IqResult;

static void
on_iq_reply (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  IqResult *r = user_data;

  r->reply = xmpp_session_send_iq_finish (XMPP_SESSION (source), result, &r->error);
  r->done = TRUE;
}

static XmppStanza *
make_iq (const char *type,
         const char *to,
         const char *ns)
{
  XmppStanza *iq = xmpp_stanza_new ("iq", XMPP_NS_CLIENT);

  xmpp_node_set_attr (xmpp_stanza_get_top (iq), "type", type);
  if (to != NULL)
    xmpp_node_set_attr (xmpp_stanza_get_top (iq), "to", to);
  xmpp_node_add_child (xmpp_stanza_get_top (iq), "query", ns);
  return iq;
}

/* An IQ nobody handles is answered service-unavailable by the session,
 * and the asker gets that as a stanza error. */
static void
test_unhandled_iq (void)
{
  g_autoptr(XmppSession) alice = sign_in ("alice");
  g_autoptr(XmppSession) bob = sign_in ("bob");
  g_autoptr(XmppStanza) iq = make_iq ("get", xmpp_jid_to_string (xmpp_session_get_jid (bob)),
                                      "urn:example:nobody-handles-this");
  IqResult r = { 0 };

  xmpp_session_send_iq_async (alice, iq, NULL, on_iq_reply, &r);
  lk_test_wait (&r.done);
  g_assert_null (r.reply);
  g_assert_error (r.error, XMPP_STANZA_ERROR, XMPP_STANZA_ERROR_SERVICE_UNAVAILABLE);
  g_error_free (r.error);
}

static void
test_server_iq (void)
{
  g_autoptr(XmppSession) alice = sign_in ("alice");
  g_autoptr(XmppStanza) iq = make_iq ("get", domain, XMPP_NS_VERSION);
  IqResult r = { 0 };

  xmpp_session_send_iq_async (alice, iq, NULL, on_iq_reply, &r);
  lk_test_wait (&r.done);
  g_assert_no_error (r.error);
  g_assert_nonnull (xmpp_node_get_child (xmpp_stanza_get_top (r.reply), "query", XMPP_NS_VERSION));
  xmpp_stanza_unref (r.reply);
}

/* A reply is accepted only from the entity asked: carol sends alice a
 * result with the id of alice's request to bob, which alice must ignore. */
typedef struct {
  XmppStanza *held;      /* bob's request, answered later */
  gboolean    marker;
} Bob;

static gboolean
bob_holds_request (XmppSession *session,
                   XmppStanza  *stanza,
                   gpointer     user_data)
{
  Bob *bob = user_data;

  bob->held = xmpp_stanza_ref (stanza);
  return TRUE;
}

static gboolean
alice_sees_marker (XmppSession *session,
                   XmppStanza  *stanza,
                   gpointer     user_data)
{
  *(gboolean *) user_data = TRUE;
  return TRUE;
}

static void
send_plain (XmppSession *from,
            XmppStanza  *stanza)
{
  xmpp_session_send_async (from, stanza, NULL, NULL, NULL);
}

static void
test_spoofed_reply (void)
{
  g_autoptr(XmppSession) alice = sign_in ("alice");
  g_autoptr(XmppSession) bob = sign_in ("bob");
  g_autoptr(XmppSession) carol = sign_in ("carol");
  g_autoptr(XmppStanza) iq = make_iq ("get", xmpp_jid_to_string (xmpp_session_get_jid (bob)), "urn:example:held");
  g_autoptr(XmppStanza) spoof = make_iq ("result", xmpp_jid_to_string (xmpp_session_get_jid (alice)), "urn:example:held");
  g_autoptr(XmppStanza) marker = xmpp_stanza_new ("message", XMPP_NS_CLIENT);
  g_autoptr(XmppStanza) answer = make_iq ("result", xmpp_jid_to_string (xmpp_session_get_jid (alice)), "urn:example:held");
  Bob b = { 0 };
  gboolean marker_seen = FALSE;
  IqResult r = { 0 };

  xmpp_session_add_handler (bob, "iq", "get", "urn:example:held", 0, bob_holds_request, &b, NULL);
  xmpp_session_add_handler (alice, "message", NULL, "urn:example:marker", 0, alice_sees_marker,
                            &marker_seen, NULL);
  xmpp_session_send_iq_async (alice, iq, NULL, on_iq_reply, &r);
  while (b.held == NULL)
    g_main_context_iteration (NULL, TRUE);

  /* The spoof, then a marker behind it on the same path: once alice has
   * the marker she has had the spoof, and must still be waiting. */
  xmpp_node_set_attr (xmpp_stanza_get_top (spoof), "id", xmpp_stanza_get_id (b.held));
  send_plain (carol, spoof);
  xmpp_node_set_attr (xmpp_stanza_get_top (marker), "to", xmpp_jid_to_string (xmpp_session_get_jid (alice)));
  xmpp_node_add_child (xmpp_stanza_get_top (marker), "marker", "urn:example:marker");
  send_plain (carol, marker);
  lk_test_wait (&marker_seen);
  g_assert_false (r.done);

  xmpp_node_set_attr (xmpp_stanza_get_top (answer), "id", xmpp_stanza_get_id (b.held));
  send_plain (bob, answer);
  lk_test_wait (&r.done);
  g_assert_no_error (r.error);
  g_assert_cmpstr (xmpp_stanza_get_from (r.reply), ==, xmpp_jid_to_string (xmpp_session_get_jid (bob)));
  xmpp_stanza_unref (r.reply);
  xmpp_stanza_unref (b.held);
}

typedef struct {
  gboolean done;
  gboolean ok;
  GError  *error;
} Done;

static void
on_pinged (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  Done *d = user_data;

  d->ok = xmpp_session_ping_finish (XMPP_SESSION (source), result, &d->error);
  d->done = TRUE;
}

static void
on_sent (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  Done *d = user_data;

  d->ok = xmpp_session_send_finish (XMPP_SESSION (source), result, &d->error);
  d->done = TRUE;
}

static void
test_ping_and_ack (void)
{
  g_autoptr(XmppSession) alice = sign_in ("alice");
  g_autoptr(XmppStanza) message = xmpp_stanza_new ("message", XMPP_NS_CLIENT);
  g_autofree char *to = g_strdup_printf ("bob@%s", domain);
  Done ping = { 0 }, sent = { 0 };

  xmpp_session_ping_async (alice, 10, NULL, on_pinged, &ping);
  lk_test_wait (&ping.done);
  g_assert_no_error (ping.error);
  g_assert_true (ping.ok);
  /* Both servers offer XEP-0198: the send completes on the server's ack. */
  g_assert_true (xmpp_session_get_sm_enabled (alice));
  xmpp_node_set_attr (xmpp_stanza_get_top (message), "to", to);
  xmpp_node_add_child_text (xmpp_stanza_get_top (message), "body", NULL, "acked?");
  xmpp_session_send_async (alice, message, NULL, on_sent, &sent);
  lk_test_wait (&sent.done);
  g_assert_no_error (sent.error);
  g_assert_true (sent.ok);
}

/* XEP-0030/0115/0092: bob asks alice what she is; her answer hashes to
 * the 'ver' she would advertise, her version is Lorikeet's, and a node
 * she does not have is item-not-found. */
static void
on_disco_info (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  IqResult *r = user_data;

  r->reply = xmpp_disco_info_finish (XMPP_DISCO (source), result, &r->error);
  r->done = TRUE;
}

static void
test_disco_caps_version (void)
{
  g_autoptr(XmppSession) alice = sign_in ("alice");
  g_autoptr(XmppSession) bob = sign_in ("bob");
  g_autoptr(XmppDisco) alice_disco = xmpp_disco_new (alice, "Lorikeet", "0.1.0");
  g_autoptr(XmppDisco) bob_disco = xmpp_disco_new (bob, "Lorikeet", "0.1.0");
  const char *alice_jid = xmpp_jid_to_string (xmpp_session_get_jid (alice));
  g_autoptr(XmppStanza) version = make_iq ("get", alice_jid, XMPP_NS_VERSION);
  g_autofree char *node = g_strdup_printf ("%s#%s", XMPP_CAPS_NODE, xmpp_disco_get_caps_ver (alice_disco));
  g_autofree char *ver = NULL;
  IqResult info = { 0 }, at_node = { 0 }, wrong_node = { 0 }, v = { 0 };
  XmppNode *query;

  xmpp_disco_info_async (bob_disco, alice_jid, NULL, NULL, on_disco_info, &info);
  lk_test_wait (&info.done);
  g_assert_no_error (info.error);
  query = xmpp_node_get_child (xmpp_stanza_get_top (info.reply), "query", XMPP_NS_DISCO_INFO);
  g_assert_nonnull (query);
  ver = xmpp_caps_compute_ver (query, NULL);
  g_assert_cmpstr (ver, ==, xmpp_disco_get_caps_ver (alice_disco));

  xmpp_disco_info_async (bob_disco, alice_jid, node, NULL, on_disco_info, &at_node);
  lk_test_wait (&at_node.done);
  g_assert_no_error (at_node.error);
  xmpp_disco_info_async (bob_disco, alice_jid, "urn:example:nothing-here", NULL, on_disco_info, &wrong_node);
  lk_test_wait (&wrong_node.done);
  g_assert_error (wrong_node.error, XMPP_STANZA_ERROR, XMPP_STANZA_ERROR_ITEM_NOT_FOUND);

  xmpp_session_send_iq_async (bob, version, NULL, on_iq_reply, &v);
  lk_test_wait (&v.done);
  g_assert_no_error (v.error);
  g_assert_cmpstr (xmpp_node_get_child_text (xmpp_node_get_child (xmpp_stanza_get_top (v.reply), "query",
                                                                  XMPP_NS_VERSION), "name", NULL), ==, "Lorikeet");
  xmpp_stanza_unref (info.reply);
  xmpp_stanza_unref (at_node.reply);
  xmpp_stanza_unref (v.reply);
  g_clear_error (&wrong_node.error);
}

/* XEP-0352: both servers offer CSI; going inactive and active again is
 * accepted (the stream goes on: a ping still answers). */
static void
test_csi (void)
{
  g_autoptr(XmppSession) alice = sign_in ("alice");
  Done ping = { 0 };

  g_assert_true (xmpp_session_get_csi_offered (alice));
  xmpp_session_set_active (alice, FALSE);
  xmpp_session_set_active (alice, TRUE);
  xmpp_session_ping_async (alice, 10, NULL, on_pinged, &ping);
  lk_test_wait (&ping.done);
  g_assert_no_error (ping.error);
}

/* XmppClient: a cut transport is resumed (XEP-0198): same session object,
 * and what was sent while it was down arrives once. */
static XmppConnector *
make_connector (const char *local)
{
  g_autofree char *address = g_strdup_printf ("%s@%s", local, domain);

  return lk_test_connector_new (address, NULL);
}

static void
wait_state (XmppClient      *client,
            XmppClientState  state)
{
  while (xmpp_client_get_state (client) != state)
    g_main_context_iteration (NULL, TRUE);
}

static gboolean
count_message (XmppSession *session,
               XmppStanza  *stanza,
               gpointer     user_data)
{
  GPtrArray *bodies = user_data;
  const char *body = xmpp_node_get_child_text (xmpp_stanza_get_top (stanza), "body", NULL);

  /* Offline messages from earlier tests come too: only ours count. */
  if (body != NULL && g_str_has_prefix (body, "during the cut"))
    g_ptr_array_add (bodies, g_strdup (body));
  return TRUE;
}

static void
test_client_resume (void)
{
  g_autoptr(XmppConnector) alice_c = make_connector ("alice");
  g_autoptr(XmppConnector) bob_c = make_connector ("bob");
  g_autoptr(XmppClient) alice = xmpp_client_new (alice_c);
  g_autoptr(XmppClient) bob = xmpp_client_new (bob_c);
  g_autoptr(GPtrArray) bodies = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(XmppStanza) presence = xmpp_stanza_new ("presence", XMPP_NS_CLIENT);
  g_autofree char *to = g_strdup_printf ("bob@%s", domain);
  XmppSession *session;
  Done ping = { 0 }, sent[3] = { { 0 } };

  xmpp_client_set_backoff (alice, 50, 500);
  xmpp_client_start (alice);
  xmpp_client_start (bob);
  wait_state (alice, XMPP_CLIENT_CONNECTED);
  wait_state (bob, XMPP_CLIENT_CONNECTED);
  xmpp_session_add_handler (xmpp_client_get_session (bob), "message", NULL, NULL, 0, count_message,
                            bodies, NULL);
  xmpp_session_send_async (xmpp_client_get_session (bob), presence, NULL, NULL, NULL);
  session = xmpp_client_get_session (alice);
  /* A round trip, so <enabled/> has come. */
  xmpp_session_ping_async (session, 10, NULL, on_pinged, &ping);
  lk_test_wait (&ping.done);
  g_assert_true (xmpp_session_get_sm_enabled (session));

  /* Cut the transport under the session; send while it is down. */
  g_io_stream_close (xmpp_connection_get_stream (xmpp_session_get_connection (session)), NULL, NULL);
  for (guint i = 0; i < G_N_ELEMENTS (sent); i++)
    {
      g_autoptr(XmppStanza) message = xmpp_stanza_new ("message", XMPP_NS_CLIENT);
      g_autofree char *body = g_strdup_printf ("during the cut %u", i);

      xmpp_node_set_attr (xmpp_stanza_get_top (message), "to", to);
      xmpp_node_set_attr (xmpp_stanza_get_top (message), "type", "chat");
      xmpp_node_add_child_text (xmpp_stanza_get_top (message), "body", NULL, body);
      xmpp_session_send_async (session, message, NULL, on_sent, &sent[i]);
    }
  for (guint i = 0; i < G_N_ELEMENTS (sent); i++)
    {
      lk_test_wait (&sent[i].done);
      g_assert_no_error (sent[i].error);
    }
  g_assert_true (xmpp_client_get_session (alice) == session);
  g_assert_cmpuint (xmpp_client_get_resumptions (alice), ==, 1);
  g_assert_cmpuint (xmpp_client_get_sessions (alice), ==, 1);
  while (bodies->len < G_N_ELEMENTS (sent))
    g_main_context_iteration (NULL, TRUE);
  for (guint i = 0; i < G_N_ELEMENTS (sent); i++)
    {
      g_autofree char *body = g_strdup_printf ("during the cut %u", i);
      g_assert_cmpstr (g_ptr_array_index (bodies, i), ==, body);
    }
}

/* A dead peer: a relay between the client and the server stops passing
 * bytes (the TCP connection stays up, as behind a dead NAT). The client's
 * keepalive ping times out, it reconnects through the relay (which passes
 * new connections again) and resumes the same session. */
typedef struct {
  GSocketService *service;
  guint16         port;
  GPtrArray      *splices;    /* GCancellable of each relayed connection */
  GPtrArray      *held;       /* both ends of each, kept open while silent */
} Relay;

static void
on_relay_upstream (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  GSocketConnection *downstream = user_data;
  g_autoptr(GSocketConnection) upstream = g_socket_client_connect_to_host_finish (G_SOCKET_CLIENT (source), result, NULL);
  Relay *relay = g_object_get_data (G_OBJECT (downstream), "relay");
  GCancellable *cancel = g_cancellable_new ();

  g_assert_nonnull (upstream);
  g_ptr_array_add (relay->splices, cancel);
  /* No close on cancel: a cancelled splice leaves both ends open and silent. */
  g_io_stream_splice_async (G_IO_STREAM (downstream), G_IO_STREAM (upstream), G_IO_STREAM_SPLICE_NONE,
                            G_PRIORITY_DEFAULT, cancel, NULL, NULL);
  g_ptr_array_add (relay->held, g_object_ref (upstream));
  g_ptr_array_add (relay->held, downstream);
}

static gboolean
on_relay_incoming (GSocketService    *service,
                   GSocketConnection *connection,
                   GObject           *source,
                   gpointer           user_data)
{
  Relay *relay = user_data;
  g_autoptr(GSocketClient) client = g_socket_client_new ();

  g_object_set_data (G_OBJECT (connection), "relay", relay);
  g_socket_client_connect_to_host_async (client, lk_test_env ("LK_TEST_HOST"), lk_test_env_port ("LK_TEST_PORT"),
                                         NULL, on_relay_upstream, g_object_ref (connection));
  return TRUE;
}

static void
test_client_dead_peer (void)
{
  g_autoptr(XmppConnector) connector = make_connector ("alice");
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) any = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GSocketAddress) bound = NULL;
  g_autoptr(XmppClient) client = NULL;
  Relay relay = { 0 };
  XmppSession *session;
  Done ping = { 0 };
  gint64 start;

  relay.splices = g_ptr_array_new_with_free_func (g_object_unref);
  relay.held = g_ptr_array_new_with_free_func (g_object_unref);
  relay.service = g_socket_service_new ();
  g_assert_true (g_socket_listener_add_address (G_SOCKET_LISTENER (relay.service), any, G_SOCKET_TYPE_STREAM,
                                                G_SOCKET_PROTOCOL_TCP, NULL, &bound, NULL));
  relay.port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
  g_signal_connect (relay.service, "incoming", G_CALLBACK (on_relay_incoming), &relay);

  xmpp_connector_set_host (connector, lk_test_env ("LK_TEST_HOST"), relay.port, FALSE);
  client = xmpp_client_new (connector);
  xmpp_client_set_backoff (client, 50, 500);
  xmpp_client_set_keepalive (client, 1, 1);
  xmpp_client_start (client);
  wait_state (client, XMPP_CLIENT_CONNECTED);
  session = xmpp_client_get_session (client);
  xmpp_session_ping_async (session, 10, NULL, on_pinged, &ping);
  lk_test_wait (&ping.done);
  g_assert_true (xmpp_session_get_sm_enabled (session));

  /* Silence: every relayed byte stops, no connection closes. */
  for (guint i = 0; i < relay.splices->len; i++)
    g_cancellable_cancel (g_ptr_array_index (relay.splices, i));
  start = g_get_monotonic_time ();
  while (xmpp_client_get_resumptions (client) == 0)
    {
      g_main_context_iteration (NULL, TRUE);
      g_assert_cmpint (g_get_monotonic_time () - start, <, 20 * G_USEC_PER_SEC);
    }
  wait_state (client, XMPP_CLIENT_CONNECTED);
  g_assert_true (xmpp_client_get_session (client) == session);
  g_test_message ("dead peer noticed and the session resumed in %.1f s",
                  (g_get_monotonic_time () - start) / (double) G_USEC_PER_SEC);
  /* Noticed by the ping's timeout, not by a closed socket. */
  g_assert_cmpint (g_get_monotonic_time () - start, >=, G_USEC_PER_SEC);
  g_socket_service_stop (relay.service);
  g_ptr_array_unref (relay.splices);
  g_ptr_array_unref (relay.held);
  g_object_unref (relay.service);
}

/* A wrong password stops the client for good, with the reason. */
static void
test_client_permanent_error (void)
{
  g_autofree char *address = g_strdup_printf ("alice@%s", domain);
  g_autoptr(XmppConnector) connector = lk_test_connector_new (address, "wrong password");
  g_autoptr(XmppClient) client = xmpp_client_new (connector);

  xmpp_client_start (client);
  wait_state (client, XMPP_CLIENT_FAILED);
  g_assert_error ((GError *) xmpp_client_get_error (client), XMPP_AUTH_ERROR, XMPP_AUTH_ERROR_NOT_AUTHORIZED);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  domain = lk_test_env ("LK_TEST_DOMAIN");

  g_test_add_func ("/session/server-iq", test_server_iq);
  g_test_add_func ("/session/unhandled-iq", test_unhandled_iq);
  g_test_add_func ("/session/spoofed-reply", test_spoofed_reply);
  g_test_add_func ("/session/ping-and-ack", test_ping_and_ack);
  g_test_add_func ("/session/csi", test_csi);
  g_test_add_func ("/session/disco-caps-version", test_disco_caps_version);
  g_test_add_func ("/client/resume", test_client_resume);
  g_test_add_func ("/client/permanent-error", test_client_permanent_error);
  g_test_add_func ("/client/dead-peer", test_client_dead_peer);

  return g_test_run ();
}
