/* test-store.c: the history database, on a real SQLite file in a
 * temporary folder.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "lk-store-private.h"

#include <glib/gstdio.h>
#include <string.h>

#define ACCOUNT "juliet@example.org"
#define PEER    "romeo@example.net"

typedef struct {
  char    *dir;
  char    *path;
  LkStore *store;
} Fixture;

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  f->dir = g_dir_make_tmp ("lk-store-XXXXXX", &error);
  g_assert_no_error (error);
  f->path = g_build_filename (f->dir, "sub", "lorikeet.sqlite3", NULL);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(GDir) dir = NULL;
  g_autofree char *sub = g_build_filename (f->dir, "sub", NULL);
  const char *name;

  g_clear_object (&f->store);
  dir = g_dir_open (sub, 0, NULL);
  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *file = g_build_filename (sub, name, NULL);
      g_unlink (file);
    }
  g_rmdir (sub);
  g_rmdir (f->dir);
  g_free (f->path);
  g_free (f->dir);
}

static void
open_store (Fixture *f)
{
  g_autoptr(GError) error = NULL;

  g_clear_object (&f->store);
  f->store = lk_store_open (f->path, &error);
  g_assert_no_error (error);
  g_assert_nonnull (f->store);
}

/* ---- synchronous wrappers -------------------------------------------- */

static void
got_result (GObject      *source,
            GAsyncResult *result,
            gpointer      data)
{
  *(GAsyncResult **) data = g_object_ref (result);
}

static GAsyncResult *
wait_for (GAsyncResult **slot)
{
  while (*slot == NULL)
    g_main_context_iteration (NULL, TRUE);
  return *slot;
}

static LkStoredMessage *
make_message (const char *peer,
              const char *from,
              const char *body,
              gint64      time)
{
  LkStoredMessage *m = lk_stored_message_new ();

  m->account = g_strdup (ACCOUNT);
  m->peer = g_strdup (peer);
  m->from_jid = g_strdup (from);
  m->direction = g_str_equal (from, ACCOUNT) ? LK_STORED_DIRECTION_OUT : LK_STORED_DIRECTION_IN;
  m->body = g_strdup (body);
  m->time = time;
  return m;
}

static gint64
add (LkStore               *store,
     const LkStoredMessage *m,
     gboolean              *duplicate)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  gint64 id;

  lk_store_add_message_async (store, m, NULL, got_result, &result);
  id = lk_store_add_message_finish (store, wait_for (&result), duplicate, &error);
  g_assert_no_error (error);
  g_assert_cmpint (id, >, 0);
  return id;
}

static GPtrArray *
get_page (LkStore    *store,
          const char *peer,
          gint64      before,
          guint       limit)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  GPtrArray *page;

  lk_store_get_page_async (store, ACCOUNT, peer, before, limit, NULL, got_result, &result);
  page = lk_store_get_page_finish (store, wait_for (&result), &error);
  g_assert_no_error (error);
  g_assert_nonnull (page);
  return page;
}

static GPtrArray *
search (LkStore    *store,
        const char *account,
        const char *text)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  GPtrArray *found;

  lk_store_search_async (store, account, text, 50, NULL, got_result, &result);
  found = lk_store_search_finish (store, wait_for (&result), &error);
  g_assert_no_error (error);
  g_assert_nonnull (found);
  return found;
}

static GPtrArray *
outbox_list (LkStore *store)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  GPtrArray *items;

  lk_store_outbox_list_async (store, ACCOUNT, NULL, got_result, &result);
  items = lk_store_outbox_list_finish (store, wait_for (&result), &error);
  g_assert_no_error (error);
  g_assert_nonnull (items);
  return items;
}

/* ---- raw SQLite ------------------------------------------------------ */

static sqlite3 *
raw_open (const char *path)
{
  g_autofree char *dir = g_path_get_dirname (path);
  sqlite3 *db = NULL;

  g_mkdir_with_parents (dir, 0700);
  g_assert_cmpint (sqlite3_open (path, &db), ==, SQLITE_OK);
  return db;
}

static char *
raw_text (sqlite3    *db,
          const char *sql)
{
  sqlite3_stmt *st = NULL;
  GString *s = g_string_new (NULL);
  int rc;

  g_assert_cmpint (sqlite3_prepare_v2 (db, sql, -1, &st, NULL), ==, SQLITE_OK);
  while ((rc = sqlite3_step (st)) == SQLITE_ROW)
    {
      for (int i = 0; i < sqlite3_column_count (st); i++)
        {
          const char *t = (const char *) sqlite3_column_text (st, i);
          g_string_append_printf (s, "%s|", t != NULL ? t : "NULL");
        }
      g_string_append_c (s, '\n');
    }
  g_assert_cmpint (rc, ==, SQLITE_DONE);
  sqlite3_finalize (st);
  return g_string_free (s, FALSE);
}

#define SCHEMA_SQL "SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY type, name"

/* ---- tests ------------------------------------------------------------ */

static void
test_open (Fixture       *f,
           gconstpointer  data)
{
  g_autofree char *default_path = lk_store_default_path ();
  g_autofree char *expected = g_build_filename (g_get_user_data_dir (), "lorikeet",
                                                "lorikeet.sqlite3", NULL);
  g_autofree char *mode = NULL;
  g_autofree char *version = NULL;
  g_autofree char *want_version = g_strdup_printf ("%d|\n", lk_store_schema_version ());
  sqlite3 *db;

  g_assert_cmpstr (default_path, ==, expected);

  open_store (f);
  g_assert_cmpstr (lk_store_get_path (f->store), ==, f->path);
  g_assert_true (g_file_test (f->path, G_FILE_TEST_IS_REGULAR));

  db = raw_open (f->path);
  mode = raw_text (db, "PRAGMA journal_mode");
  g_assert_cmpstr (mode, ==, "wal|\n");
  version = raw_text (db, "PRAGMA user_version");
  g_assert_cmpstr (version, ==, want_version);
  sqlite3_close (db);

  /* Opens again as it is. */
  open_store (f);
}

static void
test_migrations (Fixture       *f,
                 gconstpointer  data)
{
  g_autofree char *fresh_path = g_build_filename (f->dir, "sub", "fresh.sqlite3", NULL);
  g_autofree char *fresh_schema = NULL;
  int latest = lk_store_schema_version ();
  sqlite3 *db;

  g_assert_cmpint (latest, >=, 2);

  f->store = lk_store_open (fresh_path, NULL);
  g_assert_nonnull (f->store);
  g_clear_object (&f->store);
  db = raw_open (fresh_path);
  fresh_schema = raw_text (db, SCHEMA_SQL);
  sqlite3_close (db);
  g_assert_nonnull (strstr (fresh_schema, "messages_fts"));

  for (int v = 0; v < latest; v++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *schema = NULL;
      g_autofree char *version = NULL;
      g_autofree char *want_version = g_strdup_printf ("%d|\n", latest);
      g_autoptr(GPtrArray) found = NULL;

      g_test_message ("from version %d", v);
      g_unlink (f->path);
      db = raw_open (f->path);
      g_assert_true (lk_store_migrate (db, v, &error));
      g_assert_no_error (error);
      if (v >= 1)
        g_assert_cmpint (sqlite3_exec (db,
                                       "INSERT INTO accounts (jid) VALUES ('" ACCOUNT "');"
                                       "INSERT INTO messages (account_id, peer, direction, from_jid, body, time)"
                                       " VALUES (1, '" PEER "', 0, '" PEER "', 'kept across versions', 1);",
                                       NULL, NULL, NULL), ==, SQLITE_OK);
      sqlite3_close (db);

      open_store (f);
      if (v >= 1)
        {
          found = search (f->store, ACCOUNT, "across");
          g_assert_cmpuint (found->len, ==, 1);
          g_assert_cmpstr (((LkStoredMessage *) found->pdata[0])->body, ==, "kept across versions");
        }
      g_clear_object (&f->store);

      db = raw_open (f->path);
      schema = raw_text (db, SCHEMA_SQL);
      version = raw_text (db, "PRAGMA user_version");
      sqlite3_close (db);
      g_assert_cmpstr (schema, ==, fresh_schema);
      g_assert_cmpstr (version, ==, want_version);
    }
  g_unlink (fresh_path);
  {
    g_autofree char *wal = g_strconcat (fresh_path, "-wal", NULL);
    g_autofree char *shm = g_strconcat (fresh_path, "-shm", NULL);
    g_unlink (wal);
    g_unlink (shm);
  }
}

static void
test_newer_schema (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *sql = g_strdup_printf ("PRAGMA user_version = %d", lk_store_schema_version () + 1);
  g_autoptr(LkStore) store = NULL;
  sqlite3 *db;

  db = raw_open (f->path);
  g_assert_cmpint (sqlite3_exec (db, sql, NULL, NULL, NULL), ==, SQLITE_OK);
  sqlite3_close (db);

  store = lk_store_open (f->path, &error);
  g_assert_null (store);
  g_assert_error (error, LK_STORE_ERROR, LK_STORE_ERROR_NEWER_SCHEMA);
  g_assert_nonnull (strstr (error->message, "newer"));
}

static void
test_dedup (Fixture       *f,
            gconstpointer  data)
{
  g_autoptr(LkStoredMessage) a = make_message (PEER, PEER, "hello", 1000);
  g_autoptr(LkStoredMessage) b = make_message (PEER, ACCOUNT, "hi there", 2000);
  g_autoptr(GPtrArray) page = NULL;
  gboolean dup = TRUE;
  gint64 id_a, id_b, id;

  open_store (f);

  /* By stanza-id. */
  a->stanza_id = g_strdup ("mam-1");
  a->stanza_id_by = g_strdup (ACCOUNT);
  a->message_id = g_strdup ("m1");
  id_a = add (f->store, a, &dup);
  g_assert_false (dup);
  id = add (f->store, a, &dup);
  g_assert_true (dup);
  g_assert_cmpint (id, ==, id_a);

  /* The same stanza-id in another conversation is another message. */
  {
    g_autoptr(LkStoredMessage) other = make_message ("nurse@example.net", "nurse@example.net", "hello", 1000);

    other->stanza_id = g_strdup ("mam-1");
    id = add (f->store, other, &dup);
    g_assert_false (dup);
    g_assert_cmpint (id, !=, id_a);
  }

  /* By origin-id: our message as sent, then as MAM returns it. */
  b->origin_id = g_strdup ("origin-7");
  b->state = LK_STORED_STATE_QUEUED;
  id_b = add (f->store, b, &dup);
  g_assert_false (dup);
  g_free (b->stanza_id);
  b->stanza_id = g_strdup ("mam-2");
  b->stanza_id_by = g_strdup (ACCOUNT);
  id = add (f->store, b, &dup);
  g_assert_true (dup);
  g_assert_cmpint (id, ==, id_b);

  /* The same origin-id from another sender is not a duplicate. */
  {
    g_autoptr(LkStoredMessage) c = make_message (PEER, PEER, "me too", 3000);

    c->origin_id = g_strdup ("origin-7");
    add (f->store, c, &dup);
    g_assert_false (dup);
  }

  /* Messages with neither id are never merged. */
  {
    g_autoptr(LkStoredMessage) d = make_message (PEER, PEER, "bare", 4000);

    id = add (f->store, d, &dup);
    g_assert_false (dup);
    g_assert_cmpint (add (f->store, d, &dup), !=, id);
    g_assert_false (dup);
  }

  page = get_page (f->store, PEER, 0, 100);
  g_assert_cmpuint (page->len, ==, 5);
  {
    LkStoredMessage *first = page->pdata[0];
    LkStoredMessage *second = page->pdata[1];

    g_assert_cmpint (first->id, ==, id_a);
    g_assert_cmpstr (first->stanza_id, ==, "mam-1");
    g_assert_cmpstr (first->stanza_id_by, ==, ACCOUNT);
    g_assert_cmpstr (first->message_id, ==, "m1");
    g_assert_cmpstr (first->account, ==, ACCOUNT);
    g_assert_cmpint (first->direction, ==, LK_STORED_DIRECTION_IN);
    /* The stanza-id MAM gave our own message was filled in. */
    g_assert_cmpint (second->id, ==, id_b);
    g_assert_cmpstr (second->stanza_id, ==, "mam-2");
    g_assert_cmpstr (second->origin_id, ==, "origin-7");
    g_assert_cmpint (second->direction, ==, LK_STORED_DIRECTION_OUT);
    g_assert_cmpint (second->state, ==, LK_STORED_STATE_QUEUED);
  }
}

static void
test_page (Fixture       *f,
           gconstpointer  data)
{
  gint64 ids[26] = { 0 };
  gint64 old_id;

  open_store (f);
  for (int i = 1; i <= 25; i++)
    {
      g_autofree char *body = g_strdup_printf ("message %d", i);
      g_autoptr(LkStoredMessage) m = make_message (PEER, PEER, body, i * G_USEC_PER_SEC);

      ids[i] = add (f->store, m, NULL);
    }
  /* Another conversation does not show. */
  {
    g_autoptr(LkStoredMessage) m = make_message ("nurse@example.net", "nurse@example.net", "x", 30);
    add (f->store, m, NULL);
  }

  {
    g_autoptr(GPtrArray) page = get_page (f->store, PEER, 0, 10);

    g_assert_cmpuint (page->len, ==, 10);
    for (guint i = 0; i < 10; i++)
      g_assert_cmpint (((LkStoredMessage *) page->pdata[i])->id, ==, ids[16 + i]);
  }
  {
    g_autoptr(GPtrArray) page = get_page (f->store, PEER, ids[16], 10);

    g_assert_cmpuint (page->len, ==, 10);
    for (guint i = 0; i < 10; i++)
      g_assert_cmpint (((LkStoredMessage *) page->pdata[i])->id, ==, ids[6 + i]);
  }
  {
    g_autoptr(GPtrArray) page = get_page (f->store, PEER, ids[6], 10);

    g_assert_cmpuint (page->len, ==, 5);
    g_assert_cmpstr (((LkStoredMessage *) page->pdata[0])->body, ==, "message 1");
  }
  {
    g_autoptr(GPtrArray) page = get_page (f->store, PEER, ids[1], 10);
    g_assert_cmpuint (page->len, ==, 0);
  }

  /* An older message stored late (an archive back-fill) takes its place
   * by time, not by when it was stored. */
  {
    g_autoptr(LkStoredMessage) m = make_message (PEER, PEER, "late", 5 * G_USEC_PER_SEC + 1);
    g_autoptr(GPtrArray) page = NULL;

    old_id = add (f->store, m, NULL);
    page = get_page (f->store, PEER, ids[7], 3);
    g_assert_cmpuint (page->len, ==, 3);
    g_assert_cmpstr (((LkStoredMessage *) page->pdata[0])->body, ==, "message 5");
    g_assert_cmpint (((LkStoredMessage *) page->pdata[1])->id, ==, old_id);
    g_assert_cmpstr (((LkStoredMessage *) page->pdata[2])->body, ==, "message 6");
  }

  /* An unknown account or peer has no messages. */
  {
    g_autoptr(GPtrArray) page = get_page (f->store, "nobody@example.net", 0, 10);
    g_assert_cmpuint (page->len, ==, 0);
  }
}

static void
test_search (Fixture       *f,
             gconstpointer  data)
{
  static const char * const bodies[] = {
    "Shall we meet at the orchard tonight?",
    "Wherefore art thou",
    "He said \"NOT yet\" AND left* (col: val) -x ^y",
    "nothing here",
    "Café crème",
  };
  g_autoptr(GPtrArray) found = NULL;

  open_store (f);
  for (guint i = 0; i < G_N_ELEMENTS (bodies); i++)
    {
      g_autoptr(LkStoredMessage) m = make_message (PEER, PEER, bodies[i], (gint64) i + 1);

      m->message_id = g_strdup_printf ("id-%u", i);
      add (f->store, m, NULL);
    }

  /* A word, any case. */
  found = search (f->store, ACCOUNT, "ORCHARD");
  g_assert_cmpuint (found->len, ==, 1);
  g_assert_cmpstr (((LkStoredMessage *) found->pdata[0])->body, ==, bodies[0]);
  g_clear_pointer (&found, g_ptr_array_unref);

  /* Diacritics folded. */
  found = search (f->store, NULL, "cafe");
  g_assert_cmpuint (found->len, ==, 1);
  g_clear_pointer (&found, g_ptr_array_unref);

  /* Quotes and operators are text, never query syntax. */
  {
    static const char * const literal[] = {
      "\"NOT yet\" AND left*", "NOT yet", "\"NOT", "left*", "(col: val)", "-x ^y", "AND", "col:",
    };

    for (guint i = 0; i < G_N_ELEMENTS (literal); i++)
      {
        g_test_message ("searching %s", literal[i]);
        found = search (f->store, ACCOUNT, literal[i]);
        g_assert_cmpuint (found->len, ==, 1);
        g_assert_cmpstr (((LkStoredMessage *) found->pdata[0])->body, ==, bodies[2]);
        g_clear_pointer (&found, g_ptr_array_unref);
      }
  }
  /* A phrase is a phrase: these words are not next to each other. */
  found = search (f->store, ACCOUNT, "meet tonight");
  g_assert_cmpuint (found->len, ==, 0);
  g_clear_pointer (&found, g_ptr_array_unref);
  found = search (f->store, ACCOUNT, "  ");
  g_assert_cmpuint (found->len, ==, 0);
  g_clear_pointer (&found, g_ptr_array_unref);
  found = search (f->store, "nobody@example.net", "orchard");
  g_assert_cmpuint (found->len, ==, 0);
  g_clear_pointer (&found, g_ptr_array_unref);

  /* A correction: found by its new text, no longer by the old, and once. */
  {
    g_autoptr(LkStoredMessage) fix = make_message (PEER, PEER, "Wherefore art thou Romeo", 10);

    fix->corrects = g_strdup ("id-1");
    add (f->store, fix, NULL);
  }
  found = search (f->store, ACCOUNT, "romeo");
  g_assert_cmpuint (found->len, ==, 1);
  g_assert_cmpstr (((LkStoredMessage *) found->pdata[0])->message_id, ==, "id-1");
  g_assert_cmpstr (((LkStoredMessage *) found->pdata[0])->body, ==, "Wherefore art thou Romeo");
  g_clear_pointer (&found, g_ptr_array_unref);
  found = search (f->store, ACCOUNT, "wherefore");
  g_assert_cmpuint (found->len, ==, 1);
  g_clear_pointer (&found, g_ptr_array_unref);

  /* Another sender cannot correct it. */
  {
    g_autoptr(LkStoredMessage) forged = make_message (PEER, "mallory@example.com", "forged words", 11);

    forged->corrects = g_strdup ("id-1");
    add (f->store, forged, NULL);
  }
  found = search (f->store, ACCOUNT, "forged");
  g_assert_cmpuint (found->len, ==, 0);
}

static void
test_outbox (Fixture       *f,
             gconstpointer  data)
{
  static const char *origin_ids[] = { "o-1", "o-2", "o-3" };
  g_autoptr(GPtrArray) items = NULL;

  open_store (f);
  items = outbox_list (f->store);
  g_assert_cmpuint (items->len, ==, 0);
  g_clear_pointer (&items, g_ptr_array_unref);

  for (guint i = 0; i < G_N_ELEMENTS (origin_ids); i++)
    {
      g_autoptr(GAsyncResult) result = NULL;
      g_autoptr(GError) error = NULL;
      g_autofree char *xml = g_strdup_printf ("<message to='" PEER "' id='%s'><body>%u</body></message>",
                                              origin_ids[i], i);

      lk_store_outbox_add_async (f->store, ACCOUNT, PEER, origin_ids[i], xml, NULL, got_result, &result);
      g_assert_true (lk_store_outbox_add_finish (f->store, wait_for (&result), &error));
      g_assert_no_error (error);
    }

  /* On disk: a new connection sees them. */
  open_store (f);
  items = outbox_list (f->store);
  g_assert_cmpuint (items->len, ==, 3);
  for (guint i = 0; i < 3; i++)
    {
      LkOutboxItem *item = items->pdata[i];

      g_assert_cmpstr (item->origin_id, ==, origin_ids[i]);
      g_assert_cmpstr (item->account, ==, ACCOUNT);
      g_assert_cmpstr (item->peer, ==, PEER);
      g_assert_nonnull (strstr (item->stanza_xml, origin_ids[i]));
      g_assert_cmpint (item->created, >, 0);
    }
  g_clear_pointer (&items, g_ptr_array_unref);

  for (guint i = 0; i < 2; i++)
    {
      g_autoptr(GAsyncResult) result = NULL;
      g_autoptr(GError) error = NULL;
      const char *which = i == 0 ? "o-2" : "not-there";

      lk_store_outbox_remove_async (f->store, ACCOUNT, which, NULL, got_result, &result);
      g_assert_true (lk_store_outbox_remove_finish (f->store, wait_for (&result), &error));
      g_assert_no_error (error);
    }

  items = outbox_list (f->store);
  g_assert_cmpuint (items->len, ==, 2);
  g_assert_cmpstr (((LkOutboxItem *) items->pdata[0])->origin_id, ==, "o-1");
  g_assert_cmpstr (((LkOutboxItem *) items->pdata[1])->origin_id, ==, "o-3");
}

static void
get_sync (LkStore  *store,
          char    **roster_ver,
          char    **last_mam_id)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  lk_store_get_sync_state_async (store, ACCOUNT, NULL, got_result, &result);
  g_assert_true (lk_store_get_sync_state_finish (store, wait_for (&result), roster_ver, last_mam_id, &error));
  g_assert_no_error (error);
}

static void
set_sync (LkStore    *store,
          const char *roster_ver,
          const char *last_mam_id)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  lk_store_set_sync_state_async (store, ACCOUNT, roster_ver, last_mam_id, NULL, got_result, &result);
  g_assert_true (lk_store_set_sync_state_finish (store, wait_for (&result), &error));
  g_assert_no_error (error);
}

static void
test_sync_state (Fixture       *f,
                 gconstpointer  data)
{
  char *roster_ver = NULL, *last_mam_id = NULL;

  open_store (f);
  get_sync (f->store, &roster_ver, &last_mam_id);
  g_assert_null (roster_ver);
  g_assert_null (last_mam_id);

  set_sync (f->store, "ver-1", "mam-100");
  set_sync (f->store, NULL, "mam-200");  /* the roster version stays */

  open_store (f);
  get_sync (f->store, &roster_ver, &last_mam_id);
  g_assert_cmpstr (roster_ver, ==, "ver-1");
  g_assert_cmpstr (last_mam_id, ==, "mam-200");
  g_free (roster_ver);
  g_free (last_mam_id);
}

/* ---- many at once ---------------------------------------------------- */

#define BULK 10000

/* 10,000 inserts in under 2 s, with no main-loop gap over 50 ms (a 16 ms
 * timer keeps ticking). A sanitizer build on a loaded 2-core machine is
 * several times slower, and its gaps measure the machine's load as much
 * as the store: there both limits only catch gross stalls. */
#if defined(__has_feature)
# if __has_feature(address_sanitizer)
#  define LK_ASAN 1
# endif
#endif
#if defined(__SANITIZE_ADDRESS__) || defined(LK_ASAN)
# define BULK_LIMIT (10 * G_USEC_PER_SEC)
# define GAP_LIMIT (500 * 1000)
#else
# define BULK_LIMIT (2 * G_USEC_PER_SEC)
# define GAP_LIMIT (50 * 1000)
#endif

typedef struct {
  LkStore *store;
  guint    done;
  guint    out_of_order;
  gint64   last_id;
  gint64   last_tick;
  gint64   max_gap;
  guint    ticks;
} Bulk;

static void
bulk_added (GObject      *source,
            GAsyncResult *result,
            gpointer      data)
{
  Bulk *b = data;
  g_autoptr(GError) error = NULL;
  gboolean dup = TRUE;
  gint64 id = lk_store_add_message_finish (LK_STORE (source), result, &dup, &error);

  g_assert_no_error (error);
  g_assert_false (dup);
  if (id <= b->last_id)
    b->out_of_order++;
  b->last_id = id;
  b->done++;
}

static gboolean
bulk_tick (gpointer data)
{
  Bulk *b = data;
  gint64 now = g_get_monotonic_time ();

  b->max_gap = MAX (b->max_gap, now - b->last_tick);
  b->last_tick = now;
  b->ticks++;
  return G_SOURCE_CONTINUE;
}

static void
test_bulk (Fixture       *f,
           gconstpointer  data)
{
  Bulk b = { 0 };
  gint64 start, queued, end;
  guint tick;

  open_store (f);
  b.store = f->store;

  start = g_get_monotonic_time ();
  for (guint i = 0; i < BULK; i++)
    {
      g_autofree char *body = g_strdup_printf ("archived message number %u", i);
      g_autoptr(LkStoredMessage) m = make_message (PEER, PEER, body, (gint64) i);

      m->stanza_id = g_strdup_printf ("mam-%u", i);
      lk_store_add_message_async (f->store, m, NULL, bulk_added, &b);
    }
  queued = g_get_monotonic_time ();

  b.last_tick = queued;
  tick = g_timeout_add (16, bulk_tick, &b);
  while (b.done < BULK)
    g_main_context_iteration (NULL, TRUE);
  end = g_get_monotonic_time ();
  g_source_remove (tick);

  g_test_message ("%d inserts: queued in %.1f ms, stored in %.1f ms (%.0f/s); "
                  "largest main-loop gap %.1f ms over %u ticks",
                  BULK, (queued - start) / 1000.0, (end - start) / 1000.0,
                  BULK / ((end - start) / (double) G_USEC_PER_SEC),
                  b.max_gap / 1000.0, b.ticks);
  g_assert_cmpuint (b.out_of_order, ==, 0);
  g_assert_cmpint (end - start, <, BULK_LIMIT);
  g_assert_cmpint (b.max_gap, <, GAP_LIMIT);

  {
    g_autoptr(GPtrArray) page = get_page (f->store, PEER, 0, 3);
    g_autoptr(GPtrArray) found = search (f->store, ACCOUNT, "number 4242");

    g_assert_cmpstr (((LkStoredMessage *) page->pdata[2])->body, ==, "archived message number 9999");
    g_assert_cmpuint (found->len, ==, 1);
  }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  ADD ("/store/open", test_open);
  ADD ("/store/migrations", test_migrations);
  ADD ("/store/newer-schema", test_newer_schema);
  ADD ("/store/dedup", test_dedup);
  ADD ("/store/page", test_page);
  ADD ("/store/search", test_search);
  ADD ("/store/outbox", test_outbox);
  ADD ("/store/sync-state", test_sync_state);
  ADD ("/store/bulk", test_bulk);
#undef ADD

  return g_test_run ();
}
