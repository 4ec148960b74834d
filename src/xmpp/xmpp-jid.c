/* xmpp-jid.c: XMPP addresses (RFC 6122 rules, stringprep through libidn).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "xmpp-jid.h"

#include <gio/gio.h>
#include <glib/gi18n-lib.h>
#include <idna.h>
#include <stringprep.h>
#include <string.h>

/* RFC 6122 §2.1: each part is at most 1023 octets. We apply the limit to
 * the input as well as to the prepared result, as Prosody does: besides
 * matching the servers, it bounds the work, for libidn's mapping step moves
 * the rest of the string for every mapped character (quadratic time). */
#define PART_MAX 1023

/* RFC 1034 / RFC 3490 §5: a label is at most 63 octets in its ASCII form. */
#define LABEL_MAX 63

/* Longer inputs are cut in error messages: a person gains nothing from
 * three kilobytes of address in a dialogue. */
#define SHOWN_MAX 64

/* Unassigned code points (RFC 3454 §7) are allowed, as for "queries", and
 * not refused as for "stored strings": stringprep's tables stop at Unicode
 * 3.2, so refusing them would refuse every later character (emoji in
 * resources, scripts added since 2002) in addresses that servers accept and
 * send us; Prosody's util.encodings passes no flag either. What §7 guards
 * against, a later table mapping such a character differently, cannot
 * happen: stringprep is frozen and XMPP moved on to PRECIS instead. Only
 * the server that creates an account has a reason to be stricter. */
#define PREP_FLAGS ((Stringprep_profile_flags) 0)
#define IDNA_FLAGS (IDNA_USE_STD3_ASCII_RULES | IDNA_ALLOW_UNASSIGNED)

struct _XmppJid {
  gatomicrefcount ref_count;
  char *local;     /* NULL when absent */
  char *domain;
  char *resource;  /* NULL when absent */
  char *bare;
  char *full;      /* the same string as bare when there is no resource */
  guint hash;
};

G_DEFINE_BOXED_TYPE (XmppJid, xmpp_jid, xmpp_jid_ref, xmpp_jid_unref)

typedef enum {
  PART_LOCAL,
  PART_DOMAIN,
  PART_RESOURCE,
} Part;

/* ---- errors ---------------------------------------------------------- */

static char *
shorten (const char *input)
{
  if (g_utf8_strlen (input, -1) <= SHOWN_MAX)
    return g_strdup (input);
  g_autofree char *head = g_utf8_substring (input, 0, SHOWN_MAX);
  return g_strconcat (head, "…", NULL);
}

/* Every message quotes the address, so each takes one "%s" for it. */
G_GNUC_PRINTF (4, 5)
static void
set_error (GError     **error,
           XmppJidError code,
           const char  *input,
           const char  *format,
           ...)
{
  g_autofree char *shown = shorten (input);
  g_autofree char *reason = NULL;
  va_list args;

  va_start (args, format);
  reason = g_strdup_vprintf (format, args);
  va_end (args);
  /* TRANSLATORS: the first %s is an address, the second says what is
   * wrong with it. */
  g_set_error (error, XMPP_JID_ERROR, code,
               _("“%s” is not a valid address: %s"), shown, reason);
}

static void
set_empty_part_error (GError **error, const char *input, Part part)
{
  const char *reason = NULL;

  switch (part)
    {
    case PART_LOCAL: reason = _("the part before “@” is empty."); break;
    case PART_DOMAIN: reason = _("the domain is empty."); break;
    case PART_RESOURCE: reason = _("the part after “/” is empty."); break;
    }
  set_error (error, XMPP_JID_ERROR_EMPTY_PART, input, "%s", reason);
}

static void
set_too_long_error (GError **error, const char *input, Part part)
{
  const char *reason = NULL;

  switch (part)
    {
    case PART_LOCAL:
      reason = _("the part before “@” is longer than 1023 bytes.");
      break;
    case PART_DOMAIN:
      reason = _("the domain is longer than 1023 bytes.");
      break;
    case PART_RESOURCE:
      reason = _("the part after “/” is longer than 1023 bytes.");
      break;
    }
  set_error (error, XMPP_JID_ERROR_TOO_LONG, input, "%s", reason);
}

/* Names the character when it can be seen, its code point otherwise. */
static char *
describe_char (gunichar c)
{
  char utf8[8] = { 0 };

  if (c == 0 || !g_unichar_isgraph (c))
    return g_strdup_printf ("U+%04X", c);
  g_unichar_to_utf8 (c, utf8);
  return g_strdup_printf ("“%s”", utf8);
}

static void
set_forbidden_error (GError **error, const char *input, Part part, gunichar c)
{
  g_autofree char *what = describe_char (c);
  const char *format = NULL;

  if (c == 0)
    {
      switch (part)
        {
        case PART_LOCAL: format = _("the part before “@” contains a character that is not allowed there."); break;
        case PART_DOMAIN: format = _("the domain contains a character that is not allowed in a domain name."); break;
        case PART_RESOURCE: format = _("the part after “/” contains a character that is not allowed there."); break;
        }
      set_error (error, XMPP_JID_ERROR_FORBIDDEN_CHARACTER, input, "%s", format);
      return;
    }
  switch (part)
    {
    /* TRANSLATORS: %s is a character in quotes, or a code point (U+0001). */
    case PART_LOCAL: format = _("the part before “@” cannot contain %s."); break;
    case PART_DOMAIN: format = _("a domain name cannot contain %s."); break;
    case PART_RESOURCE: format = _("the part after “/” cannot contain %s."); break;
    }
  set_error (error, XMPP_JID_ERROR_FORBIDDEN_CHARACTER, input, format, what);
}

static void
set_bidi_error (GError **error, const char *input, Part part)
{
  const char *reason = NULL;

  switch (part)
    {
    case PART_LOCAL: reason = _("the part before “@” mixes right-to-left and left-to-right text in a way that is not allowed."); break;
    case PART_DOMAIN: reason = _("the domain mixes right-to-left and left-to-right text in a way that is not allowed."); break;
    case PART_RESOURCE: reason = _("the part after “/” mixes right-to-left and left-to-right text in a way that is not allowed."); break;
    }
  set_error (error, XMPP_JID_ERROR_FORBIDDEN_CHARACTER, input, "%s", reason);
}

/* ---- stringprep ------------------------------------------------------ */

static const Stringprep_profile *
profile_for (Part part)
{
  switch (part)
    {
    case PART_LOCAL: return stringprep_xmpp_nodeprep;
    case PART_DOMAIN: return stringprep_nameprep;
    case PART_RESOURCE: return stringprep_xmpp_resourceprep;
    }
  g_return_val_if_reached (NULL);
}

/* stringprep() prepares in place and never grows its buffer. Inputs are at
 * most PART_MAX octets and so must results be, so one buffer of PART_MAX + 1
 * holds everything we would accept; "buffer too small" means "too long". */
static int
prep (const char *raw, gsize len, Part part, char out[PART_MAX + 1])
{
  g_assert (len <= PART_MAX);
  memcpy (out, raw, len);
  out[len] = '\0';
  return stringprep (out, PART_MAX + 1, PREP_FLAGS, profile_for (part));
}

/* stringprep only says that some character is prohibited; trying them one
 * at a time finds which, so the message can name it. Only on errors. */
static gunichar
find_prohibited (const char *raw, gsize len, Part part)
{
  for (const char *p = raw; p < raw + len; p = g_utf8_next_char (p))
    {
      char one[PART_MAX + 1];
      gsize n = g_utf8_next_char (p) - p;

      if (prep (p, n, part, one) == STRINGPREP_CONTAINS_PROHIBITED)
        return g_utf8_get_char (p);
    }
  return 0;
}

/* Prepares one part (or one label of a domain) into a new string. */
static char *
prepare (const char *input, const char *raw, gsize len, Part part, GError **error)
{
  char buf[PART_MAX + 1];
  int rc;

  if (len > PART_MAX)
    {
      set_too_long_error (error, input, part);
      return NULL;
    }
  rc = prep (raw, len, part, buf);
  switch (rc)
    {
    case STRINGPREP_OK:
      return g_strdup (buf);
    case STRINGPREP_TOO_SMALL_BUFFER:
      set_too_long_error (error, input, part);
      return NULL;
    case STRINGPREP_BIDI_BOTH_L_AND_RAL:
    case STRINGPREP_BIDI_LEADTRAIL_NOT_RAL:
      set_bidi_error (error, input, part);
      return NULL;
    default:
      /* Prohibited characters, including those only the bidi step
       * prohibits; unassigned ones cannot occur with PREP_FLAGS. */
      set_forbidden_error (error, input, part, find_prohibited (raw, len, part));
      return NULL;
    }
}

/* A local or resource part: present, prepared, not emptied by the mapping
 * (soft hyphens and the like map to nothing) and not too long. */
static char *
prepare_part (const char *input, const char *raw, gsize len, Part part, GError **error)
{
  g_autofree char *prepared = NULL;

  if (len == 0)
    {
      set_empty_part_error (error, input, part);
      return NULL;
    }
  prepared = prepare (input, raw, len, part, error);
  if (prepared == NULL)
    return NULL;
  if (prepared[0] == '\0')
    {
      set_empty_part_error (error, input, part);
      return NULL;
    }
  return g_steal_pointer (&prepared);
}

/* ---- domain ---------------------------------------------------------- */

/* RFC 3490 §3.1: the four characters IDNA2003 takes as label separators.
 * Returns the length of the separator at @p, or 0. */
static gsize
separator_at (const char *p, const char *end)
{
  static const char * const dots[] = { ".", "\xe3\x80\x82", "\xef\xbc\x8e", "\xef\xbd\xa1" };

  for (guint i = 0; i < G_N_ELEMENTS (dots); i++)
    {
      gsize n = strlen (dots[i]);
      if ((gsize) (end - p) >= n && memcmp (p, dots[i], n) == 0)
        return n;
    }
  return 0;
}

/* RFC 6122 §2.2: a final dot is removed before the domain is used. */
static gsize
strip_final_dot (const char *raw, gsize len)
{
  for (gsize n = 1; n <= 3 && n <= len; n++)
    if (separator_at (raw + len - n, raw + len) == n)
      return len - n;
  return len;
}

/* RFC 3986 IP-literal, without the zone identifiers RFC 6874 adds. Kept as
 * written but for case, so that "[::A]" and "[::a]" compare equal; other
 * spellings of one address ("[::0:1]") stay distinct, as on the servers. */
static char *
prepare_ip_literal (const char *input, const char *raw, gsize len, GError **error)
{
  g_autofree char *inner = NULL;
  g_autoptr(GInetAddress) address = NULL;

  if (len >= 3 && raw[len - 1] == ']')
    {
      inner = g_strndup (raw + 1, len - 2);
      if (strchr (inner, '%') == NULL)
        address = g_inet_address_new_from_string (inner);
    }
  if (address == NULL || g_inet_address_get_family (address) != G_SOCKET_FAMILY_IPV6)
    {
      set_error (error, XMPP_JID_ERROR_INVALID_DOMAIN, input, "%s",
                 _("the domain is not a valid IPv6 address in brackets."));
      return NULL;
    }
  g_autofree char *lower = g_ascii_strdown (inner, -1);
  return g_strconcat ("[", lower, "]", NULL);
}

/* The first ASCII character of a prepared label that STD3 forbids. */
static gunichar
find_non_ldh (const char *label)
{
  for (const char *p = label; *p != '\0'; p++)
    if ((guchar) *p < 0x80 && !g_ascii_isalnum (*p) && *p != '-')
      return (guchar) *p;
  return 0;
}

/* RFC 6122 §2.2: it must be possible to apply IDNA2003's ToASCII with
 * UseSTD3ASCIIRules to each label without failing. libidn's ToASCII does
 * exactly the checks we want (letters, digits and hyphens once prepared, no
 * hyphen at either end, 1 to 63 octets in ACE form); we keep its verdict
 * and throw its ACE result away, for the domain stays in Unicode. */
static gboolean
check_label (const char *input, const char *raw, gsize len, const char *prepared, GError **error)
{
  g_autofree char *label = g_strndup (raw, len);
  char *ascii = NULL;
  int rc = idna_to_ascii_8z (label, &ascii, IDNA_FLAGS);

  free (ascii);
  switch (rc)
    {
    case IDNA_SUCCESS:
      return TRUE;
    case IDNA_CONTAINS_NON_LDH:
      set_forbidden_error (error, input, PART_DOMAIN, find_non_ldh (prepared));
      return FALSE;
    case IDNA_CONTAINS_MINUS:
      set_error (error, XMPP_JID_ERROR_INVALID_DOMAIN, input, "%s",
                 _("a name between dots in the domain begins or ends with a hyphen."));
      return FALSE;
    case IDNA_INVALID_LENGTH:
      set_error (error, XMPP_JID_ERROR_INVALID_DOMAIN, input,
                 _("a name between dots in the domain is longer than %d bytes."), LABEL_MAX);
      return FALSE;
    default:
      /* A non-ASCII label starting with "xn--", and what cannot happen
       * once nameprep succeeded (punycode, memory). */
      set_error (error, XMPP_JID_ERROR_INVALID_DOMAIN, input, "%s",
                 _("the domain is not a valid domain name."));
      return FALSE;
    }
}

/* Labels are prepared one by one, as IDNA2003 does, and joined with ".".
 * Nameprep over the whole name would be wrong twice: its bidi rule would
 * refuse a right-to-left label next to a left-to-right one, and characters
 * that normalise to "." (U+2024 ONE DOT LEADER) would make new labels that
 * ToASCII never saw. An IPv4 address needs no case of its own: digit labels
 * pass these rules unchanged. A-labels ("xn--…") stay as written, as they
 * do on the servers (see the known differences in tests/test-jid.c). */
static char *
prepare_name (const char *input, const char *raw, gsize len, GError **error)
{
  g_autoptr(GString) out = g_string_sized_new (len);
  const char *end = raw + len;
  const char *p = raw;

  for (;;)
    {
      const char *q = p;
      gsize dot = 0;
      g_autofree char *label = NULL;

      while (q < end && (dot = separator_at (q, end)) == 0)
        q = g_utf8_next_char (q);
      label = q > p ? prepare (input, p, q - p, PART_DOMAIN, error) : g_strdup ("");
      if (label == NULL)
        return NULL;
      /* Empty as written, or emptied by nameprep (a lone soft hyphen). */
      if (label[0] == '\0')
        {
          set_error (error, XMPP_JID_ERROR_INVALID_DOMAIN, input, "%s",
                     _("the domain has two dots in a row, or begins with a dot."));
          return NULL;
        }
      if (!check_label (input, p, q - p, label, error))
        return NULL;
      g_string_append (out, label);
      if (q == end)
        break;
      g_string_append_c (out, '.');
      p = q + dot;
    }
  if (out->len > PART_MAX)
    {
      set_too_long_error (error, input, PART_DOMAIN);
      return NULL;
    }
  return g_string_free (g_steal_pointer (&out), FALSE);
}

static char *
prepare_domain (const char *input, const char *raw, gsize len, GError **error)
{
  len = strip_final_dot (raw, len);
  if (len == 0)
    {
      set_empty_part_error (error, input, PART_DOMAIN);
      return NULL;
    }
  if (len > PART_MAX)
    {
      set_too_long_error (error, input, PART_DOMAIN);
      return NULL;
    }
  if (raw[0] == '[')
    return prepare_ip_literal (input, raw, len, error);
  return prepare_name (input, raw, len, error);
}

/* ---- construction ---------------------------------------------------- */

/* Takes the prepared parts. */
static XmppJid *
jid_new_prepared (char *local, char *domain, char *resource)
{
  XmppJid *jid = g_new0 (XmppJid, 1);

  g_atomic_ref_count_init (&jid->ref_count);
  jid->local = local;
  jid->domain = domain;
  jid->resource = resource;
  jid->bare = local != NULL ? g_strconcat (local, "@", domain, NULL) : g_strdup (domain);
  jid->full = resource != NULL ? g_strconcat (jid->bare, "/", resource, NULL) : jid->bare;
  jid->hash = g_str_hash (jid->full);
  return jid;
}

/* Each of @local and @resource may be absent (NULL, length ignored). */
static XmppJid *
jid_new_raw (const char *input,
             const char *local, gsize local_len,
             const char *domain, gsize domain_len,
             const char *resource, gsize resource_len,
             GError    **error)
{
  g_autofree char *l = NULL;
  g_autofree char *d = NULL;
  g_autofree char *r = NULL;

  if (local != NULL && (l = prepare_part (input, local, local_len, PART_LOCAL, error)) == NULL)
    return NULL;
  if ((d = prepare_domain (input, domain, domain_len, error)) == NULL)
    return NULL;
  if (resource != NULL && (r = prepare_part (input, resource, resource_len, PART_RESOURCE, error)) == NULL)
    return NULL;
  return jid_new_prepared (g_steal_pointer (&l), g_steal_pointer (&d), g_steal_pointer (&r));
}

/* @len may be -1 for a C string. */
static gboolean
check_text (const char *str, gssize len, GError **error)
{
  /* g_utf8_validate_len also refuses NUL, which would cut the address
   * short wherever it is next handled as a C string. */
  if (len < 0 ? !g_utf8_validate (str, -1, NULL) : !g_utf8_validate_len (str, len, NULL))
    {
      g_set_error_literal (error, XMPP_JID_ERROR, XMPP_JID_ERROR_INVALID_UTF8,
                           _("The address is not valid text: it is not UTF-8, or it contains a NUL character."));
      return FALSE;
    }
  return TRUE;
}

XmppJid *
xmpp_jid_new_len (const char *str, gssize len, GError **error)
{
  g_autofree char *input = NULL;
  const char *slash, *at, *domain;
  gsize bare_len;

  g_return_val_if_fail (str != NULL || len == 0, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (len < 0)
    len = strlen (str);
  if (len == 0)
    {
      g_set_error_literal (error, XMPP_JID_ERROR, XMPP_JID_ERROR_EMPTY,
                           _("An address cannot be empty."));
      return NULL;
    }
  if (!check_text (str, len, error))
    return NULL;
  input = g_strndup (str, len);

  /* RFC 7622 §3.1: the resource is everything after the first "/", and
   * the localpart ends at the first "@" before it. */
  slash = strchr (input, '/');
  bare_len = slash != NULL ? (gsize) (slash - input) : (gsize) len;
  at = memchr (input, '@', bare_len);
  domain = at != NULL ? at + 1 : input;
  return jid_new_raw (input,
                      at != NULL ? input : NULL, at != NULL ? (gsize) (at - input) : 0,
                      domain, input + bare_len - domain,
                      slash != NULL ? slash + 1 : NULL, slash != NULL ? strlen (slash + 1) : 0,
                      error);
}

XmppJid *
xmpp_jid_new (const char *str, GError **error)
{
  g_return_val_if_fail (str != NULL, NULL);
  return xmpp_jid_new_len (str, -1, error);
}

XmppJid *
xmpp_jid_new_from_parts (const char *local,
                         const char *domain,
                         const char *resource,
                         GError    **error)
{
  g_autofree char *input = NULL;

  g_return_val_if_fail (domain != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if ((local != NULL && !check_text (local, -1, error)) ||
      !check_text (domain, -1, error) ||
      (resource != NULL && !check_text (resource, -1, error)))
    return NULL;
  /* Only for messages: the address as the parts spell it. */
  input = g_strconcat (local != NULL ? local : "", local != NULL ? "@" : "",
                       domain,
                       resource != NULL ? "/" : "", resource != NULL ? resource : "",
                       NULL);
  return jid_new_raw (input,
                      local, local != NULL ? strlen (local) : 0,
                      domain, strlen (domain),
                      resource, resource != NULL ? strlen (resource) : 0,
                      error);
}

gboolean
xmpp_jid_string_is_valid (const char *str)
{
  g_autoptr(XmppJid) jid = NULL;

  g_return_val_if_fail (str != NULL, FALSE);
  jid = xmpp_jid_new (str, NULL);
  return jid != NULL;
}

XmppJid *
xmpp_jid_ref (XmppJid *jid)
{
  g_return_val_if_fail (jid != NULL, NULL);
  g_atomic_ref_count_inc (&jid->ref_count);
  return jid;
}

void
xmpp_jid_unref (XmppJid *jid)
{
  g_return_if_fail (jid != NULL);
  if (!g_atomic_ref_count_dec (&jid->ref_count))
    return;
  if (jid->full != jid->bare)
    g_free (jid->full);
  g_free (jid->bare);
  g_free (jid->local);
  g_free (jid->domain);
  g_free (jid->resource);
  g_free (jid);
}

/* ---- accessors ------------------------------------------------------- */

const char *
xmpp_jid_get_local (const XmppJid *jid)
{
  g_return_val_if_fail (jid != NULL, NULL);
  return jid->local;
}

const char *
xmpp_jid_get_domain (const XmppJid *jid)
{
  g_return_val_if_fail (jid != NULL, NULL);
  return jid->domain;
}

const char *
xmpp_jid_get_resource (const XmppJid *jid)
{
  g_return_val_if_fail (jid != NULL, NULL);
  return jid->resource;
}

const char *
xmpp_jid_to_string (const XmppJid *jid)
{
  g_return_val_if_fail (jid != NULL, NULL);
  return jid->full;
}

const char *
xmpp_jid_bare_string (const XmppJid *jid)
{
  g_return_val_if_fail (jid != NULL, NULL);
  return jid->bare;
}

gboolean
xmpp_jid_is_bare (const XmppJid *jid)
{
  g_return_val_if_fail (jid != NULL, FALSE);
  return jid->resource == NULL;
}

XmppJid *
xmpp_jid_get_bare (XmppJid *jid)
{
  g_return_val_if_fail (jid != NULL, NULL);
  if (jid->resource == NULL)
    return xmpp_jid_ref (jid);
  return jid_new_prepared (g_strdup (jid->local), g_strdup (jid->domain), NULL);
}

XmppJid *
xmpp_jid_with_resource (XmppJid *jid, const char *resource, GError **error)
{
  g_autofree char *input = NULL;
  g_autofree char *r = NULL;

  g_return_val_if_fail (jid != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (resource == NULL)
    return xmpp_jid_get_bare (jid);
  if (!check_text (resource, -1, error))
    return NULL;
  input = g_strconcat (jid->bare, "/", resource, NULL);
  r = prepare_part (input, resource, strlen (resource), PART_RESOURCE, error);
  if (r == NULL)
    return NULL;
  return jid_new_prepared (g_strdup (jid->local), g_strdup (jid->domain), g_steal_pointer (&r));
}

/* Parts are prepared, so equality is equality of strings (RFC 6122 §3). */
gboolean
xmpp_jid_equal (gconstpointer a, gconstpointer b)
{
  const XmppJid *ja = a, *jb = b;

  g_return_val_if_fail (a != NULL && b != NULL, FALSE);
  return ja == jb || (ja->hash == jb->hash && strcmp (ja->full, jb->full) == 0);
}

guint
xmpp_jid_hash (gconstpointer jid)
{
  g_return_val_if_fail (jid != NULL, 0);
  return ((const XmppJid *) jid)->hash;
}

gboolean
xmpp_jid_equal_bare (const XmppJid *a, const XmppJid *b)
{
  g_return_val_if_fail (a != NULL && b != NULL, FALSE);
  return a == b || strcmp (a->bare, b->bare) == 0;
}

/* ---- XEP-0106 escaping ----------------------------------------------- */

/* The ten escapes, lower case only: "CASE IS SIGNIFICANT" (§3.1). */
static const struct {
  char c;
  char hex[3];
} escapes[] = {
  { ' ', "20" }, { '"', "22" }, { '&', "26" }, { '\'', "27" }, { '/', "2f" },
  { ':', "3a" }, { '<', "3c" }, { '>', "3e" }, { '@', "40" }, { '\\', "5c" },
};

/* The character that an escape at @p stands for, or -1 when @p does not
 * start one of the ten: partial sequences ("\4"), other code points
 * ("\41") and, unless @any_case, upper case ("\2F") are left alone
 * (§4.3). */
static int
escape_at (const char *p, gboolean any_case)
{
  if (p[0] != '\\' || p[1] == '\0' || p[2] == '\0')
    return -1;
  for (guint i = 0; i < G_N_ELEMENTS (escapes); i++)
    {
      const char *hex = escapes[i].hex;

      if (any_case ? g_ascii_tolower (p[1]) == hex[0] && g_ascii_tolower (p[2]) == hex[1]
                   : p[1] == hex[0] && p[2] == hex[1])
        return (guchar) escapes[i].c;
    }
  return -1;
}

static const char *
hex_for (char c)
{
  for (guint i = 0; i < G_N_ELEMENTS (escapes); i++)
    if (escapes[i].c == c)
      return escapes[i].hex;
  return NULL;
}

/* §4.1 rule 7: a backslash is escaped only when it starts something that
 * reads as an escape ("c:\5commas" → "c\3a\5c5commas"); any other
 * backslash stays as it is ("c:\net" → "c\3a\net", which is what the rule
 * and §4.3 say, though the table of §5.1 shows "c\3a\5cnet"; both
 * unescape to "c:\net"). Upper case counts here, for nodeprep will fold
 * "\2F" into the escape "\2f" (§3.1 chose lower case for that reason).
 * "\20" may not begin or end a localpart (§4.1 rule 6): spaces at either
 * end are dropped, as nobody means them. */
char *
xmpp_jid_escape_local (const char *unescaped)
{
  const char *start, *end;
  GString *out;

  g_return_val_if_fail (unescaped != NULL, NULL);

  start = unescaped;
  end = unescaped + strlen (unescaped);
  while (start < end && *start == ' ')
    start++;
  while (end > start && end[-1] == ' ')
    end--;

  out = g_string_sized_new (end - start);
  for (const char *p = start; p < end; p++)
    {
      const char *hex = hex_for (*p);

      if (hex != NULL && (*p != '\\' || escape_at (p, TRUE) >= 0))
        g_string_append_printf (out, "\\%s", hex);
      else
        g_string_append_c (out, *p);
    }
  return g_string_free (out, FALSE);
}

/* Only the ten escapes are undone (§4.1 rule 3). A "\20" that begins or
 * ends the string is not one (rule 6) and stays, so that " admin" cannot
 * pass itself off as "admin" on screen. */
char *
xmpp_jid_unescape_local (const char *escaped)
{
  gsize len;
  GString *out;

  g_return_val_if_fail (escaped != NULL, NULL);

  len = strlen (escaped);
  out = g_string_sized_new (len);
  for (gsize i = 0; i < len; i++)
    {
      int c = escape_at (escaped + i, FALSE);

      if (c < 0 || (c == ' ' && (i == 0 || i + 3 == len)))
        {
          g_string_append_c (out, escaped[i]);
          continue;
        }
      g_string_append_c (out, (char) c);
      i += 2;
    }
  return g_string_free (out, FALSE);
}

char *
xmpp_jid_to_display (const XmppJid *jid)
{
  GString *out;

  g_return_val_if_fail (jid != NULL, NULL);

  out = g_string_new (NULL);
  if (jid->local != NULL)
    {
      g_autofree char *local = xmpp_jid_unescape_local (jid->local);
      g_string_append_printf (out, "%s@", local);
    }
  g_string_append (out, jid->domain);
  if (jid->resource != NULL)
    g_string_append_printf (out, "/%s", jid->resource);
  return g_string_free (out, FALSE);
}
