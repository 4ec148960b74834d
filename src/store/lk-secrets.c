/* lk-secrets.c: a thin async layer over libsecret.
 *
 * Each call wraps libsecret's own async call in a GTask so that callers
 * see one error domain: what goes wrong on the way to the Secret Service
 * (no session bus, nothing providing the service) becomes
 * LK_STORE_ERROR_NO_SECRET_SERVICE; what the keyring itself refuses
 * becomes LK_STORE_ERROR_KEYRING.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "lk-secrets.h"

#include <glib/gi18n-lib.h>
#include <libsecret/secret.h>
#include <string.h>

static const SecretSchema *
lk_secrets_schema (void)
{
  static const SecretSchema schema = {
    LK_SECRETS_SCHEMA_NAME, SECRET_SCHEMA_NONE,
    {
      { "account", SECRET_SCHEMA_ATTRIBUTE_STRING },
      { "kind", SECRET_SCHEMA_ATTRIBUTE_STRING },
      { NULL, 0 },
    },
  };

  return &schema;
}

/* Whether @error says the Secret Service could not be reached at all. */
static gboolean
is_unreachable (const GError *error)
{
  if (error->domain == G_IO_ERROR)
    return error->code != G_IO_ERROR_CANCELLED;  /* no bus address, no socket */
  if (error->domain == G_DBUS_ERROR)
    switch (error->code)
      {
      case G_DBUS_ERROR_SERVICE_UNKNOWN:
      case G_DBUS_ERROR_NAME_HAS_NO_OWNER:
      case G_DBUS_ERROR_NO_SERVER:
      case G_DBUS_ERROR_DISCONNECTED:
      case G_DBUS_ERROR_FILE_NOT_FOUND:
      case G_DBUS_ERROR_SPAWN_EXEC_FAILED:
      case G_DBUS_ERROR_SPAWN_FORK_FAILED:
      case G_DBUS_ERROR_SPAWN_CHILD_EXITED:
      case G_DBUS_ERROR_SPAWN_CHILD_SIGNALED:
      case G_DBUS_ERROR_SPAWN_FAILED:
      case G_DBUS_ERROR_SPAWN_SERVICE_INVALID:
      case G_DBUS_ERROR_SPAWN_SERVICE_NOT_FOUND:
      case G_DBUS_ERROR_SPAWN_FILE_INVALID:
      case G_DBUS_ERROR_UNKNOWN_METHOD:
      case G_DBUS_ERROR_UNKNOWN_OBJECT:
      case G_DBUS_ERROR_UNKNOWN_INTERFACE:
        return TRUE;
      default:
        return FALSE;
      }
  return FALSE;
}

/* Takes @error (libsecret's) and returns it in the store's domain. */
static GError *
translate_error (GError *error)
{
  GError *mine;

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return error;
  if (is_unreachable (error))
    {
      g_debug ("Secret Service unreachable: %s", error->message);
      mine = g_error_new_literal (LK_STORE_ERROR, LK_STORE_ERROR_NO_SECRET_SERVICE,
                                  _("No keyring is available to keep secrets (Secret Service); "
                                    "none answers on the session bus."));
    }
  else
    mine = g_error_new (LK_STORE_ERROR, LK_STORE_ERROR_KEYRING,
                        _("The keyring did not do what was asked: %s"), error->message);
  g_error_free (error);
  return mine;
}

/* store */

static void
on_stored (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;

  if (!secret_password_store_finish (result, &error))
    g_task_return_error (task, translate_error (error));
  else
    g_task_return_boolean (task, TRUE);
}

void
lk_secrets_store_async (const char          *account,
                        const char          *kind,
                        const char          *label,
                        const char          *secret,
                        GCancellable        *cancellable,
                        GAsyncReadyCallback  callback,
                        gpointer             user_data)
{
  GTask *task;

  g_return_if_fail (account != NULL && kind != NULL && label != NULL && secret != NULL);

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, lk_secrets_store_async);
  secret_password_store (lk_secrets_schema (), SECRET_COLLECTION_DEFAULT, label, secret,
                         cancellable, on_stored, task,
                         "account", account, "kind", kind, NULL);
}

gboolean
lk_secrets_store_finish (GAsyncResult  *result,
                         GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == lk_secrets_store_async, FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/* lookup: a search, then the one item's secret. (libsecret 0.20's
 * secret_password_lookup() leaks the D-Bus reply that carries the secret;
 * loading a single item does not.) */

static void
free_secret (gpointer secret)
{
  lk_secrets_free (secret);
}

static void
on_item_loaded (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  SecretItem *item = SECRET_ITEM (source);
  g_autoptr(SecretValue) value = NULL;
  GError *error = NULL;
  const char *text;

  if (!secret_item_load_secret_finish (item, result, &error))
    {
      g_task_return_error (task, translate_error (error));
      return;
    }
  value = secret_item_get_secret (item);
  text = value ? secret_value_get_text (value) : NULL;
  if (text == NULL)   /* none, or not text: none of ours */
    g_task_return_pointer (task, NULL, NULL);
  else
    g_task_return_pointer (task, g_strdup (text), free_secret);
}

static void
on_searched (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;
  GList *items = secret_service_search_finish (NULL, result, &error);
  GCancellable *cancellable;

  if (error != NULL)
    {
      g_task_return_error (task, translate_error (error));
      return;
    }
  if (items == NULL)
    {
      g_task_return_pointer (task, NULL, NULL);
      return;
    }
  cancellable = g_task_get_cancellable (task);
  secret_item_load_secret (items->data, cancellable, on_item_loaded, g_steal_pointer (&task));
  g_list_free_full (items, g_object_unref);
}

void
lk_secrets_lookup_async (const char          *account,
                         const char          *kind,
                         GCancellable        *cancellable,
                         GAsyncReadyCallback  callback,
                         gpointer             user_data)
{
  g_autoptr(GHashTable) attributes = NULL;
  GTask *task;

  g_return_if_fail (account != NULL && kind != NULL);

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, lk_secrets_lookup_async);
  attributes = secret_attributes_build (lk_secrets_schema (), "account", account, "kind", kind, NULL);
  secret_service_search (NULL, lk_secrets_schema (), attributes, SECRET_SEARCH_UNLOCK,
                         cancellable, on_searched, task);
}

char *
lk_secrets_lookup_finish (GAsyncResult  *result,
                          GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == lk_secrets_lookup_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/* clear */

static void
on_cleared (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;

  /* FALSE without an error: there was nothing to remove. */
  secret_password_clear_finish (result, &error);
  if (error != NULL)
    g_task_return_error (task, translate_error (error));
  else
    g_task_return_boolean (task, TRUE);
}

void
lk_secrets_clear_async (const char          *account,
                        const char          *kind,
                        GCancellable        *cancellable,
                        GAsyncReadyCallback  callback,
                        gpointer             user_data)
{
  GTask *task;

  g_return_if_fail (account != NULL && kind != NULL);

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, lk_secrets_clear_async);
  secret_password_clear (lk_secrets_schema (), cancellable, on_cleared, task,
                         "account", account, "kind", kind, NULL);
}

gboolean
lk_secrets_clear_finish (GAsyncResult  *result,
                         GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == lk_secrets_clear_async, FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

void
lk_secrets_free (char *secret)
{
  if (secret == NULL)
    return;
  memset (secret, 0, strlen (secret));
  g_free (secret);
}
