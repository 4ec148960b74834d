/* login.c: how long signing in takes, and in how many round trips.
 *
 * Runs under tests/harness/xmpp-server (LK_TEST_*: a real Prosody on
 * loopback). For each way of signing in it times connect_async() to the
 * bound stream, the median of many sign-ins straight to the server, and
 * counts round trips by signing in through an in-process relay that holds
 * every chunk for a fixed delay each way: the time over that of the same
 * relay without delay (what the two ends compute), divided by twice the
 * delay, is the number of round trips. The relay cannot delay the TCP
 * handshake (the kernel answers it), so that one is added, not measured.
 * The same for a XEP-0198 resumption of a session cut just before.
 * Figures only, never pass/fail: see bench/README.md.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "xmpp-connector.h"
#include "xmpp-ns.h"
#include "xmpp-scram.h"

#include <gio/gnetworking.h>
#include <stdlib.h>
#include <string.h>

#define DEFAULT_RUNS          20
#define DEFAULT_RELAYED_RUNS  5
#define DEFAULT_DELAY_MS      50
#define RELAY0_RUNS           5
#define DRAIN_TIMEOUT_US      (5 * G_USEC_PER_SEC)

typedef struct {
  const char *server;
  const char *domain;
  const char *sha1_domain;
  const char *host;
  guint16     port;
  guint16     tls_port;
  const char *ca_file;
  const char *password;
  const char *dir;
} Env;

static Env env;

static const char *
need (const char *name)
{
  const char *value = g_getenv (name);

  if (value == NULL)
    {
      g_printerr ("%s is not set: run this under tests/harness/xmpp-server "
                  "(bench/run-login does)\n", name);
      exit (2);
    }
  return value;
}

static void
read_env (void)
{
  env.server = need ("LK_TEST_SERVER");
  env.domain = need ("LK_TEST_DOMAIN");
  env.sha1_domain = need ("LK_TEST_SHA1_DOMAIN");
  env.host = need ("LK_TEST_HOST");
  env.port = atoi (need ("LK_TEST_PORT"));
  env.tls_port = atoi (need ("LK_TEST_TLS_PORT"));
  env.ca_file = need ("LK_TEST_CA_FILE");
  env.password = need ("LK_TEST_PASSWORD");
  env.dir = g_getenv ("LK_TEST_DIR");
}

/* The relay
 *
 * A TCP relay on loopback, in its own thread and main context so that its
 * timers do not wait on the client's computing. Every chunk read from one
 * side is stamped and written to the other side once the delay has passed,
 * in order; the end of the stream (or a read error) travels the same way,
 * as a shutdown. One GSource per direction, woken at the due time of the
 * oldest chunk. */

typedef struct _Relay Relay;
typedef struct _Link Link;

struct _Relay {
  GMainContext   *context;
  GMainLoop      *loop;
  GThread        *thread;
  gint            delay_us;     /* atomic: for chunks read from now on */
  guint16         port;         /* its own, set once listening */
  gint            target_port;  /* atomic: where new connections go */
  gint            live;         /* atomic: connections not yet closed both ways */
  GMutex          lock;
  GCond           started;
};

typedef struct {
  gint64  due;
  GBytes *bytes;    /* NULL: the end */
} Chunk;

typedef struct {
  Link       *link;
  GIOStream  *from;
  GIOStream  *to;
  GQueue      chunks;
  GSource    *timer;
  guint8      buffer[65536];
} Pump;

struct _Link {
  Relay  *relay;
  Pump    pumps[2];
  guint   finished;
};

static void
chunk_free (gpointer data)
{
  Chunk *chunk = data;

  g_clear_pointer (&chunk->bytes, g_bytes_unref);
  g_free (chunk);
}

static void
link_pump_finished (Link *link)
{
  if (++link->finished < G_N_ELEMENTS (link->pumps))
    return;
  for (guint i = 0; i < G_N_ELEMENTS (link->pumps); i++)
    {
      Pump *pump = &link->pumps[i];

      g_queue_clear_full (&pump->chunks, chunk_free);
      g_clear_pointer (&pump->timer, g_source_unref);
      g_clear_object (&pump->from);
      g_clear_object (&pump->to);
    }
  g_atomic_int_dec_and_test (&link->relay->live);
  g_free (link);
}

static gboolean
on_pump_due (gpointer data)
{
  Pump *pump = data;
  gint64 now = g_get_monotonic_time ();
  Chunk *chunk;

  while ((chunk = g_queue_peek_head (&pump->chunks)) != NULL && chunk->due <= now)
    {
      g_queue_pop_head (&pump->chunks);
      if (chunk->bytes == NULL)
        {
          GSocket *socket = g_socket_connection_get_socket (G_SOCKET_CONNECTION (pump->to));

          chunk_free (chunk);
          g_socket_shutdown (socket, FALSE, TRUE, NULL);
          g_source_destroy (pump->timer);
          link_pump_finished (pump->link);
          return G_SOURCE_REMOVE;
        }
      /* Loopback and small: a blocking write does not hold anything up.
       * A peer that is gone already is not our concern. */
      g_output_stream_write_all (g_io_stream_get_output_stream (pump->to),
                                 g_bytes_get_data (chunk->bytes, NULL),
                                 g_bytes_get_size (chunk->bytes), NULL, NULL, NULL);
      chunk_free (chunk);
    }
  g_source_set_ready_time (pump->timer, chunk != NULL ? chunk->due : -1);
  return G_SOURCE_CONTINUE;
}

static gboolean
timer_dispatch (GSource     *source,
                GSourceFunc  callback,
                gpointer     user_data)
{
  return callback (user_data);
}

static GSourceFuncs timer_funcs = { NULL, NULL, timer_dispatch, NULL, NULL, NULL };

/* Acknowledge what comes in at once, never waiting to piggyback the
 * ACK: a server with Nagle's algorithm on (Prosody's default) holds a
 * small write while an earlier one is unacknowledged, and a delayed ACK
 * (40 ms on Linux) would stall it by chance, in the relayed sign-ins as
 * in the direct ones. The relay is meant to count the exchanges the two
 * ends need, so it takes that out; the direct time keeps it. */
static void
quick_ack (GIOStream *stream)
{
#ifdef TCP_QUICKACK
  g_socket_set_option (g_socket_connection_get_socket (G_SOCKET_CONNECTION (stream)),
                       IPPROTO_TCP, TCP_QUICKACK, 1, NULL);
#endif
}

static void
on_pump_read (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  Pump *pump = user_data;
  gssize n = g_input_stream_read_finish (G_INPUT_STREAM (source), result, NULL);
  Chunk *chunk = g_new0 (Chunk, 1);

  chunk->due = g_get_monotonic_time () + g_atomic_int_get (&pump->link->relay->delay_us);
  if (n > 0)
    chunk->bytes = g_bytes_new (pump->buffer, n);
  g_queue_push_tail (&pump->chunks, chunk);
  if (g_source_get_ready_time (pump->timer) == -1)
    g_source_set_ready_time (pump->timer, chunk->due);
  /* Linux turns it off again by itself: for the next read. */
  quick_ack (pump->from);
  if (n > 0)
    g_input_stream_read_async (G_INPUT_STREAM (source), pump->buffer, sizeof pump->buffer,
                               G_PRIORITY_DEFAULT, NULL, on_pump_read, pump);
}

static void
pump_start (Link      *link,
            guint      i,
            GIOStream *from,
            GIOStream *to)
{
  Pump *pump = &link->pumps[i];

  pump->link = link;
  pump->from = g_object_ref (from);
  pump->to = g_object_ref (to);
  g_queue_init (&pump->chunks);
  pump->timer = g_source_new (&timer_funcs, sizeof (GSource));
  g_source_set_callback (pump->timer, on_pump_due, pump, NULL);
  g_source_set_ready_time (pump->timer, -1);
  g_source_attach (pump->timer, link->relay->context);
  quick_ack (from);
  g_input_stream_read_async (g_io_stream_get_input_stream (from), pump->buffer, sizeof pump->buffer,
                             G_PRIORITY_DEFAULT, NULL, on_pump_read, pump);
}

static gboolean
on_relay_incoming (GSocketService    *service,
                   GSocketConnection *client,
                   GObject           *source_object,
                   gpointer           user_data)
{
  Relay *relay = user_data;
  g_autoptr(GSocketClient) socket_client = g_socket_client_new ();
  g_autoptr(GSocketConnection) server = NULL;
  g_autoptr(GError) error = NULL;
  Link *link;

  server = g_socket_client_connect_to_host (socket_client, env.host,
                                            (guint16) g_atomic_int_get (&relay->target_port),
                                            NULL, &error);
  if (server == NULL)
    {
      /* The client's connection is dropped: its sign-in fails, and says why. */
      g_printerr ("relay: %s\n", error->message);
      return TRUE;
    }
  g_socket_set_option (g_socket_connection_get_socket (server), IPPROTO_TCP, TCP_NODELAY, TRUE, NULL);
  g_socket_set_option (g_socket_connection_get_socket (client), IPPROTO_TCP, TCP_NODELAY, TRUE, NULL);
  link = g_new0 (Link, 1);
  link->relay = relay;
  g_atomic_int_inc (&relay->live);
  pump_start (link, 0, G_IO_STREAM (client), G_IO_STREAM (server));
  pump_start (link, 1, G_IO_STREAM (server), G_IO_STREAM (client));
  return TRUE;
}

static gpointer
relay_thread (gpointer data)
{
  Relay *relay = data;
  g_autoptr(GSocketService) service = NULL;
  g_autoptr(GInetAddress) loopback = g_inet_address_new_from_string (env.host);
  g_autoptr(GSocketAddress) address = NULL;
  g_autoptr(GSocketAddress) bound = NULL;
  g_autoptr(GError) error = NULL;

  g_main_context_push_thread_default (relay->context);
  service = g_socket_service_new ();
  address = g_inet_socket_address_new (loopback, 0);
  if (!g_socket_listener_add_address (G_SOCKET_LISTENER (service), address, G_SOCKET_TYPE_STREAM,
                                      G_SOCKET_PROTOCOL_TCP, NULL, &bound, &error))
    g_error ("relay: %s", error->message);
  g_signal_connect (service, "incoming", G_CALLBACK (on_relay_incoming), relay);
  g_socket_service_start (service);

  g_mutex_lock (&relay->lock);
  relay->port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
  g_cond_signal (&relay->started);
  g_mutex_unlock (&relay->lock);

  g_main_loop_run (relay->loop);

  g_socket_service_stop (service);
  g_socket_listener_close (G_SOCKET_LISTENER (service));
  g_main_context_pop_thread_default (relay->context);
  return NULL;
}

static Relay *
relay_start (void)
{
  Relay *relay = g_new0 (Relay, 1);

  relay->context = g_main_context_new ();
  relay->loop = g_main_loop_new (relay->context, FALSE);
  g_mutex_init (&relay->lock);
  g_cond_init (&relay->started);
  g_mutex_lock (&relay->lock);
  relay->thread = g_thread_new ("relay", relay_thread, relay);
  while (relay->port == 0)
    g_cond_wait (&relay->started, &relay->lock);
  g_mutex_unlock (&relay->lock);
  return relay;
}

static void
relay_stop (Relay *relay)
{
  g_main_loop_quit (relay->loop);
  g_thread_join (relay->thread);
  g_main_loop_unref (relay->loop);
  g_main_context_unref (relay->context);
  g_mutex_clear (&relay->lock);
  g_cond_clear (&relay->started);
  g_free (relay);
}

/* Until every relayed connection has ended both ways, so that the next
 * sign-in meets a quiet server. */
static void
relay_drain (Relay *relay)
{
  gint64 end = g_get_monotonic_time () + DRAIN_TIMEOUT_US;

  while (g_atomic_int_get (&relay->live) > 0 && g_get_monotonic_time () < end)
    g_usleep (1000);
  if (g_atomic_int_get (&relay->live) > 0)
    g_printerr ("relay: %d connection(s) still open after %d s\n",
                g_atomic_int_get (&relay->live), (int) (DRAIN_TIMEOUT_US / G_USEC_PER_SEC));
}

/* Signing in */

typedef struct {
  const char *name;
  gboolean    sha1;        /* on LK_TEST_SHA1_DOMAIN: RFC 6120 SASL, no SASL2 */
  gboolean    direct_tls;
  gboolean    token;       /* the FAST token of the last sign-in, no password */
  gboolean    resume;      /* XEP-0198: resumes a session cut just before */
} Path;

static const Path paths[] = {
  { "SASL2 password, STARTTLS",    FALSE, FALSE, FALSE, FALSE },
  { "SASL2 password, direct TLS",  FALSE, TRUE,  FALSE, FALSE },
  { "FAST token, STARTTLS",        FALSE, FALSE, TRUE,  FALSE },
  { "FAST token, direct TLS",      FALSE, TRUE,  TRUE,  FALSE },
  { "SASL1 password, STARTTLS",    TRUE,  FALSE, FALSE, FALSE },
  { "SM resume, FAST, STARTTLS",   FALSE, FALSE, TRUE,  TRUE  },
  { "SM resume, FAST, direct TLS", FALSE, TRUE,  TRUE,  TRUE  },
};

/* The whole run signs in as one device: one user-agent id, and the token
 * the server handed out last (password sign-ins ask for one, as a client
 * without one does; token sign-ins may rotate it). */
static GTlsDatabase *database;
static char *user_agent_id;
static char *token_mechanism;
static char *token;

typedef struct {
  GMainLoop      *loop;
  XmppConnection *connection;
  XmppStanza     *stanza;
  GError         *error;
  gint64          end;
  gboolean        done;
} Wait;

static void
on_connected (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  Wait *w = user_data;

  w->end = g_get_monotonic_time ();
  w->connection = xmpp_connector_connect_finish (XMPP_CONNECTOR (source), result, &w->error);
  w->done = TRUE;
  g_main_loop_quit (w->loop);
}

static void
on_closed (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  Wait *w = user_data;

  xmpp_connection_close_finish (XMPP_CONNECTION (source), result, NULL);
  w->done = TRUE;
  g_main_loop_quit (w->loop);
}

static void
wait_run (Wait *w)
{
  w->done = FALSE;
  while (!w->done)
    g_main_loop_run (w->loop);
}

static const char *
tls_version_name (GTlsProtocolVersion version)
{
  switch (version)
    {
    case G_TLS_PROTOCOL_VERSION_TLS_1_2: return "TLS 1.2";
    case G_TLS_PROTOCOL_VERSION_TLS_1_3: return "TLS 1.3";
    default:                             return "TLS ?";
    }
}

static void
on_received (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  Wait *w = user_data;

  g_clear_pointer (&w->stanza, xmpp_stanza_unref);
  w->stanza = xmpp_connection_recv_finish (XMPP_CONNECTION (source), result, &w->error);
  w->done = TRUE;
  g_main_loop_quit (w->loop);
}

/* Connects as @path says, to @port (0: the server's own), resuming the
 * XEP-0198 session @previd if not NULL. The time from connect_async() to
 * the bound (or resumed) stream in microseconds, or -1 after setting
 * @error; the token is replaced by the one the server handed out, if any. */
static gint64
connect_once (const Path      *path,
              guint16          port,
              const char      *previd,
              XmppConnector  **connector_out,
              XmppConnection **connection_out,
              GError         **error)
{
  g_autofree char *address = g_strdup_printf ("alice@%s", path->sha1 ? env.sha1_domain : env.domain);
  g_autoptr(XmppJid) jid = xmpp_jid_new (address, NULL);
  g_autoptr(XmppConnector) connector = NULL;
  g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  Wait w = { .loop = loop };
  const char *new_token, *new_mechanism = NULL;
  gint64 start;

  if (path->token && token == NULL)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                           "no FAST token: the password sign-in got none");
      return -1;
    }
  connector = xmpp_connector_new (jid, path->token ? NULL : env.password);
  xmpp_connector_set_host (connector, env.host,
                           port != 0 ? port : path->direct_tls ? env.tls_port : env.port,
                           path->direct_tls);
  xmpp_connector_set_database (connector, database);
  if (!path->sha1)
    {
      xmpp_connector_set_user_agent_id (connector, user_agent_id);
      if (path->token)
        xmpp_connector_set_fast_token (connector, token_mechanism, token);
      else
        xmpp_connector_request_fast_token (connector, TRUE);
    }
  if (previd != NULL)
    xmpp_connector_set_resume (connector, previd, 0);

  start = g_get_monotonic_time ();
  xmpp_connector_connect_async (connector, NULL, on_connected, &w);
  wait_run (&w);
  if (w.connection == NULL)
    {
      g_propagate_prefixed_error (error, w.error, "%s: ", path->name);
      return -1;
    }
  new_token = xmpp_connector_get_fast_token (connector, &new_mechanism, NULL);
  if (new_token != NULL)
    {
      g_free (token_mechanism);
      g_free (token);
      token_mechanism = g_strdup (new_mechanism);
      token = g_strdup (new_token);
    }
  *connector_out = g_steal_pointer (&connector);
  *connection_out = w.connection;
  return w.end - start;
}

/* A session the server keeps for resuming: signed in as @path says,
 * XEP-0198 enabled with resume='true', then the TCP connection dropped
 * without </stream:stream>, as a network cut does. Its id, or NULL after
 * setting @error. */
static char *
make_resumable (const Path  *path,
                GError     **error)
{
  g_autoptr(XmppConnector) connector = NULL;
  g_autoptr(XmppConnection) connection = NULL;
  g_autoptr(XmppStanza) enable = xmpp_stanza_new ("enable", XMPP_NS_SM);
  g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  g_autoptr(GIOStream) base = NULL;
  Wait w = { .loop = loop };
  char *previd = NULL;

  if (connect_once (path, 0, NULL, &connector, &connection, error) < 0)
    return NULL;
  xmpp_node_set_attr (xmpp_stanza_get_top (enable), "resume", "true");
  xmpp_connection_send_stanza_async (connection, enable, NULL, NULL, NULL);
  for (;;)
    {
      XmppNode *top;

      xmpp_connection_recv_async (connection, NULL, on_received, &w);
      wait_run (&w);
      if (w.stanza == NULL)
        {
          g_propagate_prefixed_error (error, w.error, "%s: enabling stream management: ", path->name);
          return NULL;
        }
      top = xmpp_stanza_get_top (w.stanza);
      if (xmpp_node_is (top, "enabled", XMPP_NS_SM) || xmpp_node_is (top, "failed", XMPP_NS_SM))
        break;
    }
  if (xmpp_node_is (xmpp_stanza_get_top (w.stanza), "enabled", XMPP_NS_SM))
    previd = g_strdup (xmpp_node_get_attr (xmpp_stanza_get_top (w.stanza), "id"));
  g_clear_pointer (&w.stanza, xmpp_stanza_unref);
  if (previd == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                   "%s: the server did not enable stream management with resumption", path->name);
      return NULL;
    }
  /* The cut: the socket under TLS closed, no close_notify, no
   * </stream:stream>. */
  g_object_get (xmpp_connection_get_stream (connection), "base-io-stream", &base, NULL);
  g_socket_close (g_socket_connection_get_socket (G_SOCKET_CONNECTION (base)), NULL);
  return previd;
}

/* One sign-in (or resumption) as @path says, to @port (0: the server's
 * own), closed again with </stream:stream> afterwards. The time from
 * connect_async() to the bound stream in microseconds, or -1 after
 * setting @error. @what gets the mechanism and TLS version if not NULL. */
static gint64
sign_in (const Path  *path,
         guint16      port,
         char       **what,
         GError     **error)
{
  g_autoptr(XmppConnector) connector = NULL;
  g_autoptr(XmppConnection) connection = NULL;
  g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  g_autofree char *previd = NULL;
  Wait w = { .loop = loop };
  gboolean wrong;
  gint64 elapsed;

  if (path->resume && (previd = make_resumable (path, error)) == NULL)
    return -1;
  elapsed = connect_once (path, port, previd, &connector, &connection, error);
  if (elapsed < 0)
    return -1;

  /* Only the path named is measured, or the figures mean nothing. */
  wrong = xmpp_connector_get_used_sasl2 (connector) == path->sha1 ||
          xmpp_connector_get_used_fast (connector) != path->token ||
          xmpp_connector_get_resumed (connector, NULL) != path->resume;
  if (wrong)
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                 "%s: signed in %s SASL2, %s the token, and %s", path->name,
                 xmpp_connector_get_used_sasl2 (connector) ? "with" : "without",
                 xmpp_connector_get_used_fast (connector) ? "with" : "without",
                 xmpp_connector_get_resumed (connector, NULL) ? "resumed" : "did not resume");
  if (what != NULL)
    {
      g_free (*what);
      *what = g_strdup_printf ("%s, %s", xmpp_connector_get_mechanism (connector),
                               tls_version_name (xmpp_connector_get_tls_version (connector)));
    }

  xmpp_connection_close_async (connection, NULL, on_closed, &w);
  wait_run (&w);
  return wrong ? -1 : elapsed;
}

static int
compare_gint64 (gconstpointer a,
                gconstpointer b)
{
  gint64 x = *(const gint64 *) a, y = *(const gint64 *) b;

  return x < y ? -1 : x > y;
}

typedef struct {
  gint64  median;       /* straight to the server */
  gint64  min;
  gint64  relay0_min;   /* through the relay, no delay */
  gint64  relay_min;    /* through the relay, with the delay */
  char   *what;
} Figures;

/* The fastest of @runs sign-ins through the relay, @delay_us each way. */
static gint64
relayed (const Path  *path,
         Relay       *relay,
         gint         delay_us,
         guint        runs,
         GError     **error)
{
  gint64 best = G_MAXINT64;

  g_atomic_int_set (&relay->target_port, path->direct_tls ? env.tls_port : env.port);
  g_atomic_int_set (&relay->delay_us, delay_us);
  for (guint i = 0; i < runs; i++)
    {
      gint64 t = sign_in (path, relay->port, NULL, error);

      relay_drain (relay);
      if (t < 0)
        return -1;
      best = MIN (best, t);
    }
  return best;
}

static gboolean
measure (const Path  *path,
         Relay       *relay,
         guint        runs,
         guint        relayed_runs,
         gint         delay_us,
         Figures     *f,
         GError     **error)
{
  g_autofree gint64 *times = g_new (gint64, runs);

  /* A token comes from a password sign-in (the paths before, unless
   * --only left them out). */
  if (path->token && token == NULL && sign_in (&paths[0], 0, NULL, error) < 0)
    return FALSE;
  /* Once untimed: the first connection of a kind pays for warming up
   * (GnuTLS, the server's caches). */
  if (sign_in (path, 0, &f->what, error) < 0)
    return FALSE;
  for (guint i = 0; i < runs; i++)
    if ((times[i] = sign_in (path, 0, NULL, error)) < 0)
      return FALSE;
  qsort (times, runs, sizeof *times, compare_gint64);
  f->min = times[0];
  f->median = runs % 2 ? times[runs / 2] : (times[runs / 2 - 1] + times[runs / 2]) / 2;

  /* The baseline for counting is the same relay without the delay, not
   * the direct sign-in: a relay acknowledges what it reads at once, so a
   * stall that waits on a delayed ACK (see bench/README.md) happens only
   * without it, and would be taken for computing time. */
  if ((f->relay0_min = relayed (path, relay, 0, RELAY0_RUNS, error)) < 0 ||
      (f->relay_min = relayed (path, relay, delay_us, relayed_runs, error)) < 0)
    return FALSE;
  return TRUE;
}

/* What the server asks the client to iterate: the SCRAM iteration count
 * Prosody stored with alice's keys (its data files are Lua tables). 0 if
 * not found. */
static guint
read_iterations (const char *domain)
{
  g_autoptr(GString) escaped = g_string_new (NULL);
  g_autofree char *file = NULL;
  g_autofree char *text = NULL;
  g_autoptr(GRegex) regex = NULL;
  g_autoptr(GMatchInfo) match = NULL;
  g_autofree char *digits = NULL;

  if (env.dir == NULL)
    return 0;
  /* Prosody's file names: every byte but letters and digits as %xx. */
  for (const char *p = domain; *p != '\0'; p++)
    {
      if (g_ascii_isalnum (*p))
        g_string_append_c (escaped, *p);
      else
        g_string_append_printf (escaped, "%%%02x", (guchar) *p);
    }
  file = g_build_filename (env.dir, "data", escaped->str, "accounts", "alice.dat", NULL);
  if (!g_file_get_contents (file, &text, NULL, NULL))
    return 0;
  regex = g_regex_new ("\\[\"iteration_count\"\\]\\s*=\\s*(\\d+)", 0, 0, NULL);
  if (!g_regex_match (regex, text, 0, &match))
    return 0;
  digits = g_match_info_fetch (match, 1);
  return (guint) g_ascii_strtoull (digits, NULL, 10);
}

/* The client's share of a password sign-in: SCRAM's client-final message
 * is where the PBKDF2 runs (the server stored its keys derived already).
 * Fastest of 5, in microseconds; -1 on failure. */
static gint64
time_client_scram (const char *mechanism,
                   guint       iterations)
{
  g_autofree char *server_first = g_strdup_printf ("r=benchnonce0123456789,s=c2FsdHNhbHRzYWx0MDEyMw==,i=%u",
                                                   iterations);
  gint64 best = -1;

  for (guint i = 0; i < 5; i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(XmppScram) scram = xmpp_scram_new (mechanism, 'n', XMPP_SASL_CB_NONE, NULL,
                                                   "alice", env.password, &error);
      g_autofree char *first = NULL;
      g_autofree char *final = NULL;
      gint64 start;

      if (scram == NULL)
        return -1;
      xmpp_scram_set_client_nonce (scram, "benchnonce");
      first = xmpp_scram_client_first (scram);
      start = g_get_monotonic_time ();
      final = xmpp_scram_client_final (scram, server_first, strlen (server_first), &error);
      if (final == NULL)
        return -1;
      if (best < 0 || g_get_monotonic_time () - start < best)
        best = g_get_monotonic_time () - start;
    }
  return best;
}

static void
print_iterations (void)
{
  guint sha256 = read_iterations (env.domain);
  guint sha1 = read_iterations (env.sha1_domain);
  gint64 t256 = time_client_scram ("SCRAM-SHA-256", sha256 ? sha256 : 4096);
  gint64 t1 = time_client_scram ("SCRAM-SHA-1", sha1 ? sha1 : 4096);

  if (sha256 == 0 || sha1 == 0)
    g_print ("SCRAM iterations: not found in the server's files (LK_TEST_DIR); timing 4096\n");
  else
    g_print ("SCRAM iterations: %u (%s, SHA-256), %u (%s, SHA-1)\n",
             sha256, env.domain, sha1, env.sha1_domain);
  g_print ("client PBKDF2 per password sign-in: %.1f ms (SHA-256), %.1f ms (SHA-1)\n",
           t256 / 1000.0, t1 / 1000.0);
}

int
main (int    argc,
      char **argv)
{
  int runs = DEFAULT_RUNS, relayed_runs = DEFAULT_RELAYED_RUNS, delay_ms = DEFAULT_DELAY_MS;
  g_autofree char *only = NULL;
  GOptionEntry entries[] = {
    { "runs", 0, 0, G_OPTION_ARG_INT, &runs,
      "Sign-ins timed per path, straight to the server (default 20)", "N" },
    { "relayed-runs", 0, 0, G_OPTION_ARG_INT, &relayed_runs,
      "Sign-ins through the delaying relay per path, fastest kept (default 5)", "N" },
    { "delay", 0, 0, G_OPTION_ARG_INT, &delay_ms,
      "The relay's delay each way (default 50)", "MS" },
    { "only", 0, 0, G_OPTION_ARG_STRING, &only,
      "Only the paths whose name contains TEXT (\"FAST\", \"direct\")", "TEXT" },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new (NULL);
  g_autoptr(GError) error = NULL;
  Figures figures[G_N_ELEMENTS (paths)] = { { 0 } };
  g_autofree char *header = NULL;
  Relay *relay;
  int status = 0;

  g_option_context_set_summary (context,
    "Sign-in time and round trips against the server of tests/harness/xmpp-server.");
  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("%s\n", error->message);
      return 2;
    }
  if (runs < 1 || relayed_runs < 1 || delay_ms < 1)
    {
      g_printerr ("--runs, --relayed-runs and --delay must be positive\n");
      return 2;
    }
  read_env ();
  database = g_tls_file_database_new (env.ca_file, &error);
  if (database == NULL)
    {
      g_printerr ("%s: %s\n", env.ca_file, error->message);
      return 1;
    }
  user_agent_id = g_uuid_string_random ();
  relay = relay_start ();

  g_print ("server: %s on %s\n", env.server, env.host);
  print_iterations ();
  header = g_strdup_printf ("time (median of %d, no delay)", runs);
  g_print ("\n%-28s  %-11s  %-30s  %-13s  %s\n",
           "path", "round trips", header, "relayed, 0 ms", "mechanism");
  for (guint i = 0; i < G_N_ELEMENTS (paths); i++)
    {
      Figures *f = &figures[i];
      g_autofree char *rt = NULL;
      g_autofree char *time = NULL;
      g_autofree char *relay0 = NULL;

      if (only != NULL && strstr (paths[i].name, only) == NULL)
        continue;
      if (!measure (&paths[i], relay, runs, relayed_runs, delay_ms * 1000, f, &error))
        {
          g_print ("%-28s  failed: %s\n", paths[i].name, error->message);
          g_clear_error (&error);
          status = 1;
          continue;
        }
      rt = g_strdup_printf ("1 + %.1f", (f->relay_min - f->relay0_min) / (2.0 * delay_ms * 1000));
      time = g_strdup_printf ("%.1f ms (min %.1f)", f->median / 1000.0, f->min / 1000.0);
      relay0 = g_strdup_printf ("%.1f ms", f->relay0_min / 1000.0);
      g_print ("%-28s  %-11s  %-30s  %-13s  %s\n", paths[i].name, rt, time, relay0, f->what);
    }
  g_print ("\nround trips: 1 for the TCP handshake (added, not measured: the kernel answers it)\n"
           "  + (fastest of %d through a relay holding each chunk %d ms each way\n"
           "     - fastest of %d through it without delay) / %d ms\n"
           "relayed, 0 ms: that fastest of %d. Where the direct time is some 40 ms longer, the\n"
           "  server held a write for this end's delayed ACK (Nagle): see bench/README.md\n\n",
           relayed_runs, delay_ms, RELAY0_RUNS, 2 * delay_ms, RELAY0_RUNS);

  for (guint i = 0; i < G_N_ELEMENTS (figures); i++)
    g_free (figures[i].what);
  relay_stop (relay);
  g_clear_object (&database);
  g_free (user_agent_id);
  g_free (token_mechanism);
  g_free (token);
  return status;
}
