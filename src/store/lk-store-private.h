/* lk-store-private.h: the store's schema, for its tests.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <sqlite3.h>

#include "lk-store.h"

G_BEGIN_DECLS

/* The version lk_store_open() migrates to (PRAGMA user_version). */
int      lk_store_schema_version (void);

/* Migrates @db from its user_version to @target (<= the latest) in one
 * transaction. */
gboolean lk_store_migrate        (sqlite3  *db,
                                  int       target,
                                  GError  **error);

G_END_DECLS
