/* test-chat.c: one-to-one messages, XEP-0280 carbons and XEP-0359 ids
 * (xmpp-chat.h, xmpp-carbons.h) with the accounts alice, bob and carol of
 * the server the harness started.
 *
 * Every body carries a fresh UUID, so a test waits for its own messages
 * and never mistakes one left over by another test.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "lk-test-server.h"
#include "xmpp-carbons.h"
#include "xmpp-chat.h"
#include "xmpp-connector.h"
#include "xmpp-ns.h"
#include "xmpp-session.h"

#include <stdlib.h>
#include <string.h>

static const char *domain;

/* A signed-in resource with its chat module, and what it emitted. */
typedef struct {
  XmppSession *session;
  XmppChat    *chat;
  GPtrArray   *messages;   /* XmppChatMessage */
} Account;

static void
on_message (XmppChat        *chat,
            XmppChatMessage *message,
            Account         *a)
{
  g_ptr_array_add (a->messages, xmpp_chat_message_copy (message));
}

typedef struct {
  gboolean        done;
  gboolean        ok;
  GError         *error;
  char           *origin_id;
} Op;

static void
on_sent_raw (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  Op *op = user_data;

  op->ok = xmpp_session_send_finish (XMPP_SESSION (source), result, &op->error);
  op->done = TRUE;
}

static void
send_raw (Account    *a,
          XmppStanza *stanza)
{
  Op op = { 0 };

  xmpp_session_send_async (a->session, stanza, NULL, on_sent_raw, &op);
  lk_test_wait (&op.done);
  g_assert_no_error (op.error);
  g_assert_true (op.ok);
}

static void
on_carbons (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  Op *op = user_data;

  op->ok = xmpp_chat_enable_carbons_finish (XMPP_CHAT (source), result, &op->error);
  op->done = TRUE;
}

static Account *
sign_in (const char *local,
         const char *resource,
         gboolean    carbons)
{
  /* No resource: the server picks one (with Bind2 where offered). */
  g_autofree char *address = resource ? g_strdup_printf ("%s@%s/%s", local, domain, resource)
                                      : g_strdup_printf ("%s@%s", local, domain);
  g_autoptr(XmppConnector) connector = lk_test_connector_new (address, NULL);
  g_autoptr(XmppConnection) connection = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(XmppStanza) presence = xmpp_stanza_new ("presence", XMPP_NS_CLIENT);
  Account *a = g_new0 (Account, 1);
  Op op = { 0 };

  connection = lk_test_connect (connector, &error);
  g_assert_no_error (error);
  a->session = xmpp_session_new (connection, xmpp_connector_get_bound_jid (connector),
                                 xmpp_connector_get_features (connector, TRUE));
  a->chat = xmpp_chat_new (a->session);
  a->messages = g_ptr_array_new_with_free_func ((GDestroyNotify) xmpp_chat_message_free);
  g_signal_connect (a->chat, "message", G_CALLBACK (on_message), a);
  if (carbons)
    {
      memset (&op, 0, sizeof op);
      if (resource == NULL)
        g_test_message ("%s: Bind2 enabled carbons inline: %s", lk_test_env ("LK_TEST_SERVER"),
                        xmpp_carbons_enabled_by_bind2 (xmpp_connector_get_sasl2_success (connector))
                        ? "yes" : "no");
      xmpp_chat_enable_carbons_async (a->chat, xmpp_connector_get_sasl2_success (connector), NULL,
                                      on_carbons, &op);
      lk_test_wait (&op.done);
      g_assert_no_error (op.error);
      g_assert_true (op.ok);
      g_assert_true (xmpp_chat_get_carbons_enabled (a->chat));
    }
  /* Available, so that the server routes to this resource. */
  send_raw (a, presence);
  return a;
}

static void
account_free (Account *a)
{
  g_signal_handlers_disconnect_by_data (a->chat, a);
  g_object_unref (a->chat);
  g_object_unref (a->session);
  g_ptr_array_unref (a->messages);
  g_free (a);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Account, account_free)

static XmppJid *
jid_of (Account *a)
{
  return xmpp_session_get_jid (a->session);
}

static const XmppChatMessage *
find_body (Account    *a,
           const char *body)
{
  for (guint i = 0; i < a->messages->len; i++)
    {
      const XmppChatMessage *m = g_ptr_array_index (a->messages, i);

      if (g_strcmp0 (m->body, body) == 0)
        return m;
    }
  return NULL;
}

static const XmppChatMessage *
wait_body (Account    *a,
           const char *body)
{
  gint64 start = g_get_monotonic_time ();
  const XmppChatMessage *m;

  while ((m = find_body (a, body)) == NULL)
    {
      g_main_context_iteration (NULL, TRUE);
      g_assert_cmpint (g_get_monotonic_time () - start, <, 30 * G_USEC_PER_SEC);
    }
  return m;
}

static void
on_sent (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  Op *op = user_data;

  op->origin_id = xmpp_chat_send_finish (XMPP_CHAT (source), result, &op->error);
  op->done = TRUE;
}

/* Sends; returns the origin-id. */
static char *
send_chat (Account    *a,
           XmppJid    *to,
           const char *body)
{
  Op op = { 0 };

  xmpp_chat_send_async (a->chat, to, body, NULL, on_sent, &op);
  lk_test_wait (&op.done);
  g_assert_no_error (op.error);
  g_assert_true (g_uuid_string_is_valid (op.origin_id));
  return op.origin_id;
}

static char *
new_body (const char *what)
{
  g_autofree char *uuid = g_uuid_string_random ();

  return g_strdup_printf ("%s %s", what, uuid);
}

static void
test_one_to_one (void)
{
  g_autoptr(Account) alice = sign_in ("alice", "one2one", FALSE);
  g_autoptr(Account) bob = sign_in ("bob", "one2one", FALSE);
  g_autofree char *body = new_body ("hello");
  g_autofree char *origin_id = send_chat (alice, jid_of (bob), body);
  const XmppChatMessage *m = wait_body (bob, body);

  g_assert_true (xmpp_jid_equal (m->from, jid_of (alice)));
  g_assert_true (xmpp_jid_equal (m->peer, jid_of (alice)));
  g_assert_true (xmpp_jid_equal (m->to, jid_of (bob)));
  g_assert_cmpstr (m->type, ==, "chat");
  g_assert_cmpstr (m->id, ==, origin_id);
  g_assert_cmpstr (m->origin_id, ==, origin_id);
  g_assert_cmpint (m->direction, ==, XMPP_CHAT_DIRECTION_INCOMING);
  g_assert_cmpint (m->via, ==, XMPP_CHAT_VIA_LIVE);
  g_assert_false (m->delayed);
  g_assert_nonnull (m->timestamp);
  /* Both servers archive chat messages (MAM) and add a stanza-id by the
   * recipient's account. */
  g_test_message ("%s: stanza-id %s by %s", lk_test_env ("LK_TEST_SERVER"), m->stanza_id, m->stanza_id_by);
  g_assert_nonnull (m->stanza_id);
  g_assert_cmpstr (m->stanza_id_by, ==, xmpp_jid_bare_string (jid_of (bob)));
  /* Nothing came back to the sender. */
  g_assert_null (find_body (alice, body));
}

static void
test_carbons (void)
{
  g_autoptr(Account) one = sign_in ("alice", "one", TRUE);
  g_autoptr(Account) two = sign_in ("alice", "two", TRUE);
  g_autoptr(Account) bob = sign_in ("bob", "carbons", FALSE);
  g_autofree char *in_body = new_body ("to alice/one");
  g_autofree char *out_body = new_body ("from alice/one");
  g_autofree char *in_id = send_chat (bob, jid_of (one), in_body);
  g_autofree char *out_id = NULL;
  const XmppChatMessage *m;

  m = wait_body (one, in_body);
  g_assert_cmpint (m->via, ==, XMPP_CHAT_VIA_LIVE);
  m = wait_body (two, in_body);
  g_assert_cmpint (m->via, ==, XMPP_CHAT_VIA_CARBON_RECEIVED);
  g_assert_cmpint (m->direction, ==, XMPP_CHAT_DIRECTION_INCOMING);
  g_assert_true (xmpp_jid_equal (m->from, jid_of (bob)));
  g_assert_true (xmpp_jid_equal (m->peer, jid_of (bob)));
  g_assert_true (xmpp_jid_equal (m->to, jid_of (one)));
  g_assert_cmpstr (m->origin_id, ==, in_id);

  out_id = send_chat (one, jid_of (bob), out_body);
  wait_body (bob, out_body);
  m = wait_body (two, out_body);
  g_assert_cmpint (m->via, ==, XMPP_CHAT_VIA_CARBON_SENT);
  g_assert_cmpint (m->direction, ==, XMPP_CHAT_DIRECTION_OUTGOING);
  g_assert_true (xmpp_jid_equal (m->from, jid_of (one)));
  g_assert_true (xmpp_jid_equal (m->peer, jid_of (bob)));
  g_assert_cmpstr (m->origin_id, ==, out_id);
  /* The sender gets no copy of its own message. */
  g_assert_null (find_body (one, out_body));
}

/* A resource the server named, where Bind2 may have enabled carbons inline
 * (then no IQ is sent): it still gets the copies. */
static void
test_carbons_bind2 (void)
{
  g_autoptr(Account) one = sign_in ("alice", "bind2-one", TRUE);
  g_autoptr(Account) other = sign_in ("alice", NULL, TRUE);
  g_autoptr(Account) bob = sign_in ("bob", "bind2", FALSE);
  g_autofree char *body = new_body ("to alice/bind2-one");
  g_autofree char *id = send_chat (bob, jid_of (one), body);
  const XmppChatMessage *m;

  g_assert_nonnull (xmpp_jid_get_resource (jid_of (other)));
  wait_body (one, body);
  m = wait_body (other, body);
  g_assert_cmpint (m->via, ==, XMPP_CHAT_VIA_CARBON_RECEIVED);
  g_assert_cmpstr (m->origin_id, ==, id);
}

static void
test_spoofed_carbon (void)
{
  g_autoptr(Account) alice = sign_in ("alice", "spoofed", TRUE);
  g_autoptr(Account) carol = sign_in ("carol", "spoofed", FALSE);
  g_autofree char *bob_address = g_strdup_printf ("bob@%s/forger", domain);
  g_autofree char *forged = new_body ("forged");
  g_autofree char *marker = new_body ("marker");
  g_autoptr(XmppStanza) spoof = xmpp_stanza_new ("message", XMPP_NS_CLIENT);
  XmppNode *top = xmpp_stanza_get_top (spoof);
  XmppNode *fwd, *inner;
  g_autofree char *id = NULL;

  xmpp_node_set_attr (top, "to", xmpp_jid_to_string (jid_of (alice)));
  xmpp_node_set_attr (top, "type", "chat");
  xmpp_node_set_attr (top, "id", "spoof1");
  fwd = xmpp_node_add_child (xmpp_node_add_child (top, "received", XMPP_NS_CARBONS), "forwarded",
                             XMPP_NS_FORWARD);
  inner = xmpp_node_add_child (fwd, "message", XMPP_NS_CLIENT);
  xmpp_node_set_attr (inner, "from", bob_address);
  xmpp_node_set_attr (inner, "to", xmpp_jid_to_string (jid_of (alice)));
  xmpp_node_set_attr (inner, "type", "chat");
  xmpp_node_add_child_text (inner, "body", NULL, forged);
  send_raw (carol, spoof);

  /* Same sender, same path: once the marker is in, the spoof was too. */
  id = send_chat (carol, jid_of (alice), marker);
  wait_body (alice, marker);
  g_assert_null (find_body (alice, forged));

  /* From another resource of the same account: a full JID, not the bare
   * one the server uses (§11), so a spoof too. */
  {
    g_autoptr(Account) other = sign_in ("alice", "spoofer", FALSE);
    g_autofree char *marker2 = new_body ("marker2");
    g_autofree char *id2 = NULL;

    send_raw (other, spoof);
    id2 = send_chat (other, jid_of (alice), marker2);
    wait_body (alice, marker2);
    g_assert_null (find_body (alice, forged));
  }
  /* Only the markers (Prosody also sends alice/spoofed a sent-carbon of
   * marker2, since the sender is the same account). */
  for (guint i = 0; i < alice->messages->len; i++)
    g_assert_true (g_str_has_prefix (((XmppChatMessage *) g_ptr_array_index (alice->messages, i))->body,
                                     "marker"));
}

static void
test_stanza_id_not_by_us (void)
{
  g_autoptr(Account) alice = sign_in ("alice", "sid", FALSE);
  g_autoptr(Account) carol = sign_in ("carol", "sid", FALSE);
  g_autofree char *carol_bare = g_strdup_printf ("carol@%s", domain);
  g_autofree char *body = new_body ("sid");
  g_autoptr(XmppStanza) message = xmpp_stanza_new ("message", XMPP_NS_CLIENT);
  XmppNode *top = xmpp_stanza_get_top (message);
  XmppNode *sid;
  const XmppChatMessage *m;

  xmpp_node_set_attr (top, "to", xmpp_jid_to_string (jid_of (alice)));
  xmpp_node_set_attr (top, "type", "chat");
  xmpp_node_set_attr (top, "id", "sid1");
  xmpp_node_add_child_text (top, "body", NULL, body);
  sid = xmpp_node_add_child (top, "stanza-id", XMPP_NS_SID);
  xmpp_node_set_attr (sid, "by", carol_bare);
  xmpp_node_set_attr (sid, "id", "fake");
  /* One claiming to be by alice's account: the server must remove or
   * replace it (XEP-0359 §3.1), as we cannot tell it from its own. */
  sid = xmpp_node_add_child (top, "stanza-id", XMPP_NS_SID);
  xmpp_node_set_attr (sid, "by", xmpp_jid_bare_string (jid_of (alice)));
  xmpp_node_set_attr (sid, "id", "forged-by-alice");
  send_raw (carol, message);

  m = wait_body (alice, body);
  g_test_message ("%s: stanza-id %s", lk_test_env ("LK_TEST_SERVER"), m->stanza_id);
  g_assert_cmpstr (m->stanza_id, !=, "fake");
  g_assert_cmpstr (m->stanza_id, !=, "forged-by-alice");
  if (m->stanza_id != NULL)
    g_assert_cmpstr (m->stanza_id_by, ==, xmpp_jid_bare_string (jid_of (alice)));
  g_assert_null (m->origin_id);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  domain = lk_test_env ("LK_TEST_DOMAIN");
  if (domain == NULL)
    g_error ("LK_TEST_DOMAIN is not set: run this under tests/harness/xmpp-server");

  g_test_add_func ("/chat/one-to-one", test_one_to_one);
  g_test_add_func ("/chat/carbons", test_carbons);
  g_test_add_func ("/chat/carbons-bind2", test_carbons_bind2);
  g_test_add_func ("/chat/spoofed-carbon", test_spoofed_carbon);
  g_test_add_func ("/chat/stanza-id-not-by-us", test_stanza_id_not_by_us);

  return g_test_run ();
}
