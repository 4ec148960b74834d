/* xmpp-sasl-ht.c: the Hashed Token mechanisms that XEP-0484 (FAST) uses,
 * as draft-schmaus-kitten-sasl-ht-08 (the version the XEP cites) defines
 * them: one message each way, keyed with the token the server gave us.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "xmpp-sasl.h"
#include "xmpp-sasl-private.h"

#include <glib/gi18n-lib.h>
#include <gnutls/crypto.h>
#include <gnutls/gnutls.h>
#include <string.h>

#define HASH_MAX 64

/* Best first, for xmpp_sasl_choose_fast(): binding before hash length, as
 * XEP-0484's security considerations say channel binding MUST be
 * preferred. The draft names the
 * hash as in the IANA registry of RFC 6920; GnuTLS 3.7 has no HMAC over
 * SHA-3, so no HT-SHA3-*. */
typedef struct {
  const char            *name;
  gnutls_mac_algorithm_t mac;
  gsize                  size;
  XmppSaslCbType         cb_type;
} HtMech;

static const HtMech ht_mechs[] = {
  { "HT-SHA-512-EXPR", GNUTLS_MAC_SHA512, 64, XMPP_SASL_CB_TLS_EXPORTER },
  { "HT-SHA-384-EXPR", GNUTLS_MAC_SHA384, 48, XMPP_SASL_CB_TLS_EXPORTER },
  { "HT-SHA-256-EXPR", GNUTLS_MAC_SHA256, 32, XMPP_SASL_CB_TLS_EXPORTER },
  { "HT-SHA-512-ENDP", GNUTLS_MAC_SHA512, 64, XMPP_SASL_CB_TLS_SERVER_END_POINT },
  { "HT-SHA-384-ENDP", GNUTLS_MAC_SHA384, 48, XMPP_SASL_CB_TLS_SERVER_END_POINT },
  { "HT-SHA-256-ENDP", GNUTLS_MAC_SHA256, 32, XMPP_SASL_CB_TLS_SERVER_END_POINT },
  { "HT-SHA-512-UNIQ", GNUTLS_MAC_SHA512, 64, XMPP_SASL_CB_TLS_UNIQUE },
  { "HT-SHA-384-UNIQ", GNUTLS_MAC_SHA384, 48, XMPP_SASL_CB_TLS_UNIQUE },
  { "HT-SHA-256-UNIQ", GNUTLS_MAC_SHA256, 32, XMPP_SASL_CB_TLS_UNIQUE },
  { "HT-SHA-512-NONE", GNUTLS_MAC_SHA512, 64, XMPP_SASL_CB_NONE },
  { "HT-SHA-384-NONE", GNUTLS_MAC_SHA384, 48, XMPP_SASL_CB_NONE },
  { "HT-SHA-256-NONE", GNUTLS_MAC_SHA256, 32, XMPP_SASL_CB_NONE },
};

static const HtMech *
find_ht (const char *name)
{
  for (guint i = 0; name != NULL && i < G_N_ELEMENTS (ht_mechs); i++)
    if (strcmp (name, ht_mechs[i].name) == 0)
      return &ht_mechs[i];
  return NULL;
}

gboolean
xmpp_sasl_ht_is_supported (const char *mechanism)
{
  return find_ht (mechanism) != NULL;
}

static void
set_choice (const HtMech *mech, XmppSaslChoice *out)
{
  out->mechanism = mech->name;
  out->cb_type = mech->cb_type;
  out->gs2_flag = 0;
  if (mech->cb_type != XMPP_SASL_CB_NONE)
    /* TRANSLATORS: `probe` output; the first %s is a mechanism, the
     * second a channel-binding type. */
    out->reason = g_strdup_printf (_("%s: the strongest token mechanism "
                                     "offered, bound to this connection with "
                                     "%s."), mech->name,
                                   xmpp_sasl_cb_type_to_string (mech->cb_type));
  else
    /* TRANSLATORS: `probe` output; %s is a mechanism. */
    out->reason = g_strdup_printf (_("%s: the strongest token mechanism "
                                     "offered; none with a channel binding "
                                     "this connection provides is offered."),
                                   mech->name);
}

gboolean
xmpp_sasl_choose_fast (const char * const    *offered_mechanisms,
                       const XmppSaslTlsInfo *tls,
                       XmppSaslChoice        *out,
                       GError               **error)
{
  XmppSaslCbType local;

  g_return_val_if_fail (tls != NULL && out != NULL, FALSE);

  memset (out, 0, sizeof *out);
  if (tls->version == XMPP_SASL_TLS_NONE)
    {
      g_set_error_literal (error, XMPP_AUTH_ERROR, XMPP_AUTH_ERROR_INSECURE,
                           _("A sign-in token would be exposed on this "
                             "unencrypted connection."));
      return FALSE;
    }
  local = xmpp_sasl_local_cb_types (tls);
  for (guint i = 0; i < G_N_ELEMENTS (ht_mechs); i++)
    {
      const HtMech *mech = &ht_mechs[i];

      if (offered_mechanisms == NULL
          || !g_strv_contains (offered_mechanisms, mech->name)
          || (mech->cb_type != XMPP_SASL_CB_NONE && !(local & mech->cb_type)))
        continue;
      set_choice (mech, out);
      return TRUE;
    }
  g_set_error_literal (error, XMPP_AUTH_ERROR, XMPP_AUTH_ERROR_NO_MECHANISM,
                       _("The server offers no sign-in token mechanism that "
                         "Lorikeet supports on this connection."));
  return FALSE;
}

/* Finds the mechanism and checks that the binding data matches it. */
static const HtMech *
lookup (const char *mechanism, const char *token, GBytes *cb_data,
        GError **error)
{
  const HtMech *mech = find_ht (mechanism);

  if (mech == NULL)
    g_set_error (error, XMPP_AUTH_ERROR, XMPP_AUTH_ERROR_INVALID_MECHANISM,
                 _("Lorikeet does not support the sign-in method “%s”."),
                 mechanism != NULL ? mechanism : "");
  else if (mech->cb_type != XMPP_SASL_CB_NONE
           && (cb_data == NULL || g_bytes_get_size (cb_data) == 0))
    xmpp_sasl_set_no_cb_data_error (error, mech->cb_type);
  else if (token == NULL || *token == '\0')
    g_set_error_literal (error, XMPP_AUTH_ERROR, XMPP_AUTH_ERROR_CREDENTIALS_EXPIRED,
                         _("The sign-in token is empty."));
  else
    return mech;
  return NULL;
}

/* HMAC(token, label || cb-data), the token being the UTF-8 octets of the
 * string the server sent, not anything decoded from it (the draft's
 * "Initiator First Message"). */
static gboolean
ht_hmac (const HtMech *mech, const char *token, const char *label,
         GBytes *cb_data, guint8 out[HASH_MAX], GError **error)
{
  g_autoptr(GByteArray) input = g_byte_array_new ();
  int rc;

  g_byte_array_append (input, (const guint8 *) label, strlen (label));
  if (mech->cb_type != XMPP_SASL_CB_NONE)
    g_byte_array_append (input, g_bytes_get_data (cb_data, NULL),
                         g_bytes_get_size (cb_data));
  rc = gnutls_hmac_fast (mech->mac, token, strlen (token), input->data,
                         input->len, out);
  if (rc < 0)
    xmpp_sasl_set_crypto_error (error, rc);
  return rc >= 0;
}

GBytes *
xmpp_sasl_ht_initiator_message (const char *mechanism,
                                const char *username,
                                const char *token,
                                GBytes     *cb_data,
                                GError    **error)
{
  const HtMech *mech = lookup (mechanism, token, cb_data, error);
  g_autofree char *name = NULL;
  g_autoptr(GByteArray) message = NULL;
  guint8 digest[HASH_MAX];
  GBytes *result;

  if (mech == NULL || (name = xmpp_sasl_prepare (username, FALSE, error)) == NULL
      || !ht_hmac (mech, token, "Initiator", cb_data, digest, error))
    return NULL;
  /* authcid NUL initiator-hashed-token */
  message = g_byte_array_new ();
  g_byte_array_append (message, (const guint8 *) name, strlen (name) + 1);
  g_byte_array_append (message, digest, mech->size);
  result = xmpp_sasl_secret_bytes_new (message->data, message->len);
  gnutls_memset (message->data, 0, message->len);
  gnutls_memset (digest, 0, sizeof digest);
  return result;
}

gboolean
xmpp_sasl_ht_verify_responder (const char *mechanism,
                               const char *token,
                               GBytes     *cb_data,
                               GBytes     *responder_message,
                               GError    **error)
{
  const HtMech *mech = lookup (mechanism, token, cb_data, error);
  guint8 expected[HASH_MAX];
  gboolean ok;

  if (mech == NULL || !ht_hmac (mech, token, "Responder", cb_data, expected, error))
    return FALSE;
  ok = responder_message != NULL
       && g_bytes_get_size (responder_message) == mech->size
       && xmpp_sasl_equal_secret (g_bytes_get_data (responder_message, NULL),
                                  expected, mech->size);
  gnutls_memset (expected, 0, sizeof expected);
  if (!ok)
    g_set_error_literal (error, XMPP_AUTH_ERROR, XMPP_AUTH_ERROR_SERVER_SIGNATURE,
                         _("The server did not prove that it knows the sign-in "
                           "token: it may be an impostor."));
  return ok;
}
