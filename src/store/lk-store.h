/* lk-store.h: the history database (SQLite).
 *
 * One database for the OS user, all accounts in it (one row in "accounts"
 * per account): lk_store_default_path() is
 * $XDG_DATA_HOME/lorikeet/lorikeet.sqlite3. One file keeps search across
 * accounts a single query and a single connection.
 *
 * Opening is synchronous (at startup): the file is created, WAL is turned
 * on and the schema migrated to the latest version. After that one writer
 * thread owns the connection; every call is queued to it in order and its
 * result handed back on the caller's thread-default main context through
 * GTask. Consecutive queued calls run in one transaction, so a burst of
 * inserts (a MAM catch-up) costs one commit. A call's callback runs only
 * after the transaction holding its write has been committed: once
 * lk_store_outbox_add_finish() returns TRUE the stanza is on disk.
 *
 * Accounts are named by their bare JID; peers (the conversation) by the
 * bare JID of the contact or the room.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "lk-store-error.h"

G_BEGIN_DECLS

typedef enum {
  LK_STORED_DIRECTION_IN,
  LK_STORED_DIRECTION_OUT,
} LkStoredDirection;

/* Delivery state of an outgoing message (incoming ones stay NONE). */
typedef enum {
  LK_STORED_STATE_NONE,
  LK_STORED_STATE_QUEUED,     /* in the outbox, not yet written */
  LK_STORED_STATE_SENT,       /* written to the socket */
  LK_STORED_STATE_ACKED,      /* acknowledged by the server (XEP-0198) or seen in MAM */
  LK_STORED_STATE_RECEIVED,   /* XEP-0184 / XEP-0333 received */
  LK_STORED_STATE_DISPLAYED,  /* XEP-0333 displayed */
  LK_STORED_STATE_FAILED,
} LkStoredState;

/* One row of "messages". Plain data; every string may be NULL except
 * account, peer and from_jid. */
typedef struct {
  gint64            id;            /* row id; 0 before it is stored */
  char             *account;       /* bare JID of the account */
  char             *peer;          /* bare JID of the conversation */
  LkStoredDirection direction;
  char             *from_jid;      /* sender (bare JID, or room@service/nick) */
  char             *stanza_id;     /* XEP-0359 <stanza-id/> given by … */
  char             *stanza_id_by;  /* … this entity */
  char             *origin_id;     /* XEP-0359 <origin-id/> */
  char             *message_id;    /* the stanza's id attribute */
  char             *body;
  gint64            time;          /* µs since the epoch, UTC */
  char             *corrects;      /* XEP-0308: message_id it replaces */
  gboolean          retracted;     /* XEP-0424 */
  char             *reply_to;      /* XEP-0461: id of the message answered */
  LkStoredState     state;
} LkStoredMessage;

#define LK_TYPE_STORED_MESSAGE (lk_stored_message_get_type ())
GType            lk_stored_message_get_type (void) G_GNUC_CONST;
LkStoredMessage *lk_stored_message_new      (void);
LkStoredMessage *lk_stored_message_copy     (const LkStoredMessage *msg);
void             lk_stored_message_free     (LkStoredMessage       *msg);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (LkStoredMessage, lk_stored_message_free)

/* One row of "outbox": a stanza to send, kept until the server has it. */
typedef struct {
  gint64  id;
  char   *account;
  char   *peer;
  char   *origin_id;
  char   *stanza_xml;
  gint64  created;      /* µs since the epoch */
} LkOutboxItem;

#define LK_TYPE_OUTBOX_ITEM (lk_outbox_item_get_type ())
GType         lk_outbox_item_get_type (void) G_GNUC_CONST;
LkOutboxItem *lk_outbox_item_copy     (const LkOutboxItem *item);
void          lk_outbox_item_free     (LkOutboxItem       *item);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (LkOutboxItem, lk_outbox_item_free)

#define LK_TYPE_STORE (lk_store_get_type ())
G_DECLARE_FINAL_TYPE (LkStore, lk_store, LK, STORE, GObject)

/* $XDG_DATA_HOME/lorikeet/lorikeet.sqlite3 (free it with g_free()). */
char       *lk_store_default_path (void);

/* Opens (creating it and its folder when missing) and migrates the
 * database at @path. A database written by a newer Lorikeet is refused
 * with LK_STORE_ERROR_NEWER_SCHEMA. */
LkStore    *lk_store_open         (const char  *path,
                                   GError     **error);
const char *lk_store_get_path     (LkStore     *self);

/* Cancelling a call only drops its result if the call has not run yet;
 * a write that has run stays written. */

/* Stores @msg unless it is already there: the same (account, peer,
 * stanza_id) or the same (account, peer, from_jid, origin_id). A
 * duplicate returns the stored row's id with *duplicate TRUE (and fills
 * in its stanza-id if it had none: our own message coming back from MAM).
 * A message with "corrects" set is stored as its own row and also
 * replaces the body of the message it corrects (same peer and sender). */
void      lk_store_add_message_async    (LkStore               *self,
                                         const LkStoredMessage *msg,
                                         GCancellable          *cancellable,
                                         GAsyncReadyCallback    callback,
                                         gpointer               user_data);
/* The row id, or 0 with @error set. */
gint64    lk_store_add_message_finish   (LkStore               *self,
                                         GAsyncResult          *result,
                                         gboolean              *duplicate,
                                         GError               **error);

/* Up to @limit messages of a conversation older than the message
 * @before_id (0: the newest), oldest first, in time order. */
void       lk_store_get_page_async      (LkStore             *self,
                                         const char          *account,
                                         const char          *peer,
                                         gint64               before_id,
                                         guint                limit,
                                         GCancellable        *cancellable,
                                         GAsyncReadyCallback  callback,
                                         gpointer             user_data);
/* A GPtrArray of LkStoredMessage (owning them). */
GPtrArray *lk_store_get_page_finish     (LkStore             *self,
                                         GAsyncResult        *result,
                                         GError             **error);

/* Messages whose (current) body contains @text as a phrase, newest
 * first; @account NULL searches every account. @text is taken
 * literally, never as FTS5 query syntax. */
void       lk_store_search_async        (LkStore             *self,
                                         const char          *account,
                                         const char          *text,
                                         guint                limit,
                                         GCancellable        *cancellable,
                                         GAsyncReadyCallback  callback,
                                         gpointer             user_data);
GPtrArray *lk_store_search_finish       (LkStore             *self,
                                         GAsyncResult        *result,
                                         GError             **error);

/* The outbox. An entry is added before its stanza is written to the
 * socket and removed when the server acknowledged it or MAM shows it. */
void       lk_store_outbox_add_async    (LkStore             *self,
                                         const char          *account,
                                         const char          *peer,
                                         const char          *origin_id,
                                         const char          *stanza_xml,
                                         GCancellable        *cancellable,
                                         GAsyncReadyCallback  callback,
                                         gpointer             user_data);
gboolean   lk_store_outbox_add_finish   (LkStore             *self,
                                         GAsyncResult        *result,
                                         GError             **error);
/* Removing an entry that is not there is not an error. */
void       lk_store_outbox_remove_async (LkStore             *self,
                                         const char          *account,
                                         const char          *origin_id,
                                         GCancellable        *cancellable,
                                         GAsyncReadyCallback  callback,
                                         gpointer             user_data);
gboolean   lk_store_outbox_remove_finish (LkStore            *self,
                                          GAsyncResult       *result,
                                          GError            **error);
/* The account's entries, oldest first: a GPtrArray of LkOutboxItem. */
void       lk_store_outbox_list_async   (LkStore             *self,
                                         const char          *account,
                                         GCancellable        *cancellable,
                                         GAsyncReadyCallback  callback,
                                         gpointer             user_data);
GPtrArray *lk_store_outbox_list_finish  (LkStore             *self,
                                         GAsyncResult        *result,
                                         GError             **error);

/* Per-account sync state: the roster version (RFC 6121 §2.6) and the id
 * of the last archived message seen (XEP-0313). NULL leaves a value as
 * it is. */
void       lk_store_set_sync_state_async  (LkStore             *self,
                                           const char          *account,
                                           const char          *roster_ver,
                                           const char          *last_mam_id,
                                           GCancellable        *cancellable,
                                           GAsyncReadyCallback  callback,
                                           gpointer             user_data);
gboolean   lk_store_set_sync_state_finish (LkStore             *self,
                                           GAsyncResult        *result,
                                           GError             **error);
void       lk_store_get_sync_state_async  (LkStore             *self,
                                           const char          *account,
                                           GCancellable        *cancellable,
                                           GAsyncReadyCallback  callback,
                                           gpointer             user_data);
/* Each out value is NULL when unknown. */
gboolean   lk_store_get_sync_state_finish (LkStore             *self,
                                           GAsyncResult        *result,
                                           char               **roster_ver,
                                           char               **last_mam_id,
                                           GError             **error);

G_END_DECLS
