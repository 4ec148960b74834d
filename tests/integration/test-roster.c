/* test-roster.c: RFC 6121 roster and subscriptions (xmpp-roster.h) with
 * the accounts alice, bob and carol of the server the harness started.
 *
 * Each test sets up the relationships it needs first (removing items left
 * by others), so the order does not matter.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "xmpp-connector.h"
#include "xmpp-error.h"
#include "xmpp-ns.h"
#include "lk-test-server.h"
#include "xmpp-roster.h"
#include "xmpp-session.h"

#include <stdlib.h>
#include <string.h>

static const char *domain;

/* A signed-in account with its roster, and what the roster emitted. */
typedef struct {
  XmppSession *session;
  XmppRoster  *roster;
  GPtrArray   *changed;     /* XmppRosterItem */
  GPtrArray   *removed;     /* XmppJid */
  GPtrArray   *requests;    /* XmppJid */
  GPtrArray   *subscribed;  /* XmppJid */
  char        *last_nick;
} Account;

static void
on_changed (XmppRoster     *roster,
            XmppRosterItem *item,
            Account        *a)
{
  g_ptr_array_add (a->changed, xmpp_roster_item_copy (item));
}

static void
on_removed (XmppRoster *roster,
            XmppJid    *jid,
            Account    *a)
{
  g_ptr_array_add (a->removed, xmpp_jid_ref (jid));
}

static void
on_request (XmppRoster *roster,
            XmppJid    *jid,
            const char *nick,
            Account    *a)
{
  g_ptr_array_add (a->requests, xmpp_jid_ref (jid));
  g_free (a->last_nick);
  a->last_nick = g_strdup (nick);
}

static void
on_subscribed (XmppRoster *roster,
               XmppJid    *jid,
               Account    *a)
{
  g_ptr_array_add (a->subscribed, xmpp_jid_ref (jid));
}

typedef struct {
  gboolean done;
  gboolean ok;
  GError  *error;
  GPtrArray *items;
  char    *version;
} Op;

static Account *
sign_in (const char *local,
         const char *resource)
{
  g_autofree char *address = g_strdup_printf ("%s@%s/%s", local, domain, resource);
  g_autoptr(XmppConnector) connector = lk_test_connector_new (address, NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(XmppConnection) connection = lk_test_connect (connector, &error);
  Account *a = g_new0 (Account, 1);

  g_assert_no_error (error);
  a->session = xmpp_session_new (connection, xmpp_connector_get_bound_jid (connector),
                                 xmpp_connector_get_features (connector, TRUE));
  a->roster = xmpp_roster_new (a->session);
  xmpp_roster_set_features (a->roster, xmpp_connector_get_features (connector, TRUE));
  a->changed = g_ptr_array_new_with_free_func ((GDestroyNotify) xmpp_roster_item_free);
  a->removed = g_ptr_array_new_with_free_func ((GDestroyNotify) xmpp_jid_unref);
  a->requests = g_ptr_array_new_with_free_func ((GDestroyNotify) xmpp_jid_unref);
  a->subscribed = g_ptr_array_new_with_free_func ((GDestroyNotify) xmpp_jid_unref);
  g_signal_connect (a->roster, "item-changed", G_CALLBACK (on_changed), a);
  g_signal_connect (a->roster, "item-removed", G_CALLBACK (on_removed), a);
  g_signal_connect (a->roster, "subscription-request", G_CALLBACK (on_request), a);
  g_signal_connect (a->roster, "subscribed", G_CALLBACK (on_subscribed), a);
  return a;
}

static void
account_free (Account *a)
{
  g_signal_handlers_disconnect_by_data (a->roster, a);
  g_object_unref (a->roster);
  g_object_unref (a->session);
  g_ptr_array_unref (a->changed);
  g_ptr_array_unref (a->removed);
  g_ptr_array_unref (a->requests);
  g_ptr_array_unref (a->subscribed);
  g_free (a->last_nick);
  g_free (a);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Account, account_free)

static XmppJid *
bare_of (Account *a)
{
  return xmpp_jid_get_bare (xmpp_session_get_jid (a->session));
}

static void
on_fetched (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  Op *op = user_data;

  op->ok = xmpp_roster_fetch_finish (XMPP_ROSTER (source), result, &op->items, &op->version, &op->error);
  op->done = TRUE;
}

/* Fetches; returns the items (NULL: unchanged) and the version. */
static GPtrArray *
fetch (Account     *a,
       const char  *version,
       char       **new_version)
{
  Op op = { 0 };

  xmpp_roster_fetch_async (a->roster, version, NULL, on_fetched, &op);
  lk_test_wait (&op.done);
  g_assert_no_error (op.error);
  g_assert_true (op.ok);
  if (new_version != NULL)
    *new_version = op.version;
  else
    g_free (op.version);
  return op.items;
}

static void
on_done (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  Op *op = user_data;
  XmppRoster *roster = XMPP_ROSTER (source);

  if (g_async_result_is_tagged (result, xmpp_roster_set_item_async))
    op->ok = xmpp_roster_set_item_finish (roster, result, &op->error);
  else if (g_async_result_is_tagged (result, xmpp_roster_remove_item_async))
    op->ok = xmpp_roster_remove_item_finish (roster, result, &op->error);
  else
    op->ok = xmpp_roster_subscription_finish (roster, result, &op->error);
  op->done = TRUE;
}

static void
wait_op (Op *op)
{
  lk_test_wait (&op->done);
  g_assert_no_error (op->error);
  g_assert_true (op->ok);
}

static void
set_item (Account            *a,
          XmppJid            *jid,
          const char         *name,
          const char * const *groups)
{
  Op op = { 0 };

  xmpp_roster_set_item_async (a->roster, jid, name, groups, NULL, on_done, &op);
  wait_op (&op);
}

static void
remove_item (Account *a,
             XmppJid *jid)
{
  Op op = { 0 };

  xmpp_roster_remove_item_async (a->roster, jid, NULL, on_done, &op);
  lk_test_wait (&op.done);
  /* Removing what is not there is item-not-found: fine for a reset. */
  if (op.error != NULL)
    g_assert_error (op.error, XMPP_STANZA_ERROR, XMPP_STANZA_ERROR_ITEM_NOT_FOUND);
  g_clear_error (&op.error);
}

static void
send_presence (Account *a)
{
  g_autoptr(XmppStanza) presence = xmpp_stanza_new ("presence", XMPP_NS_CLIENT);

  xmpp_session_send_async (a->session, presence, NULL, NULL, NULL);
}

/* Iterates until @a has had a push for @jid matching the arguments
 * (@name NULL: any; @subscription -1: any), and returns it. */
static const XmppRosterItem *
wait_push (Account    *a,
           XmppJid    *jid,
           const char *name,
           int         subscription,
           gboolean    ask)
{
  gint64 start = g_get_monotonic_time ();

  for (;;)
    {
      for (guint i = 0; i < a->changed->len; i++)
        {
          const XmppRosterItem *item = g_ptr_array_index (a->changed, i);

          if (xmpp_jid_equal (item->jid, jid) &&
              (name == NULL || g_strcmp0 (item->name, name) == 0) &&
              (subscription < 0 || (int) item->subscription == subscription) &&
              item->ask == ask)
            return item;
        }
      g_main_context_iteration (NULL, TRUE);
      g_assert_cmpint (g_get_monotonic_time () - start, <, 30 * G_USEC_PER_SEC);
    }
}

static void
wait_jid (GPtrArray *jids,
          XmppJid   *jid)
{
  gint64 start = g_get_monotonic_time ();

  for (;;)
    {
      for (guint i = 0; i < jids->len; i++)
        if (xmpp_jid_equal (g_ptr_array_index (jids, i), jid))
          return;
      g_main_context_iteration (NULL, TRUE);
      g_assert_cmpint (g_get_monotonic_time () - start, <, 30 * G_USEC_PER_SEC);
    }
}

static void
clear_events (Account *a)
{
  g_ptr_array_set_size (a->changed, 0);
  g_ptr_array_set_size (a->removed, 0);
  g_ptr_array_set_size (a->requests, 0);
  g_ptr_array_set_size (a->subscribed, 0);
}

static const XmppRosterItem *
find_item (GPtrArray *items,
           XmppJid   *jid)
{
  for (guint i = 0; items != NULL && i < items->len; i++)
    {
      const XmppRosterItem *item = g_ptr_array_index (items, i);
      if (xmpp_jid_equal (item->jid, jid))
        return item;
    }
  return NULL;
}

/* Both servers are configured with roster versioning (ejabberd's
 * mod_roster versioning: true) and advertise it; both give a version and
 * answer a fetch with the current one with an empty result. */
static void
test_fetch_and_version (void)
{
  g_autoptr(Account) alice = sign_in ("alice", "fetch");
  g_autoptr(GPtrArray) items = NULL;
  g_autoptr(GPtrArray) again = NULL;
  g_autofree char *version = NULL;
  g_autofree char *version2 = NULL;

  g_assert_true (xmpp_roster_get_versioning_offered (alice->roster));
  items = fetch (alice, NULL, &version);
  g_assert_nonnull (items);
  g_assert_nonnull (version);
  g_assert_cmpstr (xmpp_roster_get_version (alice->roster), ==, version);
  g_test_message ("%s: roster version \"%s\", %u items", lk_test_env ("LK_TEST_SERVER"), version, items->len);

  again = fetch (alice, version, &version2);
  g_assert_null (again);
  g_assert_cmpstr (version2, ==, version);
}

/* Changes made by one resource come as pushes to another. */
static void
test_add_rename_remove (void)
{
  g_autoptr(Account) alice = sign_in ("alice", "one");
  g_autoptr(Account) alice2 = sign_in ("alice", "two");
  g_autoptr(Account) carol = sign_in ("carol", "one");
  g_autoptr(XmppJid) carol_jid = bare_of (carol);
  g_autoptr(GPtrArray) items = NULL;
  const char *friends[] = { "Friends", NULL };
  const char *both[] = { "Work", "Friends", NULL };
  const XmppRosterItem *item;

  /* Both resources become interested (RFC 6121 §2.1.6: pushes go to
   * resources that fetched the roster). */
  g_clear_pointer (&items, g_ptr_array_unref);
  items = fetch (alice, NULL, NULL);
  g_clear_pointer (&items, g_ptr_array_unref);
  items = fetch (alice2, NULL, NULL);
  g_clear_pointer (&items, g_ptr_array_unref);
  remove_item (alice, carol_jid);
  clear_events (alice2);

  set_item (alice, carol_jid, "Carol", friends);
  item = wait_push (alice2, carol_jid, "Carol", XMPP_ROSTER_SUBSCRIPTION_NONE, FALSE);
  g_assert_cmpstrv (item->groups, friends);
  g_assert_nonnull (xmpp_roster_lookup (alice2->roster, carol_jid));

  set_item (alice, carol_jid, "Caz", both);
  item = wait_push (alice2, carol_jid, "Caz", -1, FALSE);
  g_assert_cmpuint (g_strv_length (item->groups), ==, 2);
  g_assert_true (g_strv_contains ((const char * const *) item->groups, "Work"));
  g_assert_true (g_strv_contains ((const char * const *) item->groups, "Friends"));

  items = fetch (alice, NULL, NULL);
  item = find_item (items, carol_jid);
  g_assert_nonnull (item);
  g_assert_cmpstr (item->name, ==, "Caz");
  g_clear_pointer (&items, g_ptr_array_unref);

  remove_item (alice, carol_jid);
  wait_jid (alice2->removed, carol_jid);
  g_assert_null (xmpp_roster_lookup (alice2->roster, carol_jid));
  items = fetch (alice, NULL, NULL);
  g_assert_null (find_item (items, carol_jid));
}

/* Removes each from the other's roster, which cancels every
 * subscription between them (RFC 6121 §2.5.2). */
static void
reset_pair (Account *a,
            Account *b)
{
  g_autoptr(XmppJid) a_jid = bare_of (a);
  g_autoptr(XmppJid) b_jid = bare_of (b);

  remove_item (a, b_jid);
  remove_item (b, a_jid);
}

static void
test_subscription_handshake (void)
{
  g_autoptr(Account) alice = sign_in ("alice", "hs");
  g_autoptr(Account) bob = sign_in ("bob", "hs");
  g_autoptr(XmppJid) alice_jid = bare_of (alice);
  g_autoptr(XmppJid) bob_jid = bare_of (bob);
  g_autoptr(GPtrArray) items = NULL;
  const XmppRosterItem *item;
  Op op = { 0 };

  items = fetch (alice, NULL, NULL);
  g_clear_pointer (&items, g_ptr_array_unref);
  items = fetch (bob, NULL, NULL);
  g_clear_pointer (&items, g_ptr_array_unref);
  reset_pair (alice, bob);
  send_presence (alice);
  send_presence (bob);

  /* alice asks; her roster shows the request pending. */
  xmpp_roster_subscribe_async (alice->roster, bob_jid, "Alice", NULL, on_done, &op);
  wait_op (&op);
  wait_push (alice, bob_jid, NULL, XMPP_ROSTER_SUBSCRIPTION_NONE, TRUE);
  wait_jid (bob->requests, alice_jid);
  g_assert_cmpstr (bob->last_nick, ==, "Alice");

  /* bob approves: alice sees bob's presence (to), bob is seen (from). */
  memset (&op, 0, sizeof op);
  xmpp_roster_approve_async (bob->roster, alice_jid, NULL, on_done, &op);
  wait_op (&op);
  wait_jid (alice->subscribed, bob_jid);
  wait_push (alice, bob_jid, NULL, XMPP_ROSTER_SUBSCRIPTION_TO, FALSE);
  wait_push (bob, alice_jid, NULL, XMPP_ROSTER_SUBSCRIPTION_FROM, FALSE);

  /* And the other way: mutual. */
  memset (&op, 0, sizeof op);
  xmpp_roster_subscribe_async (bob->roster, alice_jid, NULL, NULL, on_done, &op);
  wait_op (&op);
  wait_jid (alice->requests, bob_jid);
  memset (&op, 0, sizeof op);
  xmpp_roster_approve_async (alice->roster, bob_jid, NULL, on_done, &op);
  wait_op (&op);
  wait_jid (bob->subscribed, alice_jid);
  wait_push (alice, bob_jid, NULL, XMPP_ROSTER_SUBSCRIPTION_BOTH, FALSE);
  wait_push (bob, alice_jid, NULL, XMPP_ROSTER_SUBSCRIPTION_BOTH, FALSE);

  items = fetch (alice, NULL, NULL);
  item = find_item (items, bob_jid);
  g_assert_nonnull (item);
  g_assert_cmpint (item->subscription, ==, XMPP_ROSTER_SUBSCRIPTION_BOTH);
  g_clear_pointer (&items, g_ptr_array_unref);

  /* bob cancels alice's subscription to him (deny, §3.2): alice is told
   * and is left with "from". */
  memset (&op, 0, sizeof op);
  xmpp_roster_deny_async (bob->roster, alice_jid, NULL, on_done, &op);
  wait_op (&op);
  wait_push (alice, bob_jid, NULL, XMPP_ROSTER_SUBSCRIPTION_FROM, FALSE);
}

/* carol sends alice a roster push adding evil@: alice ignores it, says
 * nothing, and her roster does not have it. */
static gboolean
on_marker (XmppSession *session,
           XmppStanza  *stanza,
           gpointer     user_data)
{
  *(gboolean *) user_data = TRUE;
  return TRUE;
}

static void
test_spoofed_push (void)
{
  g_autoptr(Account) alice = sign_in ("alice", "spoof");
  g_autoptr(Account) carol = sign_in ("carol", "spoof");
  g_autoptr(XmppStanza) push = xmpp_stanza_new ("iq", XMPP_NS_CLIENT);
  g_autoptr(XmppStanza) marker = xmpp_stanza_new ("message", XMPP_NS_CLIENT);
  g_autofree char *evil_address = g_strdup_printf ("evil@%s", domain);
  g_autoptr(XmppJid) evil = xmpp_jid_new (evil_address, NULL);
  g_autoptr(GPtrArray) items = NULL;
  const char *alice_full = xmpp_jid_to_string (xmpp_session_get_jid (alice->session));
  XmppNode *query, *item;
  gboolean marker_seen = FALSE;

  items = fetch (alice, NULL, NULL);
  g_clear_pointer (&items, g_ptr_array_unref);
  xmpp_session_add_handler (alice->session, "message", NULL, "urn:example:marker", 0, on_marker,
                            &marker_seen, NULL);

  xmpp_node_set_attr (xmpp_stanza_get_top (push), "type", "set");
  xmpp_node_set_attr (xmpp_stanza_get_top (push), "id", "spoof1");
  xmpp_node_set_attr (xmpp_stanza_get_top (push), "to", alice_full);
  query = xmpp_node_add_child (xmpp_stanza_get_top (push), "query", XMPP_NS_ROSTER);
  item = xmpp_node_add_child (query, "item", NULL);
  xmpp_node_set_attr (item, "jid", evil_address);
  xmpp_node_set_attr (item, "subscription", "both");
  xmpp_node_set_attr (item, "name", "Evil");

  g_test_expect_message ("xmpp", G_LOG_LEVEL_MESSAGE, "ignoring a roster push from carol@*");
  xmpp_session_send_async (carol->session, push, NULL, NULL, NULL);
  /* The marker follows the same path: once it is in, so is the push. */
  xmpp_node_set_attr (xmpp_stanza_get_top (marker), "to", alice_full);
  xmpp_node_add_child (xmpp_stanza_get_top (marker), "marker", "urn:example:marker");
  xmpp_session_send_async (carol->session, marker, NULL, NULL, NULL);
  lk_test_wait (&marker_seen);
  g_test_assert_expected_messages ();

  for (guint i = 0; i < alice->changed->len; i++)
    g_assert_false (xmpp_jid_equal (((XmppRosterItem *) g_ptr_array_index (alice->changed, i))->jid, evil));
  g_assert_null (xmpp_roster_lookup (alice->roster, evil));
  items = fetch (alice, NULL, NULL);
  g_assert_null (find_item (items, evil));
}

/* RFC 6121 §3.4: where the server offers pre-approval, alice approves
 * carol before carol asks, and carol's request is granted by the server
 * alone. Where it does not, the call fails with a sentence. */
static void
test_preapproval (void)
{
  g_autoptr(Account) alice = sign_in ("alice", "pre");
  g_autoptr(Account) carol = sign_in ("carol", "pre");
  g_autoptr(XmppJid) alice_jid = bare_of (alice);
  g_autoptr(XmppJid) carol_jid = bare_of (carol);
  g_autoptr(GPtrArray) items = NULL;
  Op op = { 0 };

  g_test_message ("%s: pre-approval %s", lk_test_env ("LK_TEST_SERVER"),
                  xmpp_roster_get_preapproval_offered (alice->roster) ? "offered" : "not offered");
  if (!xmpp_roster_get_preapproval_offered (alice->roster))
    {
      xmpp_roster_preapprove_async (alice->roster, carol_jid, NULL, on_done, &op);
      lk_test_wait (&op.done);
      g_assert_error (op.error, XMPP_ROSTER_ERROR, XMPP_ROSTER_ERROR_UNSUPPORTED);
      g_clear_error (&op.error);
      return;
    }

  items = fetch (alice, NULL, NULL);
  g_clear_pointer (&items, g_ptr_array_unref);
  items = fetch (carol, NULL, NULL);
  g_clear_pointer (&items, g_ptr_array_unref);
  reset_pair (alice, carol);
  send_presence (alice);
  send_presence (carol);

  xmpp_roster_preapprove_async (alice->roster, carol_jid, NULL, on_done, &op);
  wait_op (&op);
  memset (&op, 0, sizeof op);
  xmpp_roster_subscribe_async (carol->roster, alice_jid, NULL, NULL, on_done, &op);
  wait_op (&op);
  wait_jid (carol->subscribed, alice_jid);
  wait_push (carol, alice_jid, NULL, XMPP_ROSTER_SUBSCRIPTION_TO, FALSE);
  wait_push (alice, carol_jid, NULL, XMPP_ROSTER_SUBSCRIPTION_FROM, FALSE);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  domain = lk_test_env ("LK_TEST_DOMAIN");
  if (domain == NULL)
    g_error ("LK_TEST_DOMAIN is not set: run this under tests/harness/xmpp-server");

  g_test_add_func ("/roster/fetch-and-version", test_fetch_and_version);
  g_test_add_func ("/roster/add-rename-remove", test_add_rename_remove);
  g_test_add_func ("/roster/subscription-handshake", test_subscription_handshake);
  g_test_add_func ("/roster/spoofed-push", test_spoofed_push);
  g_test_add_func ("/roster/preapproval", test_preapproval);

  return g_test_run ();
}
