/* xmpp-srv.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "xmpp-srv.h"
#include "xmpp-error.h"

#include <glib/gi18n-lib.h>
#include <string.h>

typedef struct {
  char  *domain;
  GList *records[2];      /* xmpps-client, xmpp-client */
  gboolean declined[2];   /* a single "." target: no such service */
  guint  pending;
} Lookup;

static void
lookup_free (Lookup *lookup)
{
  g_free (lookup->domain);
  for (guint i = 0; i < 2; i++)
    g_list_free_full (lookup->records[i], (GDestroyNotify) g_srv_target_free);
  g_free (lookup);
}

void
xmpp_srv_target_free (XmppSrvTarget *target)
{
  g_free (target->host);
  g_free (target);
}

static XmppSrvTarget *
target_new (const char *host,
            guint16     port,
            gboolean    direct_tls)
{
  XmppSrvTarget *t = g_new (XmppSrvTarget, 1);

  t->host = g_strdup (host);
  t->port = port;
  t->direct_tls = direct_tls;
  return t;
}

/* RFC 2782: a single target "." means the service is decidedly not
 * offered. GResolver hands the root name over as "" (dn_expand), not ".". */
static gboolean
is_decline (GList *records)
{
  const char *host = records != NULL && records->next == NULL
                     ? g_srv_target_get_hostname (records->data) : NULL;

  return host != NULL && (host[0] == '\0' || strcmp (host, ".") == 0);
}

/* Both lists are in GResolver's order (priority, then weighted random);
 * a merge by priority keeps that order within each. */
static GPtrArray *
merge (Lookup *lookup)
{
  GPtrArray *targets = g_ptr_array_new_with_free_func ((GDestroyNotify) xmpp_srv_target_free);
  GList *tls = lookup->declined[0] ? NULL : lookup->records[0];
  GList *plain = lookup->declined[1] ? NULL : lookup->records[1];

  while (tls != NULL || plain != NULL)
    {
      gboolean take_tls = plain == NULL ||
        (tls != NULL && g_srv_target_get_priority (tls->data) <= g_srv_target_get_priority (plain->data));
      GList **from = take_tls ? &tls : &plain;
      GSrvTarget *srv = (*from)->data;

      g_ptr_array_add (targets, target_new (g_srv_target_get_hostname (srv),
                                            g_srv_target_get_port (srv), take_tls));
      *from = (*from)->next;
    }
  if (targets->len == 0 && !(lookup->declined[0] && lookup->declined[1]))
    g_ptr_array_add (targets, target_new (lookup->domain, 5222, FALSE));
  return targets;
}

static void
on_lookup (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data,
           guint         which)
{
  g_autoptr(GTask) task = user_data;
  Lookup *lookup = g_task_get_task_data (task);
  GPtrArray *targets;

  /* A failed lookup (no record, no DNS) only means "not this way". */
  lookup->records[which] = g_resolver_lookup_service_finish (G_RESOLVER (source), result, NULL);
  lookup->declined[which] = is_decline (lookup->records[which]);
  if (--lookup->pending > 0)
    return;
  targets = merge (lookup);
  if (targets->len == 0)
    {
      g_ptr_array_unref (targets);
      g_task_return_new_error (task, XMPP_CONNECTION_ERROR, XMPP_CONNECTION_ERROR_RESOLVE,
                               _("The domain “%s” says it offers no XMPP service."), lookup->domain);
      return;
    }
  g_task_return_pointer (task, targets, (GDestroyNotify) g_ptr_array_unref);
}

static void
on_lookup_tls (GObject *source, GAsyncResult *result, gpointer user_data)
{
  on_lookup (source, result, user_data, 0);
}

static void
on_lookup_plain (GObject *source, GAsyncResult *result, gpointer user_data)
{
  on_lookup (source, result, user_data, 1);
}

void
xmpp_srv_resolve_async (const char          *domain,
                        GCancellable        *cancellable,
                        GAsyncReadyCallback  callback,
                        gpointer             user_data)
{
  g_autoptr(GResolver) resolver = g_resolver_get_default ();
  GTask *task = g_task_new (NULL, cancellable, callback, user_data);
  Lookup *lookup = g_new0 (Lookup, 1);

  g_task_set_source_tag (task, xmpp_srv_resolve_async);
  lookup->domain = g_strdup (domain);
  lookup->pending = 2;
  g_task_set_task_data (task, lookup, (GDestroyNotify) lookup_free);
  g_resolver_lookup_service_async (resolver, "xmpps-client", "tcp", domain, cancellable,
                                   on_lookup_tls, g_object_ref (task));
  g_resolver_lookup_service_async (resolver, "xmpp-client", "tcp", domain, cancellable,
                                   on_lookup_plain, task);
}

GPtrArray *
xmpp_srv_resolve_finish (GAsyncResult  *result,
                         GError       **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}
