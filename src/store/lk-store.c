/* lk-store.c: the history database.
 *
 * One writer thread owns the sqlite3 connection. Calls become jobs on a
 * GAsyncQueue, run in the order they were made. The thread takes a job,
 * opens a transaction, then runs every job already waiting (up to
 * BATCH_MAX) in the same transaction, commits, and only then returns the
 * results of the whole batch through their GTasks, which hand them to
 * the caller's main context. Reads go through the same thread, so a read
 * always sees the writes queued before it.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "lk-store-private.h"

#include <glib/gi18n-lib.h>
#include <errno.h>
#include <string.h>

#define BATCH_MAX 1000

/* ---- schema ------------------------------------------------------------ */

/* migrations[i] brings a database from version i to version i + 1. Never
 * edit a step once released: add one. */
static const char * const migrations[] = {
  /* 1: the first schema. */
  "CREATE TABLE accounts ("
  "  id INTEGER PRIMARY KEY,"
  "  jid TEXT NOT NULL UNIQUE,"
  "  roster_ver TEXT,"
  "  last_mam_id TEXT"
  ");"
  "CREATE TABLE messages ("
  "  id INTEGER PRIMARY KEY,"
  "  account_id INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,"
  "  peer TEXT NOT NULL,"
  "  direction INTEGER NOT NULL,"
  "  from_jid TEXT NOT NULL,"
  "  stanza_id TEXT,"
  "  stanza_id_by TEXT,"
  "  origin_id TEXT,"
  "  message_id TEXT,"
  "  body TEXT,"
  "  time INTEGER NOT NULL,"
  "  corrects TEXT,"
  "  retracted INTEGER NOT NULL DEFAULT 0,"
  "  reply_to TEXT,"
  "  state INTEGER NOT NULL DEFAULT 0,"
  "  UNIQUE (account_id, peer, stanza_id),"
  "  UNIQUE (account_id, peer, from_jid, origin_id)"
  ");"
  "CREATE TABLE reactions ("
  "  message_id INTEGER NOT NULL REFERENCES messages (id) ON DELETE CASCADE,"
  "  from_jid TEXT NOT NULL,"
  "  emoji TEXT NOT NULL,"
  "  UNIQUE (message_id, from_jid, emoji)"
  ");"
  "CREATE TABLE markers ("
  "  account_id INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,"
  "  peer TEXT NOT NULL,"
  "  from_jid TEXT NOT NULL,"
  "  last_received_message_id TEXT,"
  "  last_displayed_message_id TEXT,"
  "  PRIMARY KEY (account_id, peer, from_jid)"
  ");"
  "CREATE TABLE roster ("
  "  account_id INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,"
  "  jid TEXT NOT NULL,"
  "  name TEXT,"
  "  subscription TEXT NOT NULL DEFAULT 'none',"
  "  ask TEXT,"
  "  groups TEXT NOT NULL DEFAULT '[]',"  /* a JSON array of strings */
  "  PRIMARY KEY (account_id, jid)"
  ");"
  "CREATE TABLE caps ("
  "  node_ver_hash TEXT PRIMARY KEY,"
  "  disco_info_xml TEXT NOT NULL"
  ");"
  "CREATE TABLE outbox ("
  "  id INTEGER PRIMARY KEY,"
  "  account_id INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,"
  "  peer TEXT NOT NULL,"
  "  origin_id TEXT NOT NULL,"
  "  stanza_xml TEXT NOT NULL,"
  "  created INTEGER NOT NULL,"
  "  UNIQUE (account_id, origin_id)"
  ");"
  /* Full-text index of the current bodies. Corrections are rows of their
   * own but are applied to the message they correct, so only rows that
   * correct nothing are indexed. */
  "CREATE VIRTUAL TABLE messages_fts USING fts5 ("
  "  body, content='messages', content_rowid='id',"
  "  tokenize='unicode61 remove_diacritics 2'"
  ");"
  "CREATE TRIGGER messages_fts_insert AFTER INSERT ON messages"
  "  WHEN new.body IS NOT NULL AND new.corrects IS NULL BEGIN"
  "  INSERT INTO messages_fts (rowid, body) VALUES (new.id, new.body);"
  "END;"
  "CREATE TRIGGER messages_fts_delete AFTER DELETE ON messages"
  "  WHEN old.body IS NOT NULL AND old.corrects IS NULL BEGIN"
  "  INSERT INTO messages_fts (messages_fts, rowid, body) VALUES ('delete', old.id, old.body);"
  "END;"
  "CREATE TRIGGER messages_fts_update AFTER UPDATE OF body, corrects ON messages BEGIN"
  "  INSERT INTO messages_fts (messages_fts, rowid, body)"
  "    SELECT 'delete', old.id, old.body WHERE old.body IS NOT NULL AND old.corrects IS NULL;"
  "  INSERT INTO messages_fts (rowid, body)"
  "    SELECT new.id, new.body WHERE new.body IS NOT NULL AND new.corrects IS NULL;"
  "END;",

  /* 2: pages of a conversation in time order. */
  "CREATE INDEX messages_by_time ON messages (account_id, peer, time, id);",
};

int
lk_store_schema_version (void)
{
  return G_N_ELEMENTS (migrations);
}

static void
set_db_error (GError     **error,
              sqlite3     *db,
              const char  *what)
{
  g_set_error (error, LK_STORE_ERROR, LK_STORE_ERROR_DATABASE,
               /* Translators: %s is what was being done, then SQLite's own words */
               _("The message database failed (%s): %s"), what, sqlite3_errmsg (db));
}

static gboolean
exec (sqlite3     *db,
      const char  *sql,
      GError     **error)
{
  if (sqlite3_exec (db, sql, NULL, NULL, NULL) != SQLITE_OK)
    {
      set_db_error (error, db, sql);
      return FALSE;
    }
  return TRUE;
}

static int
user_version (sqlite3 *db)
{
  sqlite3_stmt *st = NULL;
  int v = -1;

  if (sqlite3_prepare_v2 (db, "PRAGMA user_version", -1, &st, NULL) == SQLITE_OK &&
      sqlite3_step (st) == SQLITE_ROW)
    v = sqlite3_column_int (st, 0);
  sqlite3_finalize (st);
  return v;
}

gboolean
lk_store_migrate (sqlite3  *db,
                  int       target,
                  GError  **error)
{
  int latest = lk_store_schema_version ();
  int current;
  g_autofree char *set_version = NULL;

  g_return_val_if_fail (target >= 0 && target <= latest, FALSE);

  if (!exec (db, "BEGIN IMMEDIATE", error))
    return FALSE;

  current = user_version (db);
  if (current < 0)
    {
      set_db_error (error, db, "PRAGMA user_version");
      goto fail;
    }
  if (current > latest)
    {
      g_set_error (error, LK_STORE_ERROR, LK_STORE_ERROR_NEWER_SCHEMA,
                   _("The message database was written by a newer version of Lorikeet "
                     "(schema %d; this version knows up to %d). Update Lorikeet to open it."),
                   current, latest);
      goto fail;
    }

  for (int v = current; v < target; v++)
    if (sqlite3_exec (db, migrations[v], NULL, NULL, NULL) != SQLITE_OK)
      {
        g_set_error (error, LK_STORE_ERROR, LK_STORE_ERROR_MIGRATION,
                     _("The message database could not be updated to version %d: %s"),
                     v + 1, sqlite3_errmsg (db));
        goto fail;
      }

  if (current < target)
    {
      set_version = g_strdup_printf ("PRAGMA user_version = %d", target);
      if (!exec (db, set_version, error))
        goto fail;
    }

  return exec (db, "COMMIT", error);

fail:
  sqlite3_exec (db, "ROLLBACK", NULL, NULL, NULL);
  return FALSE;
}

/* ---- boxed types ------------------------------------------------------- */

LkStoredMessage *
lk_stored_message_new (void)
{
  return g_new0 (LkStoredMessage, 1);
}

LkStoredMessage *
lk_stored_message_copy (const LkStoredMessage *msg)
{
  LkStoredMessage *copy = g_new0 (LkStoredMessage, 1);

  *copy = *msg;
  copy->account = g_strdup (msg->account);
  copy->peer = g_strdup (msg->peer);
  copy->from_jid = g_strdup (msg->from_jid);
  copy->stanza_id = g_strdup (msg->stanza_id);
  copy->stanza_id_by = g_strdup (msg->stanza_id_by);
  copy->origin_id = g_strdup (msg->origin_id);
  copy->message_id = g_strdup (msg->message_id);
  copy->body = g_strdup (msg->body);
  copy->corrects = g_strdup (msg->corrects);
  copy->reply_to = g_strdup (msg->reply_to);
  return copy;
}

void
lk_stored_message_free (LkStoredMessage *msg)
{
  if (msg == NULL)
    return;
  g_free (msg->account);
  g_free (msg->peer);
  g_free (msg->from_jid);
  g_free (msg->stanza_id);
  g_free (msg->stanza_id_by);
  g_free (msg->origin_id);
  g_free (msg->message_id);
  g_free (msg->body);
  g_free (msg->corrects);
  g_free (msg->reply_to);
  g_free (msg);
}

G_DEFINE_BOXED_TYPE (LkStoredMessage, lk_stored_message, lk_stored_message_copy, lk_stored_message_free)

LkOutboxItem *
lk_outbox_item_copy (const LkOutboxItem *item)
{
  LkOutboxItem *copy = g_new0 (LkOutboxItem, 1);

  *copy = *item;
  copy->account = g_strdup (item->account);
  copy->peer = g_strdup (item->peer);
  copy->origin_id = g_strdup (item->origin_id);
  copy->stanza_xml = g_strdup (item->stanza_xml);
  return copy;
}

void
lk_outbox_item_free (LkOutboxItem *item)
{
  if (item == NULL)
    return;
  g_free (item->account);
  g_free (item->peer);
  g_free (item->origin_id);
  g_free (item->stanza_xml);
  g_free (item);
}

G_DEFINE_BOXED_TYPE (LkOutboxItem, lk_outbox_item, lk_outbox_item_copy, lk_outbox_item_free)

/* ---- the object -------------------------------------------------------- */

typedef enum {
  JOB_QUIT,
  JOB_ADD_MESSAGE,
  JOB_GET_PAGE,
  JOB_SEARCH,
  JOB_OUTBOX_ADD,
  JOB_OUTBOX_REMOVE,
  JOB_OUTBOX_LIST,
  JOB_SET_SYNC,
  JOB_GET_SYNC,
} JobKind;

typedef struct {
  JobKind          kind;
  GTask           *task;
  LkStoredMessage *msg;
  char            *account;
  char            *peer;
  char            *s1;
  char            *s2;
  gint64           n;
  guint            limit;
  /* filled by the worker */
  gpointer         result;
  GDestroyNotify   result_free;
  GError          *error;
} Job;

typedef struct {
  gint64   id;
  gboolean duplicate;
} AddResult;

typedef struct {
  char *roster_ver;
  char *last_mam_id;
} SyncState;

struct _LkStore {
  GObject       parent_instance;
  char         *path;
  sqlite3      *db;        /* owned by the worker once it runs */
  GThread      *worker;
  GAsyncQueue  *jobs;
  /* worker thread only */
  GHashTable   *stmts;     /* SQL text (static) → sqlite3_stmt */
  GHashTable   *accounts;  /* bare JID → account row id */
};

G_DEFINE_FINAL_TYPE (LkStore, lk_store, G_TYPE_OBJECT)

static void
sync_state_free (gpointer data)
{
  SyncState *s = data;

  g_free (s->roster_ver);
  g_free (s->last_mam_id);
  g_free (s);
}

static void
job_free (Job *job)
{
  g_clear_object (&job->task);
  lk_stored_message_free (job->msg);
  g_free (job->account);
  g_free (job->peer);
  g_free (job->s1);
  g_free (job->s2);
  if (job->result != NULL && job->result_free != NULL)
    job->result_free (job->result);
  g_clear_error (&job->error);
  g_free (job);
}

/* A cached prepared statement, reset and unbound. */
static sqlite3_stmt *
stmt (LkStore     *self,
      const char  *sql,
      GError     **error)
{
  sqlite3_stmt *st = g_hash_table_lookup (self->stmts, sql);

  if (st != NULL)
    return st;
  if (sqlite3_prepare_v3 (self->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &st, NULL) != SQLITE_OK)
    {
      set_db_error (error, self->db, sql);
      return NULL;
    }
  g_hash_table_insert (self->stmts, (gpointer) sql, st);
  return st;
}

static void
stmt_done (sqlite3_stmt *st)
{
  sqlite3_reset (st);
  sqlite3_clear_bindings (st);
}

static void
bind_text (sqlite3_stmt *st,
           int           i,
           const char   *text)
{
  if (text != NULL)
    sqlite3_bind_text (st, i, text, -1, SQLITE_STATIC);
  else
    sqlite3_bind_null (st, i);
}

static char *
column_text (sqlite3_stmt *st,
             int           i)
{
  return g_strdup ((const char *) sqlite3_column_text (st, i));
}

/* The row id of @account, added when @create; 0 when it is not there
 * (and not created) or on error. */
static gint64
account_id (LkStore     *self,
            const char  *account,
            gboolean     create,
            GError     **error)
{
  static const char *insert_sql = "INSERT INTO accounts (jid) VALUES (?1) ON CONFLICT (jid) DO NOTHING";
  static const char *select_sql = "SELECT id FROM accounts WHERE jid = ?1";
  gpointer cached = g_hash_table_lookup (self->accounts, account);
  sqlite3_stmt *st;
  gint64 id = 0;
  int rc;

  if (cached != NULL)
    return *(gint64 *) cached;

  if (create)
    {
      if ((st = stmt (self, insert_sql, error)) == NULL)
        return 0;
      bind_text (st, 1, account);
      rc = sqlite3_step (st);
      stmt_done (st);
      if (rc != SQLITE_DONE)
        {
          set_db_error (error, self->db, insert_sql);
          return 0;
        }
    }

  if ((st = stmt (self, select_sql, error)) == NULL)
    return 0;
  bind_text (st, 1, account);
  rc = sqlite3_step (st);
  if (rc == SQLITE_ROW)
    id = sqlite3_column_int64 (st, 0);
  else if (rc != SQLITE_DONE)
    set_db_error (error, self->db, select_sql);
  stmt_done (st);

  /* A rolled-back batch empties the cache (see worker_main). */
  if (id != 0)
    g_hash_table_insert (self->accounts, g_strdup (account), g_memdup2 (&id, sizeof id));
  return id;
}

#define MESSAGE_COLUMNS \
  "m.id, a.jid, m.peer, m.direction, m.from_jid, m.stanza_id, m.stanza_id_by, " \
  "m.origin_id, m.message_id, m.body, m.time, m.corrects, m.retracted, m.reply_to, m.state"

static LkStoredMessage *
message_from_row (sqlite3_stmt *st)
{
  LkStoredMessage *m = lk_stored_message_new ();

  m->id = sqlite3_column_int64 (st, 0);
  m->account = column_text (st, 1);
  m->peer = column_text (st, 2);
  m->direction = sqlite3_column_int (st, 3);
  m->from_jid = column_text (st, 4);
  m->stanza_id = column_text (st, 5);
  m->stanza_id_by = column_text (st, 6);
  m->origin_id = column_text (st, 7);
  m->message_id = column_text (st, 8);
  m->body = column_text (st, 9);
  m->time = sqlite3_column_int64 (st, 10);
  m->corrects = column_text (st, 11);
  m->retracted = sqlite3_column_int (st, 12) != 0;
  m->reply_to = column_text (st, 13);
  m->state = sqlite3_column_int (st, 14);
  return m;
}

/* Steps @st to the end, collecting messages; FALSE on error. */
static gboolean
collect_messages (LkStore       *self,
                  sqlite3_stmt  *st,
                  const char    *sql,
                  GPtrArray     *out,
                  GError       **error)
{
  int rc;

  while ((rc = sqlite3_step (st)) == SQLITE_ROW)
    g_ptr_array_add (out, message_from_row (st));
  stmt_done (st);
  if (rc != SQLITE_DONE)
    {
      set_db_error (error, self->db, sql);
      return FALSE;
    }
  return TRUE;
}

static void
run_add_message (LkStore *self,
                 Job     *job)
{
  static const char *insert_sql =
    "INSERT INTO messages (account_id, peer, direction, from_jid, stanza_id, stanza_id_by,"
    " origin_id, message_id, body, time, corrects, retracted, reply_to, state)"
    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)"
    " ON CONFLICT DO NOTHING";
  static const char *find_sql =
    "SELECT id, stanza_id FROM messages WHERE account_id = ?1 AND peer = ?2"
    " AND ((?3 IS NOT NULL AND stanza_id = ?3)"
    "   OR (?4 IS NOT NULL AND from_jid = ?5 AND origin_id = ?4))"
    " ORDER BY id LIMIT 1";
  static const char *fill_sql =
    "UPDATE OR IGNORE messages SET stanza_id = ?2, stanza_id_by = ?3 WHERE id = ?1";
  static const char *correct_sql =
    "UPDATE messages SET body = ?5 WHERE account_id = ?1 AND peer = ?2"
    " AND from_jid = ?3 AND message_id = ?4 AND corrects IS NULL";
  const LkStoredMessage *m = job->msg;
  AddResult *res;
  sqlite3_stmt *st;
  gint64 acc;
  int rc;

  acc = account_id (self, m->account, TRUE, &job->error);
  if (acc == 0)
    return;

  if ((st = stmt (self, insert_sql, &job->error)) == NULL)
    return;
  sqlite3_bind_int64 (st, 1, acc);
  bind_text (st, 2, m->peer);
  sqlite3_bind_int (st, 3, m->direction);
  bind_text (st, 4, m->from_jid);
  bind_text (st, 5, m->stanza_id);
  bind_text (st, 6, m->stanza_id_by);
  bind_text (st, 7, m->origin_id);
  bind_text (st, 8, m->message_id);
  bind_text (st, 9, m->body);
  sqlite3_bind_int64 (st, 10, m->time);
  bind_text (st, 11, m->corrects);
  sqlite3_bind_int (st, 12, m->retracted ? 1 : 0);
  bind_text (st, 13, m->reply_to);
  sqlite3_bind_int (st, 14, m->state);
  rc = sqlite3_step (st);
  stmt_done (st);
  if (rc != SQLITE_DONE)
    {
      set_db_error (&job->error, self->db, insert_sql);
      return;
    }

  res = g_new0 (AddResult, 1);
  job->result = res;
  job->result_free = g_free;

  if (sqlite3_changes (self->db) > 0)
    {
      res->id = sqlite3_last_insert_rowid (self->db);
      if (m->corrects != NULL && m->body != NULL)
        {
          if ((st = stmt (self, correct_sql, &job->error)) == NULL)
            return;
          sqlite3_bind_int64 (st, 1, acc);
          bind_text (st, 2, m->peer);
          bind_text (st, 3, m->from_jid);
          bind_text (st, 4, m->corrects);
          bind_text (st, 5, m->body);
          rc = sqlite3_step (st);
          stmt_done (st);
          if (rc != SQLITE_DONE)
            set_db_error (&job->error, self->db, correct_sql);
        }
      return;
    }

  /* Already there: find the row it collided with. */
  res->duplicate = TRUE;
  if ((st = stmt (self, find_sql, &job->error)) == NULL)
    return;
  sqlite3_bind_int64 (st, 1, acc);
  bind_text (st, 2, m->peer);
  bind_text (st, 3, m->stanza_id);
  bind_text (st, 4, m->origin_id);
  bind_text (st, 5, m->from_jid);
  rc = sqlite3_step (st);
  if (rc == SQLITE_ROW)
    {
      gboolean had_stanza_id = sqlite3_column_type (st, 1) != SQLITE_NULL;

      res->id = sqlite3_column_int64 (st, 0);
      stmt_done (st);
      if (!had_stanza_id && m->stanza_id != NULL)
        {
          if ((st = stmt (self, fill_sql, &job->error)) == NULL)
            return;
          sqlite3_bind_int64 (st, 1, res->id);
          bind_text (st, 2, m->stanza_id);
          bind_text (st, 3, m->stanza_id_by);
          rc = sqlite3_step (st);
          stmt_done (st);
          if (rc != SQLITE_DONE)
            set_db_error (&job->error, self->db, fill_sql);
        }
    }
  else
    {
      stmt_done (st);
      set_db_error (&job->error, self->db, find_sql);
    }
}

static void
run_get_page (LkStore *self,
              Job     *job)
{
  static const char *sql =
    "SELECT " MESSAGE_COLUMNS " FROM messages m JOIN accounts a ON a.id = m.account_id"
    " WHERE m.account_id = ?1 AND m.peer = ?2"
    "   AND (?3 = 0 OR (m.time, m.id) < (SELECT time, id FROM messages WHERE id = ?3))"
    " ORDER BY m.time DESC, m.id DESC LIMIT ?4";
  g_autoptr(GPtrArray) out = g_ptr_array_new_with_free_func ((GDestroyNotify) lk_stored_message_free);
  sqlite3_stmt *st;
  GError *error = NULL;
  gint64 acc;

  acc = account_id (self, job->account, FALSE, &error);
  if (error == NULL && acc != 0)
    {
      if ((st = stmt (self, sql, &error)) == NULL)
        goto out;
      sqlite3_bind_int64 (st, 1, acc);
      bind_text (st, 2, job->peer);
      sqlite3_bind_int64 (st, 3, job->n);
      sqlite3_bind_int64 (st, 4, job->limit);
      if (!collect_messages (self, st, sql, out, &error))
        goto out;
      /* newest last */
      for (guint i = 0, j = out->len; i + 1 < j; i++, j--)
        {
          gpointer t = out->pdata[i];
          out->pdata[i] = out->pdata[j - 1];
          out->pdata[j - 1] = t;
        }
    }

out:
  if (error != NULL)
    job->error = error;
  else
    {
      job->result = g_steal_pointer (&out);
      job->result_free = (GDestroyNotify) g_ptr_array_unref;
    }
}

/* @text as one FTS5 phrase: within double quotes every character is
 * literal except the double quote, which is doubled. */
static char *
fts_phrase (const char *text)
{
  GString *s = g_string_new ("\"");

  for (const char *p = text; *p != '\0'; p++)
    {
      if (*p == '"')
        g_string_append_c (s, '"');
      g_string_append_c (s, *p);
    }
  g_string_append_c (s, '"');
  return g_string_free (s, FALSE);
}

static void
run_search (LkStore *self,
            Job     *job)
{
  static const char *sql =
    "SELECT " MESSAGE_COLUMNS " FROM messages_fts f"
    " JOIN messages m ON m.id = f.rowid JOIN accounts a ON a.id = m.account_id"
    " WHERE messages_fts MATCH ?1 AND (?2 = 0 OR m.account_id = ?2)"
    " ORDER BY m.time DESC, m.id DESC LIMIT ?3";
  g_autoptr(GPtrArray) out = g_ptr_array_new_with_free_func ((GDestroyNotify) lk_stored_message_free);
  g_autofree char *phrase = NULL;
  g_autofree char *stripped = g_strstrip (g_strdup (job->s1));
  sqlite3_stmt *st;
  GError *error = NULL;
  gint64 acc = 0;

  if (job->account != NULL)
    {
      acc = account_id (self, job->account, FALSE, &error);
      if (error != NULL || acc == 0)
        goto out;
    }
  if (*stripped == '\0')
    goto out;

  phrase = fts_phrase (stripped);
  if ((st = stmt (self, sql, &error)) == NULL)
    goto out;
  bind_text (st, 1, phrase);
  sqlite3_bind_int64 (st, 2, acc);
  sqlite3_bind_int64 (st, 3, job->limit);
  collect_messages (self, st, sql, out, &error);

out:
  if (error != NULL)
    job->error = error;
  else
    {
      job->result = g_steal_pointer (&out);
      job->result_free = (GDestroyNotify) g_ptr_array_unref;
    }
}

/* Runs a statement that returns no rows, with the account id as ?1 and
 * @t1… as ?2…; binding a parameter the statement lacks does nothing. */
static void
run_simple (LkStore     *self,
            Job         *job,
            const char  *sql,
            gboolean     create_account,
            const char  *t1,
            const char  *t2,
            const char  *t3)
{
  sqlite3_stmt *st;
  gint64 acc;
  int rc;

  acc = account_id (self, job->account, create_account, &job->error);
  if (job->error != NULL)
    return;
  if (acc == 0)
    return;  /* nothing to change for an unknown account */
  if ((st = stmt (self, sql, &job->error)) == NULL)
    return;
  sqlite3_bind_int64 (st, 1, acc);
  bind_text (st, 2, t1);
  bind_text (st, 3, t2);
  bind_text (st, 4, t3);
  if (job->kind == JOB_OUTBOX_ADD)
    sqlite3_bind_int64 (st, 5, g_get_real_time ());
  rc = sqlite3_step (st);
  stmt_done (st);
  if (rc != SQLITE_DONE)
    set_db_error (&job->error, self->db, sql);
}

static void
run_outbox_list (LkStore *self,
                 Job     *job)
{
  static const char *sql =
    "SELECT id, peer, origin_id, stanza_xml, created FROM outbox"
    " WHERE account_id = ?1 ORDER BY id";
  g_autoptr(GPtrArray) out = g_ptr_array_new_with_free_func ((GDestroyNotify) lk_outbox_item_free);
  sqlite3_stmt *st;
  GError *error = NULL;
  gint64 acc;
  int rc;

  acc = account_id (self, job->account, FALSE, &error);
  if (error == NULL && acc != 0 && (st = stmt (self, sql, &error)) != NULL)
    {
      sqlite3_bind_int64 (st, 1, acc);
      while ((rc = sqlite3_step (st)) == SQLITE_ROW)
        {
          LkOutboxItem *item = g_new0 (LkOutboxItem, 1);

          item->id = sqlite3_column_int64 (st, 0);
          item->account = g_strdup (job->account);
          item->peer = column_text (st, 1);
          item->origin_id = column_text (st, 2);
          item->stanza_xml = column_text (st, 3);
          item->created = sqlite3_column_int64 (st, 4);
          g_ptr_array_add (out, item);
        }
      stmt_done (st);
      if (rc != SQLITE_DONE)
        set_db_error (&error, self->db, sql);
    }

  if (error != NULL)
    job->error = error;
  else
    {
      job->result = g_steal_pointer (&out);
      job->result_free = (GDestroyNotify) g_ptr_array_unref;
    }
}

static void
run_get_sync (LkStore *self,
              Job     *job)
{
  static const char *sql = "SELECT roster_ver, last_mam_id FROM accounts WHERE jid = ?1";
  SyncState *state = g_new0 (SyncState, 1);
  sqlite3_stmt *st;
  int rc;

  job->result = state;
  job->result_free = sync_state_free;
  if ((st = stmt (self, sql, &job->error)) == NULL)
    return;
  bind_text (st, 1, job->account);
  rc = sqlite3_step (st);
  if (rc == SQLITE_ROW)
    {
      state->roster_ver = column_text (st, 0);
      state->last_mam_id = column_text (st, 1);
    }
  else if (rc != SQLITE_DONE)
    set_db_error (&job->error, self->db, sql);
  stmt_done (st);
}

static void
run_job (LkStore *self,
         Job     *job)
{
  switch (job->kind)
    {
    case JOB_ADD_MESSAGE:
      run_add_message (self, job);
      break;
    case JOB_GET_PAGE:
      run_get_page (self, job);
      break;
    case JOB_SEARCH:
      run_search (self, job);
      break;
    case JOB_OUTBOX_ADD:
      run_simple (self, job,
                  "INSERT INTO outbox (account_id, peer, origin_id, stanza_xml, created)"
                  " VALUES (?1, ?2, ?3, ?4, ?5)"
                  " ON CONFLICT (account_id, origin_id) DO UPDATE SET stanza_xml = excluded.stanza_xml",
                  TRUE, job->peer, job->s1, job->s2);
      break;
    case JOB_OUTBOX_REMOVE:
      run_simple (self, job,
                  "DELETE FROM outbox WHERE account_id = ?1 AND origin_id = ?2",
                  FALSE, job->s1, NULL, NULL);
      break;
    case JOB_OUTBOX_LIST:
      run_outbox_list (self, job);
      break;
    case JOB_SET_SYNC:
      run_simple (self, job,
                  "UPDATE accounts SET roster_ver = coalesce (?2, roster_ver),"
                  " last_mam_id = coalesce (?3, last_mam_id) WHERE id = ?1",
                  TRUE, job->s1, job->s2, NULL);
      break;
    case JOB_GET_SYNC:
      run_get_sync (self, job);
      break;
    case JOB_QUIT:
    default:
      g_assert_not_reached ();
    }
}

static void
return_job (Job *job)
{
  if (job->error != NULL)
    g_task_return_error (job->task, g_steal_pointer (&job->error));
  else
    switch (job->kind)
      {
      case JOB_OUTBOX_ADD:
      case JOB_OUTBOX_REMOVE:
      case JOB_SET_SYNC:
        g_task_return_boolean (job->task, TRUE);
        break;
      default:
        g_task_return_pointer (job->task, g_steal_pointer (&job->result), job->result_free);
        break;
      }
  job_free (job);
}

/* Hands finished jobs back on their task's main context. Results are
 * returned there, not on the worker, so that the tasks (and the store
 * they hold) are always released on the caller's thread. A large batch
 * is handed back a slice at a time, so the callbacks of a MAM catch-up
 * never hold the main loop for more than HAND_BACK_BUDGET. */
#define HAND_BACK_BUDGET (4 * 1000)  /* µs */

typedef struct {
  GPtrArray *jobs;
  guint      next;
} HandBack;

static void
hand_back_free (gpointer data)
{
  HandBack *hb = data;

  /* Only at shutdown of the context can jobs be left: drop them. */
  for (guint i = hb->next; i < hb->jobs->len; i++)
    job_free (hb->jobs->pdata[i]);
  g_ptr_array_unref (hb->jobs);
  g_free (hb);
}

static gboolean
return_jobs (gpointer data)
{
  HandBack *hb = data;
  gint64 start = g_get_monotonic_time ();

  while (hb->next < hb->jobs->len)
    {
      return_job (hb->jobs->pdata[hb->next++]);
      if (g_get_monotonic_time () - start > HAND_BACK_BUDGET)
        return hb->next < hb->jobs->len ? G_SOURCE_CONTINUE : G_SOURCE_REMOVE;
    }
  return G_SOURCE_REMOVE;
}

static void
hand_back (GPtrArray *batch)
{
  guint start = 0;

  while (start < batch->len)
    {
      GMainContext *context = g_task_get_context (((Job *) batch->pdata[start])->task);
      HandBack *hb = g_new0 (HandBack, 1);
      GSource *source;
      guint i;

      hb->jobs = g_ptr_array_new ();
      for (i = start; i < batch->len; i++)
        {
          Job *job = batch->pdata[i];

          if (g_task_get_context (job->task) != context)
            break;
          g_ptr_array_add (hb->jobs, job);
        }
      start = i;

      source = g_idle_source_new ();
      g_source_set_priority (source, G_PRIORITY_DEFAULT);
      g_source_set_static_name (source, "[lorikeet] store results");
      g_source_set_callback (source, return_jobs, hb, hand_back_free);
      g_source_attach (source, context);
      g_source_unref (source);
    }
  g_ptr_array_set_size (batch, 0);
}

static gpointer
worker_main (gpointer data)
{
  LkStore *self = data;
  g_autoptr(GPtrArray) batch = g_ptr_array_new ();
  gboolean quit = FALSE;

  while (!quit)
    {
      Job *job = g_async_queue_pop (self->jobs);
      GError *batch_error = NULL;

      /* Everything waiting runs in one transaction. */
      if (job->kind != JOB_QUIT &&
          sqlite3_exec (self->db, "BEGIN", NULL, NULL, NULL) != SQLITE_OK)
        set_db_error (&batch_error, self->db, "BEGIN");
      while (job != NULL)
        {
          if (job->kind == JOB_QUIT)
            {
              job_free (job);
              quit = TRUE;
              break;
            }
          g_ptr_array_add (batch, job);
          if (batch_error != NULL)
            break;  /* BEGIN failed: the job fails with it */
          if (g_cancellable_set_error_if_cancelled (g_task_get_cancellable (job->task), &job->error))
            ;  /* not run */
          else
            {
              run_job (self, job);
              /* An error that ended the transaction loses the batch. */
              if (job->error != NULL && sqlite3_get_autocommit (self->db))
                {
                  batch_error = g_error_copy (job->error);
                  break;
                }
            }
          if (batch->len >= BATCH_MAX)
            break;
          job = g_async_queue_try_pop (self->jobs);
        }

      if (batch_error == NULL && !sqlite3_get_autocommit (self->db) &&
          sqlite3_exec (self->db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
        {
          set_db_error (&batch_error, self->db, "COMMIT");
          sqlite3_exec (self->db, "ROLLBACK", NULL, NULL, NULL);
        }

      if (batch_error != NULL)
        {
          /* Account rows made in the batch may be gone. */
          g_hash_table_remove_all (self->accounts);
          for (guint i = 0; i < batch->len; i++)
            {
              Job *done = batch->pdata[i];

              if (done->error == NULL)
                done->error = g_error_copy (batch_error);
            }
        }
      hand_back (batch);
      g_clear_error (&batch_error);
    }

  return NULL;
}

static void
lk_store_finalize (GObject *object)
{
  LkStore *self = LK_STORE (object);

  if (self->worker != NULL)
    {
      Job *quit = g_new0 (Job, 1);

      quit->kind = JOB_QUIT;
      g_async_queue_push (self->jobs, quit);
      g_thread_join (self->worker);
    }
  g_clear_pointer (&self->stmts, g_hash_table_unref);  /* finalizes the statements */
  g_clear_pointer (&self->accounts, g_hash_table_unref);
  g_clear_pointer (&self->jobs, g_async_queue_unref);
  if (self->db != NULL)
    sqlite3_close (self->db);
  g_free (self->path);

  G_OBJECT_CLASS (lk_store_parent_class)->finalize (object);
}

static void
lk_store_class_init (LkStoreClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = lk_store_finalize;
}

static void
lk_store_init (LkStore *self)
{
  self->jobs = g_async_queue_new ();
  self->stmts = g_hash_table_new_full (g_direct_hash, g_direct_equal, NULL,
                                       (GDestroyNotify) sqlite3_finalize);
  self->accounts = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
}

char *
lk_store_default_path (void)
{
  return g_build_filename (g_get_user_data_dir (), "lorikeet", "lorikeet.sqlite3", NULL);
}

LkStore *
lk_store_open (const char  *path,
               GError     **error)
{
  g_autoptr(LkStore) self = NULL;
  g_autofree char *dir = NULL;
  int rc;

  g_return_val_if_fail (path != NULL, NULL);

  dir = g_path_get_dirname (path);
  if (g_mkdir_with_parents (dir, 0700) != 0)
    {
      int saved = errno;

      g_set_error (error, LK_STORE_ERROR, LK_STORE_ERROR_DATABASE,
                   _("The folder for the message database (%s) could not be made: %s"),
                   dir, g_strerror (saved));
      return NULL;
    }

  self = g_object_new (LK_TYPE_STORE, NULL);
  self->path = g_strdup (path);

  rc = sqlite3_open_v2 (path, &self->db,
                        SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL);
  if (rc != SQLITE_OK)
    {
      g_set_error (error, LK_STORE_ERROR, LK_STORE_ERROR_DATABASE,
                   _("The message database %s could not be opened: %s"),
                   path, self->db != NULL ? sqlite3_errmsg (self->db) : sqlite3_errstr (rc));
      return NULL;
    }
  sqlite3_extended_result_codes (self->db, 1);
  sqlite3_busy_timeout (self->db, 5000);

  if (!exec (self->db, "PRAGMA journal_mode = WAL", error) ||
      !exec (self->db, "PRAGMA synchronous = NORMAL", error) ||
      !exec (self->db, "PRAGMA foreign_keys = ON", error) ||
      !lk_store_migrate (self->db, lk_store_schema_version (), error))
    return NULL;

  self->worker = g_thread_new ("lk-store", worker_main, self);
  return g_steal_pointer (&self);
}

const char *
lk_store_get_path (LkStore *self)
{
  g_return_val_if_fail (LK_IS_STORE (self), NULL);
  return self->path;
}

/* ---- calls ------------------------------------------------------------- */

static Job *
job_new (LkStore             *self,
         JobKind              kind,
         gpointer             source_tag,
         GCancellable        *cancellable,
         GAsyncReadyCallback  callback,
         gpointer             user_data)
{
  Job *job = g_new0 (Job, 1);

  job->kind = kind;
  job->task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (job->task, source_tag);
  return job;
}

static void
queue (LkStore *self,
       Job     *job)
{
  g_async_queue_push (self->jobs, job);
}

void
lk_store_add_message_async (LkStore               *self,
                            const LkStoredMessage *msg,
                            GCancellable          *cancellable,
                            GAsyncReadyCallback    callback,
                            gpointer               user_data)
{
  Job *job;

  g_return_if_fail (LK_IS_STORE (self));
  g_return_if_fail (msg != NULL && msg->account != NULL && msg->peer != NULL && msg->from_jid != NULL);

  job = job_new (self, JOB_ADD_MESSAGE, lk_store_add_message_async, cancellable, callback, user_data);
  job->msg = lk_stored_message_copy (msg);
  queue (self, job);
}

gint64
lk_store_add_message_finish (LkStore       *self,
                             GAsyncResult  *result,
                             gboolean      *duplicate,
                             GError       **error)
{
  g_autofree AddResult *res = NULL;

  g_return_val_if_fail (g_task_is_valid (result, self), 0);

  res = g_task_propagate_pointer (G_TASK (result), error);
  if (duplicate != NULL)
    *duplicate = res != NULL && res->duplicate;
  return res != NULL ? res->id : 0;
}

void
lk_store_get_page_async (LkStore             *self,
                         const char          *account,
                         const char          *peer,
                         gint64               before_id,
                         guint                limit,
                         GCancellable        *cancellable,
                         GAsyncReadyCallback  callback,
                         gpointer             user_data)
{
  Job *job;

  g_return_if_fail (LK_IS_STORE (self));
  g_return_if_fail (account != NULL && peer != NULL);

  job = job_new (self, JOB_GET_PAGE, lk_store_get_page_async, cancellable, callback, user_data);
  job->account = g_strdup (account);
  job->peer = g_strdup (peer);
  job->n = before_id;
  job->limit = limit;
  queue (self, job);
}

GPtrArray *
lk_store_get_page_finish (LkStore       *self,
                          GAsyncResult  *result,
                          GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

void
lk_store_search_async (LkStore             *self,
                       const char          *account,
                       const char          *text,
                       guint                limit,
                       GCancellable        *cancellable,
                       GAsyncReadyCallback  callback,
                       gpointer             user_data)
{
  Job *job;

  g_return_if_fail (LK_IS_STORE (self));
  g_return_if_fail (text != NULL);

  job = job_new (self, JOB_SEARCH, lk_store_search_async, cancellable, callback, user_data);
  job->account = g_strdup (account);
  job->s1 = g_strdup (text);
  job->limit = limit;
  queue (self, job);
}

GPtrArray *
lk_store_search_finish (LkStore       *self,
                        GAsyncResult  *result,
                        GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

void
lk_store_outbox_add_async (LkStore             *self,
                           const char          *account,
                           const char          *peer,
                           const char          *origin_id,
                           const char          *stanza_xml,
                           GCancellable        *cancellable,
                           GAsyncReadyCallback  callback,
                           gpointer             user_data)
{
  Job *job;

  g_return_if_fail (LK_IS_STORE (self));
  g_return_if_fail (account != NULL && peer != NULL && origin_id != NULL && stanza_xml != NULL);

  job = job_new (self, JOB_OUTBOX_ADD, lk_store_outbox_add_async, cancellable, callback, user_data);
  job->account = g_strdup (account);
  job->peer = g_strdup (peer);
  job->s1 = g_strdup (origin_id);
  job->s2 = g_strdup (stanza_xml);
  queue (self, job);
}

gboolean
lk_store_outbox_add_finish (LkStore       *self,
                            GAsyncResult  *result,
                            GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

void
lk_store_outbox_remove_async (LkStore             *self,
                              const char          *account,
                              const char          *origin_id,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  Job *job;

  g_return_if_fail (LK_IS_STORE (self));
  g_return_if_fail (account != NULL && origin_id != NULL);

  job = job_new (self, JOB_OUTBOX_REMOVE, lk_store_outbox_remove_async, cancellable, callback, user_data);
  job->account = g_strdup (account);
  job->s1 = g_strdup (origin_id);
  queue (self, job);
}

gboolean
lk_store_outbox_remove_finish (LkStore       *self,
                               GAsyncResult  *result,
                               GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

void
lk_store_outbox_list_async (LkStore             *self,
                            const char          *account,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  Job *job;

  g_return_if_fail (LK_IS_STORE (self));
  g_return_if_fail (account != NULL);

  job = job_new (self, JOB_OUTBOX_LIST, lk_store_outbox_list_async, cancellable, callback, user_data);
  job->account = g_strdup (account);
  queue (self, job);
}

GPtrArray *
lk_store_outbox_list_finish (LkStore       *self,
                             GAsyncResult  *result,
                             GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

void
lk_store_set_sync_state_async (LkStore             *self,
                               const char          *account,
                               const char          *roster_ver,
                               const char          *last_mam_id,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  Job *job;

  g_return_if_fail (LK_IS_STORE (self));
  g_return_if_fail (account != NULL);

  job = job_new (self, JOB_SET_SYNC, lk_store_set_sync_state_async, cancellable, callback, user_data);
  job->account = g_strdup (account);
  job->s1 = g_strdup (roster_ver);
  job->s2 = g_strdup (last_mam_id);
  queue (self, job);
}

gboolean
lk_store_set_sync_state_finish (LkStore       *self,
                                GAsyncResult  *result,
                                GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

void
lk_store_get_sync_state_async (LkStore             *self,
                               const char          *account,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  Job *job;

  g_return_if_fail (LK_IS_STORE (self));
  g_return_if_fail (account != NULL);

  job = job_new (self, JOB_GET_SYNC, lk_store_get_sync_state_async, cancellable, callback, user_data);
  job->account = g_strdup (account);
  queue (self, job);
}

gboolean
lk_store_get_sync_state_finish (LkStore       *self,
                                GAsyncResult  *result,
                                char         **roster_ver,
                                char         **last_mam_id,
                                GError       **error)
{
  SyncState *state;

  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  state = g_task_propagate_pointer (G_TASK (result), error);
  if (roster_ver != NULL)
    *roster_ver = state != NULL ? g_steal_pointer (&state->roster_ver) : NULL;
  if (last_mam_id != NULL)
    *last_mam_id = state != NULL ? g_steal_pointer (&state->last_mam_id) : NULL;
  if (state != NULL)
    sync_state_free (state);
  return state != NULL;
}
