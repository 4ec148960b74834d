/* xmpp-srv.h: where to connect for a domain (RFC 6120 §3.2, XEP-0368).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

typedef struct {
  char    *host;
  guint16  port;
  gboolean direct_tls;   /* XEP-0368: TLS from the first byte */
} XmppSrvTarget;

void       xmpp_srv_target_free (XmppSrvTarget *target);

/* Looks up _xmpps-client._tcp and _xmpp-client._tcp together and merges
 * them by priority (direct TLS first among equals; GResolver has already
 * ordered each set by weight, RFC 2782). With no record at all, the domain
 * itself on 5222. Completes with a GPtrArray of XmppSrvTarget, never
 * empty; fails only when the domain has said no service is offered (a
 * single "." target in both sets). */
void       xmpp_srv_resolve_async  (const char          *domain,
                                    GCancellable        *cancellable,
                                    GAsyncReadyCallback  callback,
                                    gpointer             user_data);
GPtrArray *xmpp_srv_resolve_finish (GAsyncResult        *result,
                                    GError             **error);

G_END_DECLS
