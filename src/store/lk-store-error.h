/* lk-store-error.h: the GError domain of the store.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef enum {
  /* No Secret Service answers on the session bus (no bus, or nothing on
   * it provides org.freedesktop.secrets): secrets cannot be kept. */
  LK_STORE_ERROR_NO_SECRET_SERVICE,
  /* The Secret Service is there but refused or failed (a locked keyring
   * whose unlock was dismissed, …). */
  LK_STORE_ERROR_KEYRING,
  /* SQLite failed (cannot open the file, disk full, corrupt …). */
  LK_STORE_ERROR_DATABASE,
  /* The schema could not be brought up to date. */
  LK_STORE_ERROR_MIGRATION,
  /* The database was written by a newer Lorikeet: it is not opened. */
  LK_STORE_ERROR_NEWER_SCHEMA,
} LkStoreError;

#define LK_STORE_ERROR (lk_store_error_quark ())
GQuark lk_store_error_quark (void);

G_END_DECLS
