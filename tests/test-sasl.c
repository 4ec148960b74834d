/* test-sasl.c: SCRAM, PLAIN and HT against known answers, the choice of
 * mechanism, and the SASL failure conditions.
 *
 * The SCRAM-SHA-1 and SCRAM-SHA-256 exchanges are the examples of RFC 5802
 * §5 and RFC 7677 §3; the XEP-0474 hash is the "Full Example" of XEP-0474.
 * Every other expected value (SHA-512, -PLUS, gs2 flag "y", XEP-0474 with
 * SHA-256, HT-*) was computed independently with Python's hashlib and hmac
 * (/usr/bin/python3: hashlib.pbkdf2_hmac, hmac.new), by a script that
 * first reproduced both RFC examples exactly.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <locale.h>
#include <string.h>

#include "xmpp-sasl.h"
#include "xmpp-scram.h"

/* ---- helpers ---------------------------------------------------------- */

static GBytes *
bytes_from_string (const char *str)
{
  return g_bytes_new (str, strlen (str));
}

static char *
bytes_to_base64 (GBytes *bytes)
{
  gsize length = 0;
  const guint8 *data = g_bytes_get_data (bytes, &length);

  return g_base64_encode (data, length);
}

static GBytes *
bytes_from_base64 (const char *text)
{
  gsize length = 0;
  guint8 *data = g_base64_decode (text, &length);

  return g_bytes_new_take (data, length);
}

static GBytes *
cb_data_0_to_31 (void)
{
  guint8 data[32];

  for (guint i = 0; i < sizeof data; i++)
    data[i] = i;
  return g_bytes_new (data, sizeof data);
}

/* ---- SCRAM known answers ---------------------------------------------- */

typedef struct {
  const char *mechanism;
  char        gs2_flag;
  const char *username;
  const char *password;
  const char *client_nonce;
  const char *client_first;
  const char *server_first;
  const char *client_final;
  const char *server_final;
} ScramVector;

static const ScramVector rfc5802_sha1 = {
  "SCRAM-SHA-1", 'n', "user", "pencil", "fyko+d2lbbFgONRv9qkxdawL",
  "n,,n=user,r=fyko+d2lbbFgONRv9qkxdawL",
  "r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,s=QSXCR+Q6sek8bf92,i=4096",
  "c=biws,r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,p=v0X8v3Bz2T0CJGbJQyF0X+HI4Ts=",
  "v=rmF9pqV8S7suAoZWja4dJRkFsKQ=",
};

static const ScramVector rfc7677_sha256 = {
  "SCRAM-SHA-256", 'n', "user", "pencil", "rOprNGfwEbeRWgbNEkqO",
  "n,,n=user,r=rOprNGfwEbeRWgbNEkqO",
  "r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,"
  "s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096",
  "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,"
  "p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=",
  "v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=",
};

/* RFC 7677's exchange with SHA-512 (Python). */
static const ScramVector python_sha512 = {
  "SCRAM-SHA-512", 'n', "user", "pencil", "rOprNGfwEbeRWgbNEkqO",
  "n,,n=user,r=rOprNGfwEbeRWgbNEkqO",
  "r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,"
  "s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096",
  "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,"
  "p=gMGXRcevScNtxZ6/8lQYpGtnsNAc3mGcmNomv+xnoOMw+3R2xNJdMNnzMlTN8PPC6wdp6dybEmDYXYTxwnYPJQ==",
  "v=ZQnYEgWQMFmmsM8aQMF0nDDCy/AgCzkwk8CmMZYcMg0vSVlKDanekLtifDSeVGT4+5ZxXnJq199RVG2rR7N7Zw==",
};

/* RFC 5802's exchange with gs2 flag "y" (Python): c=base64("y,,"). */
static const ScramVector python_sha1_y = {
  "SCRAM-SHA-1", 'y', "user", "pencil", "fyko+d2lbbFgONRv9qkxdawL",
  "y,,n=user,r=fyko+d2lbbFgONRv9qkxdawL",
  "r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,s=QSXCR+Q6sek8bf92,i=4096",
  "c=eSws,r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,p=BjZF5dV+EkD3YCb3pH3IP8riMGw=",
  "v=dsprQ5R2AGYt1kn4bQRwTAE0PTU=",
};

/* User name and password given as "I<soft hyphen>X": SASLprep maps both
 * to "IX" (RFC 4013 §3), and the proof is Python's for "IX". */
static const ScramVector python_saslprep = {
  "SCRAM-SHA-1", 'n', "I\u00adX", "I\u00adX", "fyko+d2lbbFgONRv9qkxdawL",
  "n,,n=IX,r=fyko+d2lbbFgONRv9qkxdawL",
  "r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,s=QSXCR+Q6sek8bf92,i=4096",
  "c=biws,r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,p=BEHglMwD5FfphHuq6jsIzlz3Ens=",
  "v=+4Nu60h75euhsk5C/UqRTtJ+hTw=",
};

static XmppScram *
scram_for (const ScramVector *v, XmppSaslCbType cb_type, GBytes *cb_data)
{
  g_autoptr(GError) error = NULL;
  XmppScram *scram = xmpp_scram_new (v->mechanism, v->gs2_flag, cb_type,
                                     cb_data, v->username, v->password,
                                     &error);

  g_assert_no_error (error);
  g_assert_nonnull (scram);
  xmpp_scram_set_client_nonce (scram, v->client_nonce);
  return scram;
}

/* A SCRAM for @v that has sent its client-first, without binding. */
static XmppScram *
scram_past_first (const ScramVector *v)
{
  XmppScram *scram = scram_for (v, XMPP_SASL_CB_NONE, NULL);
  g_autofree char *first = xmpp_scram_client_first (scram);

  g_assert_cmpstr (first, ==, v->client_first);
  return scram;
}

static void
run_vector (const ScramVector *v, XmppSaslCbType cb_type, GBytes *cb_data)
{
  g_autoptr(XmppScram) scram = scram_for (v, cb_type, cb_data);
  g_autoptr(GError) error = NULL;
  g_autofree char *first = xmpp_scram_client_first (scram);
  g_autofree char *final = NULL;

  g_assert_cmpstr (first, ==, v->client_first);
  final = xmpp_scram_client_final (scram, v->server_first,
                                   strlen (v->server_first), &error);
  g_assert_no_error (error);
  g_assert_cmpstr (final, ==, v->client_final);
  g_assert_true (xmpp_scram_verify_server_final (scram, v->server_final,
                                                 strlen (v->server_final),
                                                 &error));
  g_assert_no_error (error);
  g_assert_cmpint (xmpp_scram_get_downgrade (scram), ==, XMPP_SASL_DOWNGRADE_UNCHECKED);
}

static void
test_scram_rfc5802 (void)
{
  run_vector (&rfc5802_sha1, XMPP_SASL_CB_NONE, NULL);
}

static void
test_scram_rfc7677 (void)
{
  run_vector (&rfc7677_sha256, XMPP_SASL_CB_NONE, NULL);
}

static void
test_scram_sha512 (void)
{
  run_vector (&python_sha512, XMPP_SASL_CB_NONE, NULL);
}

static void
test_scram_gs2_y (void)
{
  run_vector (&python_sha1_y, XMPP_SASL_CB_NONE, NULL);
}

/* SCRAM-SHA-256-PLUS with tls-exporter over the bytes 0..31 (Python). */
static void
test_scram_plus (void)
{
  static const ScramVector v = {
    "SCRAM-SHA-256-PLUS", 'p', "user", "pencil", "rOprNGfwEbeRWgbNEkqO",
    "p=tls-exporter,,n=user,r=rOprNGfwEbeRWgbNEkqO",
    "r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,"
    "s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096",
    "c=cD10bHMtZXhwb3J0ZXIsLAABAgMEBQYHCAkKCwwNDg8QERITFBUWFxgZGhscHR4f,"
    "r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,"
    "p=QC6CS20quADQRb3mT99YUH+n3VJxUvzuK0K0E1Vrs2M=",
    "v=2GiAgapEppLVlUXbxUDksL3VgYHzuqiK5tR4mhJGgvs=",
  };
  g_autoptr(GBytes) cb = cb_data_0_to_31 ();

  run_vector (&v, XMPP_SASL_CB_TLS_EXPORTER, cb);
}

/* ---- user names and SASLprep ------------------------------------------ */

static void
test_scram_username_escaping (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(XmppScram) scram = xmpp_scram_new ("SCRAM-SHA-1", 'n', XMPP_SASL_CB_NONE,
                                               NULL, "a,b=c", "pencil", &error);
  g_autofree char *first = NULL;

  g_assert_no_error (error);
  xmpp_scram_set_client_nonce (scram, "abc");
  first = xmpp_scram_client_first (scram);
  g_assert_cmpstr (first, ==, "n,,n=a=2Cb=3Dc,r=abc");
}

static void
test_scram_saslprep (void)
{
  run_vector (&python_saslprep, XMPP_SASL_CB_NONE, NULL);
}

/* RFC 4013 §3 examples and what SASLprep refuses. */
static void
test_scram_saslprep_mapping (void)
{
  static const struct {
    const char *input;
    const char *prepared;
  } cases[] = {
    { "user", "user" },
    { "\u00aa", "a" },          /* NFKC */
    { "\u2168", "IX" },         /* NFKC */
    { "a\u00a0b", "a b" },      /* non-ASCII space to space */
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(XmppScram) scram = xmpp_scram_new ("SCRAM-SHA-1", 'n', XMPP_SASL_CB_NONE,
                                                   NULL, cases[i].input, "pencil",
                                                   &error);
      g_autofree char *first = NULL;
      g_autofree char *expected = g_strdup_printf ("n,,n=%s,r=abc", cases[i].prepared);

      g_assert_no_error (error);
      xmpp_scram_set_client_nonce (scram, "abc");
      first = xmpp_scram_client_first (scram);
      g_assert_cmpstr (first, ==, expected);
    }
}

static void
test_scram_saslprep_refused (void)
{
  static const struct {
    const char *username;
    const char *password;
  } cases[] = {
    { "user", "pen\acil" },          /* ASCII control (C.2.1) */
    { "us\ber", "pencil" },
    { "user", "pen\ue000cil" },      /* private use (C.3) */
    { "\u0627" "1", "pencil" },      /* RandALCat then a digit (RFC 4013 §3) */
    { "user", "" },                  /* empty */
    { "", "pencil" },
    { "\u00ad", "pencil" },          /* empty once mapped */
    { "user", "pen\xff" },           /* not UTF-8 */
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(XmppScram) scram = xmpp_scram_new ("SCRAM-SHA-256", 'n',
                                                   XMPP_SASL_CB_NONE, NULL,
                                                   cases[i].username,
                                                   cases[i].password, &error);

      g_assert_null (scram);
      g_assert_error (error, XMPP_AUTH_ERROR, XMPP_AUTH_ERROR_SASLPREP);
      /* Never the password itself in a message. */
      if (*cases[i].password != '\0')
        g_assert_null (strstr (error->message, cases[i].password));
    }
}

/* Characters newer than Unicode 3.2 are allowed (see xmpp-sasl.c). */
static void
test_scram_saslprep_unassigned (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(XmppScram) scram = xmpp_scram_new ("SCRAM-SHA-256", 'n',
                                               XMPP_SASL_CB_NONE, NULL, "user",
                                               "turtle\U0001f422", &error);

  g_assert_no_error (error);
  g_assert_nonnull (scram);
}

static void
test_scram_nonce (void)
{
  g_autoptr(XmppScram) a = xmpp_scram_new ("SCRAM-SHA-1", 'n', XMPP_SASL_CB_NONE,
                                           NULL, "user", "pencil", NULL);
  g_autoptr(XmppScram) b = xmpp_scram_new ("SCRAM-SHA-1", 'n', XMPP_SASL_CB_NONE,
                                           NULL, "user", "pencil", NULL);
  g_autofree char *first_a = xmpp_scram_client_first (a);
  g_autofree char *first_b = xmpp_scram_client_first (b);
  const char *nonce = strstr (first_a, ",r=") + 3;

  /* 24 random bytes in base64: 32 printable characters, no comma. */
  g_assert_cmpuint (strlen (nonce), ==, 32);
  for (const char *p = nonce; *p != '\0'; p++)
    g_assert_true (*p > 0x20 && *p < 0x7f && *p != ',');
  g_assert_cmpstr (first_a, !=, first_b);
}

static void
test_scram_unknown_mechanism (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(XmppScram) scram = xmpp_scram_new ("SCRAM-SHA3-512", 'n',
                                               XMPP_SASL_CB_NONE, NULL, "user",
                                               "pencil", &error);

  g_assert_null (scram);
  g_assert_error (error, XMPP_AUTH_ERROR, XMPP_AUTH_ERROR_INVALID_MECHANISM);
}

/* ---- server-first-message checks -------------------------------------- */

#define NONCE "fyko+d2lbbFgONRv9qkxdawL"
#define SALT "QSXCR+Q6sek8bf92"

typedef struct {
  const char *server_first;
  gsize       length;         /* 0: strlen */
  int         code;           /* -1: accepted */
} FirstCase;

static const FirstCase first_cases[] = {
  /* Accepted: an unknown optional extension is ignored. */
  { "r=" NONCE "3rfc,s=" SALT ",i=4096,x=whatever", 0, -1 },
  { "r=" NONCE "3rfc,s=" SALT ",i=1000000", 0, -1 },
  /* Nonces. */
  { "r=XXXX+d2lbbFgONRv9qkxdawL3rfc,s=" SALT ",i=4096", 0, XMPP_AUTH_ERROR_MALFORMED },
  { "r=3rfc" NONCE ",s=" SALT ",i=4096", 0, XMPP_AUTH_ERROR_MALFORMED },
  { "r=" NONCE ",s=" SALT ",i=4096", 0, XMPP_AUTH_ERROR_MALFORMED },
  { "r=" NONCE "3r c,s=" SALT ",i=4096", 0, XMPP_AUTH_ERROR_MALFORMED },
  { "r=,s=" SALT ",i=4096", 0, XMPP_AUTH_ERROR_MALFORMED },
  /* Salts. */
  { "r=" NONCE "3rfc,i=4096", 0, XMPP_AUTH_ERROR_MALFORMED },
  { "r=" NONCE "3rfc,s=,i=4096", 0, XMPP_AUTH_ERROR_MALFORMED },
  { "r=" NONCE "3rfc,s=QSXCR+Q6sek8bf9,i=4096", 0, XMPP_AUTH_ERROR_MALFORMED },
  { "r=" NONCE "3rfc,s=QSXC*+Q6sek8bf92,i=4096", 0, XMPP_AUTH_ERROR_MALFORMED },
  { "r=" NONCE "3rfc,s=QSXCR+Q6sek8bf===,i=4096", 0, XMPP_AUTH_ERROR_MALFORMED },
  /* Iteration counts. */
  { "r=" NONCE "3rfc,s=" SALT ",i=0", 0, XMPP_AUTH_ERROR_MALFORMED },
  { "r=" NONCE "3rfc,s=" SALT ",i=-4096", 0, XMPP_AUTH_ERROR_MALFORMED },
  { "r=" NONCE "3rfc,s=" SALT ",i=+4096", 0, XMPP_AUTH_ERROR_MALFORMED },
  { "r=" NONCE "3rfc,s=" SALT ",i=04096", 0, XMPP_AUTH_ERROR_MALFORMED },
  { "r=" NONCE "3rfc,s=" SALT ",i=4096x", 0, XMPP_AUTH_ERROR_MALFORMED },
  { "r=" NONCE "3rfc,s=" SALT ",i=", 0, XMPP_AUTH_ERROR_MALFORMED },
  { "r=" NONCE "3rfc,s=" SALT ",i=1000001", 0, XMPP_AUTH_ERROR_MALFORMED },
  { "r=" NONCE "3rfc,s=" SALT ",i=4294967296", 0, XMPP_AUTH_ERROR_MALFORMED },
  { "r=" NONCE "3rfc,s=" SALT ",i=99999999999999999999", 0, XMPP_AUTH_ERROR_MALFORMED },
  { "r=" NONCE "3rfc,s=" SALT ",i=4095", 0, XMPP_AUTH_ERROR_INSECURE },
  { "r=" NONCE "3rfc,s=" SALT ",i=1", 0, XMPP_AUTH_ERROR_INSECURE },
  /* Mandatory extensions. */
  { "m=ext,r=" NONCE "3rfc,s=" SALT ",i=4096", 0, XMPP_AUTH_ERROR_MALFORMED },
  { "r=" NONCE "3rfc,s=" SALT ",i=4096,m=ext", 0, XMPP_AUTH_ERROR_MALFORMED },
  /* Server errors in place of the message. */
  { "e=unknown-user", 0, XMPP_AUTH_ERROR_NOT_AUTHORIZED },
  { "e=no-resources", 0, XMPP_AUTH_ERROR_TEMPORARY_FAILURE },
  { "e=other-error", 0, XMPP_AUTH_ERROR_FAILED },
  /* Shape. */
  { "", 0, XMPP_AUTH_ERROR_MALFORMED },
  { "s=" SALT ",r=" NONCE "3rfc,i=4096", 0, XMPP_AUTH_ERROR_MALFORMED },
  { "r=" NONCE "3rfc,s" SALT ",i=4096", 0, XMPP_AUTH_ERROR_MALFORMED },
  { "r=" NONCE "3rfc,s=" SALT ",i=4096,", 0, XMPP_AUTH_ERROR_MALFORMED },
  { "r=" NONCE "3rfc,,s=" SALT ",i=4096", 0, XMPP_AUTH_ERROR_MALFORMED },
  { "r=" NONCE "3rfc,s=" SALT, 0, XMPP_AUTH_ERROR_MALFORMED },
  { "r=" NONCE "3rfc,s=" SALT ",i=4096,h=a,h=b", 0, XMPP_AUTH_ERROR_MALFORMED },
  { "r=" NONCE "3rfc,s=" SALT ",i=4096\0,x=1", 61, XMPP_AUTH_ERROR_MALFORMED },
  { "r=" NONCE "3rfc,s=" SALT ",i=4096,x=\xc3", 0, XMPP_AUTH_ERROR_MALFORMED },
};

/* A well-formed message, but far longer than any server sends. */
static void
test_scram_server_first_huge (void)
{
  g_autoptr(XmppScram) scram = scram_past_first (&rfc5802_sha1);
  g_autoptr(GError) error = NULL;
  g_autofree char *padding = g_strnfill (9000, 'a');
  g_autofree char *server_first = g_strconcat ("r=" NONCE "3rfc,s=" SALT ",i=4096,x=",
                                               padding, NULL);
  g_autofree char *final = xmpp_scram_client_final (scram, server_first,
                                                    strlen (server_first), &error);

  g_assert_error (error, XMPP_AUTH_ERROR, XMPP_AUTH_ERROR_MALFORMED);
  g_assert_null (final);
}

static void
test_scram_server_first (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (first_cases); i++)
    {
      const FirstCase *c = &first_cases[i];
      gsize length = c->length != 0 ? c->length : strlen (c->server_first);
      g_autoptr(XmppScram) scram = scram_past_first (&rfc5802_sha1);
      g_autoptr(GError) error = NULL;
      g_autofree char *final = xmpp_scram_client_final (scram, c->server_first,
                                                        length, &error);

      g_test_message ("server-first #%u: %s", i, c->server_first);
      if (c->code < 0)
        {
          g_assert_no_error (error);
          g_assert_nonnull (final);
        }
      else
        {
          g_assert_error (error, XMPP_AUTH_ERROR, c->code);
          g_assert_null (final);
        }
    }
}

/* ---- server-final-message checks -------------------------------------- */

typedef struct {
  const char *server_final;
  int         code;           /* -1: accepted */
} FinalCase;

static const FinalCase final_cases[] = {
  { "v=rmF9pqV8S7suAoZWja4dJRkFsKQ=", -1 },
  { "v=rmF9pqV8S7suAoZWja4dJRkFsKQ=,x=extension", -1 },
  /* One bit off, and the right prefix of another length. */
  { "v=rmF9pqV8S7suAoZWja4dJRkFsKA=", XMPP_AUTH_ERROR_SERVER_SIGNATURE },
  { "v=rmF9pqV8S7suAoZWja4dJRkF", XMPP_AUTH_ERROR_SERVER_SIGNATURE },
  { "v=rmF9pqV8S7suAoZWja4dJRkFsKQ", XMPP_AUTH_ERROR_MALFORMED },
  { "v=rmF9pqV8S7suAoZW!a4dJRkFsKQ=", XMPP_AUTH_ERROR_MALFORMED },
  { "v=", XMPP_AUTH_ERROR_MALFORMED },
  { "v=rmF9pqV8S7suAoZWja4dJRkFsKQ=,m=ext", XMPP_AUTH_ERROR_MALFORMED },
  { "x=1,v=rmF9pqV8S7suAoZWja4dJRkFsKQ=", XMPP_AUTH_ERROR_MALFORMED },
  { "", XMPP_AUTH_ERROR_MALFORMED },
  { "e=invalid-proof", XMPP_AUTH_ERROR_NOT_AUTHORIZED },
  { "e=channel-bindings-dont-match", XMPP_AUTH_ERROR_CHANNEL_BINDING },
  { "e=unsupported-channel-binding-type", XMPP_AUTH_ERROR_CHANNEL_BINDING },
  { "e=server-does-support-channel-binding", XMPP_AUTH_ERROR_DOWNGRADE },
  { "e=no-resources", XMPP_AUTH_ERROR_TEMPORARY_FAILURE },
  { "e=other-error", XMPP_AUTH_ERROR_FAILED },
};

static void
test_scram_server_final (void)
{
  const ScramVector *v = &rfc5802_sha1;

  for (guint i = 0; i < G_N_ELEMENTS (final_cases); i++)
    {
      const FinalCase *c = &final_cases[i];
      g_autoptr(XmppScram) scram = scram_past_first (v);
      g_autoptr(GError) error = NULL;
      g_autofree char *final = xmpp_scram_client_final (scram, v->server_first,
                                                        strlen (v->server_first),
                                                        NULL);
      gboolean ok;

      g_test_message ("server-final #%u: %s", i, c->server_final);
      g_assert_nonnull (final);
      ok = xmpp_scram_verify_server_final (scram, c->server_final,
                                           strlen (c->server_final), &error);
      if (c->code < 0)
        {
          g_assert_no_error (error);
          g_assert_true (ok);
        }
      else
        {
          g_assert_error (error, XMPP_AUTH_ERROR, c->code);
          g_assert_false (ok);
        }
    }
}

/* ---- XEP-0474 --------------------------------------------------------- */

/* XEP-0474's "Full Example": the hash of its lists, given out of order. */
static void
test_ssdp_hash_example (void)
{
  const char * const mechanisms[] = { "SCRAM-SHA-1-PLUS", "SCRAM-SHA-1", NULL };
  const char * const cb_types[] = { "tls-server-end-point", "tls-exporter", NULL };
  g_autofree char *hash = xmpp_scram_downgrade_hash ("SCRAM-SHA-1-PLUS",
                                                     mechanisms, cb_types);
  g_autofree char *without_list = xmpp_scram_downgrade_hash ("SCRAM-SHA-1",
                                                             mechanisms, NULL);
  const char * const none[] = { NULL };
  g_autofree char *empty_list = xmpp_scram_downgrade_hash ("SCRAM-SHA-1",
                                                           mechanisms, none);

  g_assert_cmpstr (hash, ==, "G6k/rBLDqgOhRRaCuuatSDFkJ08=");
  /* No list and an empty list differ: only the latter adds 0x1F. */
  g_assert_cmpstr (without_list, !=, hash);
  g_assert_cmpstr (empty_list, !=, without_list);
  g_assert_null (xmpp_scram_downgrade_hash ("PLAIN", mechanisms, NULL));
}

/* The example's exchange as far as we can follow it: its client-final
 * carries an "x" attribute of the example's own, so only the start of ours
 * can match. */
static void
test_ssdp_example_exchange (void)
{
  const char * const mechanisms[] = { "SCRAM-SHA-1", "SCRAM-SHA-1-PLUS", NULL };
  const char * const cb_types[] = { "tls-server-end-point", "tls-exporter", NULL };
  const char *server_first =
    "r=12C4CD5C-E38E-4A98-8F6D-15C38F51CCC6a09117a6-ac50-4f2f-93f1-93799c2bddf6,"
    "s=QSXCR+Q6sek8bf92,i=4096,h=G6k/rBLDqgOhRRaCuuatSDFkJ08=";
  g_autoptr(GBytes) cb = bytes_from_string ("THIS IS FAKE CB DATA");
  g_autoptr(GError) error = NULL;
  g_autoptr(XmppScram) scram = xmpp_scram_new ("SCRAM-SHA-1-PLUS", 'p',
                                               XMPP_SASL_CB_TLS_EXPORTER, cb,
                                               "user", "pencil", &error);
  g_autofree char *first = NULL;
  g_autofree char *final = NULL;

  g_assert_no_error (error);
  xmpp_scram_set_client_nonce (scram, "12C4CD5C-E38E-4A98-8F6D-15C38F51CCC6");
  xmpp_scram_set_offered (scram, mechanisms, cb_types);
  first = xmpp_scram_client_first (scram);
  g_assert_cmpstr (first, ==,
                   "p=tls-exporter,,n=user,r=12C4CD5C-E38E-4A98-8F6D-15C38F51CCC6");
  final = xmpp_scram_client_final (scram, server_first, strlen (server_first), &error);
  g_assert_no_error (error);
  g_assert_true (g_str_has_prefix (final,
                                   "c=cD10bHMtZXhwb3J0ZXIsLFRISVMgSVMgRkFLRSBDQiBEQVRB,"
                                   "r=12C4CD5C-E38E-4A98-8F6D-15C38F51CCC6a09117a6-"
                                   "ac50-4f2f-93f1-93799c2bddf6,p="));
  g_assert_cmpint (xmpp_scram_get_downgrade (scram), ==, XMPP_SASL_DOWNGRADE_VERIFIED);
}

/* SCRAM-SHA-256 with "h" in server-first (Python): the hash covers the
 * lists below, and server-first, "h" included, is signed. */
static const char * const ssdp_mechanisms[] = {
  "SCRAM-SHA-256-PLUS", "SCRAM-SHA-1", "SCRAM-SHA-256", "PLAIN", NULL,
};
static const char * const ssdp_cb_types[] = {
  "tls-server-end-point", "tls-exporter", NULL,
};
static const ScramVector python_ssdp = {
  "SCRAM-SHA-256", 'n', "user", "pencil", "rOprNGfwEbeRWgbNEkqO",
  "n,,n=user,r=rOprNGfwEbeRWgbNEkqO",
  "r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,"
  "s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096,h=n1xb5ywFwgC0CeBi3yOR59+yoM7x2+FqqjQJOg7bmtA=",
  "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,"
  "p=DabrK9XWu+XQ08nnSVjFAJWiKaTU2bNZmPrn74wNw1Q=",
  "v=28aDfSm2mpCdzAurifmFkzbkQCzIYBroOlEQ9A2Lq4E=",
};

static char *
ssdp_final (const char * const *mechanisms, const char * const *cb_types,
            gboolean set, XmppSaslDowngrade *downgrade, GError **error)
{
  const ScramVector *v = &python_ssdp;
  g_autoptr(XmppScram) scram = scram_for (v, XMPP_SASL_CB_NONE, NULL);
  g_autofree char *first = NULL;
  char *final;

  if (set)
    xmpp_scram_set_offered (scram, mechanisms, cb_types);
  first = xmpp_scram_client_first (scram);
  final = xmpp_scram_client_final (scram, v->server_first,
                                   strlen (v->server_first), error);
  *downgrade = xmpp_scram_get_downgrade (scram);
  return final;
}

static void
test_ssdp_match (void)
{
  g_autoptr(GError) error = NULL;
  XmppSaslDowngrade downgrade;
  g_autofree char *final = ssdp_final (ssdp_mechanisms, ssdp_cb_types, TRUE,
                                       &downgrade, &error);

  g_assert_no_error (error);
  g_assert_cmpstr (final, ==, python_ssdp.client_final);
  g_assert_cmpint (downgrade, ==, XMPP_SASL_DOWNGRADE_VERIFIED);
}

static void
test_ssdp_mismatch (void)
{
  /* -PLUS stripped; a type removed; the list itself removed. */
  const char * const stripped[] = { "SCRAM-SHA-1", "SCRAM-SHA-256", "PLAIN", NULL };
  const char * const fewer_types[] = { "tls-server-end-point", NULL };
  const struct {
    const char * const *mechanisms;
    const char * const *cb_types;
  } cases[] = {
    { stripped, ssdp_cb_types },
    { ssdp_mechanisms, fewer_types },
    { ssdp_mechanisms, NULL },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      XmppSaslDowngrade downgrade;
      g_autofree char *final = ssdp_final (cases[i].mechanisms, cases[i].cb_types,
                                           TRUE, &downgrade, &error);

      g_assert_error (error, XMPP_AUTH_ERROR, XMPP_AUTH_ERROR_DOWNGRADE);
      g_assert_null (final);
    }
}

static void
test_ssdp_not_offered (void)
{
  g_autoptr(XmppScram) scram = scram_for (&rfc7677_sha256, XMPP_SASL_CB_NONE, NULL);
  g_autoptr(GError) error = NULL;
  g_autofree char *first = NULL;
  g_autofree char *final = NULL;
  XmppSaslDowngrade downgrade;
  g_autofree char *unchecked = NULL;

  xmpp_scram_set_offered (scram, ssdp_mechanisms, ssdp_cb_types);
  first = xmpp_scram_client_first (scram);
  final = xmpp_scram_client_final (scram, rfc7677_sha256.server_first,
                                   strlen (rfc7677_sha256.server_first), &error);
  g_assert_no_error (error);
  g_assert_cmpint (xmpp_scram_get_downgrade (scram), ==, XMPP_SASL_DOWNGRADE_NOT_OFFERED);

  /* Without the lists, a server's hash cannot be checked, and is not. */
  unchecked = ssdp_final (NULL, NULL, FALSE, &downgrade, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (unchecked, ==, python_ssdp.client_final);
  g_assert_cmpint (downgrade, ==, XMPP_SASL_DOWNGRADE_UNCHECKED);
}

/* ---- PLAIN ------------------------------------------------------------ */

static const XmppSaslTlsInfo tls_none = { XMPP_SASL_TLS_NONE, XMPP_SASL_CB_NONE };
static const XmppSaslTlsInfo tls_12 = {
  XMPP_SASL_TLS_1_2, XMPP_SASL_CB_TLS_UNIQUE | XMPP_SASL_CB_TLS_SERVER_END_POINT,
};
static const XmppSaslTlsInfo tls_13 = {
  XMPP_SASL_TLS_1_3, XMPP_SASL_CB_TLS_EXPORTER | XMPP_SASL_CB_TLS_SERVER_END_POINT,
};

static void
test_plain (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) message = xmpp_sasl_plain_message ("user", "pencil", &tls_13, &error);
  g_autoptr(GBytes) prepared = xmpp_sasl_plain_message ("I\u00adX", "I\u00adX",
                                                        &tls_12, &error);
  g_autoptr(GBytes) expected = g_bytes_new ("\0user\0pencil", 12);
  g_autoptr(GBytes) expected_prepared = g_bytes_new ("\0IX\0IX", 6);

  g_assert_no_error (error);
  g_assert_true (g_bytes_equal (message, expected));
  g_assert_true (g_bytes_equal (prepared, expected_prepared));
}

static void
test_plain_refused (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) message = xmpp_sasl_plain_message ("user", "pencil", &tls_none, &error);

  g_assert_null (message);
  g_assert_error (error, XMPP_AUTH_ERROR, XMPP_AUTH_ERROR_INSECURE);
  g_clear_error (&error);
  message = xmpp_sasl_plain_message ("user", "pen\acil", &tls_13, &error);
  g_assert_null (message);
  g_assert_error (error, XMPP_AUTH_ERROR, XMPP_AUTH_ERROR_SASLPREP);
}

/* ---- HT (XEP-0484) ---------------------------------------------------- */

/* The token of XEP-0484's example; cb data 0..31; values from Python. */
#define TOKEN "WXZzciBwYmFmdmZnZiBqdmd1IGp2eXFhcmZm"

typedef struct {
  const char *mechanism;
  gboolean    binds;
  const char *initiator;   /* base64 of "user\0" HMAC(token, "Initiator" || cb) */
  const char *responder;   /* base64 of HMAC(token, "Responder" || cb) */
} HtVector;

static const HtVector ht_vectors[] = {
  { "HT-SHA-256-NONE", FALSE,
    "dXNlcgCQl3h0YaGE4PqE7ADBOBGQtsTRao7ERTx7KsXn/Pk17Q==",
    "TlE0CWMUdIY7mGyfPoweJ8op0derntQJfnr9YAe/nGI=" },
  { "HT-SHA-256-EXPR", TRUE,
    "dXNlcgAMV0VXav7qcRlgVJGGoxplyfMoIF7ji2aCWz1Mhys5XA==",
    "EmBXmzTVWuuk5DBipBLbYJoKcVOr0hiw8UhEXE6DUp8=" },
  { "HT-SHA-512-ENDP", TRUE,
    "dXNlcgCfZTCX+2pnXwf0KeOxOYvncYjBSJtwKlEJ+URuV4Pl08vhv4eh+naJ2claHWlLS1m8"
    "Nx0RBM8hgJ79JA08rLYJ",
    "qUDYny4pogS559lSOxv+z2jEX6u4L6ylOMuQKIxZ4MeLXg6q5UANfxaZQ3IkThQBfs3o/+pw"
    "+cKSMmf5q1bF2Q==" },
  { "HT-SHA-384-UNIQ", TRUE,
    "dXNlcgCs/yWFZHZUxAa62Vc3GWsAVR+5BM9dC4JsBc3QwCHmrVGL7dDx/qzqy29lDhvG3gU=",
    "kPsvFfYmxFNdeKl0gf+ay9Zy+wv6eg42JFBRD6N590P8x3qOQMnJSGZCAG4/3WhW" },
};

static void
test_ht_vectors (void)
{
  g_autoptr(GBytes) cb = cb_data_0_to_31 ();

  for (guint i = 0; i < G_N_ELEMENTS (ht_vectors); i++)
    {
      const HtVector *v = &ht_vectors[i];
      GBytes *cb_data = v->binds ? cb : NULL;
      g_autoptr(GError) error = NULL;
      g_autoptr(GBytes) message = xmpp_sasl_ht_initiator_message (v->mechanism, "user",
                                                                  TOKEN, cb_data,
                                                                  &error);
      g_autofree char *encoded = NULL;
      g_autoptr(GBytes) responder = bytes_from_base64 (v->responder);

      g_assert_no_error (error);
      encoded = bytes_to_base64 (message);
      g_assert_cmpstr (encoded, ==, v->initiator);
      g_assert_true (xmpp_sasl_ht_verify_responder (v->mechanism, TOKEN, cb_data,
                                                    responder, &error));
      g_assert_no_error (error);
    }
}

static void
test_ht_refused (void)
{
  g_autoptr(GBytes) cb = cb_data_0_to_31 ();
  g_autoptr(GBytes) wrong = bytes_from_base64 ("EmBXmzTVWuuk5DBipBLbYJoKcVOr0hiw8UhEXE6DUp8=");
  g_autoptr(GBytes) short_one = g_bytes_new ("abc", 3);
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) message = NULL;

  /* The EXPR responder where NONE's is due. */
  g_assert_false (xmpp_sasl_ht_verify_responder ("HT-SHA-256-NONE", TOKEN, NULL,
                                                 wrong, &error));
  g_assert_error (error, XMPP_AUTH_ERROR, XMPP_AUTH_ERROR_SERVER_SIGNATURE);
  g_clear_error (&error);
  g_assert_false (xmpp_sasl_ht_verify_responder ("HT-SHA-256-NONE", TOKEN, NULL,
                                                 short_one, &error));
  g_assert_error (error, XMPP_AUTH_ERROR, XMPP_AUTH_ERROR_SERVER_SIGNATURE);
  g_clear_error (&error);
  g_assert_false (xmpp_sasl_ht_verify_responder ("HT-SHA-256-NONE", TOKEN, NULL,
                                                 NULL, &error));
  g_assert_error (error, XMPP_AUTH_ERROR, XMPP_AUTH_ERROR_SERVER_SIGNATURE);
  g_clear_error (&error);
  /* The right responder with other binding data. */
  g_assert_false (xmpp_sasl_ht_verify_responder ("HT-SHA-256-EXPR", TOKEN, short_one,
                                                 wrong, &error));
  g_assert_error (error, XMPP_AUTH_ERROR, XMPP_AUTH_ERROR_SERVER_SIGNATURE);
  g_clear_error (&error);
  message = xmpp_sasl_ht_initiator_message ("HT-SHA-256-EXPR", "user", TOKEN, NULL, &error);
  g_assert_null (message);
  g_assert_error (error, XMPP_AUTH_ERROR, XMPP_AUTH_ERROR_CHANNEL_BINDING);
  g_clear_error (&error);
  message = xmpp_sasl_ht_initiator_message ("HT-SHA3-512-NONE", "user", TOKEN, NULL, &error);
  g_assert_null (message);
  g_assert_error (error, XMPP_AUTH_ERROR, XMPP_AUTH_ERROR_INVALID_MECHANISM);
  g_clear_error (&error);
  message = xmpp_sasl_ht_initiator_message ("HT-SHA-256-EXPR", "user", "", cb, &error);
  g_assert_null (message);
  g_assert_error (error, XMPP_AUTH_ERROR, XMPP_AUTH_ERROR_CREDENTIALS_EXPIRED);
}

/* ---- choosing --------------------------------------------------------- */

static const char * const all_mechs[] = {
  "PLAIN", "SCRAM-SHA-1", "SCRAM-SHA-1-PLUS", "SCRAM-SHA-256",
  "SCRAM-SHA-256-PLUS", "SCRAM-SHA-512", "SCRAM-SHA-512-PLUS", NULL,
};
static const char * const prosody_mechs[] = {
  "SCRAM-SHA-1", "SCRAM-SHA-1-PLUS", "SCRAM-SHA-256", "SCRAM-SHA-256-PLUS",
  "PLAIN", NULL,
};
static const char * const no_plus_mechs[] = {
  "SCRAM-SHA-1", "SCRAM-SHA-256", "PLAIN", NULL,
};
static const char * const sha1_plus_mechs[] = {
  "SCRAM-SHA-256", "SCRAM-SHA-1-PLUS", NULL,
};
static const char * const plus_only_mechs[] = { "SCRAM-SHA-256-PLUS", NULL };
static const char * const plain_only_mechs[] = { "PLAIN", NULL };
static const char * const unknown_mechs[] = { "DIGEST-MD5", "X-OAUTH2", NULL };
static const char * const sha3_plain_mechs[] = { "SCRAM-SHA3-512", "PLAIN", NULL };
static const char * const no_mechs[] = { NULL };

static const char * const cb_exp_endp[] = { "tls-server-end-point", "tls-exporter", NULL };
static const char * const cb_unique[] = { "tls-unique", NULL };
static const char * const cb_unknown[] = { "x-frob", NULL };
static const char * const cb_empty[] = { NULL };

static const XmppSaslTlsInfo tls_12_endp_only = {
  XMPP_SASL_TLS_1_2, XMPP_SASL_CB_TLS_SERVER_END_POINT,
};
/* A TLS layer that wrongly claims tls-unique on 1.3. */
static const XmppSaslTlsInfo tls_13_claims_unique = {
  XMPP_SASL_TLS_1_3, XMPP_SASL_CB_TLS_UNIQUE | XMPP_SASL_CB_TLS_EXPORTER,
};

typedef struct {
  const char * const    *offered;
  const char * const    *cb_types;
  const XmppSaslTlsInfo *tls;
  gboolean               allow_plain;
  const char            *mechanism;  /* NULL: an error */
  XmppSaslCbType         cb_type;
  char                   flag;
  int                    code;       /* when mechanism is NULL */
} ChooseCase;

#define EXPORTER XMPP_SASL_CB_TLS_EXPORTER
#define ENDPOINT XMPP_SASL_CB_TLS_SERVER_END_POINT
#define UNIQUE XMPP_SASL_CB_TLS_UNIQUE
#define NO_CB XMPP_SASL_CB_NONE

static const ChooseCase choose_cases[] = {
  /* With an XEP-0440 list: the best listed type we can produce. */
  { prosody_mechs, cb_exp_endp, &tls_13, FALSE, "SCRAM-SHA-256-PLUS", EXPORTER, 'p', 0 },
  { prosody_mechs, cb_exp_endp, &tls_12, FALSE, "SCRAM-SHA-256-PLUS", ENDPOINT, 'p', 0 },
  { all_mechs, cb_exp_endp, &tls_13, TRUE, "SCRAM-SHA-512-PLUS", EXPORTER, 'p', 0 },
  { all_mechs, cb_exp_endp, &tls_12, TRUE, "SCRAM-SHA-512-PLUS", ENDPOINT, 'p', 0 },
  { prosody_mechs, cb_unique, &tls_12, FALSE, "SCRAM-SHA-256-PLUS", UNIQUE, 'p', 0 },
  { sha1_plus_mechs, cb_exp_endp, &tls_13, FALSE, "SCRAM-SHA-1-PLUS", EXPORTER, 'p', 0 },
  { plus_only_mechs, cb_exp_endp, &tls_13, FALSE, "SCRAM-SHA-256-PLUS", EXPORTER, 'p', 0 },
  /* A list with nothing we can produce: no binding, "n". */
  { prosody_mechs, cb_unique, &tls_13, FALSE, "SCRAM-SHA-256", NO_CB, 'n', 0 },
  { prosody_mechs, cb_unique, &tls_13_claims_unique, FALSE, "SCRAM-SHA-256", NO_CB, 'n', 0 },
  { prosody_mechs, cb_unknown, &tls_13, FALSE, "SCRAM-SHA-256", NO_CB, 'n', 0 },
  { prosody_mechs, cb_empty, &tls_12, FALSE, "SCRAM-SHA-256", NO_CB, 'n', 0 },
  { all_mechs, cb_unique, &tls_13, FALSE, "SCRAM-SHA-512", NO_CB, 'n', 0 },
  /* Without a list: tls-unique on 1.2, plain SCRAM with "n" on 1.3. */
  { prosody_mechs, NULL, &tls_12, FALSE, "SCRAM-SHA-256-PLUS", UNIQUE, 'p', 0 },
  { all_mechs, NULL, &tls_12, FALSE, "SCRAM-SHA-512-PLUS", UNIQUE, 'p', 0 },
  { prosody_mechs, NULL, &tls_13, FALSE, "SCRAM-SHA-256", NO_CB, 'n', 0 },
  { all_mechs, NULL, &tls_13, FALSE, "SCRAM-SHA-512", NO_CB, 'n', 0 },
  { prosody_mechs, NULL, &tls_12_endp_only, FALSE, "SCRAM-SHA-256", NO_CB, 'n', 0 },
  /* No -PLUS offered, and we could bind: "y". */
  { no_plus_mechs, NULL, &tls_13, FALSE, "SCRAM-SHA-256", NO_CB, 'y', 0 },
  { no_plus_mechs, NULL, &tls_12, FALSE, "SCRAM-SHA-256", NO_CB, 'y', 0 },
  { no_plus_mechs, cb_exp_endp, &tls_13, FALSE, "SCRAM-SHA-256", NO_CB, 'y', 0 },
  /* No TLS: nothing to bind to, "n". */
  { no_plus_mechs, NULL, &tls_none, TRUE, "SCRAM-SHA-256", NO_CB, 'n', 0 },
  { prosody_mechs, cb_exp_endp, &tls_none, FALSE, "SCRAM-SHA-256", NO_CB, 'n', 0 },
  /* PLAIN: allowed, over TLS, and only when no SCRAM is offered. */
  { no_plus_mechs, NULL, &tls_13, TRUE, "SCRAM-SHA-256", NO_CB, 'y', 0 },
  { plain_only_mechs, NULL, &tls_13, TRUE, "PLAIN", NO_CB, 0, 0 },
  { plain_only_mechs, NULL, &tls_13, FALSE, NULL, NO_CB, 0, XMPP_AUTH_ERROR_NO_MECHANISM },
  { plain_only_mechs, NULL, &tls_none, TRUE, NULL, NO_CB, 0, XMPP_AUTH_ERROR_INSECURE },
  { sha3_plain_mechs, NULL, &tls_13, TRUE, NULL, NO_CB, 0, XMPP_AUTH_ERROR_NO_MECHANISM },
  /* Nothing acceptable. */
  { plus_only_mechs, NULL, &tls_13, TRUE, NULL, NO_CB, 0, XMPP_AUTH_ERROR_NO_MECHANISM },
  { plus_only_mechs, cb_exp_endp, &tls_none, TRUE, NULL, NO_CB, 0, XMPP_AUTH_ERROR_NO_MECHANISM },
  { unknown_mechs, NULL, &tls_13, TRUE, NULL, NO_CB, 0, XMPP_AUTH_ERROR_NO_MECHANISM },
  { no_mechs, NULL, &tls_13, TRUE, NULL, NO_CB, 0, XMPP_AUTH_ERROR_NO_MECHANISM },
  { NULL, NULL, &tls_13, TRUE, NULL, NO_CB, 0, XMPP_AUTH_ERROR_NO_MECHANISM },
};

static void
check_reason (const XmppSaslChoice *choice)
{
  const char *cb = xmpp_sasl_cb_type_to_string (choice->cb_type);
  g_autofree char *flag = g_strdup_printf ("gs2 flag “%c”", choice->gs2_flag);

  g_assert_nonnull (choice->reason);
  g_assert_null (strchr (choice->reason, '\n'));
  g_assert_true (g_str_has_prefix (choice->reason, choice->mechanism));
  if (cb != NULL)
    g_assert_nonnull (strstr (choice->reason, cb));
  if (choice->gs2_flag == 'n' || choice->gs2_flag == 'y')
    g_assert_nonnull (strstr (choice->reason, flag));
}

static void
test_choose (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (choose_cases); i++)
    {
      const ChooseCase *c = &choose_cases[i];
      g_auto(XmppSaslChoice) choice = { 0 };
      g_autoptr(GError) error = NULL;
      gboolean ok = xmpp_sasl_choose (c->offered, c->cb_types, c->tls,
                                      c->allow_plain, &choice, &error);

      g_test_message ("choose #%u: %s", i, choice.reason ? choice.reason : "-");
      if (c->mechanism == NULL)
        {
          g_assert_false (ok);
          g_assert_error (error, XMPP_AUTH_ERROR, c->code);
          g_assert_null (choice.mechanism);
          g_assert_null (choice.reason);
          continue;
        }
      g_assert_no_error (error);
      g_assert_true (ok);
      g_assert_cmpstr (choice.mechanism, ==, c->mechanism);
      g_assert_cmpint (choice.cb_type, ==, c->cb_type);
      g_assert_cmpint (choice.gs2_flag, ==, c->flag);
      check_reason (&choice);
    }
}

/* The sentence names what the server offered, and only sane names. */
static void
test_choose_no_mechanism_sentence (void)
{
  const char * const offered[] = {
    "DIGEST-MD5", "X-<b>EVIL</b>", "", "X-EVIL-AND-FAR-TOO-LONG", "CRAM-MD5", NULL,
  };
  g_auto(XmppSaslChoice) choice = { 0 };
  g_autoptr(GError) error = NULL;

  g_assert_false (xmpp_sasl_choose (offered, NULL, &tls_13, TRUE, &choice, &error));
  g_assert_error (error, XMPP_AUTH_ERROR, XMPP_AUTH_ERROR_NO_MECHANISM);
  g_assert_nonnull (strstr (error->message, "DIGEST-MD5, CRAM-MD5"));
  g_assert_null (strstr (error->message, "EVIL"));
}

typedef struct {
  const char * const    *offered;
  const XmppSaslTlsInfo *tls;
  const char            *mechanism;  /* NULL: an error */
  int                    code;
} FastCase;

static const char * const fast_xep[] = {
  "HT-SHA-256-ENDP", "HT-SHA-256-EXPR", "HT-SHA-256-NONE", NULL,
};
static const char * const fast_uniq[] = { "HT-SHA-256-UNIQ", "HT-SHA-256-NONE", NULL };
static const char * const fast_none[] = { "HT-SHA-256-NONE", "HT-SHA-512-NONE", NULL };
static const char * const fast_mixed[] = { "HT-SHA-512-NONE", "HT-SHA-256-EXPR", NULL };
static const char * const fast_sha3[] = { "HT-SHA3-512-NONE", NULL };

static const FastCase fast_cases[] = {
  { fast_xep, &tls_13, "HT-SHA-256-EXPR", 0 },
  { fast_xep, &tls_12, "HT-SHA-256-ENDP", 0 },
  { fast_uniq, &tls_12, "HT-SHA-256-UNIQ", 0 },
  { fast_uniq, &tls_13_claims_unique, "HT-SHA-256-NONE", 0 },
  { fast_none, &tls_13, "HT-SHA-512-NONE", 0 },
  { fast_mixed, &tls_13, "HT-SHA-256-EXPR", 0 },
  { fast_mixed, &tls_12, "HT-SHA-512-NONE", 0 },
  { fast_sha3, &tls_13, NULL, XMPP_AUTH_ERROR_NO_MECHANISM },
  { NULL, &tls_13, NULL, XMPP_AUTH_ERROR_NO_MECHANISM },
  { fast_xep, &tls_none, NULL, XMPP_AUTH_ERROR_INSECURE },
};

static void
test_choose_fast (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (fast_cases); i++)
    {
      const FastCase *c = &fast_cases[i];
      g_auto(XmppSaslChoice) choice = { 0 };
      g_autoptr(GError) error = NULL;
      gboolean ok = xmpp_sasl_choose_fast (c->offered, c->tls, &choice, &error);

      g_test_message ("fast #%u", i);
      if (c->mechanism == NULL)
        {
          g_assert_false (ok);
          g_assert_error (error, XMPP_AUTH_ERROR, c->code);
          g_assert_null (choice.mechanism);
          continue;
        }
      g_assert_no_error (error);
      g_assert_cmpstr (choice.mechanism, ==, c->mechanism);
      g_assert_cmpint (choice.gs2_flag, ==, 0);
      g_assert_true (g_str_has_prefix (choice.reason, c->mechanism));
      if (choice.cb_type != XMPP_SASL_CB_NONE)
        g_assert_nonnull (strstr (choice.reason,
                                  xmpp_sasl_cb_type_to_string (choice.cb_type)));
    }
}

static void
test_cb_names (void)
{
  const XmppSaslCbType types[] = { UNIQUE, ENDPOINT, EXPORTER };

  for (guint i = 0; i < G_N_ELEMENTS (types); i++)
    g_assert_cmpint (xmpp_sasl_cb_type_from_string (xmpp_sasl_cb_type_to_string (types[i])),
                     ==, types[i]);
  g_assert_cmpstr (xmpp_sasl_cb_type_to_string (EXPORTER), ==, "tls-exporter");
  g_assert_cmpstr (xmpp_sasl_cb_type_to_string (ENDPOINT), ==, "tls-server-end-point");
  g_assert_cmpstr (xmpp_sasl_cb_type_to_string (UNIQUE), ==, "tls-unique");
  g_assert_null (xmpp_sasl_cb_type_to_string (NO_CB));
  g_assert_null (xmpp_sasl_cb_type_to_string (UNIQUE | EXPORTER));
  g_assert_cmpint (xmpp_sasl_cb_type_from_string ("TLS-EXPORTER"), ==, NO_CB);
  g_assert_cmpint (xmpp_sasl_cb_type_from_string (NULL), ==, NO_CB);
}

/* ---- XmppSasl --------------------------------------------------------- */

static XmppSasl *
sasl_for (const char *mechanism, XmppSaslCbType cb_type, char flag,
          const XmppSaslTlsInfo *tls, const char *username, const char *secret,
          GBytes *cb_data, GError **error)
{
  XmppSaslChoice choice = { mechanism, cb_type, flag, NULL };

  return xmpp_sasl_new (&choice, tls, username, secret, cb_data, error);
}

static GBytes *
respond (XmppSasl *sasl, const char *challenge, GError **error)
{
  g_autoptr(GBytes) bytes = bytes_from_string (challenge);

  return xmpp_sasl_respond (sasl, bytes, error);
}

static void
assert_bytes_string (GBytes *bytes, const char *expected)
{
  g_autoptr(GBytes) wanted = bytes_from_string (expected);

  g_assert_nonnull (bytes);
  g_assert_true (g_bytes_equal (bytes, wanted));
}

/* RFC 7677's exchange through XmppSasl, server-final in <success/>. */
static void
test_driver_scram (void)
{
  const ScramVector *v = &rfc7677_sha256;
  g_autoptr(GError) error = NULL;
  g_autoptr(XmppSasl) sasl = sasl_for (v->mechanism, NO_CB, 'n', &tls_13, "user",
                                       "pencil", NULL, &error);
  g_autoptr(GBytes) first = NULL;
  g_autoptr(GBytes) final = NULL;
  g_autoptr(GBytes) success = bytes_from_string (v->server_final);

  g_assert_no_error (error);
  xmpp_sasl_set_client_nonce (sasl, v->client_nonce);
  xmpp_sasl_set_offered (sasl, prosody_mechs, NULL);
  first = xmpp_sasl_initial_response (sasl, &error);
  assert_bytes_string (first, v->client_first);
  final = respond (sasl, v->server_first, &error);
  g_assert_no_error (error);
  assert_bytes_string (final, v->client_final);
  g_assert_true (xmpp_sasl_finish (sasl, success, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (xmpp_sasl_get_mechanism (sasl), ==, "SCRAM-SHA-256");
  g_assert_cmpint (xmpp_sasl_get_downgrade (sasl), ==, XMPP_SASL_DOWNGRADE_NOT_OFFERED);
}

/* Server-final sent as a challenge, answered empty, then a bare success. */
static void
test_driver_scram_final_challenge (void)
{
  const ScramVector *v = &rfc5802_sha1;
  g_autoptr(GError) error = NULL;
  g_autoptr(XmppSasl) sasl = sasl_for (v->mechanism, NO_CB, 'n', &tls_12, "user",
                                       "pencil", NULL, &error);
  g_autoptr(GBytes) first = NULL;
  g_autoptr(GBytes) final = NULL;
  g_autoptr(GBytes) empty = NULL;

  xmpp_sasl_set_client_nonce (sasl, v->client_nonce);
  first = xmpp_sasl_initial_response (sasl, &error);
  final = respond (sasl, v->server_first, &error);
  empty = respond (sasl, v->server_final, &error);
  g_assert_no_error (error);
  g_assert_nonnull (empty);
  g_assert_cmpuint (g_bytes_get_size (empty), ==, 0);
  g_assert_true (xmpp_sasl_finish (sasl, NULL, &error));
  g_assert_no_error (error);
}

/* A forged server-final sent as a challenge gets no answer. */
static void
test_driver_scram_forged_challenge (void)
{
  const ScramVector *v = &rfc5802_sha1;
  g_autoptr(GError) error = NULL;
  g_autoptr(XmppSasl) sasl = sasl_for (v->mechanism, NO_CB, 'n', &tls_12, "user",
                                       "pencil", NULL, NULL);
  g_autoptr(GBytes) first = NULL;
  g_autoptr(GBytes) final = NULL;
  g_autoptr(GBytes) answer = NULL;

  xmpp_sasl_set_client_nonce (sasl, v->client_nonce);
  first = xmpp_sasl_initial_response (sasl, NULL);
  final = respond (sasl, v->server_first, NULL);
  g_assert_nonnull (final);
  answer = respond (sasl, "v=rmF9pqV8S7suAoZWja4dJRkFsKA=", &error);
  g_assert_null (answer);
  g_assert_error (error, XMPP_AUTH_ERROR, XMPP_AUTH_ERROR_SERVER_SIGNATURE);
}

/* "Success" with no proof, or too early, is refused. */
static void
test_driver_scram_unproven (void)
{
  const ScramVector *v = &rfc5802_sha1;
  g_autoptr(GError) error = NULL;
  g_autoptr(XmppSasl) sasl = sasl_for (v->mechanism, NO_CB, 'n', &tls_12, "user",
                                       "pencil", NULL, NULL);
  g_autoptr(XmppSasl) early = sasl_for (v->mechanism, NO_CB, 'n', &tls_12, "user",
                                        "pencil", NULL, NULL);
  g_autoptr(GBytes) first = NULL;
  g_autoptr(GBytes) final = NULL;
  g_autoptr(GBytes) early_first = NULL;

  xmpp_sasl_set_client_nonce (sasl, v->client_nonce);
  first = xmpp_sasl_initial_response (sasl, NULL);
  final = respond (sasl, v->server_first, NULL);
  g_assert_nonnull (final);
  g_assert_false (xmpp_sasl_finish (sasl, NULL, &error));
  g_assert_error (error, XMPP_AUTH_ERROR, XMPP_AUTH_ERROR_SERVER_SIGNATURE);
  g_clear_error (&error);

  early_first = xmpp_sasl_initial_response (early, NULL);
  g_assert_false (xmpp_sasl_finish (early, NULL, &error));
  g_assert_error (error, XMPP_AUTH_ERROR, XMPP_AUTH_ERROR_MALFORMED);
}

/* SCRAM-SHA-256 with XEP-0474 through XmppSasl, and a tampered list. */
static void
test_driver_ssdp (void)
{
  const ScramVector *v = &python_ssdp;
  const char * const stripped[] = { "SCRAM-SHA-1", "SCRAM-SHA-256", "PLAIN", NULL };
  g_autoptr(GError) error = NULL;
  g_autoptr(XmppSasl) sasl = sasl_for (v->mechanism, NO_CB, 'n', &tls_13, "user",
                                       "pencil", NULL, NULL);
  g_autoptr(XmppSasl) tampered = sasl_for (v->mechanism, NO_CB, 'n', &tls_13, "user",
                                           "pencil", NULL, NULL);
  g_autoptr(GBytes) first = NULL;
  g_autoptr(GBytes) final = NULL;
  g_autoptr(GBytes) tampered_first = NULL;
  g_autoptr(GBytes) tampered_final = NULL;
  g_autoptr(GBytes) success = bytes_from_string (v->server_final);

  xmpp_sasl_set_client_nonce (sasl, v->client_nonce);
  xmpp_sasl_set_offered (sasl, ssdp_mechanisms, ssdp_cb_types);
  first = xmpp_sasl_initial_response (sasl, NULL);
  final = respond (sasl, v->server_first, &error);
  g_assert_no_error (error);
  g_assert_true (xmpp_sasl_finish (sasl, success, &error));
  g_assert_cmpint (xmpp_sasl_get_downgrade (sasl), ==, XMPP_SASL_DOWNGRADE_VERIFIED);

  xmpp_sasl_set_client_nonce (tampered, v->client_nonce);
  xmpp_sasl_set_offered (tampered, stripped, ssdp_cb_types);
  tampered_first = xmpp_sasl_initial_response (tampered, NULL);
  tampered_final = respond (tampered, v->server_first, &error);
  g_assert_null (tampered_final);
  g_assert_error (error, XMPP_AUTH_ERROR, XMPP_AUTH_ERROR_DOWNGRADE);
}

static void
test_driver_plain (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(XmppSasl) sasl = sasl_for ("PLAIN", NO_CB, 0, &tls_13, "user", "pencil",
                                       NULL, &error);
  g_autoptr(XmppSasl) again = sasl_for ("PLAIN", NO_CB, 0, &tls_13, "user", "pencil",
                                        NULL, &error);
  g_autoptr(XmppSasl) insecure = sasl_for ("PLAIN", NO_CB, 0, &tls_none, "user",
                                           "pencil", NULL, &error);
  g_autoptr(GBytes) message = NULL;
  g_autoptr(GBytes) expected = g_bytes_new ("\0user\0pencil", 12);
  g_autoptr(GBytes) again_message = NULL;
  g_autoptr(GBytes) answer = NULL;

  g_assert_null (insecure);
  g_assert_error (error, XMPP_AUTH_ERROR, XMPP_AUTH_ERROR_INSECURE);
  g_clear_error (&error);
  message = xmpp_sasl_initial_response (sasl, &error);
  g_assert_no_error (error);
  g_assert_true (g_bytes_equal (message, expected));
  g_assert_true (xmpp_sasl_finish (sasl, NULL, &error));
  g_assert_cmpint (xmpp_sasl_get_downgrade (sasl), ==, XMPP_SASL_DOWNGRADE_UNCHECKED);

  /* PLAIN has no challenges. */
  again_message = xmpp_sasl_initial_response (again, NULL);
  answer = respond (again, "what?", &error);
  g_assert_null (answer);
  g_assert_error (error, XMPP_AUTH_ERROR, XMPP_AUTH_ERROR_MALFORMED);
}

static void
test_driver_ht (void)
{
  const HtVector *v = &ht_vectors[1];  /* HT-SHA-256-EXPR */
  g_autoptr(GBytes) cb = cb_data_0_to_31 ();
  g_autoptr(GBytes) responder = bytes_from_base64 (v->responder);
  g_autoptr(GBytes) wrong = bytes_from_base64 (ht_vectors[0].responder);
  g_autoptr(GError) error = NULL;
  g_autoptr(XmppSasl) sasl = sasl_for (v->mechanism, EXPORTER, 0, &tls_13, "user",
                                       TOKEN, cb, &error);
  g_autoptr(XmppSasl) impostor = sasl_for (v->mechanism, EXPORTER, 0, &tls_13, "user",
                                           TOKEN, cb, &error);
  g_autoptr(XmppSasl) unbound = sasl_for (v->mechanism, EXPORTER, 0, &tls_13, "user",
                                          TOKEN, NULL, &error);
  g_autoptr(GBytes) message = NULL;
  g_autoptr(GBytes) impostor_message = NULL;
  g_autofree char *encoded = NULL;

  g_assert_null (unbound);
  g_assert_error (error, XMPP_AUTH_ERROR, XMPP_AUTH_ERROR_CHANNEL_BINDING);
  g_clear_error (&error);
  message = xmpp_sasl_initial_response (sasl, &error);
  g_assert_no_error (error);
  encoded = bytes_to_base64 (message);
  g_assert_cmpstr (encoded, ==, v->initiator);
  g_assert_true (xmpp_sasl_finish (sasl, responder, &error));
  g_assert_no_error (error);

  impostor_message = xmpp_sasl_initial_response (impostor, NULL);
  g_assert_false (xmpp_sasl_finish (impostor, wrong, &error));
  g_assert_error (error, XMPP_AUTH_ERROR, XMPP_AUTH_ERROR_SERVER_SIGNATURE);
}

static void
test_driver_errors (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(XmppSasl) unknown = sasl_for ("DIGEST-MD5", NO_CB, 0, &tls_13, "user",
                                          "pencil", NULL, &error);
  g_autoptr(XmppSasl) no_cb = NULL;
  g_autoptr(XmppSasl) bad_password = NULL;

  g_assert_null (unknown);
  g_assert_error (error, XMPP_AUTH_ERROR, XMPP_AUTH_ERROR_INVALID_MECHANISM);
  g_clear_error (&error);
  no_cb = sasl_for ("SCRAM-SHA-256-PLUS", EXPORTER, 'p', &tls_13, "user", "pencil",
                    NULL, &error);
  g_assert_null (no_cb);
  g_assert_error (error, XMPP_AUTH_ERROR, XMPP_AUTH_ERROR_CHANNEL_BINDING);
  g_clear_error (&error);
  bad_password = sasl_for ("SCRAM-SHA-256", NO_CB, 'n', &tls_13, "user", "pen\acil",
                           NULL, &error);
  g_assert_null (bad_password);
  g_assert_error (error, XMPP_AUTH_ERROR, XMPP_AUTH_ERROR_SASLPREP);
}

/* ---- failure conditions (RFC 6120 §6.5) ------------------------------- */

static void
test_failure_conditions (void)
{
  static const struct {
    const char *condition;
    int         code;
  } cases[] = {
    { "aborted", XMPP_AUTH_ERROR_ABORTED },
    { "account-disabled", XMPP_AUTH_ERROR_ACCOUNT_DISABLED },
    { "credentials-expired", XMPP_AUTH_ERROR_CREDENTIALS_EXPIRED },
    { "encryption-required", XMPP_AUTH_ERROR_ENCRYPTION_REQUIRED },
    { "incorrect-encoding", XMPP_AUTH_ERROR_INCORRECT_ENCODING },
    { "invalid-authzid", XMPP_AUTH_ERROR_INVALID_AUTHZID },
    { "invalid-mechanism", XMPP_AUTH_ERROR_INVALID_MECHANISM },
    { "malformed-request", XMPP_AUTH_ERROR_MALFORMED_REQUEST },
    { "mechanism-too-weak", XMPP_AUTH_ERROR_MECHANISM_TOO_WEAK },
    { "not-authorized", XMPP_AUTH_ERROR_NOT_AUTHORIZED },
    { "temporary-auth-failure", XMPP_AUTH_ERROR_TEMPORARY_FAILURE },
    { "policy-violation", XMPP_AUTH_ERROR_FAILED },
  };
  g_autoptr(GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal,
                                                      g_free, NULL);

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = xmpp_auth_error_new_from_failure (cases[i].condition,
                                                                  NULL);
      g_autoptr(GError) with_text = xmpp_auth_error_new_from_failure (cases[i].condition,
                                                                      "Call us.");

      g_assert_cmpint (xmpp_auth_error_from_condition (cases[i].condition), ==,
                       cases[i].code);
      g_assert_error (error, XMPP_AUTH_ERROR, cases[i].code);
      g_assert_error (with_text, XMPP_AUTH_ERROR, cases[i].code);
      g_assert_cmpuint (strlen (error->message), >, 10);
      /* Each its own sentence. */
      g_assert_false (g_hash_table_contains (seen, error->message));
      g_hash_table_add (seen, g_strdup (error->message));
      g_assert_true (g_str_has_prefix (with_text->message, error->message));
      g_assert_nonnull (strstr (with_text->message, "“Call us.”"));
    }
}

static void
test_failure_unknown (void)
{
  g_autoptr(GError) named = xmpp_auth_error_new_from_failure ("policy-violation", NULL);
  g_autoptr(GError) none = xmpp_auth_error_new_from_failure (NULL, NULL);
  g_autofree char *long_text = g_strnfill (1000, 'x');
  g_autofree char *odd_text = g_strconcat ("line one\nline\x01two\xff ", long_text, NULL);
  g_autoptr(GError) odd = xmpp_auth_error_new_from_failure ("not-authorized", odd_text);

  g_assert_nonnull (strstr (named->message, "policy-violation"));
  g_assert_error (none, XMPP_AUTH_ERROR, XMPP_AUTH_ERROR_FAILED);
  g_assert_cmpint (xmpp_auth_error_from_condition (NULL), ==, XMPP_AUTH_ERROR_FAILED);
  /* Server text: one line, valid UTF-8, cut short. */
  g_assert_null (strchr (odd->message, '\n'));
  g_assert_null (strchr (odd->message, '\x01'));
  g_assert_true (g_utf8_validate (odd->message, -1, NULL));
  g_assert_cmpuint (g_utf8_strlen (odd->message, -1), <, 400);
  g_assert_nonnull (strstr (odd->message, "…"));
}

int
main (int argc, char *argv[])
{
  setlocale (LC_ALL, "");
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/xmpp/sasl/scram/rfc5802-sha1", test_scram_rfc5802);
  g_test_add_func ("/xmpp/sasl/scram/rfc7677-sha256", test_scram_rfc7677);
  g_test_add_func ("/xmpp/sasl/scram/sha512", test_scram_sha512);
  g_test_add_func ("/xmpp/sasl/scram/gs2-y", test_scram_gs2_y);
  g_test_add_func ("/xmpp/sasl/scram/plus", test_scram_plus);
  g_test_add_func ("/xmpp/sasl/scram/username-escaping", test_scram_username_escaping);
  g_test_add_func ("/xmpp/sasl/scram/saslprep", test_scram_saslprep);
  g_test_add_func ("/xmpp/sasl/scram/saslprep-mapping", test_scram_saslprep_mapping);
  g_test_add_func ("/xmpp/sasl/scram/saslprep-refused", test_scram_saslprep_refused);
  g_test_add_func ("/xmpp/sasl/scram/saslprep-unassigned", test_scram_saslprep_unassigned);
  g_test_add_func ("/xmpp/sasl/scram/nonce", test_scram_nonce);
  g_test_add_func ("/xmpp/sasl/scram/unknown-mechanism", test_scram_unknown_mechanism);
  g_test_add_func ("/xmpp/sasl/scram/server-first", test_scram_server_first);
  g_test_add_func ("/xmpp/sasl/scram/server-first-huge", test_scram_server_first_huge);
  g_test_add_func ("/xmpp/sasl/scram/server-final", test_scram_server_final);
  g_test_add_func ("/xmpp/sasl/ssdp/hash-example", test_ssdp_hash_example);
  g_test_add_func ("/xmpp/sasl/ssdp/example-exchange", test_ssdp_example_exchange);
  g_test_add_func ("/xmpp/sasl/ssdp/match", test_ssdp_match);
  g_test_add_func ("/xmpp/sasl/ssdp/mismatch", test_ssdp_mismatch);
  g_test_add_func ("/xmpp/sasl/ssdp/not-offered", test_ssdp_not_offered);
  g_test_add_func ("/xmpp/sasl/plain/message", test_plain);
  g_test_add_func ("/xmpp/sasl/plain/refused", test_plain_refused);
  g_test_add_func ("/xmpp/sasl/ht/vectors", test_ht_vectors);
  g_test_add_func ("/xmpp/sasl/ht/refused", test_ht_refused);
  g_test_add_func ("/xmpp/sasl/choose/table", test_choose);
  g_test_add_func ("/xmpp/sasl/choose/no-mechanism-sentence", test_choose_no_mechanism_sentence);
  g_test_add_func ("/xmpp/sasl/choose/fast", test_choose_fast);
  g_test_add_func ("/xmpp/sasl/cb-names", test_cb_names);
  g_test_add_func ("/xmpp/sasl/driver/scram", test_driver_scram);
  g_test_add_func ("/xmpp/sasl/driver/scram-final-challenge", test_driver_scram_final_challenge);
  g_test_add_func ("/xmpp/sasl/driver/scram-forged-challenge", test_driver_scram_forged_challenge);
  g_test_add_func ("/xmpp/sasl/driver/scram-unproven", test_driver_scram_unproven);
  g_test_add_func ("/xmpp/sasl/driver/ssdp", test_driver_ssdp);
  g_test_add_func ("/xmpp/sasl/driver/plain", test_driver_plain);
  g_test_add_func ("/xmpp/sasl/driver/ht", test_driver_ht);
  g_test_add_func ("/xmpp/sasl/driver/errors", test_driver_errors);
  g_test_add_func ("/xmpp/sasl/failure/conditions", test_failure_conditions);
  g_test_add_func ("/xmpp/sasl/failure/unknown", test_failure_unknown);

  return g_test_run ();
}
