/* fuzz-replay.c: runs a fuzz entry point over files, without libFuzzer.
 *
 * Every argument is a file or a folder of files; each file is one input.
 * A crash or a sanitizer report is the only failure, as under libFuzzer.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <glib.h>
#include <stdint.h>
#include <stdio.h>

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

static int
replay_file (const char *path)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *contents = NULL;
  gsize len = 0;

  if (!g_file_get_contents (path, &contents, &len, &error))
    {
      fprintf (stderr, "%s\n", error->message);
      return 1;
    }
  LLVMFuzzerTestOneInput ((const uint8_t *) contents, len);
  return 0;
}

static int
replay_path (const char *path, guint *count)
{
  g_autoptr(GDir) dir = NULL;
  const char *name;
  int failed = 0;

  if (!g_file_test (path, G_FILE_TEST_IS_DIR))
    {
      (*count)++;
      return replay_file (path);
    }
  dir = g_dir_open (path, 0, NULL);
  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);
      failed |= replay_path (child, count);
    }
  return failed;
}

int
main (int argc, char **argv)
{
  guint count = 0;
  int failed = 0;

  for (int i = 1; i < argc; i++)
    failed |= replay_path (argv[i], &count);
  printf ("replayed %u inputs\n", count);
  if (count == 0)
    {
      fprintf (stderr, "no input to replay\n");
      return 1;
    }
  return failed;
}
