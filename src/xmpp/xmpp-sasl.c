/* xmpp-sasl.c: choosing the mechanism, PLAIN, and one sign-in driven
 * through any mechanism (XmppSasl).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "xmpp-sasl.h"
#include "xmpp-sasl-private.h"
#include "xmpp-scram.h"

#include <glib/gi18n-lib.h>
#include <gnutls/gnutls.h>
#include <stdlib.h>
#include <string.h>
#include <stringprep.h>

/* ---- helpers ---------------------------------------------------------- */

gboolean
xmpp_sasl_equal_secret (const void *a,
                        const void *b,
                        gsize       length)
{
  const volatile guint8 *x = a;
  const volatile guint8 *y = b;
  guint8 diff = 0;

  for (gsize i = 0; i < length; i++)
    diff |= x[i] ^ y[i];
  return diff == 0;
}

static gboolean
is_base64_char (char c)
{
  return g_ascii_isalnum (c) || c == '+' || c == '/';
}

guint8 *
xmpp_sasl_base64_decode_strict (const char *text,
                                gsize      *out_length)
{
  gsize length = strlen (text);
  gsize padding = 0;

  if (length == 0 || length % 4 != 0)
    return NULL;
  while (padding < 2 && text[length - 1 - padding] == '=')
    padding++;
  for (gsize i = 0; i < length - padding; i++)
    if (!is_base64_char (text[i]))
      return NULL;
  return g_base64_decode (text, out_length);
}

void
xmpp_sasl_set_crypto_error (GError **error,
                            int      gnutls_code)
{
  /* TRANSLATORS: %s is GnuTLS's own explanation, in English. */
  g_set_error (error, XMPP_AUTH_ERROR, XMPP_AUTH_ERROR_FAILED,
               _("The cryptography for signing in failed (%s)."),
               gnutls_strerror (gnutls_code));
}

void
xmpp_sasl_wipe_string (char **str)
{
  if (*str == NULL)
    return;
  gnutls_memset (*str, 0, strlen (*str));
  g_clear_pointer (str, g_free);
}

typedef struct {
  gsize  length;
  guint8 data[];
} SecretBuffer;

static void
secret_buffer_free (gpointer data)
{
  SecretBuffer *buffer = data;

  gnutls_memset (buffer->data, 0, buffer->length);
  g_free (buffer);
}

GBytes *
xmpp_sasl_secret_bytes_new (const void *data,
                            gsize       length)
{
  SecretBuffer *buffer = g_malloc (sizeof (SecretBuffer) + length);

  buffer->length = length;
  memcpy (buffer->data, data, length);
  return g_bytes_new_with_free_func (buffer->data, length, secret_buffer_free,
                                     buffer);
}

void
xmpp_sasl_set_no_cb_data_error (GError        **error,
                                XmppSaslCbType  type)
{
  /* TRANSLATORS: %s is a channel-binding type, such as "tls-exporter". */
  g_set_error (error, XMPP_AUTH_ERROR, XMPP_AUTH_ERROR_CHANNEL_BINDING,
               _("The connection cannot provide the channel binding “%s”."),
               xmpp_sasl_cb_type_to_string (type));
}

/* ---- SASLprep --------------------------------------------------------- */

static const char *
prepare_reason (int rc)
{
  switch (rc)
    {
    case STRINGPREP_CONTAINS_PROHIBITED:
      return _("it contains a character SASLprep (RFC 4013) forbids, such as "
               "a control character.");
    case STRINGPREP_BIDI_BOTH_L_AND_RAL:
    case STRINGPREP_BIDI_LEADTRAIL_NOT_RAL:
    case STRINGPREP_BIDI_CONTAINS_PROHIBITED:
      return _("it mixes right-to-left and left-to-right text in a way "
               "SASLprep (RFC 4013) forbids.");
    default:
      return _("it is not valid text.");
    }
}

static void
set_prepare_error (GError **error, gboolean is_password, const char *reason)
{
  if (is_password)
    /* TRANSLATORS: %s says why, as a sentence of its own. */
    g_set_error (error, XMPP_AUTH_ERROR, XMPP_AUTH_ERROR_SASLPREP,
                 _("The password cannot be used to sign in: %s"), reason);
  else
    /* TRANSLATORS: %s says why, as a sentence of its own. */
    g_set_error (error, XMPP_AUTH_ERROR, XMPP_AUTH_ERROR_SASLPREP,
                 _("The user name cannot be used to sign in: %s"), reason);
}

/* RFC 5802 §2.2 prepares passwords as "stored strings", refusing code
 * points unassigned in Unicode 3.2. We prepare them as queries, allowing
 * those, for the reason xmpp-jid.c gives: stringprep stopped at Unicode
 * 3.2, so a password with any later character (an emoji) would be refused
 * here although servers that prepare it as a query, or not at all, accept
 * it; unassigned characters pass through unchanged, so both ends still
 * agree. Prohibited characters and bidi errors are still refused.
 * (libidn's own working copies of the password are freed unwiped: nothing
 * to be done about that from here.) */
char *
xmpp_sasl_prepare (const char *input,
                   gboolean    is_password,
                   GError    **error)
{
  char *prepared = NULL;
  char *result;
  int rc;

  if (input == NULL || !g_utf8_validate (input, -1, NULL))
    {
      set_prepare_error (error, is_password, _("it is not valid text."));
      return NULL;
    }
  rc = stringprep_profile (input, &prepared, "SASLprep", 0);
  if (rc != STRINGPREP_OK)
    {
      set_prepare_error (error, is_password, prepare_reason (rc));
      return NULL;
    }
  result = *prepared != '\0' ? g_strdup (prepared) : NULL;
  gnutls_memset (prepared, 0, strlen (prepared));
  free (prepared);
  if (result == NULL)
    set_prepare_error (error, is_password, _("it is empty."));
  return result;
}

/* ---- channel-binding types -------------------------------------------- */

static const struct {
  XmppSaslCbType type;
  const char    *name;
} cb_names[] = {
  { XMPP_SASL_CB_TLS_UNIQUE, "tls-unique" },
  { XMPP_SASL_CB_TLS_SERVER_END_POINT, "tls-server-end-point" },
  { XMPP_SASL_CB_TLS_EXPORTER, "tls-exporter" },
};

const char *
xmpp_sasl_cb_type_to_string (XmppSaslCbType type)
{
  for (guint i = 0; i < G_N_ELEMENTS (cb_names); i++)
    if (cb_names[i].type == type)
      return cb_names[i].name;
  return NULL;
}

XmppSaslCbType
xmpp_sasl_cb_type_from_string (const char *name)
{
  for (guint i = 0; name != NULL && i < G_N_ELEMENTS (cb_names); i++)
    if (strcmp (cb_names[i].name, name) == 0)
      return cb_names[i].type;
  return XMPP_SASL_CB_NONE;
}

/* ---- choosing --------------------------------------------------------- */

/* Best first. Channel binding outranks the hash: it is what stops a man in
 * the middle holding a certificate for the domain, while SHA-1 in HMAC and
 * PBKDF2 is not broken. */
static const char * const scram_plus_order[] = {
  "SCRAM-SHA-512-PLUS", "SCRAM-SHA-256-PLUS", "SCRAM-SHA-1-PLUS", NULL,
};
static const char * const scram_order[] = {
  "SCRAM-SHA-512", "SCRAM-SHA-256", "SCRAM-SHA-1", NULL,
};
/* tls-exporter binds to the whole handshake (RFC 9266); tls-server-end-point
 * only to the certificate, which a thief of the key also has; tls-unique is
 * weak without extended master secret (RFC 7627), and 1.2 only. */
static const XmppSaslCbType cb_order[] = {
  XMPP_SASL_CB_TLS_EXPORTER,
  XMPP_SASL_CB_TLS_SERVER_END_POINT,
  XMPP_SASL_CB_TLS_UNIQUE,
};

void
xmpp_sasl_choice_clear (XmppSaslChoice *choice)
{
  g_clear_pointer (&choice->reason, g_free);
  memset (choice, 0, sizeof *choice);
}

static gboolean
is_offered (const char * const *offered, const char *name)
{
  return offered != NULL && g_strv_contains (offered, name);
}

static const char *
first_offered (const char * const *offered, const char * const *candidates)
{
  for (guint i = 0; candidates[i] != NULL; i++)
    if (is_offered (offered, candidates[i]))
      return candidates[i];
  return NULL;
}

static gboolean
any_scram_offered (const char * const *offered)
{
  for (guint i = 0; offered != NULL && offered[i] != NULL; i++)
    if (g_str_has_prefix (offered[i], "SCRAM-"))
      return TRUE;
  return FALSE;
}

static const char *
tls_version_string (const XmppSaslTlsInfo *tls)
{
  return tls->version == XMPP_SASL_TLS_1_3 ? "1.3" : "1.2";
}

/* tls-unique is not defined for TLS 1.3 (RFC 9266), whatever the TLS
 * layer claims. */
XmppSaslCbType
xmpp_sasl_local_cb_types (const XmppSaslTlsInfo *tls)
{
  switch (tls->version)
    {
    case XMPP_SASL_TLS_NONE:
      return XMPP_SASL_CB_NONE;
    case XMPP_SASL_TLS_1_3:
      return tls->cb_types & ~XMPP_SASL_CB_TLS_UNIQUE;
    default:
      return tls->cb_types;
    }
}

/* What both ends can use. With a XEP-0440 list, whatever it shares with
 * us. Without one, RFC 5802's default, tls-unique, on TLS 1.2; on TLS 1.3
 * nothing: RFC 9266 makes tls-exporter the default there, but servers that
 * predate XEP-0440 advertise -PLUS for tls-unique only, and a wrong guess
 * fails like a wrong password (XEP-0474, attack model 1, case 3), so we
 * do not guess. */
static XmppSaslCbType
usable_cb_types (const char * const *offered_cb_types,
                 const XmppSaslTlsInfo *tls)
{
  XmppSaslCbType local = xmpp_sasl_local_cb_types (tls);
  XmppSaslCbType listed = XMPP_SASL_CB_NONE;

  /* Only TLS 1.2 leaves tls-unique in local. */
  if (offered_cb_types == NULL)
    return local & XMPP_SASL_CB_TLS_UNIQUE;
  for (guint i = 0; offered_cb_types[i] != NULL; i++)
    listed |= xmpp_sasl_cb_type_from_string (offered_cb_types[i]);
  return local & listed;
}

static XmppSaslCbType
best_cb_type (XmppSaslCbType set)
{
  for (guint i = 0; i < G_N_ELEMENTS (cb_order); i++)
    if (set & cb_order[i])
      return cb_order[i];
  return XMPP_SASL_CB_NONE;
}

/* The gs2 flag when we do not bind (RFC 5802 §6).
 *
 * "y" means "I can bind, but I think you cannot"; a server that can bind
 * MUST then fail the exchange, as it is how a stripped -PLUS offer is
 * caught. So "y" is only for a server that offered no -PLUS at all, on a
 * connection that could bind.
 *
 * When the server does offer -PLUS but we found no type we both have (its
 * XEP-0440 list names none we can produce, or TLS 1.3 without a list),
 * "y" would be false — we saw the offer — and a conforming server would
 * refuse us every time. "n" is what XEP-0440 ("indicate that they do not
 * support channel-binding ... if no mutual supported channel-binding type
 * was found") and XEP-0474's new business rule 6 prescribe. The cost:
 * where the server sends no XEP-0474 hash, whoever can edit the XEP-0440
 * list can make us skip binding; refusing instead would lock us out of
 * every server whose types we lack. With the hash, a tampered list fails. */
static char
gs2_flag_without_binding (gboolean plus_offered, const XmppSaslTlsInfo *tls)
{
  if (plus_offered)
    return 'n';
  return xmpp_sasl_local_cb_types (tls) != XMPP_SASL_CB_NONE ? 'y' : 'n';
}

static void
choose_plus (const char *mechanism, XmppSaslCbType cb_type, gboolean listed,
             const XmppSaslTlsInfo *tls, XmppSaslChoice *out)
{
  const char *cb = xmpp_sasl_cb_type_to_string (cb_type);

  out->mechanism = mechanism;
  out->cb_type = cb_type;
  out->gs2_flag = 'p';
  if (listed)
    /* TRANSLATORS: `probe` output. The first %s is a mechanism, the second
     * a channel-binding type, the third a TLS version ("1.3"). */
    out->reason = g_strdup_printf (_("%s with %s: the strongest mechanism "
                                     "offered, with a channel binding the "
                                     "server lists (XEP-0440) and that TLS "
                                     "%s provides."),
                                   mechanism, cb, tls_version_string (tls));
  else
    /* TRANSLATORS: `probe` output. %s is a mechanism. */
    out->reason = g_strdup_printf (_("%s with tls-unique: the strongest "
                                     "mechanism offered; the server lists no "
                                     "channel-binding types (XEP-0440), so "
                                     "RFC 5802’s default, tls-unique, on "
                                     "TLS 1.2."), mechanism);
}

static char *
reason_without_binding (const char *mechanism, char flag,
                        const char * const *offered_cb_types,
                        const XmppSaslTlsInfo *tls)
{
  /* TRANSLATORS: `probe` output in the four sentences below; %s is a
   * mechanism, “y” and “n” are literal gs2 flags (RFC 5802). */
  if (flag == 'y')
    return g_strdup_printf (_("%s without channel binding (gs2 flag “y”): the "
                              "server offers no -PLUS mechanism; “y” tells it "
                              "Lorikeet could bind, so a server that can "
                              "will refuse, exposing a stripped offer."),
                            mechanism);
  if (xmpp_sasl_local_cb_types (tls) == XMPP_SASL_CB_NONE)
    return g_strdup_printf (_("%s without channel binding (gs2 flag “n”): "
                              "this connection cannot provide channel "
                              "binding."), mechanism);
  if (offered_cb_types == NULL && tls->version == XMPP_SASL_TLS_1_3)
    return g_strdup_printf (_("%s without channel binding (gs2 flag “n”): the "
                              "server offers -PLUS but lists no "
                              "channel-binding types (XEP-0440), and "
                              "tls-unique does not exist on TLS 1.3."),
                            mechanism);
  return g_strdup_printf (_("%s without channel binding (gs2 flag “n”): the "
                            "server offers -PLUS, but no channel binding it "
                            "accepts is available on this connection."),
                          mechanism);
}

static void
choose_scram (const char *mechanism, const char * const *offered,
              const char * const *offered_cb_types,
              const XmppSaslTlsInfo *tls, XmppSaslChoice *out)
{
  gboolean plus_offered = first_offered (offered, scram_plus_order) != NULL;

  out->mechanism = mechanism;
  out->cb_type = XMPP_SASL_CB_NONE;
  out->gs2_flag = gs2_flag_without_binding (plus_offered, tls);
  out->reason = reason_without_binding (mechanism, out->gs2_flag,
                                        offered_cb_types, tls);
}

/* Mechanism names as RFC 4422 §3.1 allows them, at most ten: the list
 * comes from the server and goes into a sentence. */
static char *
describe_offered (const char * const *offered)
{
  g_autoptr(GString) out = g_string_new (NULL);

  for (guint i = 0, n = 0; offered != NULL && offered[i] != NULL && n < 10; i++)
    {
      const char *name = offered[i];

      if (*name == '\0' || strlen (name) > 20
          || strspn (name, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_") != strlen (name))
        continue;
      g_string_append_printf (out, "%s%s", n++ > 0 ? ", " : "", name);
    }
  return g_string_free (g_steal_pointer (&out), FALSE);
}

static void
set_no_mechanism_error (GError **error, const char * const *offered)
{
  g_autofree char *list = describe_offered (offered);

  if (*list == '\0')
    g_set_error_literal (error, XMPP_AUTH_ERROR, XMPP_AUTH_ERROR_NO_MECHANISM,
                         _("The server offers no sign-in method Lorikeet "
                           "supports."));
  else if (first_offered (offered, scram_plus_order) != NULL
           && first_offered (offered, scram_order) == NULL)
    /* TRANSLATORS: %s is a list of mechanism names. */
    g_set_error (error, XMPP_AUTH_ERROR, XMPP_AUTH_ERROR_NO_MECHANISM,
                 _("The server offers only sign-in with channel binding, and "
                   "none of its channel-binding types is available on this "
                   "connection (it offers: %s)."), list);
  else if (is_offered (offered, "PLAIN") && !any_scram_offered (offered))
    /* TRANSLATORS: %s is a list of mechanism names. */
    g_set_error (error, XMPP_AUTH_ERROR, XMPP_AUTH_ERROR_NO_MECHANISM,
                 _("The server offers only PLAIN, which hands it the password "
                   "itself, and PLAIN is not allowed for this account (it "
                   "offers: %s)."), list);
  else
    /* TRANSLATORS: %s is a list of mechanism names. */
    g_set_error (error, XMPP_AUTH_ERROR, XMPP_AUTH_ERROR_NO_MECHANISM,
                 _("The server offers no sign-in method Lorikeet supports (it "
                   "offers: %s)."), list);
}

static gboolean
choose_plain (const XmppSaslTlsInfo *tls, XmppSaslChoice *out, GError **error)
{
  if (tls->version == XMPP_SASL_TLS_NONE)
    {
      g_set_error_literal (error, XMPP_AUTH_ERROR, XMPP_AUTH_ERROR_INSECURE,
                           _("The server offers only PLAIN, which would send "
                             "the password unencrypted on this connection."));
      return FALSE;
    }
  out->mechanism = "PLAIN";
  out->cb_type = XMPP_SASL_CB_NONE;
  out->gs2_flag = 0;
  /* TRANSLATORS: `probe` output. */
  out->reason = g_strdup (_("PLAIN over TLS: the server offers no SCRAM "
                            "mechanism, and PLAIN is allowed for this "
                            "account."));
  return TRUE;
}

gboolean
xmpp_sasl_choose (const char * const    *offered_mechanisms,
                  const char * const    *offered_cb_types,
                  const XmppSaslTlsInfo *tls,
                  gboolean               allow_plain,
                  XmppSaslChoice        *out,
                  GError               **error)
{
  XmppSaslCbType usable;
  const char *mechanism;

  g_return_val_if_fail (tls != NULL && out != NULL, FALSE);

  memset (out, 0, sizeof *out);
  usable = usable_cb_types (offered_cb_types, tls);
  mechanism = first_offered (offered_mechanisms, scram_plus_order);
  if (mechanism != NULL && usable != XMPP_SASL_CB_NONE)
    {
      choose_plus (mechanism, best_cb_type (usable), offered_cb_types != NULL,
                   tls, out);
      return TRUE;
    }
  mechanism = first_offered (offered_mechanisms, scram_order);
  if (mechanism != NULL)
    {
      choose_scram (mechanism, offered_mechanisms, offered_cb_types, tls, out);
      return TRUE;
    }
  /* Any SCRAM at all, even one we cannot use, rules PLAIN out: offering
   * both and seeing only PLAIN is what a downgrade looks like. */
  if (allow_plain && is_offered (offered_mechanisms, "PLAIN")
      && !any_scram_offered (offered_mechanisms))
    return choose_plain (tls, out, error);
  set_no_mechanism_error (error, offered_mechanisms);
  return FALSE;
}

/* ---- PLAIN ------------------------------------------------------------ */

/* "\0user\0password". The server prepares both again (RFC 4616 §5);
 * SASLprep is idempotent, and preparing here refuses what it would refuse
 * before the password is sent. */
static GBytes *
build_plain (const char *username, const char *password, GError **error)
{
  g_autofree char *name = xmpp_sasl_prepare (username, FALSE, error);
  char *secret = NULL;
  g_autoptr(GByteArray) message = NULL;
  GBytes *result;

  if (name == NULL || (secret = xmpp_sasl_prepare (password, TRUE, error)) == NULL)
    return NULL;
  message = g_byte_array_new ();
  g_byte_array_append (message, (const guint8 *) "", 1);
  g_byte_array_append (message, (const guint8 *) name, strlen (name) + 1);
  g_byte_array_append (message, (const guint8 *) secret, strlen (secret));
  result = xmpp_sasl_secret_bytes_new (message->data, message->len);
  gnutls_memset (message->data, 0, message->len);
  xmpp_sasl_wipe_string (&secret);
  return result;
}

static void
set_plain_insecure_error (GError **error)
{
  g_set_error_literal (error, XMPP_AUTH_ERROR, XMPP_AUTH_ERROR_INSECURE,
                       _("PLAIN would send the password unencrypted on this "
                         "connection."));
}

GBytes *
xmpp_sasl_plain_message (const char            *username,
                         const char            *password,
                         const XmppSaslTlsInfo *tls,
                         GError               **error)
{
  g_return_val_if_fail (tls != NULL, NULL);

  if (tls->version == XMPP_SASL_TLS_NONE)
    {
      set_plain_insecure_error (error);
      return NULL;
    }
  return build_plain (username, password, error);
}

/* ---- one sign-in ------------------------------------------------------ */

typedef enum {
  KIND_PLAIN,
  KIND_SCRAM,
  KIND_HT,
} Kind;

typedef enum {
  STEP_START,
  STEP_INITIAL_SENT,   /* our first message is out */
  STEP_FINAL_SENT,     /* SCRAM: client-final is out */
  STEP_VERIFIED,       /* SCRAM: server-final came as a challenge, checked */
  STEP_DONE,
  STEP_FAILED,
} Step;

struct _XmppSasl {
  Kind        kind;
  Step        step;
  const char *mechanism;
  XmppScram  *scram;      /* SCRAM */
  char       *username;   /* PLAIN, HT */
  char       *secret;     /* PLAIN, HT; wiped on free */
  GBytes     *cb_data;    /* HT */
};

void
xmpp_sasl_free (XmppSasl *self)
{
  if (self == NULL)
    return;
  g_clear_pointer (&self->scram, xmpp_scram_free);
  g_free (self->username);
  xmpp_sasl_wipe_string (&self->secret);
  g_clear_pointer (&self->cb_data, g_bytes_unref);
  g_free (self);
}

static gboolean
init_scram (XmppSasl *self, const XmppSaslChoice *choice, const char *username,
            const char *secret, GBytes *cb_data, GError **error)
{
  self->kind = KIND_SCRAM;
  self->scram = xmpp_scram_new (choice->mechanism, choice->gs2_flag,
                                choice->cb_type, cb_data, username, secret,
                                error);
  return self->scram != NULL;
}

/* PLAIN and HT keep the credentials to the first message: the caller may
 * free its copies as soon as this returns. */
static gboolean
init_other (XmppSasl *self, Kind kind, const XmppSaslTlsInfo *tls,
            const char *username, const char *secret, GBytes *cb_data,
            GError **error)
{
  self->kind = kind;
  if (tls->version == XMPP_SASL_TLS_NONE)
    {
      if (kind == KIND_PLAIN)
        set_plain_insecure_error (error);
      else
        g_set_error_literal (error, XMPP_AUTH_ERROR, XMPP_AUTH_ERROR_INSECURE,
                             _("A sign-in token would be exposed on this "
                               "unencrypted connection."));
      return FALSE;
    }
  self->username = g_strdup (username);
  self->secret = g_strdup (secret);
  self->cb_data = cb_data != NULL ? g_bytes_ref (cb_data) : NULL;
  return TRUE;
}

XmppSasl *
xmpp_sasl_new (const XmppSaslChoice  *choice,
               const XmppSaslTlsInfo *tls,
               const char            *username,
               const char            *secret,
               GBytes                *cb_data,
               GError               **error)
{
  g_autoptr(XmppSasl) self = NULL;
  gboolean ok;

  g_return_val_if_fail (choice != NULL && choice->mechanism != NULL, NULL);
  g_return_val_if_fail (tls != NULL, NULL);

  if (choice->cb_type != XMPP_SASL_CB_NONE
      && (cb_data == NULL || g_bytes_get_size (cb_data) == 0))
    {
      xmpp_sasl_set_no_cb_data_error (error, choice->cb_type);
      return NULL;
    }
  if (choice->cb_type == XMPP_SASL_CB_NONE)
    cb_data = NULL;

  self = g_new0 (XmppSasl, 1);
  self->mechanism = choice->mechanism;
  if (xmpp_scram_is_supported (choice->mechanism))
    ok = init_scram (self, choice, username, secret, cb_data, error);
  else if (strcmp (choice->mechanism, "PLAIN") == 0)
    ok = init_other (self, KIND_PLAIN, tls, username, secret, NULL, error);
  else if (xmpp_sasl_ht_is_supported (choice->mechanism))
    ok = init_other (self, KIND_HT, tls, username, secret, cb_data, error);
  else
    {
      g_set_error (error, XMPP_AUTH_ERROR, XMPP_AUTH_ERROR_INVALID_MECHANISM,
                   _("Lorikeet does not support the sign-in method “%s”."),
                   choice->mechanism);
      ok = FALSE;
    }
  return ok ? g_steal_pointer (&self) : NULL;
}

void
xmpp_sasl_set_offered (XmppSasl           *self,
                       const char * const *mechanisms,
                       const char * const *cb_types)
{
  g_return_if_fail (self != NULL && self->step == STEP_START);

  if (self->kind == KIND_SCRAM)
    xmpp_scram_set_offered (self->scram, mechanisms, cb_types);
}

void
xmpp_sasl_set_client_nonce (XmppSasl   *self,
                            const char *nonce)
{
  g_return_if_fail (self != NULL && self->kind == KIND_SCRAM);

  xmpp_scram_set_client_nonce (self->scram, nonce);
}

const char *
xmpp_sasl_get_mechanism (XmppSasl *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return self->mechanism;
}

XmppSaslDowngrade
xmpp_sasl_get_downgrade (XmppSasl *self)
{
  g_return_val_if_fail (self != NULL, XMPP_SASL_DOWNGRADE_UNCHECKED);

  if (self->kind != KIND_SCRAM)
    return XMPP_SASL_DOWNGRADE_UNCHECKED;
  return xmpp_scram_get_downgrade (self->scram);
}

static GBytes *
take_string (char *str)
{
  return str != NULL ? g_bytes_new_take (str, strlen (str)) : NULL;
}

GBytes *
xmpp_sasl_initial_response (XmppSasl  *self,
                            GError   **error)
{
  GBytes *message = NULL;

  g_return_val_if_fail (self != NULL && self->step == STEP_START, NULL);

  switch (self->kind)
    {
    case KIND_SCRAM:
      message = take_string (xmpp_scram_client_first (self->scram));
      break;
    case KIND_PLAIN:
      /* TLS was checked when self was made. */
      message = build_plain (self->username, self->secret, error);
      break;
    case KIND_HT:
      message = xmpp_sasl_ht_initiator_message (self->mechanism, self->username,
                                                self->secret, self->cb_data,
                                                error);
      break;
    }
  if (self->kind != KIND_HT)
    xmpp_sasl_wipe_string (&self->secret);
  self->step = message != NULL ? STEP_INITIAL_SENT : STEP_FAILED;
  return message;
}

static void
set_unexpected (XmppSasl *self, GError **error, gboolean is_success)
{
  self->step = STEP_FAILED;
  if (is_success)
    /* TRANSLATORS: %s is a mechanism name. */
    g_set_error (error, XMPP_AUTH_ERROR, XMPP_AUTH_ERROR_MALFORMED,
                 _("The server announced success before the %s exchange "
                   "was complete."), self->mechanism);
  else
    /* TRANSLATORS: %s is a mechanism name. */
    g_set_error (error, XMPP_AUTH_ERROR, XMPP_AUTH_ERROR_MALFORMED,
                 _("The server sent a challenge that %s does not have."),
                 self->mechanism);
}

GBytes *
xmpp_sasl_respond (XmppSasl  *self,
                   GBytes    *challenge,
                   GError   **error)
{
  gsize length = 0;
  const char *data = challenge != NULL ? g_bytes_get_data (challenge, &length) : NULL;

  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (self->step != STEP_DONE && self->step != STEP_FAILED, NULL);

  if (self->kind != KIND_SCRAM
      || (self->step != STEP_INITIAL_SENT && self->step != STEP_FINAL_SENT))
    {
      set_unexpected (self, error, FALSE);
      return NULL;
    }
  if (self->step == STEP_INITIAL_SENT)
    {
      char *final = xmpp_scram_client_final (self->scram, data, length, error);

      self->step = final != NULL ? STEP_FINAL_SENT : STEP_FAILED;
      return take_string (final);
    }
  if (!xmpp_scram_verify_server_final (self->scram, data, length, error))
    {
      self->step = STEP_FAILED;
      return NULL;
    }
  self->step = STEP_VERIFIED;
  return g_bytes_new (NULL, 0);
}

static gboolean
finish_proven (XmppSasl *self, GBytes *data, GError **error)
{
  gsize length = 0;
  const char *bytes = g_bytes_get_data (data, &length);

  if (self->kind == KIND_SCRAM)
    return xmpp_scram_verify_server_final (self->scram, bytes, length, error);
  return xmpp_sasl_ht_verify_responder (self->mechanism, self->secret,
                                        self->cb_data, data, error);
}

gboolean
xmpp_sasl_finish (XmppSasl  *self,
                  GBytes    *additional_data,
                  GError   **error)
{
  gboolean has_data = additional_data != NULL
                      && g_bytes_get_size (additional_data) > 0;
  gboolean ok;

  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (self->step != STEP_DONE && self->step != STEP_FAILED, FALSE);

  if (self->step == STEP_START
      || (self->kind == KIND_SCRAM && self->step == STEP_INITIAL_SENT))
    {
      set_unexpected (self, error, TRUE);
      return FALSE;
    }
  if (self->kind == KIND_PLAIN || self->step == STEP_VERIFIED)
    ok = TRUE;
  else if (!has_data)
    {
      /* A server that says "success" without its proof may be anyone:
       * proving itself is the point of the last SCRAM and HT message. */
      g_set_error_literal (error, XMPP_AUTH_ERROR, XMPP_AUTH_ERROR_SERVER_SIGNATURE,
                           _("The server did not prove that it knows the "
                             "password: it may be an impostor."));
      ok = FALSE;
    }
  else
    ok = finish_proven (self, additional_data, error);
  xmpp_sasl_wipe_string (&self->secret);
  self->step = ok ? STEP_DONE : STEP_FAILED;
  return ok;
}
