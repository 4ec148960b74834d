/* test-register.c: in-band registration (XEP-0077) on the real server the
 * harness started.
 *
 * Run under tests/harness/xmpp-server, which exports LK_TEST_*. Both
 * servers allow registration on LK_TEST_DOMAIN from loopback. Prosody 13
 * sends a data form and the legacy fields side by side (the form is used);
 * ejabberd 24 sends legacy fields only, and refuses a data form answer
 * (bad-request) unless it has CAPTCHAs configured.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "lk-test-server.h"
#include "xmpp-connector.h"
#include "xmpp-error.h"
#include "xmpp-ns.h"
#include "xmpp-register.h"

#include <stdlib.h>
#include <string.h>

/* What the harness exported, read once in main(). */
static struct {
  const char *server;     /* prosody, ejabberd */
  const char *domain;
} env;

static void
read_env (void)
{
  env.server = lk_test_env ("LK_TEST_SERVER");
  env.domain = lk_test_env ("LK_TEST_DOMAIN");
}

/* One async call at a time, run to completion. */
typedef struct {
  GMainLoop    *loop;
  GAsyncResult *result;
} Wait;

static void
on_done (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  Wait *w = user_data;

  w->result = g_object_ref (result);
  g_main_loop_quit (w->loop);
}

static GAsyncResult *
wait_result (Wait *w)
{
  g_main_loop_run (w->loop);
  return w->result;
}

static void
wait_clear (Wait *w)
{
  g_clear_object (&w->result);
}

/* A stream encrypted but not signed in, to @domain. */
static XmppConnection *
connect_unauthenticated (void)
{
  g_autoptr(XmppConnector) connector = lk_test_connector_new (env.domain, NULL);
  g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  g_autoptr(GError) error = NULL;
  Wait w = { loop, NULL };
  XmppConnection *connection;
  XmppStanza *features;

  xmpp_connector_set_skip_auth (connector, TRUE);
  xmpp_connector_connect_async (connector, NULL, on_done, &w);
  connection = xmpp_connector_connect_finish (connector, wait_result (&w), &error);
  wait_clear (&w);
  g_assert_no_error (error);
  g_assert_nonnull (connection);
  g_assert_null (xmpp_connector_get_bound_jid (connector));
  features = xmpp_connector_get_features (connector, FALSE);
  g_assert_nonnull (features);
  g_assert_nonnull (xmpp_node_get_child (xmpp_stanza_get_top (features), "register",
                                         XMPP_NS_REGISTER_FEATURE));
  g_assert_null (xmpp_connector_get_features (connector, TRUE));
  return connection;
}

static XmppDataForm *
get_form (XmppConnection  *connection,
          XmppStanza     **reply)
{
  g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  g_autoptr(GError) error = NULL;
  Wait w = { loop, NULL };
  XmppDataForm *form;

  xmpp_register_get_form_async (connection, env.domain, NULL, on_done, &w);
  form = xmpp_register_get_form_finish (wait_result (&w), reply, &error);
  wait_clear (&w);
  g_assert_no_error (error);
  g_assert_nonnull (form);
  return form;
}

static gboolean
submit (XmppConnection  *connection,
        XmppDataForm    *form,
        GError         **error)
{
  g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  Wait w = { loop, NULL };
  gboolean ok;

  xmpp_register_submit_async (connection, env.domain, form, NULL, on_done, &w);
  ok = xmpp_register_submit_finish (wait_result (&w), error);
  wait_clear (&w);
  return ok;
}

static void
close_connection (XmppConnection *connection)
{
  g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  Wait w = { loop, NULL };

  xmpp_connection_close_async (connection, NULL, on_done, &w);
  xmpp_connection_close_finish (connection, wait_result (&w), NULL);
  wait_clear (&w);
}

/* The form has a username and a password field, as each server sends it. */
static void
test_form (void)
{
  g_autoptr(XmppConnection) connection = connect_unauthenticated ();
  g_autoptr(XmppStanza) reply = NULL;
  g_autoptr(XmppDataForm) form = get_form (connection, &reply);
  XmppDataField *username = xmpp_data_form_get_field (form, "username");
  XmppDataField *password = xmpp_data_form_get_field (form, "password");

  g_assert_nonnull (reply);
  g_assert_nonnull (xmpp_node_get_child (xmpp_stanza_get_top (reply), "query", XMPP_NS_REGISTER));
  g_assert_cmpint (xmpp_data_form_get_kind (form), ==, XMPP_DATA_FORM_KIND_FORM);
  g_assert_cmpstr (xmpp_data_form_get_form_type (form), ==, XMPP_NS_REGISTER);
  g_assert_nonnull (username);
  g_assert_nonnull (password);
  g_assert_cmpint (xmpp_data_field_get_kind (username), ==, XMPP_DATA_FIELD_TEXT_SINGLE);
  g_assert_cmpint (xmpp_data_field_get_kind (password), ==, XMPP_DATA_FIELD_TEXT_PRIVATE);
  g_assert_true (xmpp_data_field_get_required (username));
  g_assert_true (xmpp_data_field_get_required (password));
  g_assert_nonnull (xmpp_data_field_get_label (username));
  g_assert_cmpuint (g_strv_length ((char **) xmpp_data_form_get_instructions (form)), >=, 1);
  if (strcmp (env.server, "prosody") == 0)
    {
      /* Both shapes; the data form is the one used. */
      g_assert_false (xmpp_register_form_is_legacy (form));
      g_assert_cmpstr (xmpp_data_form_get_title (form), ==, "Creating a new account");
      g_assert_cmpstr (xmpp_data_field_get_label (username), ==, "Username");
    }
  else
    {
      g_assert_true (xmpp_register_form_is_legacy (form));
      g_assert_cmpuint (g_list_model_get_n_items (xmpp_data_form_get_fields (form)), ==, 3);
    }
  close_connection (connection);
}

/* A new account, then signing in with it on a new connection. */
static void
test_new_account (void)
{
  g_autoptr(XmppConnection) connection = connect_unauthenticated ();
  g_autoptr(XmppDataForm) form = get_form (connection, NULL);
  g_autofree char *username = g_strdup_printf ("newuser%u", g_random_int_range (100000, 999999));
  g_autofree char *address = g_strdup_printf ("%s@%s", username, env.domain);
  g_autoptr(XmppConnector) signin = NULL;
  g_autoptr(XmppConnection) bound = NULL;
  g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  g_autoptr(GError) error = NULL;
  Wait w = { loop, NULL };
  const char *password = "a new password, 17";

  g_assert_true (xmpp_register_fill (form, username, password, &error));
  g_assert_no_error (error);
  g_assert_true (submit (connection, form, &error));
  g_assert_no_error (error);
  close_connection (connection);

  signin = lk_test_connector_new (address, password);
  xmpp_connector_connect_async (signin, NULL, on_done, &w);
  bound = xmpp_connector_connect_finish (signin, wait_result (&w), &error);
  wait_clear (&w);
  g_assert_no_error (error);
  g_assert_nonnull (bound);
  g_assert_cmpstr (xmpp_jid_get_local (xmpp_connector_get_bound_jid (signin)), ==, username);
  g_test_message ("registered and signed in as %s",
                  xmpp_jid_to_string (xmpp_connector_get_bound_jid (signin)));
  close_connection (bound);
}

/* alice exists: the name is taken. The stream stays usable: a second
 * attempt on it gets the same answer. */
static void
test_conflict (void)
{
  g_autoptr(XmppConnection) connection = connect_unauthenticated ();
  g_autoptr(XmppDataForm) form = get_form (connection, NULL);
  g_autoptr(GError) error = NULL;

  g_assert_true (xmpp_register_fill (form, "alice", "another password", &error));
  g_assert_false (submit (connection, form, &error));
  g_assert_error (error, XMPP_REGISTER_ERROR, XMPP_REGISTER_ERROR_CONFLICT);
  g_assert_null (strchr (error->message, '\n'));
  g_test_message ("%s", error->message);
  g_clear_error (&error);
  g_assert_false (submit (connection, form, &error));
  g_assert_error (error, XMPP_REGISTER_ERROR, XMPP_REGISTER_ERROR_CONFLICT);
  close_connection (connection);
}

/* A form with a CAPTCHA (XEP-0158): filling in the name and password is
 * not enough, and the sentence names the field left. */
static void
test_captcha_required (void)
{
  g_autoptr(XmppDataForm) form = xmpp_data_form_new (XMPP_DATA_FORM_KIND_FORM, XMPP_NS_REGISTER);
  g_autoptr(XmppDataField) username = xmpp_data_field_new (XMPP_DATA_FIELD_TEXT_SINGLE, "username");
  g_autoptr(XmppDataField) password = xmpp_data_field_new (XMPP_DATA_FIELD_TEXT_PRIVATE, "password");
  g_autoptr(XmppDataField) ocr = xmpp_data_field_new (XMPP_DATA_FIELD_TEXT_SINGLE, "ocr");
  g_autoptr(XmppDataForm) nameless = xmpp_data_form_new (XMPP_DATA_FORM_KIND_FORM, XMPP_NS_REGISTER);
  g_autoptr(GError) error = NULL;

  xmpp_data_field_set_required (username, TRUE);
  xmpp_data_field_set_required (password, TRUE);
  xmpp_data_field_set_required (ocr, TRUE);
  xmpp_data_field_set_label (ocr, "Enter the text you see");
  xmpp_data_field_add_media_uri (ocr, "image/png", "cid:sha1+0123456789abcdef@bob.xmpp.org");
  xmpp_data_form_add_field (form, username);
  xmpp_data_form_add_field (form, password);
  xmpp_data_form_add_field (form, ocr);

  g_assert_false (xmpp_register_fill (form, "someone", "secret", &error));
  g_assert_error (error, XMPP_DATA_FORM_ERROR, XMPP_DATA_FORM_ERROR_REQUIRED);
  g_assert_nonnull (strstr (error->message, "Enter the text you see"));
  g_test_message ("%s", error->message);
  g_clear_error (&error);
  /* The two it can fill are filled. */
  g_assert_cmpstr (xmpp_data_form_get_value (form, "username"), ==, "someone");
  g_assert_cmpstr (xmpp_data_form_get_value (form, "password"), ==, "secret");

  /* Answered, it goes through. */
  xmpp_data_field_set_value (ocr, "7nHL3");
  g_assert_true (xmpp_register_fill (form, "someone", "secret", &error));
  g_assert_no_error (error);

  /* No username field at all. */
  g_assert_false (xmpp_register_fill (nameless, "someone", "secret", &error));
  g_assert_error (error, XMPP_DATA_FORM_ERROR, XMPP_DATA_FORM_ERROR_REQUIRED);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  read_env ();

  g_test_add_func ("/register/form", test_form);
  g_test_add_func ("/register/new-account", test_new_account);
  g_test_add_func ("/register/conflict", test_conflict);
  g_test_add_func ("/register/captcha-required", test_captcha_required);

  return g_test_run ();
}
