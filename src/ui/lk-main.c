/* lk-main.c — entry point of the Lorikeet application
 *
 * Copyright 2026 The Lorikeet authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "lorikeet"

#include <locale.h>

#include <glib.h>
#include <glib/gi18n.h>

int
main (int   argc,
      char *argv[])
{
  g_autofree char *title = NULL;

  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  /* Translators: the application's name and its version, e.g. "Lorikeet 0.1.0" */
  title = g_strdup_printf (_("Lorikeet %s"), PACKAGE_VERSION);
  g_print ("%s\n", title);

  return 0;
}
