/* lk-secrets.h: secrets of an account in the Secret Service.
 *
 * A secret is found by the account (a bare JID) and its kind; there is at
 * most one of each. Nothing is ever written to a plain file: without a
 * Secret Service on the session bus every call fails with
 * LK_STORE_ERROR_NO_SECRET_SERVICE, and the caller goes on without
 * keeping the secret.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "lk-store-error.h"

G_BEGIN_DECLS

/* The kinds of secret (the "kind" attribute). */
#define LK_SECRET_PASSWORD   "password"
#define LK_SECRET_FAST_TOKEN "fast-token"

/* The libsecret schema's name; its attributes are "account" and "kind". */
#define LK_SECRETS_SCHEMA_NAME "im.lorikeet.Lorikeet.Secret"

/* Stores @secret for @account and @kind, replacing the one there was.
 * @label is what a keyring manager shows (a sentence for a person). */
void      lk_secrets_store_async   (const char          *account,
                                    const char          *kind,
                                    const char          *label,
                                    const char          *secret,
                                    GCancellable        *cancellable,
                                    GAsyncReadyCallback  callback,
                                    gpointer             user_data);
gboolean  lk_secrets_store_finish  (GAsyncResult        *result,
                                    GError             **error);

/* The secret, or NULL with no error when there is none. Free it with
 * lk_secrets_free(). */
void      lk_secrets_lookup_async  (const char          *account,
                                    const char          *kind,
                                    GCancellable        *cancellable,
                                    GAsyncReadyCallback  callback,
                                    gpointer             user_data);
char     *lk_secrets_lookup_finish (GAsyncResult        *result,
                                    GError             **error);

/* Removes the secret; TRUE also when there was none. */
void      lk_secrets_clear_async   (const char          *account,
                                    const char          *kind,
                                    GCancellable        *cancellable,
                                    GAsyncReadyCallback  callback,
                                    gpointer             user_data);
gboolean  lk_secrets_clear_finish  (GAsyncResult        *result,
                                    GError             **error);

/* Overwrites @secret, then frees it. NULL is allowed. */
void      lk_secrets_free          (char                *secret);

G_END_DECLS
