/* lk-store-error.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "lk-store-error.h"

G_DEFINE_QUARK (lk-store-error-quark, lk_store_error)
