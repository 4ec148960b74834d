/* test-hostile.c: the connector against a scripted hostile server.
 *
 * What a real server never sends (DESIGN.md allows a scripted server only
 * for those): no TLS, a refused STARTTLS, broken XML, a huge stanza, an
 * entity bomb, stream errors, silence, a SCRAM success without proof.
 *
 * The server is a thread of this process listening on 127.0.0.1 with
 * blocking I/O, so each script reads top to bottom; the connector runs on
 * the main loop as in the application. TLS is real: a throwaway
 * certificate for "hostile.test" made at start, pinned by the client.
 * Every case ends with one exact error, a sentence, soon, in bounded
 * memory, and with the client hanging up.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "xmpp-connector.h"
#include "xmpp-error.h"
#include "xmpp-ns.h"

#include <gnutls/gnutls.h>
#include <gnutls/x509.h>
#include <stdio.h>
#include <string.h>

#define DOMAIN   "hostile.test"
#define ACCOUNT  "alice@" DOMAIN
#define PASSWORD "correct horse battery staple"

#define STREAM_TAG \
  "<stream:stream xmlns='jabber:client' xmlns:stream='" XMPP_NS_STREAM "'" \
  " from='" DOMAIN "' id='hostile' version='1.0' xml:lang='en'>"
#define HEADER "<?xml version='1.0'?>" STREAM_TAG

#define FEATURES_STARTTLS \
  "<stream:features><starttls xmlns='" XMPP_NS_TLS "'><required/></starttls></stream:features>"
#define FEATURES_SCRAM \
  "<stream:features><mechanisms xmlns='" XMPP_NS_SASL "'>" \
  "<mechanism>SCRAM-SHA-256</mechanism></mechanisms></stream:features>"
#define FEATURES_PLAIN \
  "<stream:features><mechanisms xmlns='" XMPP_NS_SASL "'>" \
  "<mechanism>PLAIN</mechanism></mechanisms></stream:features>"

/* Billion laughs: 10^9 "lol"s if anything expanded it. */
#define TEN(x) x x x x x x x x x x
#define BOMB_DTD \
  "<!DOCTYPE stream:stream [" \
  "<!ENTITY lol 'lol'>" \
  "<!ENTITY lol1 '" TEN ("&lol;") "'>" \
  "<!ENTITY lol2 '" TEN ("&lol1;") "'>" \
  "<!ENTITY lol3 '" TEN ("&lol2;") "'>" \
  "<!ENTITY lol4 '" TEN ("&lol3;") "'>" \
  "<!ENTITY lol5 '" TEN ("&lol4;") "'>" \
  "<!ENTITY lol6 '" TEN ("&lol5;") "'>" \
  "<!ENTITY lol7 '" TEN ("&lol6;") "'>" \
  "<!ENTITY lol8 '" TEN ("&lol7;") "'>" \
  "<!ENTITY lol9 '" TEN ("&lol8;") "'>" \
  "]>"
#define BOMB_HEADER "<?xml version='1.0'?>" BOMB_DTD STREAM_TAG "<stream:features>&lol9;</stream:features>"

/* AddressSanitizer keeps freed memory resident (its quarantine), so
 * resident memory then counts all that was ever allocated. */
#if defined(__SANITIZE_ADDRESS__)
#define MEMORY_MEASURABLE FALSE
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define MEMORY_MEASURABLE FALSE
#endif
#endif
#ifndef MEMORY_MEASURABLE
#define MEMORY_MEASURABLE TRUE
#endif

#define HUGE_TOTAL (20 * 1024 * 1024)
#define HUGE_CHUNK (64 * 1024)

static GTlsCertificate *certificate;
static char *certificate_pin;

/* The server */

typedef struct _Server Server;
typedef void (*Script) (Server *s);

struct _Server {
  Script             script;
  gboolean           direct_tls;
  GSocketListener   *listener;
  guint16            port;
  GCancellable      *cancellable;
  GThread           *thread;
  GSocketConnection *tcp;
  GIOStream         *stream;       /* the TCP connection, then TLS over it */
  GString           *received;     /* all the client sent, decrypted */
  gsize              mark;         /* how far the script has read it */
  gsize              cleartext;    /* how much of it came before TLS */
  gsize              sent;         /* bytes written */
  gboolean           broken;       /* a read or write failed: later steps do nothing */
  gboolean           hangup;       /* ... because the client closed the connection */
  gint               done;
};

static void
note_failure (Server *s,
              GError *error)
{
  s->broken = TRUE;
  /* A timeout or our own cancel means the client went quiet but stayed. */
  if (error == NULL || (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT) &&
                        !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED)))
    s->hangup = TRUE;
}

static gboolean
srv_read_more (Server *s)
{
  g_autoptr(GError) error = NULL;
  char buf[4096];
  gssize n;

  if (s->broken)
    return FALSE;
  n = g_input_stream_read (g_io_stream_get_input_stream (s->stream), buf, sizeof buf,
                           s->cancellable, &error);
  if (n <= 0)
    {
      note_failure (s, error);
      return FALSE;
    }
  g_string_append_len (s->received, buf, n);
  return TRUE;
}

/* Reads until the client has sent @needle; the script goes on after it. */
static gboolean
srv_expect (Server     *s,
            const char *needle)
{
  for (;;)
    {
      const char *found = g_strstr_len (s->received->str + s->mark,
                                        s->received->len - s->mark, needle);
      if (found != NULL)
        {
          s->mark = found - s->received->str + strlen (needle);
          return TRUE;
        }
      if (!srv_read_more (s))
        return FALSE;
    }
}

static gboolean
srv_send_len (Server     *s,
              const char *data,
              gsize       len)
{
  g_autoptr(GError) error = NULL;

  if (s->broken)
    return FALSE;
  if (!g_output_stream_write_all (g_io_stream_get_output_stream (s->stream), data, len,
                                  NULL, s->cancellable, &error))
    {
      note_failure (s, error);
      return FALSE;
    }
  s->sent += len;
  return TRUE;
}

static gboolean
srv_send (Server     *s,
          const char *xml)
{
  return srv_send_len (s, xml, strlen (xml));
}

/* The client's next <@name …> or <@name …/>. */
static void
srv_expect_tag (Server     *s,
                const char *name)
{
  g_autofree char *open = g_strdup_printf ("<%s", name);

  srv_expect (s, open);
  srv_expect (s, ">");
}

/* The text of the client's next <@name …>text</@name>, "" if none came. */
static char *
srv_expect_element (Server     *s,
                    const char *name)
{
  g_autofree char *close = g_strdup_printf ("</%s>", name);
  gsize start;

  srv_expect_tag (s, name);
  start = s->mark;
  if (!srv_expect (s, close))
    return g_strdup ("");
  return g_strndup (s->received->str + start, s->mark - strlen (close) - start);
}

/* The client opens a stream; the server answers with @header (NULL: a
 * plain one). */
static void
srv_open (Server     *s,
          const char *header)
{
  srv_expect_tag (s, "stream:stream");
  srv_send (s, header != NULL ? header : HEADER);
}

static void
srv_handshake (Server *s)
{
  g_autoptr(GIOStream) tls = NULL;
  g_autoptr(GError) error = NULL;

  if (s->broken)
    return;
  s->cleartext = s->received->len;
  tls = g_tls_server_connection_new (G_IO_STREAM (s->tcp), certificate, &error);
  if (tls == NULL || !g_tls_connection_handshake (G_TLS_CONNECTION (tls), s->cancellable, &error))
    {
      note_failure (s, error);
      return;
    }
  g_set_object (&s->stream, tls);
}

/* To TLS, by STARTTLS or at once as the case connects; the client opens
 * its stream next. */
static void
srv_secure (Server *s)
{
  if (!s->direct_tls)
    {
      srv_open (s, NULL);
      srv_send (s, FEATURES_STARTTLS);
      srv_expect_tag (s, "starttls");
      srv_send (s, "<proceed xmlns='" XMPP_NS_TLS "'/>");
    }
  srv_handshake (s);
}

static gpointer
server_thread (gpointer data)
{
  Server *s = data;

  s->tcp = g_socket_listener_accept (s->listener, NULL, s->cancellable, NULL);
  if (s->tcp != NULL)
    {
      /* Blocking reads and writes give up after this: a client that goes
       * quiet shows as hangup = FALSE, not as a hung test. */
      g_socket_set_timeout (g_socket_connection_get_socket (s->tcp), 5);
      s->stream = g_object_ref (G_IO_STREAM (s->tcp));
      s->cleartext = G_MAXSIZE;
      s->script (s);
      /* Hold the line until the client hangs up: the error it reports must
       * be its own conclusion, not this end going away. */
      while (srv_read_more (s))
        ;
      g_io_stream_close (s->stream, NULL, NULL);
      g_clear_object (&s->stream);
      g_clear_object (&s->tcp);
    }
  g_atomic_int_set (&s->done, TRUE);
  g_main_context_wakeup (NULL);
  return NULL;
}

static Server *
server_start (Script   script,
              gboolean direct_tls)
{
  Server *s = g_new0 (Server, 1);
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) address = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GSocketAddress) effective = NULL;
  g_autoptr(GError) error = NULL;

  s->script = script;
  s->direct_tls = direct_tls;
  s->received = g_string_new (NULL);
  s->cancellable = g_cancellable_new ();
  s->listener = g_socket_listener_new ();
  g_socket_listener_add_address (s->listener, address, G_SOCKET_TYPE_STREAM,
                                 G_SOCKET_PROTOCOL_TCP, NULL, &effective, &error);
  g_assert_no_error (error);
  s->port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (effective));
  s->thread = g_thread_new ("hostile-server", server_thread, s);
  return s;
}

static gboolean
on_server_late (gpointer user_data)
{
  g_cancellable_cancel (user_data);
  return G_SOURCE_REMOVE;
}

/* Lets the client finish closing (on the main loop) while the server sees
 * it go, then joins the server. */
static void
server_join (Server *s)
{
  guint late = g_timeout_add_seconds (8, on_server_late, s->cancellable);

  while (!g_atomic_int_get (&s->done))
    g_main_context_iteration (NULL, TRUE);
  g_source_remove (late);
  g_thread_join (s->thread);
  while (g_main_context_iteration (NULL, FALSE))
    ;
}

static void
server_free (Server *s)
{
  g_socket_listener_close (s->listener);
  g_object_unref (s->listener);
  g_object_unref (s->cancellable);
  g_string_free (s->received, TRUE);
  g_free (s);
}

/* Scripts: before TLS */

static void
script_no_tls (Server *s)
{
  srv_open (s, NULL);
  srv_send (s, "<stream:features/>");
}

/* PLAIN offered in the clear: the client must not take it. */
static void
script_plain_in_clear (Server *s)
{
  srv_open (s, NULL);
  srv_send (s, FEATURES_PLAIN);
}

static void
script_starttls_refused (Server *s)
{
  srv_open (s, NULL);
  srv_send (s, FEATURES_STARTTLS);
  srv_expect_tag (s, "starttls");
  srv_send (s, "<failure xmlns='" XMPP_NS_TLS "'/>");
}

/* "Proceed", then more XML in the clear instead of a TLS handshake. */
static void
script_starttls_cleartext (Server *s)
{
  srv_open (s, NULL);
  srv_send (s, FEATURES_STARTTLS);
  srv_expect_tag (s, "starttls");
  srv_send (s, "<proceed xmlns='" XMPP_NS_TLS "'/>");
  srv_send (s, HEADER FEATURES_PLAIN);
}

static void
script_entity_bomb (Server *s)
{
  srv_open (s, BOMB_HEADER);
}

static void
script_encoding (Server *s)
{
  srv_open (s, "<?xml version='1.0' encoding='ISO-8859-1'?>" STREAM_TAG);
  srv_send (s, "<stream:features/>");
}

static void
script_host_unknown (Server *s)
{
  srv_open (s, NULL);
  srv_send (s, "<stream:error><host-unknown xmlns='" XMPP_NS_STREAMS "'/>"
               "<text xmlns='" XMPP_NS_STREAMS "'>no such host</text></stream:error>");
}

static void
script_see_other_host (Server *s)
{
  srv_open (s, NULL);
  /* Port 1 of loopback: nothing listens, so following the redirect shows
   * as a refused connection there, with no name lookup leaving the host. */
  srv_send (s, "<stream:error><see-other-host xmlns='" XMPP_NS_STREAMS "'>"
               "127.0.0.1:1</see-other-host></stream:error>");
}

static void
script_silent (Server *s)
{
}

static void
script_close_at_once (Server *s)
{
  g_io_stream_close (s->stream, NULL, NULL);
  s->broken = s->hangup = TRUE;   /* over, from this end */
}

/* Scripts: after TLS */

static void
script_malformed_features (Server *s)
{
  srv_secure (s);
  srv_open (s, NULL);
  srv_send (s, "<stream:features><mechanisms xmlns='" XMPP_NS_SASL "'>"
               "<mechanism>PLAIN</mech></stream:features>");
}

static void
script_malformed_sasl (Server *s)
{
  g_autofree char *auth = NULL;

  srv_secure (s);
  srv_open (s, NULL);
  srv_send (s, FEATURES_SCRAM);
  auth = srv_expect_element (s, "auth");
  srv_send (s, "<challenge xmlns='" XMPP_NS_SASL "'>cj1ib2d1cw==</success>");
}

static void
script_invalid_utf8 (Server *s)
{
  srv_secure (s);
  srv_open (s, NULL);
  srv_send (s, "<stream:features><x xmlns='urn:hostile'>\xc3\x28\xff</x></stream:features>");
}

/* Features, then a message that never ends, made as it goes. */
static void
script_huge_stanza (Server *s)
{
  g_autofree char *chunk = g_malloc (HUGE_CHUNK);

  memset (chunk, 'a', HUGE_CHUNK);
  srv_secure (s);
  srv_open (s, NULL);
  srv_send (s, FEATURES_SCRAM "<message><body>");
  while (s->sent < HUGE_TOTAL && srv_send_len (s, chunk, HUGE_CHUNK))
    ;
}

static void
script_entity_bomb_after_tls (Server *s)
{
  srv_secure (s);
  srv_open (s, BOMB_HEADER);
}

/* No DOCTYPE, just a reference to an entity nobody declared. */
static void
script_undeclared_entity (Server *s)
{
  srv_secure (s);
  srv_open (s, NULL);
  srv_send (s, "<stream:features>&lol9;</stream:features>");
}

static void
script_stream_error_mid_sasl (Server *s)
{
  g_autofree char *auth = NULL;

  srv_secure (s);
  srv_open (s, NULL);
  srv_send (s, FEATURES_SCRAM);
  auth = srv_expect_element (s, "auth");
  srv_send (s, "<stream:error><policy-violation xmlns='" XMPP_NS_STREAMS "'/>"
               "<text xmlns='" XMPP_NS_STREAMS "'>go away</text></stream:error>");
}

/* Takes the client's first SASL message, then says nothing more. */
static void
script_silent_mid_sasl (Server *s)
{
  g_autofree char *auth = NULL;

  srv_secure (s);
  srv_open (s, NULL);
  srv_send (s, FEATURES_SCRAM);
  auth = srv_expect_element (s, "auth");
}

/* Drops TCP under the TLS session, without close_notify. */
static void
script_close_after_tls (Server *s)
{
  srv_secure (s);
  srv_open (s, NULL);
  srv_send (s, FEATURES_SCRAM);
  g_io_stream_close (G_IO_STREAM (s->tcp), NULL, NULL);
}

/* A SCRAM-SHA-256 exchange up to the client's proof, then @success: a
 * server that does not know the password cannot send the right one. */
static void
scram_until_proof (Server     *s,
                   const char *success)
{
  g_autofree char *auth = NULL;
  g_autofree char *response = NULL;
  g_autofree guchar *client_first = NULL;
  g_autofree char *server_first = NULL;
  g_autofree char *challenge = NULL;
  g_autofree char *salt = g_base64_encode ((const guchar *) "hostile-salt", 12);
  const char *nonce;
  gsize len = 0;

  srv_secure (s);
  srv_open (s, NULL);
  srv_send (s, FEATURES_SCRAM);
  auth = srv_expect_element (s, "auth");
  client_first = g_base64_decode (auth, &len);
  client_first = g_realloc (client_first, len + 1);
  client_first[len] = '\0';
  nonce = strstr ((const char *) client_first, ",r=");
  if (nonce == NULL)
    return;
  server_first = g_strdup_printf ("r=%sHOSTILE,s=%s,i=4096", nonce + 3, salt);
  challenge = g_base64_encode ((const guchar *) server_first, strlen (server_first));
  srv_send (s, "<challenge xmlns='" XMPP_NS_SASL "'>");
  srv_send (s, challenge);
  srv_send (s, "</challenge>");
  response = srv_expect_element (s, "response");
  srv_send (s, success);
}

static void
script_scram_no_signature (Server *s)
{
  scram_until_proof (s, "<success xmlns='" XMPP_NS_SASL "'/>");
}

static void
script_scram_forged_signature (Server *s)
{
  /* "v=" and the base64 of 32 zero bytes: well-formed, and wrong. */
  scram_until_proof (s, "<success xmlns='" XMPP_NS_SASL "'>"
                        "dj1BQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBPQ=="
                        "</success>");
}

/* The control: PLAIN after TLS is fine, and this server can sign in. */
static void
script_plain_after_tls (Server *s)
{
  g_autofree char *auth = NULL;
  g_autofree char *iq = NULL;
  const char *id, *end;
  gsize start;

  srv_secure (s);
  srv_open (s, NULL);
  srv_send (s, FEATURES_PLAIN);
  auth = srv_expect_element (s, "auth");
  srv_send (s, "<success xmlns='" XMPP_NS_SASL "'/>");
  srv_open (s, NULL);
  srv_send (s, "<stream:features><bind xmlns='" XMPP_NS_BIND "'/></stream:features>");
  srv_expect (s, "<iq");
  start = s->mark;
  if (!srv_expect (s, "</iq>"))
    return;
  iq = g_strndup (s->received->str + start, s->mark - start);
  id = strstr (iq, " id='");
  end = id ? strchr (id + 5, '\'') : NULL;
  if (end == NULL)
    return;
  srv_send (s, "<iq type='result' id='");
  srv_send_len (s, id + 5, end - (id + 5));
  srv_send (s, "'><bind xmlns='" XMPP_NS_BIND "'><jid>" ACCOUNT "/hostile</jid></bind></iq>");
}

/* Checks beyond the error */

static void
check_nothing_after_starttls (Server *s)
{
  const char *starttls = strstr (s->received->str, "<starttls");
  const char *next;

  g_assert_nonnull (starttls);
  next = strchr (starttls + 1, '<');
  if (next != NULL)
    g_assert_cmpstr (next, ==, "</stream:stream>");
}

static char *
plain_message_base64 (void)
{
  static const char plain[] = "\0alice\0" PASSWORD;

  return g_base64_encode ((const guchar *) plain, sizeof plain - 1);
}

/* The password went out, but only inside TLS. */
static void
check_plain_inside_tls (Server *s)
{
  g_autofree char *plain_b64 = plain_message_base64 ();

  g_assert_cmpuint (s->cleartext, <, s->received->len);
  g_assert_nonnull (strstr (s->received->str + s->cleartext, plain_b64));
}

static void
check_huge_stopped_early (Server *s)
{
  g_test_message ("server wrote %zu bytes before the client hung up", s->sent);
  g_assert_cmpuint (s->sent, <, HUGE_TOTAL);
}

/* The cases */

typedef struct {
  const char  *path;
  Script       script;
  gboolean     direct_tls;
  GQuark     (*domain) (void);   /* NULL: signing in succeeds */
  int          code;
  const char  *in_message;       /* the server's own words, when it gave some */
  guint        timeout;          /* the connector's, seconds; 0 means 5 */
  double       min_seconds;
  double       max_seconds;      /* 0 means 2 */
  gboolean     check_memory;
  gboolean     ends_with_gio;    /* the sentence ends with GIO's words, unpunctuated */
  void       (*check) (Server *s);
} Case;

static const Case cases[] = {
  { "/hostile/no-tls", script_no_tls, FALSE,
    xmpp_tls_error_quark, XMPP_TLS_ERROR_UNAVAILABLE },
  { "/hostile/plain-in-clear", script_plain_in_clear, FALSE,
    xmpp_tls_error_quark, XMPP_TLS_ERROR_UNAVAILABLE },
  { "/hostile/starttls-refused", script_starttls_refused, FALSE,
    xmpp_tls_error_quark, XMPP_TLS_ERROR_HANDSHAKE,
    .check = check_nothing_after_starttls },
  { "/hostile/starttls-then-cleartext", script_starttls_cleartext, FALSE,
    xmpp_tls_error_quark, XMPP_TLS_ERROR_HANDSHAKE },
  { "/hostile/malformed/features", script_malformed_features, FALSE,
    xmpp_stream_error_quark, XMPP_STREAM_ERROR_NOT_WELL_FORMED },
  { "/hostile/malformed/mid-sasl", script_malformed_sasl, FALSE,
    xmpp_stream_error_quark, XMPP_STREAM_ERROR_NOT_WELL_FORMED },
  { "/hostile/malformed/invalid-utf8", script_invalid_utf8, FALSE,
    xmpp_stream_error_quark, XMPP_STREAM_ERROR_NOT_WELL_FORMED },
  { "/hostile/huge-stanza/starttls", script_huge_stanza, FALSE,
    xmpp_stream_error_quark, XMPP_STREAM_ERROR_POLICY_VIOLATION,
    .check_memory = TRUE, .check = check_huge_stopped_early },
  { "/hostile/huge-stanza/direct-tls", script_huge_stanza, TRUE,
    xmpp_stream_error_quark, XMPP_STREAM_ERROR_POLICY_VIOLATION,
    .check_memory = TRUE, .check = check_huge_stopped_early },
  { "/hostile/entity-bomb/first-stream", script_entity_bomb, FALSE,
    xmpp_stream_error_quark, XMPP_STREAM_ERROR_RESTRICTED_XML,
    .max_seconds = 1, .check_memory = TRUE },
  { "/hostile/entity-bomb/after-tls", script_entity_bomb_after_tls, FALSE,
    xmpp_stream_error_quark, XMPP_STREAM_ERROR_RESTRICTED_XML,
    .max_seconds = 1, .check_memory = TRUE },
  { "/hostile/entity-bomb/undeclared", script_undeclared_entity, FALSE,
    xmpp_stream_error_quark, XMPP_STREAM_ERROR_RESTRICTED_XML },
  { "/hostile/stream-error/host-unknown", script_host_unknown, FALSE,
    xmpp_stream_error_quark, XMPP_STREAM_ERROR_HOST_UNKNOWN, "no such host" },
  { "/hostile/stream-error/see-other-host", script_see_other_host, FALSE,
    xmpp_connection_error_quark, XMPP_CONNECTION_ERROR_CONNECT, "127.0.0.1" },
  { "/hostile/stream-error/mid-sasl", script_stream_error_mid_sasl, FALSE,
    xmpp_stream_error_quark, XMPP_STREAM_ERROR_POLICY_VIOLATION, "go away" },
  /* g_timeout_add_seconds() fires within [-0.25, +0.75] s of its time. */
  { "/hostile/dead-peer/at-once", script_silent, FALSE,
    xmpp_connection_error_quark, XMPP_CONNECTION_ERROR_TIMEOUT,
    .timeout = 1, .min_seconds = 0.7, .max_seconds = 2.5 },
  { "/hostile/dead-peer/mid-sasl", script_silent_mid_sasl, FALSE,
    xmpp_connection_error_quark, XMPP_CONNECTION_ERROR_TIMEOUT,
    .timeout = 1, .min_seconds = 0.7, .max_seconds = 2.5 },
  { "/hostile/encoding", script_encoding, FALSE,
    xmpp_stream_error_quark, XMPP_STREAM_ERROR_UNSUPPORTED_ENCODING },
  /* A reset if the client's header was in flight, else an orderly close. */
  { "/hostile/closed/at-once", script_close_at_once, FALSE,
    xmpp_connection_error_quark, XMPP_CONNECTION_ERROR_CLOSED, .ends_with_gio = TRUE },
  { "/hostile/closed/after-tls", script_close_after_tls, FALSE,
    xmpp_connection_error_quark, XMPP_CONNECTION_ERROR_CLOSED, .ends_with_gio = TRUE },
  { "/hostile/scram/no-signature", script_scram_no_signature, FALSE,
    xmpp_auth_error_quark, XMPP_AUTH_ERROR_SERVER_SIGNATURE },
  { "/hostile/scram/forged-signature", script_scram_forged_signature, FALSE,
    xmpp_auth_error_quark, XMPP_AUTH_ERROR_SERVER_SIGNATURE },
  { "/hostile/control/plain-after-tls", script_plain_after_tls, FALSE,
    .check = check_plain_inside_tls },
};

/* Memory */

static gsize
status_kb (const char *field)
{
  g_autofree char *status = NULL;
  const char *line;

  if (!g_file_get_contents ("/proc/self/status", &status, NULL, NULL))
    return 0;
  line = strstr (status, field);
  return line ? g_ascii_strtoull (line + strlen (field), NULL, 10) : 0;
}

/* Starts VmHWM over from the current VmRSS (Linux ≥ 4.0). */
static gboolean
reset_peak (void)
{
  FILE *f = fopen ("/proc/self/clear_refs", "w");
  gboolean ok;

  if (f == NULL)
    return FALSE;
  ok = fputs ("5", f) >= 0;
  return fclose (f) == 0 && ok;
}

/* Running a case */

typedef struct {
  XmppConnector  *connector;
  XmppConnection *connection;
  GError         *error;
  gboolean        finished;
  double          seconds;
  gsize           peak_kb;      /* resident memory, the most during the attempt */
  gsize           before_kb;
} Outcome;

static void
on_connected (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  Outcome *o = user_data;

  o->connection = xmpp_connector_connect_finish (XMPP_CONNECTOR (source), result, &o->error);
  o->finished = TRUE;
}

static gboolean
on_watchdog (gpointer user_data)
{
  g_cancellable_cancel (user_data);
  return G_SOURCE_REMOVE;
}

static void
assert_sentence (const char *message,
                 gboolean    ends_with_gio)
{
  g_assert_cmpuint (strlen (message), >, 10);
  g_assert_true (g_utf8_validate (message, -1, NULL));
  g_assert_true (g_unichar_isupper (g_utf8_get_char (message)));
  if (!ends_with_gio)
    g_assert_true (g_str_has_suffix (message, ".") || g_str_has_suffix (message, "”"));
  g_assert_null (strchr (message, '\n'));
  g_assert_null (strstr (message, PASSWORD));
}

/* Whatever happened, nothing about signing in went out before TLS, and the
 * password never went out as it is. */
static void
assert_no_secret_leaked (Server *s)
{
  g_autofree char *plain_b64 = plain_message_base64 ();
  g_autofree char *cleartext = g_strndup (s->received->str, MIN (s->cleartext, s->received->len));

  g_assert_null (strstr (cleartext, "<auth"));
  g_assert_null (strstr (cleartext, plain_b64));
  g_assert_null (strstr (s->received->str, PASSWORD));
}

static void
run_case (gconstpointer data)
{
  const Case *c = data;
  Server *s = server_start (c->script, c->direct_tls);
  g_autoptr(XmppJid) jid = xmpp_jid_new (ACCOUNT, NULL);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  const char *pins[] = { certificate_pin, NULL };
  Outcome o = { 0 };
  gboolean peak_reset;
  gint64 start;
  guint watchdog;

  o.connector = xmpp_connector_new (jid, PASSWORD);
  xmpp_connector_set_host (o.connector, "127.0.0.1", s->port, c->direct_tls);
  xmpp_connector_set_pins (o.connector, pins);
  xmpp_connector_set_timeout (o.connector, c->timeout ? c->timeout : 5);

  peak_reset = reset_peak ();
  o.before_kb = status_kb ("VmRSS:");
  start = g_get_monotonic_time ();
  watchdog = g_timeout_add_seconds (10, on_watchdog, cancellable);
  xmpp_connector_connect_async (o.connector, cancellable, on_connected, &o);
  while (!o.finished)
    g_main_context_iteration (NULL, TRUE);
  o.seconds = (g_get_monotonic_time () - start) / (double) G_USEC_PER_SEC;
  o.peak_kb = status_kb (peak_reset ? "VmHWM:" : "VmRSS:");
  g_source_remove (watchdog);

  g_test_message ("%.3f s, peak %+zd kB: %s", o.seconds, (gssize) (o.peak_kb - o.before_kb),
                  o.error ? o.error->message : "signed in");
  if (c->domain == NULL)
    {
      g_assert_no_error (o.error);
      g_assert_nonnull (o.connection);
      g_assert_cmpstr (xmpp_connector_get_mechanism (o.connector), ==, "PLAIN");
      g_assert_cmpstr (xmpp_jid_get_resource (xmpp_connector_get_bound_jid (o.connector)), ==,
                       "hostile");
    }
  else
    {
      g_assert_error (o.error, c->domain (), c->code);
      g_assert_null (o.connection);
      assert_sentence (o.error->message, c->ends_with_gio);
      if (c->in_message != NULL)
        g_assert_nonnull (strstr (o.error->message, c->in_message));
    }
  g_assert_cmpfloat (o.seconds, >=, c->min_seconds);
  g_assert_cmpfloat (o.seconds, <, c->max_seconds ? c->max_seconds : 2.0);
  if (c->check_memory && MEMORY_MEASURABLE)
    g_assert_cmpuint (o.peak_kb, <, o.before_kb + 20 * 1024);
  else if (c->check_memory)
    g_test_message ("memory not checked under AddressSanitizer");

  /* Hang up (the control case holds a connection), let the server see it. */
  g_clear_object (&o.connection);
  g_clear_object (&o.connector);
  server_join (s);
  g_assert_true (s->hangup);
  assert_no_secret_leaked (s);
  if (c->check != NULL)
    c->check (s);
  g_clear_error (&o.error);
  server_free (s);
}

/* A self-signed certificate for DOMAIN, made for this run. */
static GTlsCertificate *
make_certificate (void)
{
  gnutls_x509_privkey_t key;
  gnutls_x509_crt_t crt;
  gnutls_datum_t crt_pem = { 0 }, key_pem = { 0 };
  guchar serial[8];
  time_t now = time (NULL);
  g_autofree char *pem = NULL;
  g_autoptr(GError) error = NULL;
  GTlsCertificate *result;

  for (guint i = 0; i < sizeof serial; i++)
    serial[i] = g_random_int_range (1, 256);
  serial[0] &= 0x7f;
  g_assert_cmpint (gnutls_x509_privkey_init (&key), ==, 0);
  g_assert_cmpint (gnutls_x509_privkey_generate (key, GNUTLS_PK_ECDSA,
                                                 GNUTLS_CURVE_TO_BITS (GNUTLS_ECC_CURVE_SECP256R1),
                                                 0), ==, 0);
  g_assert_cmpint (gnutls_x509_crt_init (&crt), ==, 0);
  g_assert_cmpint (gnutls_x509_crt_set_version (crt, 3), ==, 0);
  g_assert_cmpint (gnutls_x509_crt_set_serial (crt, serial, sizeof serial), ==, 0);
  g_assert_cmpint (gnutls_x509_crt_set_activation_time (crt, now - 3600), ==, 0);
  g_assert_cmpint (gnutls_x509_crt_set_expiration_time (crt, now + 86400), ==, 0);
  g_assert_cmpint (gnutls_x509_crt_set_dn_by_oid (crt, GNUTLS_OID_X520_COMMON_NAME, 0,
                                                  DOMAIN, strlen (DOMAIN)), ==, 0);
  g_assert_cmpint (gnutls_x509_crt_set_subject_alt_name (crt, GNUTLS_SAN_DNSNAME, DOMAIN,
                                                         strlen (DOMAIN), GNUTLS_FSAN_SET), ==, 0);
  g_assert_cmpint (gnutls_x509_crt_set_key (crt, key), ==, 0);
  g_assert_cmpint (gnutls_x509_crt_set_key_usage (crt, GNUTLS_KEY_DIGITAL_SIGNATURE), ==, 0);
  g_assert_cmpint (gnutls_x509_crt_set_key_purpose_oid (crt, GNUTLS_KP_TLS_WWW_SERVER, 0), ==, 0);
  g_assert_cmpint (gnutls_x509_crt_sign2 (crt, crt, key, GNUTLS_DIG_SHA256, 0), ==, 0);
  g_assert_cmpint (gnutls_x509_crt_export2 (crt, GNUTLS_X509_FMT_PEM, &crt_pem), ==, 0);
  g_assert_cmpint (gnutls_x509_privkey_export2_pkcs8 (key, GNUTLS_X509_FMT_PEM, NULL,
                                                      GNUTLS_PKCS_PLAIN, &key_pem), ==, 0);
  pem = g_strdup_printf ("%.*s%.*s", (int) crt_pem.size, (const char *) crt_pem.data,
                         (int) key_pem.size, (const char *) key_pem.data);
  gnutls_free (crt_pem.data);
  gnutls_free (key_pem.data);
  gnutls_x509_crt_deinit (crt);
  gnutls_x509_privkey_deinit (key);

  result = g_tls_certificate_new_from_pem (pem, -1, &error);
  g_assert_no_error (error);
  return result;
}

int
main (int   argc,
      char *argv[])
{
  XmppCertificateInfo *info;
  int status;

  g_test_init (&argc, &argv, NULL);

  certificate = make_certificate ();
  info = xmpp_certificate_info_new (certificate, 0);
  certificate_pin = g_strdup (info->sha256);
  xmpp_certificate_info_free (info);

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    g_test_add_data_func (cases[i].path, &cases[i], run_case);
  status = g_test_run ();

  g_clear_object (&certificate);
  g_free (certificate_pin);
  return status;
}
