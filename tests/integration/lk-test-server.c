/* lk-test-server.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "lk-test-server.h"

#include <stdlib.h>

const char *
lk_test_env (const char *name)
{
  const char *value = g_getenv (name);

  if (value == NULL)
    g_error ("%s is not set: run this under tests/harness/xmpp-server", name);
  return value;
}

guint16
lk_test_env_port (const char *name)
{
  return (guint16) atoi (lk_test_env (name));
}

XmppConnector *
lk_test_connector_new (const char *address,
                       const char *password)
{
  g_autoptr(XmppJid) jid = xmpp_jid_new (address, NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(GTlsDatabase) db = g_tls_file_database_new (lk_test_env ("LK_TEST_CA_FILE"), &error);
  XmppConnector *connector;

  g_assert_nonnull (jid);
  g_assert_no_error (error);
  connector = xmpp_connector_new (jid, password ? password : lk_test_env ("LK_TEST_PASSWORD"));
  xmpp_connector_set_host (connector, lk_test_env ("LK_TEST_HOST"), lk_test_env_port ("LK_TEST_PORT"), FALSE);
  xmpp_connector_set_database (connector, db);
  return connector;
}

typedef struct {
  XmppConnection *connection;
  GError         *error;
  gboolean        done;
} Connect;

static void
on_connected (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  Connect *c = user_data;

  c->connection = xmpp_connector_connect_finish (XMPP_CONNECTOR (source), result, &c->error);
  c->done = TRUE;
}

XmppConnection *
lk_test_connect (XmppConnector  *connector,
                 GError        **error)
{
  Connect c = { 0 };

  xmpp_connector_connect_async (connector, NULL, on_connected, &c);
  lk_test_wait (&c.done);
  if (c.error != NULL)
    g_propagate_error (error, c.error);
  return c.connection;
}

void
lk_test_wait (gboolean *flag)
{
  gint64 start = g_get_monotonic_time ();

  while (!*flag)
    {
      g_main_context_iteration (NULL, TRUE);
      g_assert_cmpint (g_get_monotonic_time () - start, <, 30 * G_USEC_PER_SEC);
    }
}
