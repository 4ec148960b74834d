/* test-jid.c: JIDs against the examples of RFC 6122, RFC 7622 and XEP-0106.
 *
 * We prepare JIDs with stringprep (RFC 6122), as the servers do. Where RFC
 * 7622's PRECIS rules answer otherwise, /xmpp/jid/precis-differences states
 * our answer and lists the difference; nothing here claims PRECIS
 * behaviour.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <locale.h>
#include <string.h>

#include "xmpp-jid.h"

/* ---- valid ----------------------------------------------------------- */

typedef struct {
  const char *input;
  const char *local;     /* NULL when absent */
  const char *domain;
  const char *resource;  /* NULL when absent */
} ValidCase;

/* RFC 7622 §3.5 (and RFC 6122 §A) valid examples, then domain forms. */
static const ValidCase valid_cases[] = {
  { "juliet@example.com", "juliet", "example.com", NULL },
  { "juliet@example.com/foo", "juliet", "example.com", "foo" },
  { "juliet@example.com/foo bar", "juliet", "example.com", "foo bar" },
  { "juliet@example.com/foo@bar", "juliet", "example.com", "foo@bar" },
  { "foo\\20bar@example.com", "foo\\20bar", "example.com", NULL },
  { "fussball@example.com", "fussball", "example.com", NULL },
  { "π@example.com", "π", "example.com", NULL },
  { "Σ@example.com/foo", "σ", "example.com", "foo" },
  { "σ@example.com/foo", "σ", "example.com", "foo" },
  { "king@example.com/♚", "king", "example.com", "♚" },
  { "example.com", NULL, "example.com", NULL },
  { "example.com/foobar", NULL, "example.com", "foobar" },
  { "a.example.com/b@example.net", NULL, "a.example.com", "b@example.net" },
  /* The resource is everything after the first "/", even "@" and "/". */
  { "juliet@example.com/a/b@c", "juliet", "example.com", "a/b@c" },
  { "example.com/juliet@example.net", NULL, "example.com", "juliet@example.net" },
  { "juliet@example.com/ ", "juliet", "example.com", " " },
  /* Newer than Unicode 3.2, so unassigned for stringprep; allowed. */
  { "juliet@example.com/🐢", "juliet", "example.com", "🐢" },
  /* Domains. */
  { "example.com.", NULL, "example.com", NULL },
  { "juliet@example.com./foo", "juliet", "example.com", "foo" },
  { "localhost", NULL, "localhost", NULL },
  { "192.0.2.1", NULL, "192.0.2.1", NULL },
  { "juliet@192.0.2.1/foo", "juliet", "192.0.2.1", "foo" },
  { "[::1]", NULL, "[::1]", NULL },
  { "juliet@[2001:DB8::1]/foo", "juliet", "[2001:db8::1]", "foo" },
  { "[::ffff:192.0.2.1]", NULL, "[::ffff:192.0.2.1]", NULL },
  { "münchen.example", NULL, "münchen.example", NULL },
  { "xn--mnchen-3ya.example", NULL, "xn--mnchen-3ya.example", NULL },
  { "a-b.example", NULL, "a-b.example", NULL },
  /* A right-to-left label beside left-to-right ones (nameprep per label). */
  { "אב.example", NULL, "אב.example", NULL },
  { "0.example", NULL, "0.example", NULL },
};

static void
check_parts (const XmppJid *jid, const ValidCase *c)
{
  g_autofree char *full = g_strdup_printf ("%s%s%s%s%s",
                                           c->local ? c->local : "", c->local ? "@" : "",
                                           c->domain,
                                           c->resource ? "/" : "", c->resource ? c->resource : "");

  g_assert_cmpstr (xmpp_jid_get_local (jid), ==, c->local);
  g_assert_cmpstr (xmpp_jid_get_domain (jid), ==, c->domain);
  g_assert_cmpstr (xmpp_jid_get_resource (jid), ==, c->resource);
  g_assert_cmpstr (xmpp_jid_to_string (jid), ==, full);
  g_assert_cmpint (xmpp_jid_is_bare (jid), ==, c->resource == NULL);
}

static void
test_valid (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (valid_cases); i++)
    {
      const ValidCase *c = &valid_cases[i];
      g_autoptr(GError) error = NULL;
      g_autoptr(XmppJid) jid = xmpp_jid_new (c->input, &error);
      g_autoptr(XmppJid) again = NULL;

      g_test_message ("%s", c->input);
      g_assert_no_error (error);
      check_parts (jid, c);
      g_assert_true (xmpp_jid_string_is_valid (c->input));

      /* Normalisation is idempotent. */
      again = xmpp_jid_new (xmpp_jid_to_string (jid), &error);
      g_assert_no_error (error);
      g_assert_true (xmpp_jid_equal (jid, again));
    }
}

/* ---- normalise ------------------------------------------------------- */

typedef struct {
  const char *input;
  const char *expected;
} NormaliseCase;

static const NormaliseCase normalise_cases[] = {
  { "Juliet@Example.COM/Foo", "juliet@example.com/Foo" },   /* resources keep case */
  { "JULIET@EXAMPLE.COM", "juliet@example.com" },
  { "Σ@example.com", "σ@example.com" },
  { "ΣΑΣ@example.com", "σασ@example.com" },
  { "ｊｕｌｉｅｔ@example.com", "juliet@example.com" },     /* full width */
  { "juliet@ｅｘａｍｐｌｅ.com", "juliet@example.com" },
  { "ǅ@example.com", "d\u017e@example.com" },              /* NFKC splits ǆ */
  { "\u00c5@example.com", "\u00e5@example.com" },
  { "A\u030a@example.com", "\u00e5@example.com" },          /* NFKC composes */
  { "\u212b@example.com", "\u00e5@example.com" },           /* ANGSTROM SIGN */
  { "juliet@EXAMPLE.com./Res", "juliet@example.com/Res" },
  { "juliet@example\u3002com", "juliet@example.com" },      /* IDNA2003 dots */
  { "juliet@example\uff0ecom", "juliet@example.com" },
  { "juliet@example\uff61com", "juliet@example.com" },
  { "juliet@example.com\u3002", "juliet@example.com" },     /* final dot */
  { "juliet@MÜNCHEN.example", "juliet@münchen.example" },
  { "juliet@XN--MNCHEN-3YA.example", "juliet@xn--mnchen-3ya.example" },
  { "１９２.０.２.１", "192.0.2.1" },
  { "[::ABCD]", "[::abcd]" },
  { "juliet@example.com/a\u00a0b", "juliet@example.com/a b" }, /* NBSP */
  { "juliet@example.com/ﬁ", "juliet@example.com/fi" },     /* NFKC */
  { "jul\u200biet@example.com", "juliet@example.com" },     /* ZWSP, mapped to nothing */
  { "D\\27Artagnan@musketeers.lit", "d\\27artagnan@musketeers.lit" },
};

static void
test_normalise (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (normalise_cases); i++)
    {
      const NormaliseCase *c = &normalise_cases[i];
      g_autoptr(GError) error = NULL;
      g_autoptr(XmppJid) jid = xmpp_jid_new (c->input, &error);

      g_test_message ("%s → %s", c->input, c->expected);
      g_assert_no_error (error);
      g_assert_cmpstr (xmpp_jid_to_string (jid), ==, c->expected);
    }
}

/* ---- invalid --------------------------------------------------------- */

typedef struct {
  const char *input;
  gssize len;           /* -1, or the length when the input holds a NUL */
  XmppJidError code;
} InvalidCase;

static const InvalidCase invalid_cases[] = {
  /* RFC 7622 §3.5 invalid examples that stringprep refuses too. */
  { "\"juliet\"@example.com", -1, XMPP_JID_ERROR_FORBIDDEN_CHARACTER },
  { "foo bar@example.com", -1, XMPP_JID_ERROR_FORBIDDEN_CHARACTER },
  { "@example.com/", -1, XMPP_JID_ERROR_EMPTY_PART },
  { "juliet@", -1, XMPP_JID_ERROR_EMPTY_PART },
  { "/foobar", -1, XMPP_JID_ERROR_EMPTY_PART },
  { "@example.com", -1, XMPP_JID_ERROR_EMPTY_PART },
  { "juliet@example.com/", -1, XMPP_JID_ERROR_EMPTY_PART },
  /* Empty parts. */
  { "", -1, XMPP_JID_ERROR_EMPTY },
  { "example.com/", -1, XMPP_JID_ERROR_EMPTY_PART },
  { "juliet@/foo", -1, XMPP_JID_ERROR_EMPTY_PART },
  { "/foo", -1, XMPP_JID_ERROR_EMPTY_PART },
  { "@", -1, XMPP_JID_ERROR_EMPTY_PART },
  { ".", -1, XMPP_JID_ERROR_EMPTY_PART },
  { "juliet@.", -1, XMPP_JID_ERROR_EMPTY_PART },
  { "\u00ad@example.com", -1, XMPP_JID_ERROR_EMPTY_PART },     /* mapped to nothing */
  { "juliet@example.com/\u00ad", -1, XMPP_JID_ERROR_EMPTY_PART },
  /* Characters nodeprep prohibits: the nine of XEP-0106 but "@" and "/",
   * which split the JID, then spaces and controls. */
  { "juliet@@example.com", -1, XMPP_JID_ERROR_FORBIDDEN_CHARACTER },
  { "d'artagnan@example.com", -1, XMPP_JID_ERROR_FORBIDDEN_CHARACTER },
  { "at&t@example.com", -1, XMPP_JID_ERROR_FORBIDDEN_CHARACTER },
  { "c:net@example.com", -1, XMPP_JID_ERROR_FORBIDDEN_CHARACTER },
  { "<foo>@example.com", -1, XMPP_JID_ERROR_FORBIDDEN_CHARACTER },
  { "a\u00a0b@example.com", -1, XMPP_JID_ERROR_FORBIDDEN_CHARACTER },
  { "a\u3000b@example.com", -1, XMPP_JID_ERROR_FORBIDDEN_CHARACTER },
  { "a\x01@example.com", -1, XMPP_JID_ERROR_FORBIDDEN_CHARACTER },
  { "a\x7f@example.com", -1, XMPP_JID_ERROR_FORBIDDEN_CHARACTER },
  { "a\xc2\x85@example.com", -1, XMPP_JID_ERROR_FORBIDDEN_CHARACTER },
  { "a\ufffd@example.com", -1, XMPP_JID_ERROR_FORBIDDEN_CHARACTER },
  { "a\ue000@example.com", -1, XMPP_JID_ERROR_FORBIDDEN_CHARACTER },   /* private use */
  { "juliet@example.com/a\x01", -1, XMPP_JID_ERROR_FORBIDDEN_CHARACTER },
  { "juliet@example.com/a\u202eb", -1, XMPP_JID_ERROR_FORBIDDEN_CHARACTER }, /* RLO */
  /* Bidi: a right-to-left part must begin and end right-to-left and hold
   * no left-to-right character. */
  { "\u0627a@example.com", -1, XMPP_JID_ERROR_FORBIDDEN_CHARACTER },
  { "\u06271@example.com", -1, XMPP_JID_ERROR_FORBIDDEN_CHARACTER },
  /* Domains. */
  { "exa mple.com", -1, XMPP_JID_ERROR_FORBIDDEN_CHARACTER },
  { "juliet@exa_mple.com", -1, XMPP_JID_ERROR_FORBIDDEN_CHARACTER },
  { "juliet@example.com\x01", -1, XMPP_JID_ERROR_FORBIDDEN_CHARACTER },
  { "juliet@example\u2024com", -1, XMPP_JID_ERROR_FORBIDDEN_CHARACTER }, /* becomes "." */
  { "juliet@example.com:5222", -1, XMPP_JID_ERROR_FORBIDDEN_CHARACTER },
  { "juliet@ex\u00a0ample.com", -1, XMPP_JID_ERROR_FORBIDDEN_CHARACTER },
  { "example..com", -1, XMPP_JID_ERROR_INVALID_DOMAIN },
  { ".example.com", -1, XMPP_JID_ERROR_INVALID_DOMAIN },
  { "example.com..", -1, XMPP_JID_ERROR_INVALID_DOMAIN },
  { "\u00ad.example.com", -1, XMPP_JID_ERROR_INVALID_DOMAIN },
  { "-example.com", -1, XMPP_JID_ERROR_INVALID_DOMAIN },
  { "example-.com", -1, XMPP_JID_ERROR_INVALID_DOMAIN },
  { "xn--\u00e4.example", -1, XMPP_JID_ERROR_INVALID_DOMAIN },
  { "[::1", -1, XMPP_JID_ERROR_INVALID_DOMAIN },
  { "[]", -1, XMPP_JID_ERROR_INVALID_DOMAIN },
  { "[::g]", -1, XMPP_JID_ERROR_INVALID_DOMAIN },
  { "[192.0.2.1]", -1, XMPP_JID_ERROR_INVALID_DOMAIN },
  { "[fe80::1%eth0]", -1, XMPP_JID_ERROR_INVALID_DOMAIN },
  { "[::1]x", -1, XMPP_JID_ERROR_INVALID_DOMAIN },
  /* Not UTF-8: stray, truncated, overlong ("/" in two bytes), surrogate,
   * beyond U+10FFFF, embedded NUL. */
  { "\xff@example.com", -1, XMPP_JID_ERROR_INVALID_UTF8 },
  { "juliet@example.com/\xc3", -1, XMPP_JID_ERROR_INVALID_UTF8 },
  { "juliet\xc0\xafres@example.com", -1, XMPP_JID_ERROR_INVALID_UTF8 },
  { "\xed\xa0\x80@example.com", -1, XMPP_JID_ERROR_INVALID_UTF8 },
  { "\xf4\x90\x80\x80@example.com", -1, XMPP_JID_ERROR_INVALID_UTF8 },
  { "juliet\0@example.com", 19, XMPP_JID_ERROR_INVALID_UTF8 },
  { "juliet@example.com/\0", 20, XMPP_JID_ERROR_INVALID_UTF8 },
};

static void
check_message (const GError *error, const char *input)
{
  /* A sentence for a person: valid text, no leftover format directive. */
  g_assert_true (g_utf8_validate (error->message, -1, NULL));
  if (strchr (input, '%') == NULL)
    g_assert_null (strchr (error->message, '%'));
  g_assert_true (g_str_has_suffix (error->message, "."));
}

static void
test_invalid (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (invalid_cases); i++)
    {
      const InvalidCase *c = &invalid_cases[i];
      g_autoptr(GError) error = NULL;
      g_autoptr(XmppJid) jid = xmpp_jid_new_len (c->input, c->len, &error);

      g_assert_null (jid);
      g_assert_error (error, XMPP_JID_ERROR, (gint) c->code);
      g_test_message ("%s", error->message);
      check_message (error, c->input);
      if (c->len < 0)
        g_assert_false (xmpp_jid_string_is_valid (c->input));
    }
}

/* The message names the offending character and quotes the address. */
static void
test_messages (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(XmppJid) jid = xmpp_jid_new ("foo bar@example.com", &error);

  g_assert_error (error, XMPP_JID_ERROR, XMPP_JID_ERROR_FORBIDDEN_CHARACTER);
  g_assert_nonnull (strstr (error->message, "“foo bar@example.com”"));
  g_assert_nonnull (strstr (error->message, "U+0020"));
  g_clear_error (&error);

  jid = xmpp_jid_new ("d'artagnan@example.com", &error);
  g_assert_nonnull (strstr (error->message, "“'”"));
  g_clear_error (&error);

  jid = xmpp_jid_new ("juliet@exa_mple.com", &error);
  g_assert_nonnull (strstr (error->message, "“_”"));
}

/* ---- lengths --------------------------------------------------------- */

static char *
repeat (const char *s, guint n)
{
  GString *out = g_string_new (NULL);

  for (guint i = 0; i < n; i++)
    g_string_append (out, s);
  return g_string_free (out, FALSE);
}

static void
assert_jid_error (const char *input, XmppJidError code)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(XmppJid) jid = xmpp_jid_new (input, &error);

  g_assert_null (jid);
  g_assert_error (error, XMPP_JID_ERROR, (gint) code);
  check_message (error, input);
  /* Long inputs are cut short in the message. */
  g_assert_cmpuint (strlen (error->message), <, 512);
}

static void
assert_jid_valid (const char *input)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(XmppJid) jid = xmpp_jid_new (input, &error);

  g_assert_no_error (error);
  g_assert_nonnull (jid);
}

static void
test_lengths (void)
{
  g_autofree char *a1023 = repeat ("a", 1023);
  g_autofree char *a1024 = repeat ("a", 1024);
  g_autofree char *label63 = repeat ("a", 63);
  g_autofree char *label64 = repeat ("a", 64);
  g_autofree char *labels = NULL;
  g_autofree char *s = NULL;
  g_autofree char *grows = repeat ("\u0149", 400);   /* ŉ folds to ʼn: 800 → 1200 bytes */
  g_autofree char *grows_res = repeat ("\u33c2", 300); /* ㏂ is "a.m.": 900 → 1200 */

  /* 1023 octets per part is the limit, before and after preparation. */
  s = g_strdup_printf ("%s@example.com/%s", a1023, a1023);
  assert_jid_valid (s);
  g_free (s);
  s = g_strdup_printf ("%s@example.com", a1024);
  assert_jid_error (s, XMPP_JID_ERROR_TOO_LONG);
  g_free (s);
  s = g_strdup_printf ("juliet@example.com/%s", a1024);
  assert_jid_error (s, XMPP_JID_ERROR_TOO_LONG);
  g_free (s);
  s = g_strdup_printf ("%s@example.com", grows);
  assert_jid_error (s, XMPP_JID_ERROR_TOO_LONG);
  g_free (s);
  s = g_strdup_printf ("juliet@example.com/%s", grows_res);
  assert_jid_error (s, XMPP_JID_ERROR_TOO_LONG);
  g_free (s);

  /* Labels: 63 octets at most. */
  s = g_strdup_printf ("%s.example", label63);
  assert_jid_valid (s);
  g_free (s);
  s = g_strdup_printf ("juliet@%s.example", label64);
  assert_jid_error (s, XMPP_JID_ERROR_INVALID_DOMAIN);
  g_free (s);

  /* A domain of sixteen 63-octet labels is 1023 octets; one more is too
   * long, though a final dot does not count. */
  labels = g_strjoin (".", label63, label63, label63, label63, label63, label63,
                      label63, label63, label63, label63, label63, label63,
                      label63, label63, label63, label63, NULL);
  g_assert_cmpuint (strlen (labels), ==, 1023);
  assert_jid_valid (labels);
  s = g_strdup_printf ("%s.", labels);
  assert_jid_valid (s);
  g_free (s);
  s = g_strdup_printf ("%s.a", labels);
  assert_jid_error (s, XMPP_JID_ERROR_TOO_LONG);
}

/* ---- parts, bare, resources ------------------------------------------ */

static void
test_from_parts (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(XmppJid) jid = NULL;

  jid = xmpp_jid_new_from_parts ("Juliet", "Example.com.", "Balcony", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (xmpp_jid_to_string (jid), ==, "juliet@example.com/Balcony");
  g_clear_pointer (&jid, xmpp_jid_unref);

  jid = xmpp_jid_new_from_parts (NULL, "example.com", NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (xmpp_jid_to_string (jid), ==, "example.com");
  g_clear_pointer (&jid, xmpp_jid_unref);

  /* Parts are not split again: "/" and "@" are the parts' own. */
  jid = xmpp_jid_new_from_parts (NULL, "example.com", "a/b@c", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (xmpp_jid_get_resource (jid), ==, "a/b@c");

  g_assert_null (xmpp_jid_new_from_parts ("a@b", "example.com", NULL, &error));
  g_assert_error (error, XMPP_JID_ERROR, XMPP_JID_ERROR_FORBIDDEN_CHARACTER);
  g_clear_error (&error);
  g_assert_null (xmpp_jid_new_from_parts ("juliet", "example.com/x", NULL, &error));
  g_assert_error (error, XMPP_JID_ERROR, XMPP_JID_ERROR_FORBIDDEN_CHARACTER);
  g_clear_error (&error);
  g_assert_null (xmpp_jid_new_from_parts ("", "example.com", NULL, &error));
  g_assert_error (error, XMPP_JID_ERROR, XMPP_JID_ERROR_EMPTY_PART);
  g_clear_error (&error);
  g_assert_null (xmpp_jid_new_from_parts ("juliet", "", NULL, &error));
  g_assert_error (error, XMPP_JID_ERROR, XMPP_JID_ERROR_EMPTY_PART);
  g_clear_error (&error);
  g_assert_null (xmpp_jid_new_from_parts ("juliet", "example.com", "", &error));
  g_assert_error (error, XMPP_JID_ERROR, XMPP_JID_ERROR_EMPTY_PART);
  g_clear_error (&error);
  g_assert_null (xmpp_jid_new_from_parts ("\xff", "example.com", NULL, &error));
  g_assert_error (error, XMPP_JID_ERROR, XMPP_JID_ERROR_INVALID_UTF8);
}

static void
test_bare (void)
{
  g_autoptr(XmppJid) full = xmpp_jid_new ("Juliet@Example.com/Balcony", NULL);
  g_autoptr(XmppJid) bare = xmpp_jid_get_bare (full);
  g_autoptr(XmppJid) bare2 = xmpp_jid_get_bare (bare);
  g_autoptr(XmppJid) domain = xmpp_jid_new ("example.com/res", NULL);
  g_autoptr(XmppJid) domain_bare = xmpp_jid_get_bare (domain);

  g_assert_false (xmpp_jid_is_bare (full));
  g_assert_true (xmpp_jid_is_bare (bare));
  g_assert_cmpstr (xmpp_jid_to_string (bare), ==, "juliet@example.com");
  g_assert_cmpstr (xmpp_jid_bare_string (full), ==, "juliet@example.com");
  g_assert_cmpstr (xmpp_jid_bare_string (bare), ==, xmpp_jid_to_string (bare));
  g_assert_null (xmpp_jid_get_resource (bare));
  /* Already bare: the same object. */
  g_assert_true (bare2 == bare);
  g_assert_cmpstr (xmpp_jid_to_string (domain_bare), ==, "example.com");
  g_assert_null (xmpp_jid_get_local (domain_bare));
}

static void
test_with_resource (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(XmppJid) jid = xmpp_jid_new ("juliet@example.com/balcony", NULL);
  g_autoptr(XmppJid) other = xmpp_jid_with_resource (jid, "Orchard ﬁ", &error);
  g_autoptr(XmppJid) bare = xmpp_jid_with_resource (jid, NULL, &error);
  g_autoptr(XmppJid) bad = NULL;

  g_assert_no_error (error);
  g_assert_cmpstr (xmpp_jid_to_string (other), ==, "juliet@example.com/Orchard fi");
  g_assert_cmpstr (xmpp_jid_to_string (bare), ==, "juliet@example.com");

  bad = xmpp_jid_with_resource (jid, "", &error);
  g_assert_null (bad);
  g_assert_error (error, XMPP_JID_ERROR, XMPP_JID_ERROR_EMPTY_PART);
  g_clear_error (&error);
  bad = xmpp_jid_with_resource (jid, "a\x01", &error);
  g_assert_error (error, XMPP_JID_ERROR, XMPP_JID_ERROR_FORBIDDEN_CHARACTER);
  g_assert_nonnull (strstr (error->message, "juliet@example.com/a"));
}

/* ---- equality -------------------------------------------------------- */

static void
test_equal (void)
{
  g_autoptr(XmppJid) a = xmpp_jid_new ("Juliet@EXAMPLE.com./Balcony", NULL);
  g_autoptr(XmppJid) b = xmpp_jid_new ("juliet@example.com/Balcony", NULL);
  g_autoptr(XmppJid) c = xmpp_jid_new ("juliet@example.com/balcony", NULL);
  g_autoptr(XmppJid) d = xmpp_jid_new ("juliet@example.com", NULL);
  g_autoptr(XmppJid) e = xmpp_jid_new ("romeo@example.com/Balcony", NULL);
  g_autoptr(GHashTable) table = NULL;

  g_assert_true (xmpp_jid_equal (a, b));
  g_assert_cmpuint (xmpp_jid_hash (a), ==, xmpp_jid_hash (b));
  g_assert_false (xmpp_jid_equal (b, c));   /* resources are case-sensitive */
  g_assert_false (xmpp_jid_equal (b, d));
  g_assert_true (xmpp_jid_equal_bare (b, c));
  g_assert_true (xmpp_jid_equal_bare (c, d));
  g_assert_false (xmpp_jid_equal_bare (b, e));

  table = g_hash_table_new_full (xmpp_jid_hash, xmpp_jid_equal,
                                 (GDestroyNotify) xmpp_jid_unref, NULL);
  g_hash_table_add (table, xmpp_jid_ref (a));
  g_assert_true (g_hash_table_contains (table, b));
  g_assert_false (g_hash_table_contains (table, c));
  g_hash_table_add (table, xmpp_jid_ref (b));
  g_assert_cmpuint (g_hash_table_size (table), ==, 1);
}

static void
test_boxed (void)
{
  g_autoptr(XmppJid) jid = xmpp_jid_new ("juliet@example.com", NULL);
  XmppJid *copy = g_boxed_copy (XMPP_TYPE_JID, jid);
  GValue value = G_VALUE_INIT;

  /* Immutable, so a copy is a reference. */
  g_assert_true (copy == jid);
  g_boxed_free (XMPP_TYPE_JID, copy);

  g_value_init (&value, XMPP_TYPE_JID);
  g_value_set_boxed (&value, jid);
  g_assert_true (g_value_get_boxed (&value) == jid);
  g_value_unset (&value);
  g_assert_cmpstr (g_type_name (XMPP_TYPE_JID), ==, "XmppJid");
}

/* ---- XEP-0106 -------------------------------------------------------- */

typedef struct {
  const char *unescaped;
  const char *escaped;
} EscapeCase;

/* XEP-0106 §5.1, then the IRC, IMPS and e-mail examples of §5. */
static const EscapeCase escape_cases[] = {
  { "space cadet", "space\\20cadet" },
  { "call me \"ishmael\"", "call\\20me\\20\\22ishmael\\22" },
  { "at&t guy", "at\\26t\\20guy" },
  { "d'artagnan", "d\\27artagnan" },
  { "/.fanboy", "\\2f.fanboy" },
  { "::foo::", "\\3a\\3afoo\\3a\\3a" },
  { "<foo>", "\\3cfoo\\3e" },
  { "user@host", "user\\40host" },
  /* Rows 9 to 11 of the table escape every backslash (c\3a\5cnet), but
   * §4.1 rule 7 and §4.3 escape one only when it starts an escape; we
   * follow the rules, and both forms unescape alike (unescape_cases). */
  { "c:\\net", "c\\3a\\net" },
  { "c:\\\\net", "c\\3a\\\\net" },
  { "c:\\cool stuff", "c\\3a\\cool\\20stuff" },
  { "c:\\5commas", "c\\3a\\5c5commas" },
  { "somenick!user\"&'/:<>\\3address", "somenick!user\\22\\26\\27\\2f\\3a\\3c\\3e\\5c3address" },
  { "\\3and\\2is\\5cool", "\\5c3and\\2is\\5c5cool" },
  { "here's_a_wild_&_/cr%zy/_address", "here\\27s_a_wild_\\26_\\2fcr%zy\\2f_address" },
  /* §4.3: partial and foreign sequences are not touched either way. */
  { "\\2plus\\2is\\4", "\\2plus\\2is\\4" },
  { "foo\\bar", "foo\\bar" },
  { "foob\\41r", "foob\\41r" },
  /* Upper case is no escape, but nodeprep would make it one. */
  { "\\5C\\2F", "\\5c5C\\5c2F" },
  { "\\20", "\\5c20" },
  { "\\5c", "\\5c5c" },
  { "trailing\\", "trailing\\" },
  { "", "" },
  { "juliet", "juliet" },
  { "tréville@musketeers.lit", "tréville\\40musketeers.lit" },
};

typedef struct {
  const char *escaped;
  const char *unescaped;
} UnescapeCase;

static const UnescapeCase unescape_cases[] = {
  /* The XEP's own table forms of rows 9 to 11. */
  { "c\\3a\\5cnet", "c:\\net" },
  { "c\\3a\\5c\\5cnet", "c:\\\\net" },
  { "c\\3a\\5ccool\\20stuff", "c:\\cool stuff" },
  { "treville\\40musketeers.lit", "treville@musketeers.lit" },
  /* "\20" may not begin or end a localpart, so there it is no escape. */
  { "\\20admin", "\\20admin" },
  { "\\2F", "\\2F" },                 /* case is significant */
  { "admin\\20", "admin\\20" },
  { "\\20", "\\20" },
  { "a\\20\\20b", "a  b" },
  { "\\20\\20b", "\\20 b" },
  { "\\2", "\\2" },
  { "\\", "\\" },
  { "\\\\27", "\\'" },
};

static void
test_escape (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (escape_cases); i++)
    {
      const EscapeCase *c = &escape_cases[i];
      g_autofree char *escaped = xmpp_jid_escape_local (c->unescaped);
      g_autofree char *unescaped = xmpp_jid_unescape_local (c->escaped);

      g_assert_cmpstr (escaped, ==, c->escaped);
      g_assert_cmpstr (unescaped, ==, c->unescaped);

      /* XEP-0106 §2: an escaped localpart passes nodeprep, and still
       * shows what was typed, but for the case nodeprep folds. */
      if (c->escaped[0] != '\0')
        {
          g_autoptr(GError) error = NULL;
          g_autoptr(XmppJid) jid = xmpp_jid_new_from_parts (escaped, "example.com", NULL, &error);
          g_autofree char *shown = NULL;
          g_autofree char *lower = g_utf8_strdown (c->unescaped, -1);

          g_assert_no_error (error);
          shown = xmpp_jid_unescape_local (xmpp_jid_get_local (jid));
          g_assert_cmpstr (shown, ==, lower);
        }
    }
  for (guint i = 0; i < G_N_ELEMENTS (unescape_cases); i++)
    {
      g_autofree char *unescaped = xmpp_jid_unescape_local (unescape_cases[i].escaped);
      g_assert_cmpstr (unescaped, ==, unescape_cases[i].unescaped);
    }
}

/* §4.1 rule 6: spaces at either end cannot be escaped; they are dropped. */
static void
test_escape_spaces (void)
{
  g_autofree char *a = xmpp_jid_escape_local ("  space cadet ");
  g_autofree char *b = xmpp_jid_escape_local ("   ");

  g_assert_cmpstr (a, ==, "space\\20cadet");
  g_assert_cmpstr (b, ==, "");
}

static void
test_display (void)
{
  g_autoptr(XmppJid) a = xmpp_jid_new ("d\\27artagnan@musketeers.lit/elder", NULL);
  g_autoptr(XmppJid) b = xmpp_jid_new ("musketeers.lit", NULL);
  g_autoptr(XmppJid) c = xmpp_jid_new ("tréville\\40musketeers.lit@smtp.gascon.fr", NULL);
  g_autoptr(XmppJid) d = xmpp_jid_new ("Space\\20Cadet@xn--mnchen-3ya.example/Foo\\20Bar", NULL);
  g_autofree char *da = xmpp_jid_to_display (a);
  g_autofree char *db = xmpp_jid_to_display (b);
  g_autofree char *dc = xmpp_jid_to_display (c);
  g_autofree char *dd = xmpp_jid_to_display (d);

  g_assert_cmpstr (da, ==, "d'artagnan@musketeers.lit/elder");
  g_assert_cmpstr (db, ==, "musketeers.lit");
  g_assert_cmpstr (dc, ==, "tréville@musketeers.lit@smtp.gascon.fr");
  /* Escaping is for localparts only (XEP-0106 §2). */
  g_assert_cmpstr (dd, ==, "space cadet@xn--mnchen-3ya.example/Foo\\20Bar");
}

/* ---- known differences from RFC 7622 --------------------------------- */

typedef struct {
  const char *input;
  const char *ours;    /* our stringprep answer: the full string */
  const char *precis;  /* what RFC 7622 does instead */
} DifferenceCase;

static const DifferenceCase differences[] = {
  { "fußball@example.com", "fussball@example.com",
    "ß is kept (case mapping is toLowerCase, RFC 8265), so fußball@ and fussball@ differ" },
  { "henry\u2163@example.com", "henryiv@example.com",
    "U+2163 ROMAN NUMERAL FOUR is not allowed in a localpart (§3.5 lists it as invalid)" },
  { "ς@example.com", "σ@example.com",
    "final sigma ς is kept (toLowerCase, RFC 8265), so ς@ and σ@ differ" },
  { "♚@example.com", "♚@example.com",
    "symbols are not allowed in a localpart (§3.5 lists it as invalid)" },
  { "🐢@example.com", "🐢@example.com",
    "emoji are not allowed in a localpart (stringprep takes them as unassigned)" },
  { "ﬀ@example.com", "ff@example.com",
    "compatibility characters such as the ligature U+FB00 are not allowed in a localpart" },
  { "jul\u00adiet@example.com", "juliet@example.com",
    "U+00AD SOFT HYPHEN is not allowed, where stringprep maps it to nothing" },
  { "\u1c90@example.com", "\u1c90@example.com",
    "U+1C90 GEORGIAN MTAVRULI (Unicode 11) is case-mapped to U+10D0; stringprep stops at Unicode 3.2" },
  { "juliet@example.com/\u2163", "juliet@example.com/IV",
    "the resourcepart keeps U+2163: OpaqueString does NFC, not NFKC" },
  { "juliet@example.com/ｆｏｏ", "juliet@example.com/foo",
    "the resourcepart keeps full-width letters (localparts map them in both)" },
  { "juliet@faß.example", "juliet@fass.example",
    "IDNA2008 keeps ß in domains" },
  { "juliet@♥.example", "juliet@♥.example",
    "IDNA2008 does not allow symbols in domains" },
  { "juliet@xn--mnchen-3ya.example", "juliet@xn--mnchen-3ya.example",
    "A-labels become U-labels (§3.2.1), so this equals juliet@münchen.example" },
};

static void
test_precis_differences (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (differences); i++)
    {
      const DifferenceCase *c = &differences[i];
      g_autoptr(GError) error = NULL;
      g_autoptr(XmppJid) jid = xmpp_jid_new (c->input, &error);

      g_assert_no_error (error);
      g_assert_cmpstr (xmpp_jid_to_string (jid), ==, c->ours);
      g_test_message ("known difference from RFC 7622: %s → %s here; under PRECIS %s",
                      c->input, c->ours, c->precis);
    }
}

int
main (int argc, char **argv)
{
  /* For the messages, which quote non-ASCII addresses. */
  setlocale (LC_ALL, "");
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/xmpp/jid/valid", test_valid);
  g_test_add_func ("/xmpp/jid/normalise", test_normalise);
  g_test_add_func ("/xmpp/jid/invalid", test_invalid);
  g_test_add_func ("/xmpp/jid/messages", test_messages);
  g_test_add_func ("/xmpp/jid/lengths", test_lengths);
  g_test_add_func ("/xmpp/jid/from-parts", test_from_parts);
  g_test_add_func ("/xmpp/jid/bare", test_bare);
  g_test_add_func ("/xmpp/jid/with-resource", test_with_resource);
  g_test_add_func ("/xmpp/jid/equal", test_equal);
  g_test_add_func ("/xmpp/jid/boxed", test_boxed);
  g_test_add_func ("/xmpp/jid/escape", test_escape);
  g_test_add_func ("/xmpp/jid/escape-spaces", test_escape_spaces);
  g_test_add_func ("/xmpp/jid/display", test_display);
  g_test_add_func ("/xmpp/jid/precis-differences", test_precis_differences);

  return g_test_run ();
}
