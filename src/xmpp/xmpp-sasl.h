/* xmpp-sasl.h: choosing a SASL mechanism and computing its messages.
 *
 * No I/O here. The connector reads the offered mechanisms and the XEP-0440
 * channel-binding types from the stream features, asks xmpp_sasl_choose()
 * (or xmpp_sasl_choose_fast() for a XEP-0484 token), then feeds an
 * XmppSasl what the server sends and sends what it answers. Payloads are
 * raw bytes: base64 belongs to the XML layer. The same calls serve
 * RFC 6120 SASL and SASL2 (XEP-0388). SCRAM itself is in xmpp-scram.h.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

#include "xmpp-error.h"

G_BEGIN_DECLS

/* Channel-binding types, as flags so that a set fits in one value. */
typedef enum {
  XMPP_SASL_CB_NONE                 = 0,
  XMPP_SASL_CB_TLS_UNIQUE           = 1 << 0,  /* RFC 5929; TLS 1.2 only */
  XMPP_SASL_CB_TLS_SERVER_END_POINT = 1 << 1,  /* RFC 5929 */
  XMPP_SASL_CB_TLS_EXPORTER         = 1 << 2,  /* RFC 9266 */
} XmppSaslCbType;

/* The IANA name ("tls-exporter") of one type; NULL for NONE or a set. */
const char     *xmpp_sasl_cb_type_to_string   (XmppSaslCbType type);
/* XMPP_SASL_CB_NONE for a name we do not know. */
XmppSaslCbType  xmpp_sasl_cb_type_from_string (const char *name);

typedef enum {
  XMPP_SASL_TLS_NONE,   /* no TLS on this stream */
  XMPP_SASL_TLS_1_2,    /* TLS 1.2 (or older) */
  XMPP_SASL_TLS_1_3,
} XmppSaslTlsVersion;

/* What the stream's TLS is and which bindings GIO can give for it (with
 * GLib 2.74: tls-unique and tls-server-end-point on 1.2, tls-exporter and
 * tls-server-end-point on 1.3). */
typedef struct {
  XmppSaslTlsVersion version;
  XmppSaslCbType     cb_types;
} XmppSaslTlsInfo;

typedef struct {
  const char     *mechanism;  /* static: "SCRAM-SHA-256-PLUS", "PLAIN", … */
  XmppSaslCbType  cb_type;    /* one type to bind to, or NONE */
  char            gs2_flag;   /* SCRAM: 'p', 'y' or 'n'; 0 otherwise */
  char           *reason;     /* one translated line for `probe` */
} XmppSaslChoice;

void     xmpp_sasl_choice_clear (XmppSaslChoice *choice);

/* The mechanism to sign in with a password: SCRAM -PLUS before SCRAM,
 * SHA-512 before SHA-256 before SHA-1; PLAIN only when @allow_plain, over
 * TLS, and when no SCRAM is offered. @offered_cb_types is the XEP-0440
 * list, NULL when the server sent none. On failure @out is left cleared
 * and @error is XMPP_AUTH_ERROR_NO_MECHANISM or _INSECURE. */
gboolean xmpp_sasl_choose      (const char * const    *offered_mechanisms,
                                const char * const    *offered_cb_types,
                                const XmppSaslTlsInfo *tls,
                                gboolean               allow_plain,
                                XmppSaslChoice        *out,
                                GError               **error);

/* The XEP-0484 token mechanism (HT-*) to ask a token for, from the
 * mechanisms listed in <fast/>: channel binding first (tls-exporter,
 * tls-server-end-point, tls-unique), then the longer hash. */
gboolean xmpp_sasl_choose_fast (const char * const    *offered_mechanisms,
                                const XmppSaslTlsInfo *tls,
                                XmppSaslChoice        *out,
                                GError               **error);

/* RFC 4616: "\0user\0password", with no authorization identity. Refused
 * (XMPP_AUTH_ERROR_INSECURE) when @tls says there is no TLS. */
GBytes  *xmpp_sasl_plain_message (const char            *username,
                                  const char            *password,
                                  const XmppSaslTlsInfo *tls,
                                  GError               **error);

/* The HT mechanisms of XEP-0484 (draft-schmaus-kitten-sasl-ht):
 * HT-SHA-256/-384/-512 with -NONE, -UNIQ, -ENDP or -EXPR; GnuTLS has no
 * HMAC over SHA-3. @cb_data is NULL for -NONE. The initiator message is
 * "user\0" HMAC(token, "Initiator" || cb-data); the server's additional
 * data on success must be HMAC(token, "Responder" || cb-data). */
gboolean xmpp_sasl_ht_is_supported        (const char *mechanism);
GBytes  *xmpp_sasl_ht_initiator_message   (const char *mechanism,
                                           const char *username,
                                           const char *token,
                                           GBytes     *cb_data,
                                           GError    **error);
gboolean xmpp_sasl_ht_verify_responder    (const char *mechanism,
                                           const char *token,
                                           GBytes     *cb_data,
                                           GBytes     *responder_message,
                                           GError    **error);

/* What XEP-0474 (SCRAM downgrade protection) told us. */
typedef enum {
  XMPP_SASL_DOWNGRADE_UNCHECKED,    /* not SCRAM, or no offered lists given */
  XMPP_SASL_DOWNGRADE_NOT_OFFERED,  /* the server sent no hash */
  XMPP_SASL_DOWNGRADE_VERIFIED,     /* the hash matched what we saw */
} XmppSaslDowngrade;

/* One sign-in, any mechanism: the connector's single entry point. */
typedef struct _XmppSasl XmppSasl;

/* @secret is the password, or the token for HT-*. @cb_data is the
 * binding for @choice->cb_type, from g_tls_connection_get_channel_binding_data();
 * NULL when the choice binds to nothing. Fails early, before anything is
 * sent, on credentials SASLprep refuses or on missing binding data. */
XmppSasl   *xmpp_sasl_new                (const XmppSaslChoice  *choice,
                                          const XmppSaslTlsInfo *tls,
                                          const char            *username,
                                          const char            *secret,
                                          GBytes                *cb_data,
                                          GError               **error);
void        xmpp_sasl_free               (XmppSasl *self);

/* For XEP-0474: the mechanisms as listed by the SASL profile in use
 * (<mechanisms/> or SASL2 <authentication/>, not both) and the XEP-0440
 * types (NULL when the server sent no list). Call before the first step. */
void        xmpp_sasl_set_offered        (XmppSasl           *self,
                                          const char * const *mechanisms,
                                          const char * const *cb_types);
/* Tests only: a fixed SCRAM client nonce instead of a random one. */
void        xmpp_sasl_set_client_nonce   (XmppSasl   *self,
                                          const char *nonce);

/* The client's first message (<auth/> or <initial-response/>). */
GBytes     *xmpp_sasl_initial_response   (XmppSasl  *self,
                                          GError   **error);
/* The answer to a <challenge/>. Some servers send the SCRAM server-final
 * message as a challenge: it is verified here and the answer is empty. */
GBytes     *xmpp_sasl_respond            (XmppSasl  *self,
                                          GBytes    *challenge,
                                          GError   **error);
/* On <success/>, with its additional data (NULL when none): FALSE unless
 * the server proved itself, for mechanisms that can (SCRAM, HT). */
gboolean    xmpp_sasl_finish             (XmppSasl  *self,
                                          GBytes    *additional_data,
                                          GError   **error);

const char *xmpp_sasl_get_mechanism      (XmppSasl  *self);
XmppSaslDowngrade xmpp_sasl_get_downgrade (XmppSasl *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (XmppSasl, xmpp_sasl_free)
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (XmppSaslChoice, xmpp_sasl_choice_clear)

G_END_DECLS
