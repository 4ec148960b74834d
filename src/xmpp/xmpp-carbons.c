/* xmpp-carbons.c: XEP-0280 message carbons.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "xmpp-carbons.h"

#include "xmpp-ns.h"

/* §11: the wrapper must come from our own bare JID, nothing else. */
static gboolean
from_own_account (XmppSession *session,
                  const char  *from_text)
{
  g_autoptr(XmppJid) from = from_text ? xmpp_jid_new (from_text, NULL) : NULL;

  return from != NULL && xmpp_jid_is_bare (from) &&
         xmpp_jid_equal_bare (from, xmpp_session_get_jid (session));
}

XmppCarbonKind
xmpp_carbons_unwrap (XmppSession  *session,
                     XmppStanza   *message,
                     XmppNode    **forwarded,
                     XmppNode    **inner)
{
  XmppNode *top = xmpp_stanza_get_top (message);
  XmppNode *wrapper = xmpp_node_get_child (top, "received", XMPP_NS_CARBONS);
  XmppCarbonKind kind = XMPP_CARBON_RECEIVED;
  XmppNode *fwd, *msg;

  *forwarded = NULL;
  *inner = NULL;
  if (wrapper == NULL)
    {
      wrapper = xmpp_node_get_child (top, "sent", XMPP_NS_CARBONS);
      kind = XMPP_CARBON_SENT;
    }
  if (wrapper == NULL)
    return XMPP_CARBON_NONE;
  if (!from_own_account (session, xmpp_node_get_attr (top, "from")))
    return XMPP_CARBON_SPOOFED;
  fwd = xmpp_node_get_child (wrapper, "forwarded", XMPP_NS_FORWARD);
  msg = fwd ? xmpp_node_get_child (fwd, "message", XMPP_NS_CLIENT) : NULL;
  if (msg == NULL)
    return XMPP_CARBON_MALFORMED;
  *forwarded = fwd;
  *inner = msg;
  return kind;
}

static void
on_enabled (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;
  g_autoptr(XmppStanza) reply = xmpp_session_send_iq_finish (XMPP_SESSION (source), result, &error);

  if (reply == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

void
xmpp_carbons_enable_async (XmppSession         *session,
                           GCancellable        *cancellable,
                           GAsyncReadyCallback  callback,
                           gpointer             user_data)
{
  g_autoptr(XmppStanza) iq = xmpp_stanza_new ("iq", XMPP_NS_CLIENT);
  GTask *task;

  g_return_if_fail (XMPP_IS_SESSION (session));
  task = g_task_new (session, cancellable, callback, user_data);
  g_task_set_source_tag (task, xmpp_carbons_enable_async);
  xmpp_node_set_attr (xmpp_stanza_get_top (iq), "type", "set");
  xmpp_node_add_child (xmpp_stanza_get_top (iq), "enable", XMPP_NS_CARBONS);
  xmpp_session_send_iq_async (session, iq, cancellable, on_enabled, task);
}

gboolean
xmpp_carbons_enable_finish (XmppSession   *session,
                            GAsyncResult  *result,
                            GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, session), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

gboolean
xmpp_carbons_enabled_by_bind2 (XmppStanza *sasl2_success)
{
  XmppNode *bound;

  if (sasl2_success == NULL)
    return FALSE;
  bound = xmpp_node_get_child (xmpp_stanza_get_top (sasl2_success), "bound", XMPP_NS_BIND2);
  return bound != NULL && xmpp_node_get_child_ns (bound, XMPP_NS_CARBONS) != NULL;
}
