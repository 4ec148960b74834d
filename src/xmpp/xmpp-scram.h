/* xmpp-scram.h: the client side of SCRAM (RFC 5802, RFC 7677), with
 * channel binding (-PLUS, RFC 5929, RFC 9266) and XEP-0474 downgrade
 * protection, one message at a time and without I/O.
 *
 * Messages are SCRAM text, not base64. Hashes: SHA-1, SHA-256, SHA-512,
 * all from GnuTLS. Secrets (the prepared password, the salted password
 * and the keys) are wiped as soon as they are no longer needed.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

#include "xmpp-sasl.h"

G_BEGIN_DECLS

/* Iteration counts outside these bounds are refused. Below the floor of
 * RFC 7677 §4, anyone who sees one exchange (or a server impostor who
 * chose the count) could guess the password quickly; above the ceiling, a
 * hostile server makes us burn CPU (a million SHA-512 rounds take about a
 * second on a desktop, far more on a phone). */
#define XMPP_SCRAM_MIN_ITERATIONS 4096
#define XMPP_SCRAM_MAX_ITERATIONS 1000000

typedef struct _XmppScram XmppScram;

gboolean    xmpp_scram_is_supported      (const char *mechanism);

/* @gs2_flag is 'p' for a -PLUS @mechanism, with @cb_type and its @cb_data;
 * 'n' or 'y' otherwise, with XMPP_SASL_CB_NONE and NULL. The user name
 * and password are prepared (SASLprep) here, so bad ones fail before
 * anything is sent (XMPP_AUTH_ERROR_SASLPREP). */
XmppScram  *xmpp_scram_new               (const char     *mechanism,
                                          char            gs2_flag,
                                          XmppSaslCbType  cb_type,
                                          GBytes         *cb_data,
                                          const char     *username,
                                          const char     *password,
                                          GError        **error);
void        xmpp_scram_free              (XmppScram *self);

/* Tests only: replaces the random nonce (printable ASCII, no ','). */
void        xmpp_scram_set_client_nonce  (XmppScram  *self,
                                          const char *nonce);
/* XEP-0474: the lists the server advertised; @cb_types NULL when it sent
 * no XEP-0440 list. Without this call the server's hash is not checked. */
void        xmpp_scram_set_offered       (XmppScram          *self,
                                          const char * const *mechanisms,
                                          const char * const *cb_types);

/* client-first-message: gs2 header, "n=" user, ",r=" nonce. */
char       *xmpp_scram_client_first      (XmppScram *self);
/* Takes the server-first-message, returns the client-final-message. */
char       *xmpp_scram_client_final      (XmppScram   *self,
                                          const char  *server_first,
                                          gsize        length,
                                          GError     **error);
/* Checks the server-final-message ("v=…" or "e=…"). */
gboolean    xmpp_scram_verify_server_final (XmppScram   *self,
                                            const char  *server_final,
                                            gsize        length,
                                            GError     **error);

XmppSaslDowngrade xmpp_scram_get_downgrade (XmppScram *self);

/* XEP-0474 v0.5.0 (2025-10-25), "Server Sends Downgrade Protection Hash":
 * base64 of H(the mechanisms sorted by octets and joined by 0x1E, then,
 * only when @cb_types is not NULL, 0x1F and the types sorted and joined by
 * 0x1E), H being the hash of SCRAM @mechanism. The server sends it as the
 * "h" attribute of server-first. NULL for a mechanism that is not SCRAM. */
char       *xmpp_scram_downgrade_hash    (const char         *mechanism,
                                          const char * const *mechanisms,
                                          const char * const *cb_types);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (XmppScram, xmpp_scram_free)

G_END_DECLS
