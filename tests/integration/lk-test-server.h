/* lk-test-server.h: what integration tests share about the server the
 * harness (tests/harness/xmpp-server) started for them.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "xmpp-connector.h"

G_BEGIN_DECLS

/* A LK_TEST_* variable; a missing one ends the test with a message, as it
 * means the program was not run under the harness. */
const char     *lk_test_env            (const char *name);
guint16         lk_test_env_port       (const char *name);

/* A connector for @address (a full or bare JID) with @password (NULL: the
 * harness's), aimed at the harness's STARTTLS port and trusting its CA. */
XmppConnector  *lk_test_connector_new  (const char *address,
                                        const char *password);

/* Connects @connector, running the main loop until it is done; the
 * connection, or NULL with @error set. */
XmppConnection *lk_test_connect        (XmppConnector *connector,
                                        GError       **error);

/* Runs the main loop until *@flag is set; a test stuck for 30 s fails
 * rather than hanging until meson's timeout. */
void            lk_test_wait           (gboolean     *flag);

G_END_DECLS
