/* xmpp-scram.c: SCRAM client (RFC 5802, RFC 7677) with XEP-0474.
 *
 * The exchange: client-first "gs2-header n=user,r=cnonce"; server-first
 * "r=cnonce+snonce,s=salt,i=count[,ext]"; client-final "c=base64(gs2-header
 * [+ cb-data]),r=nonce,p=proof"; server-final "v=signature" or "e=error".
 * Every server message is parsed strictly: a lenient parser is where a
 * hostile server or a man in the middle gets its foot in.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "xmpp-scram.h"
#include "xmpp-sasl-private.h"

#include <glib/gi18n-lib.h>
#include <gnutls/crypto.h>
#include <gnutls/gnutls.h>
#include <string.h>

/* Random bytes in our nonce: 192 bits, 32 base64 characters, longer than
 * the nonces of RFC 5802 §5 and RFC 7677 §3 (24 and 20 characters). */
#define NONCE_BYTES 24
/* Server messages are a few hundred bytes; more is not SCRAM. */
#define MESSAGE_MAX 8192
/* The longest hash output (SHA-512). */
#define HASH_MAX 64

typedef struct {
  const char               *name;
  gnutls_mac_algorithm_t    mac;
  gnutls_digest_algorithm_t digest;
  gsize                     size;   /* bytes of hash output */
  gboolean                  plus;   /* channel binding */
} ScramMech;

static const ScramMech scram_mechs[] = {
  { "SCRAM-SHA-1", GNUTLS_MAC_SHA1, GNUTLS_DIG_SHA1, 20, FALSE },
  { "SCRAM-SHA-1-PLUS", GNUTLS_MAC_SHA1, GNUTLS_DIG_SHA1, 20, TRUE },
  { "SCRAM-SHA-256", GNUTLS_MAC_SHA256, GNUTLS_DIG_SHA256, 32, FALSE },
  { "SCRAM-SHA-256-PLUS", GNUTLS_MAC_SHA256, GNUTLS_DIG_SHA256, 32, TRUE },
  { "SCRAM-SHA-512", GNUTLS_MAC_SHA512, GNUTLS_DIG_SHA512, 64, FALSE },
  { "SCRAM-SHA-512-PLUS", GNUTLS_MAC_SHA512, GNUTLS_DIG_SHA512, 64, TRUE },
};

typedef enum {
  STATE_NEW,
  STATE_FIRST_SENT,
  STATE_FINAL_SENT,
  STATE_DONE,
  STATE_FAILED,
} State;

struct _XmppScram {
  const ScramMech  *mech;
  State             state;
  char             *gs2_header;        /* "n,,", "y,," or "p=<type>,," */
  GBytes           *cb_data;           /* NULL unless 'p' */
  char             *username;          /* prepared and escaped */
  char             *password;          /* prepared; wiped once used */
  char             *client_nonce;
  char             *client_first_bare;
  guint8            server_signature[HASH_MAX];
  /* XEP-0474 */
  gboolean          offered_set;
  GStrv             offered_mechanisms;
  GStrv             offered_cb_types;  /* NULL: no XEP-0440 list */
  XmppSaslDowngrade downgrade;
};

/* The keys of RFC 5802 §3, all secrets. */
typedef struct {
  guint8 client_key[HASH_MAX];
  guint8 stored_key[HASH_MAX];
  guint8 server_key[HASH_MAX];
} Keys;

/* What server-first carries, parsed. */
typedef struct {
  const char *nonce;       /* into the split message */
  guint8     *salt;
  gsize       salt_length;
  guint       iterations;
  const char *ssdp;        /* XEP-0474 "h", or NULL */
} ServerFirst;

static const ScramMech *
find_mech (const char *name)
{
  for (guint i = 0; name != NULL && i < G_N_ELEMENTS (scram_mechs); i++)
    if (strcmp (name, scram_mechs[i].name) == 0)
      return &scram_mechs[i];
  return NULL;
}

gboolean
xmpp_scram_is_supported (const char *mechanism)
{
  return find_mech (mechanism) != NULL;
}

/* ---- errors ----------------------------------------------------------- */

static void
set_malformed (GError **error, const char *reason)
{
  /* TRANSLATORS: %s says what is wrong, as a sentence of its own. */
  g_set_error (error, XMPP_AUTH_ERROR, XMPP_AUTH_ERROR_MALFORMED,
               _("The server’s SCRAM message is malformed: %s"), reason);
}

/* A value from the server, made safe to show: printable ASCII, short. */
static char *
shown_value (const char *value)
{
  GString *out = g_string_new (NULL);

  for (const char *p = value; *p != '\0' && out->len < 64; p++)
    g_string_append_c (out, g_ascii_isprint (*p) ? *p : '?');
  return g_string_free (out, FALSE);
}

/* RFC 5802 §7 server-error-value, sent as "e=…" in place of a message. */
static void
set_server_error (GError **error, const char *value)
{
  g_autofree char *shown = shown_value (value);

  if (strcmp (value, "invalid-proof") == 0 || strcmp (value, "unknown-user") == 0)
    g_set_error_literal (error, XMPP_AUTH_ERROR, XMPP_AUTH_ERROR_NOT_AUTHORIZED,
                         _("The password is wrong, or there is no such account."));
  else if (strcmp (value, "channel-bindings-dont-match") == 0)
    g_set_error_literal (error, XMPP_AUTH_ERROR, XMPP_AUTH_ERROR_CHANNEL_BINDING,
                         _("The server sees a different secure connection than "
                           "Lorikeet does: someone may be intercepting it."));
  else if (strcmp (value, "server-does-support-channel-binding") == 0)
    g_set_error_literal (error, XMPP_AUTH_ERROR, XMPP_AUTH_ERROR_DOWNGRADE,
                         _("The server supports channel binding, but its offer "
                           "of it never reached Lorikeet: someone may have "
                           "removed it."));
  else if (strcmp (value, "channel-binding-not-supported") == 0
           || strcmp (value, "unsupported-channel-binding-type") == 0)
    g_set_error_literal (error, XMPP_AUTH_ERROR, XMPP_AUTH_ERROR_CHANNEL_BINDING,
                         _("The server cannot use the channel binding Lorikeet "
                           "chose."));
  else if (strcmp (value, "no-resources") == 0)
    g_set_error_literal (error, XMPP_AUTH_ERROR, XMPP_AUTH_ERROR_TEMPORARY_FAILURE,
                         _("The server cannot check the password just now; "
                           "try again later."));
  else
    /* TRANSLATORS: %s is the server's name for the failure. */
    g_set_error (error, XMPP_AUTH_ERROR, XMPP_AUTH_ERROR_FAILED,
                 _("The server refused the sign-in (“%s”)."), shown);
}

/* ---- user name -------------------------------------------------------- */

/* RFC 5802 §5.1: "," and "=" in a user name are written "=2C" and "=3D". */
static char *
escape_username (const char *name)
{
  GString *out = g_string_new (NULL);

  for (const char *p = name; *p != '\0'; p++)
    {
      if (*p == ',')
        g_string_append (out, "=2C");
      else if (*p == '=')
        g_string_append (out, "=3D");
      else
        g_string_append_c (out, *p);
    }
  return g_string_free (out, FALSE);
}

/* ---- construction ----------------------------------------------------- */

static char *
make_nonce (GError **error)
{
  guint8 bytes[NONCE_BYTES];
  int rc = gnutls_rnd (GNUTLS_RND_NONCE, bytes, sizeof bytes);

  if (rc < 0)
    {
      xmpp_sasl_set_crypto_error (error, rc);
      return NULL;
    }
  return g_base64_encode (bytes, sizeof bytes);
}

static char *
make_gs2_header (char gs2_flag, XmppSaslCbType cb_type)
{
  if (gs2_flag == 'p')
    return g_strdup_printf ("p=%s,,", xmpp_sasl_cb_type_to_string (cb_type));
  return g_strdup_printf ("%c,,", gs2_flag);
}

static gboolean
arguments_agree (const ScramMech *mech, char gs2_flag, XmppSaslCbType cb_type,
                 GBytes *cb_data)
{
  if (mech->plus)
    return gs2_flag == 'p' && xmpp_sasl_cb_type_to_string (cb_type) != NULL
           && cb_data != NULL && g_bytes_get_size (cb_data) > 0;
  return (gs2_flag == 'n' || gs2_flag == 'y') && cb_type == XMPP_SASL_CB_NONE
         && cb_data == NULL;
}

static gboolean
prepare_credentials (XmppScram *self, const char *username,
                     const char *password, GError **error)
{
  g_autofree char *name = xmpp_sasl_prepare (username, FALSE, error);

  if (name == NULL)
    return FALSE;
  self->password = xmpp_sasl_prepare (password, TRUE, error);
  if (self->password == NULL)
    return FALSE;
  self->username = escape_username (name);
  return TRUE;
}

XmppScram *
xmpp_scram_new (const char     *mechanism,
                char            gs2_flag,
                XmppSaslCbType  cb_type,
                GBytes         *cb_data,
                const char     *username,
                const char     *password,
                GError        **error)
{
  const ScramMech *mech = find_mech (mechanism);
  g_autoptr(XmppScram) self = NULL;

  if (mech == NULL)
    {
      g_set_error (error, XMPP_AUTH_ERROR, XMPP_AUTH_ERROR_INVALID_MECHANISM,
                   _("Lorikeet does not support the sign-in method “%s”."),
                   mechanism != NULL ? mechanism : "");
      return NULL;
    }
  g_return_val_if_fail (arguments_agree (mech, gs2_flag, cb_type, cb_data), NULL);

  self = g_new0 (XmppScram, 1);
  self->mech = mech;
  self->gs2_header = make_gs2_header (gs2_flag, cb_type);
  self->cb_data = cb_data != NULL ? g_bytes_ref (cb_data) : NULL;
  if (!prepare_credentials (self, username, password, error))
    return NULL;
  self->client_nonce = make_nonce (error);
  if (self->client_nonce == NULL)
    return NULL;
  return g_steal_pointer (&self);
}

void
xmpp_scram_free (XmppScram *self)
{
  if (self == NULL)
    return;
  xmpp_sasl_wipe_string (&self->password);
  gnutls_memset (self->server_signature, 0, sizeof self->server_signature);
  g_free (self->gs2_header);
  g_clear_pointer (&self->cb_data, g_bytes_unref);
  g_free (self->username);
  g_free (self->client_nonce);
  g_free (self->client_first_bare);
  g_strfreev (self->offered_mechanisms);
  g_strfreev (self->offered_cb_types);
  g_free (self);
}

static gboolean
is_nonce_char (char c)
{
  /* RFC 5802 §7 "printable": %x21-2B / %x2D-7E. */
  return c >= 0x21 && c <= 0x7e && c != ',';
}

static gboolean
is_valid_nonce (const char *nonce)
{
  if (*nonce == '\0')
    return FALSE;
  for (const char *p = nonce; *p != '\0'; p++)
    if (!is_nonce_char (*p))
      return FALSE;
  return TRUE;
}

void
xmpp_scram_set_client_nonce (XmppScram  *self,
                             const char *nonce)
{
  g_return_if_fail (self != NULL && self->state == STATE_NEW);
  g_return_if_fail (nonce != NULL && is_valid_nonce (nonce));

  g_free (self->client_nonce);
  self->client_nonce = g_strdup (nonce);
}

void
xmpp_scram_set_offered (XmppScram          *self,
                        const char * const *mechanisms,
                        const char * const *cb_types)
{
  static const char * const none[] = { NULL };

  g_return_if_fail (self != NULL && self->state == STATE_NEW);

  g_strfreev (self->offered_mechanisms);
  g_strfreev (self->offered_cb_types);
  self->offered_mechanisms = g_strdupv ((GStrv) (mechanisms != NULL ? mechanisms : none));
  self->offered_cb_types = g_strdupv ((GStrv) cb_types);
  self->offered_set = TRUE;
}

XmppSaslDowngrade
xmpp_scram_get_downgrade (XmppScram *self)
{
  g_return_val_if_fail (self != NULL, XMPP_SASL_DOWNGRADE_UNCHECKED);
  return self->downgrade;
}

char *
xmpp_scram_client_first (XmppScram *self)
{
  g_return_val_if_fail (self != NULL && self->state == STATE_NEW, NULL);

  self->client_first_bare = g_strdup_printf ("n=%s,r=%s", self->username,
                                             self->client_nonce);
  self->state = STATE_FIRST_SENT;
  return g_strconcat (self->gs2_header, self->client_first_bare, NULL);
}

/* ---- XEP-0474 --------------------------------------------------------- */

static int
compare_octets (gconstpointer a, gconstpointer b)
{
  /* strcmp() compares as unsigned char: the "i;octet" order of RFC 4790. */
  return strcmp (*(const char * const *) a, *(const char * const *) b);
}

static void
append_sorted (GString *out, const char * const *items)
{
  g_autoptr(GPtrArray) sorted = g_ptr_array_new ();

  for (guint i = 0; items != NULL && items[i] != NULL; i++)
    g_ptr_array_add (sorted, (gpointer) items[i]);
  g_ptr_array_sort (sorted, compare_octets);
  for (guint i = 0; i < sorted->len; i++)
    {
      if (i > 0)
        g_string_append_c (out, 0x1e);
      g_string_append (out, g_ptr_array_index (sorted, i));
    }
}

static char *
downgrade_hash (const ScramMech *mech, const char * const *mechanisms,
                const char * const *cb_types)
{
  g_autoptr(GString) input = g_string_new (NULL);
  guint8 digest[HASH_MAX];

  append_sorted (input, mechanisms);
  if (cb_types != NULL)
    {
      g_string_append_c (input, 0x1f);
      append_sorted (input, cb_types);
    }
  if (gnutls_hash_fast (mech->digest, input->str, input->len, digest) < 0)
    return NULL;
  return g_base64_encode (digest, mech->size);
}

char *
xmpp_scram_downgrade_hash (const char         *mechanism,
                           const char * const *mechanisms,
                           const char * const *cb_types)
{
  const ScramMech *mech = find_mech (mechanism);

  return mech != NULL ? downgrade_hash (mech, mechanisms, cb_types) : NULL;
}

/* The server's "h" covers the lists it sent; ours, the lists we received.
 * A difference means someone edited them on the way (XEP-0474, "Client
 * Verifies The Downgrade Protection Hash"). */
static gboolean
check_downgrade (XmppScram *self, const char *server_hash, GError **error)
{
  g_autofree char *ours = NULL;

  if (!self->offered_set)
    return TRUE;
  if (server_hash == NULL)
    {
      self->downgrade = XMPP_SASL_DOWNGRADE_NOT_OFFERED;
      return TRUE;
    }
  ours = downgrade_hash (self->mech,
                         (const char * const *) self->offered_mechanisms,
                         (const char * const *) self->offered_cb_types);
  if (ours == NULL || strcmp (ours, server_hash) != 0)
    {
      g_set_error_literal (error, XMPP_AUTH_ERROR, XMPP_AUTH_ERROR_DOWNGRADE,
                           _("The sign-in methods the server offered were "
                             "changed on the way: someone may be intercepting "
                             "the connection."));
      return FALSE;
    }
  self->downgrade = XMPP_SASL_DOWNGRADE_VERIFIED;
  return TRUE;
}

/* ---- parsing server messages ------------------------------------------ */

/* A NUL-terminated copy of a server message, or NULL when it cannot be
 * SCRAM: too long, an embedded NUL, not UTF-8. */
static char *
copy_message (const char *data, gsize length, GError **error)
{
  if (length == 0)
    set_malformed (error, _("it is empty."));
  else if (length > MESSAGE_MAX)
    set_malformed (error, _("it is far too long."));
  /* With a length, g_utf8_validate() also refuses NUL bytes. */
  else if (!g_utf8_validate (data, length, NULL))
    set_malformed (error, _("it is not valid text."));
  else
    return g_strndup (data, length);
  return NULL;
}

/* Splits at ","; every attribute must be a letter, "=" and a value. */
static GStrv
split_attributes (const char *message, GError **error)
{
  g_auto(GStrv) attrs = g_strsplit (message, ",", -1);

  for (guint i = 0; attrs[i] != NULL; i++)
    if (!g_ascii_isalpha (attrs[i][0]) || attrs[i][1] != '=')
      {
        set_malformed (error, _("an attribute is not of the form “a=value”."));
        return NULL;
      }
  return g_steal_pointer (&attrs);
}

/* Either message may be "e=…", the server's error, in place of the rest;
 * we also accept it first in server-first, where some servers put it. */
static gboolean
check_server_error (GStrv attrs, GError **error)
{
  if (attrs[0] == NULL)
    {
      set_malformed (error, _("it is empty."));
      return FALSE;
    }
  if (attrs[0][0] == 'e')
    {
      set_server_error (error, attrs[0] + 2);
      return FALSE;
    }
  return TRUE;
}

static gboolean
parse_nonce (XmppScram *self, const char *nonce, GError **error)
{
  if (!g_str_has_prefix (nonce, self->client_nonce))
    set_malformed (error, _("the nonce does not start with the one Lorikeet sent."));
  else if (strlen (nonce) == strlen (self->client_nonce))
    set_malformed (error, _("the server added nothing to the nonce."));
  else if (!is_valid_nonce (nonce))
    set_malformed (error, _("the nonce contains characters SCRAM forbids."));
  else
    return TRUE;
  return FALSE;
}

static gboolean
parse_iterations (const char *text, guint *out, GError **error)
{
  guint64 n = 0;

  /* posit-number = %x31-39 *DIGIT: no sign, no leading zero. */
  if (text[0] < '1' || text[0] > '9' || strspn (text, "0123456789") != strlen (text))
    {
      set_malformed (error, _("the iteration count is not a positive number."));
      return FALSE;
    }
  if (strlen (text) > 10
      || !g_ascii_string_to_unsigned (text, 10, 1, G_MAXUINT, &n, NULL)
      || n > XMPP_SCRAM_MAX_ITERATIONS)
    {
      /* TRANSLATORS: %d is a number, one million. */
      g_set_error (error, XMPP_AUTH_ERROR, XMPP_AUTH_ERROR_MALFORMED,
                   _("The server asks for more than %d iterations of the "
                     "password hash, which would keep this device busy for "
                     "no gain."), XMPP_SCRAM_MAX_ITERATIONS);
      return FALSE;
    }
  if (n < XMPP_SCRAM_MIN_ITERATIONS)
    {
      /* TRANSLATORS: %u is the count the server asked for, %d the least
       * that Lorikeet accepts (4096). */
      g_set_error (error, XMPP_AUTH_ERROR, XMPP_AUTH_ERROR_INSECURE,
                   _("The server asks for only %u iterations of the password "
                     "hash; with fewer than %d, anyone who sees this sign-in "
                     "could guess the password quickly."),
                   (guint) n, XMPP_SCRAM_MIN_ITERATIONS);
      return FALSE;
    }
  *out = (guint) n;
  return TRUE;
}

/* RFC 5802 §5.1: "m" announces an extension we must understand and, none
 * being defined, cannot; other unknown attributes are ignored. */
static gboolean
check_no_mandatory (GStrv attrs, GError **error)
{
  for (guint i = 0; attrs[i] != NULL; i++)
    if (attrs[i][0] == 'm')
      {
        set_malformed (error, _("it requires an extension Lorikeet does not know."));
        return FALSE;
      }
  return TRUE;
}

/* Optional attributes after "i": "h" (XEP-0474), at most once. */
static gboolean
parse_extensions (GStrv attrs, ServerFirst *first, GError **error)
{
  for (guint i = 0; attrs[i] != NULL; i++)
    {
      if (attrs[i][0] != 'h')
        continue;
      if (first->ssdp != NULL)
        {
          set_malformed (error, _("it holds two downgrade-protection hashes."));
          return FALSE;
        }
      first->ssdp = attrs[i] + 2;
    }
  return TRUE;
}

static gboolean
parse_server_first (XmppScram *self, GStrv attrs, ServerFirst *first,
                    GError **error)
{
  if (!check_server_error (attrs, error) || !check_no_mandatory (attrs, error))
    return FALSE;
  if (g_strv_length (attrs) < 3 || attrs[0][0] != 'r' || attrs[1][0] != 's'
      || attrs[2][0] != 'i')
    {
      set_malformed (error, _("it does not start with a nonce, a salt and an "
                              "iteration count."));
      return FALSE;
    }
  if (!parse_nonce (self, attrs[0] + 2, error))
    return FALSE;
  first->nonce = attrs[0] + 2;
  first->salt = xmpp_sasl_base64_decode_strict (attrs[1] + 2, &first->salt_length);
  if (first->salt == NULL)
    {
      set_malformed (error, _("the salt is missing or is not base64."));
      return FALSE;
    }
  return parse_iterations (attrs[2] + 2, &first->iterations, error)
         && parse_extensions (attrs + 3, first, error);
}

/* ---- the proof -------------------------------------------------------- */

static gboolean
hmac (const ScramMech *mech, const guint8 *key, gsize key_length,
      const void *text, gsize text_length, guint8 *out, GError **error)
{
  int rc = gnutls_hmac_fast (mech->mac, key, key_length, text, text_length, out);

  if (rc < 0)
    xmpp_sasl_set_crypto_error (error, rc);
  return rc >= 0;
}

/* RFC 5802 §3: SaltedPassword = Hi(password, salt, i), PBKDF2 with the
 * mechanism's HMAC; the keys derive from it. */
static gboolean
derive_keys (XmppScram *self, const ServerFirst *first, Keys *keys,
             GError **error)
{
  const ScramMech *mech = self->mech;
  guint8 salted[HASH_MAX];
  gnutls_datum_t password = { (guint8 *) self->password, strlen (self->password) };
  gnutls_datum_t salt = { first->salt, first->salt_length };
  gboolean ok = FALSE;
  int rc;

  rc = gnutls_pbkdf2 (mech->mac, &password, &salt, first->iterations, salted,
                      mech->size);
  if (rc < 0)
    xmpp_sasl_set_crypto_error (error, rc);
  else if (hmac (mech, salted, mech->size, "Client Key", 10, keys->client_key, error)
           && hmac (mech, salted, mech->size, "Server Key", 10, keys->server_key, error))
    {
      rc = gnutls_hash_fast (mech->digest, keys->client_key, mech->size,
                             keys->stored_key);
      if (rc < 0)
        xmpp_sasl_set_crypto_error (error, rc);
      ok = rc >= 0;
    }
  gnutls_memset (salted, 0, sizeof salted);
  return ok;
}

/* "c=": the gs2 header, then for -PLUS the binding data itself. */
static char *
channel_binding_attribute (XmppScram *self)
{
  g_autoptr(GByteArray) input = g_byte_array_new ();

  g_byte_array_append (input, (const guint8 *) self->gs2_header,
                       strlen (self->gs2_header));
  if (self->cb_data != NULL)
    g_byte_array_append (input, g_bytes_get_data (self->cb_data, NULL),
                         g_bytes_get_size (self->cb_data));
  return g_base64_encode (input->data, input->len);
}

/* ClientProof = ClientKey XOR HMAC(StoredKey, AuthMessage), base64; the
 * server's signature, HMAC(ServerKey, AuthMessage), is kept to check. */
static char *
prove (XmppScram *self, const Keys *keys, const char *auth_message,
       GError **error)
{
  const ScramMech *mech = self->mech;
  guint8 signature[HASH_MAX];
  char *proof = NULL;

  if (hmac (mech, keys->stored_key, mech->size, auth_message,
            strlen (auth_message), signature, error)
      && hmac (mech, keys->server_key, mech->size, auth_message,
               strlen (auth_message), self->server_signature, error))
    {
      for (gsize i = 0; i < mech->size; i++)
        signature[i] ^= keys->client_key[i];
      proof = g_base64_encode (signature, mech->size);
    }
  gnutls_memset (signature, 0, sizeof signature);
  return proof;
}

static char *
build_client_final (XmppScram *self, const char *server_first,
                    const ServerFirst *first, GError **error)
{
  g_autofree char *cbind = channel_binding_attribute (self);
  g_autofree char *without_proof = g_strdup_printf ("c=%s,r=%s", cbind, first->nonce);
  g_autofree char *auth_message = NULL;
  g_autofree char *proof = NULL;
  Keys keys;

  auth_message = g_strdup_printf ("%s,%s,%s", self->client_first_bare,
                                  server_first, without_proof);
  if (derive_keys (self, first, &keys, error))
    proof = prove (self, &keys, auth_message, error);
  gnutls_memset (&keys, 0, sizeof keys);
  if (proof == NULL)
    return NULL;
  return g_strdup_printf ("%s,p=%s", without_proof, proof);
}

char *
xmpp_scram_client_final (XmppScram   *self,
                         const char  *server_first,
                         gsize        length,
                         GError     **error)
{
  g_autofree char *message = NULL;
  g_auto(GStrv) attrs = NULL;
  ServerFirst first = { 0 };
  char *result = NULL;

  g_return_val_if_fail (self != NULL && self->state == STATE_FIRST_SENT, NULL);
  g_return_val_if_fail (server_first != NULL || length == 0, NULL);

  self->state = STATE_FAILED;
  message = copy_message (server_first, length, error);
  if (message != NULL)
    attrs = split_attributes (message, error);
  if (attrs != NULL && parse_server_first (self, attrs, &first, error)
      && check_downgrade (self, first.ssdp, error))
    result = build_client_final (self, message, &first, error);
  if (result != NULL)
    self->state = STATE_FINAL_SENT;
  /* One try per password: it is not needed again either way. */
  xmpp_sasl_wipe_string (&self->password);
  g_free (first.salt);
  return result;
}

static gboolean
check_signature (XmppScram *self, const char *value, GError **error)
{
  gsize length = 0;
  g_autofree guint8 *signature = xmpp_sasl_base64_decode_strict (value, &length);

  if (signature == NULL)
    {
      set_malformed (error, _("the server signature is not base64."));
      return FALSE;
    }
  if (length != self->mech->size
      || !xmpp_sasl_equal_secret (signature, self->server_signature, length))
    {
      g_set_error_literal (error, XMPP_AUTH_ERROR, XMPP_AUTH_ERROR_SERVER_SIGNATURE,
                           _("The server did not prove that it knows the "
                             "password: it may be an impostor."));
      return FALSE;
    }
  return TRUE;
}

static gboolean
parse_server_final (XmppScram *self, GStrv attrs, GError **error)
{
  if (!check_server_error (attrs, error) || !check_no_mandatory (attrs, error))
    return FALSE;
  if (attrs[0][0] != 'v')
    {
      set_malformed (error, _("it carries no server signature."));
      return FALSE;
    }
  return check_signature (self, attrs[0] + 2, error);
}

gboolean
xmpp_scram_verify_server_final (XmppScram   *self,
                                const char  *server_final,
                                gsize        length,
                                GError     **error)
{
  g_autofree char *message = NULL;
  g_auto(GStrv) attrs = NULL;
  gboolean ok;

  g_return_val_if_fail (self != NULL && self->state == STATE_FINAL_SENT, FALSE);
  g_return_val_if_fail (server_final != NULL || length == 0, FALSE);

  message = copy_message (server_final, length, error);
  if (message != NULL)
    attrs = split_attributes (message, error);
  ok = attrs != NULL && parse_server_final (self, attrs, error);
  gnutls_memset (self->server_signature, 0, sizeof self->server_signature);
  self->state = ok ? STATE_DONE : STATE_FAILED;
  return ok;
}
