/* xmpp-sasl-private.h: helpers shared by the SASL mechanisms.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

#include "xmpp-sasl.h"

G_BEGIN_DECLS

/* Compares secrets (proofs, signatures) in time that does not depend on
 * where they differ, so a forger learns nothing from how fast we answer. */
gboolean xmpp_sasl_equal_secret         (const void *a,
                                         const void *b,
                                         gsize       length);

/* Base64 as RFC 4648 §4 writes it, padding included, nothing else:
 * g_base64_decode() skips what it does not understand, and SCRAM needs to
 * refuse it instead. NULL when @text is not such base64 or is empty. */
guint8  *xmpp_sasl_base64_decode_strict (const char *text,
                                         gsize      *out_length);

/* A GnuTLS call failed: says so with GnuTLS's reason. */
void     xmpp_sasl_set_crypto_error     (GError **error,
                                         int      gnutls_code);

/* SASLprep (RFC 4013) of a user name or a password, through libidn; a
 * new string, or NULL and XMPP_AUTH_ERROR_SASLPREP. Free a prepared
 * password with xmpp_sasl_wipe_string(). */
char    *xmpp_sasl_prepare              (const char *input,
                                         gboolean    is_password,
                                         GError    **error);
/* Overwrites a string with zeros, frees it, and sets the pointer to NULL. */
void     xmpp_sasl_wipe_string          (char **str);

/* Bytes that hold a secret (a PLAIN message, a token's HMAC): the copy
 * is overwritten with zeros when the last reference goes. */
GBytes  *xmpp_sasl_secret_bytes_new     (const void *data,
                                         gsize       length);

/* An error for a mechanism that needs channel-binding data it was not
 * given (GIO could not produce it). */
void     xmpp_sasl_set_no_cb_data_error (GError        **error,
                                         XmppSaslCbType  type);

/* The channel-binding types this connection can provide. */
XmppSaslCbType xmpp_sasl_local_cb_types (const XmppSaslTlsInfo *tls);

G_END_DECLS
