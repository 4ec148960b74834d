/* xmpp-tls.h: TLS for client streams, and what a person needs to decide
 * about a certificate.
 *
 * Trust is explicit: a certificate verifies against the system's (or a
 * given) CA store for the account's domain, or its SHA-256 fingerprint is
 * one the user pinned for this account. Anything else stops the connection
 * with the certificate's details, read with GnuTLS.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

typedef struct {
  char                *sha256;      /* lowercase hex, no separators: the pin */
  char                *subject;
  char                *issuer;
  GDateTime           *not_before;
  GDateTime           *not_after;
  GStrv                names;       /* DNS names the certificate is for */
  GTlsCertificateFlags errors;      /* why it did not verify */
} XmppCertificateInfo;

XmppCertificateInfo *xmpp_certificate_info_new  (GTlsCertificate      *certificate,
                                                 GTlsCertificateFlags  errors);
XmppCertificateInfo *xmpp_certificate_info_copy (const XmppCertificateInfo *info);
void                 xmpp_certificate_info_free (XmppCertificateInfo  *info);
/* Several lines for a person: problems, fingerprint, subject, issuer,
 * validity, names. */
char                *xmpp_certificate_info_describe (const XmppCertificateInfo *info);
/* The SHA-256 fingerprint as people compare it: "AB:CD:…". */
char                *xmpp_certificate_info_format_fingerprint (const char *sha256);
/* A fingerprint as typed ("AB:CD…", "ab cd…", "abcd…") in the pin form, or
 * NULL if it is not 32 bytes of hex. */
char                *xmpp_certificate_normalize_fingerprint (const char *typed);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (XmppCertificateInfo, xmpp_certificate_info_free)

/* A TLS client stream over @base for @domain (the reference identity is
 * the account's domain, never an SRV target, RFC 7590 §3.2). @database
 * NULL means the system's CA store. @pins: SHA-256 fingerprints (pin form)
 * accepted even when the certificate does not verify. @alpn: offer
 * "xmpp-client" (XEP-0368 direct TLS). */
GIOStream           *xmpp_tls_client_new (GIOStream           *base,
                                          const char          *domain,
                                          GTlsDatabase        *database,
                                          const char * const  *pins,
                                          gboolean             alpn,
                                          GError             **error);

/* After a failed handshake: the error to show (XMPP_TLS_ERROR, a sentence)
 * and, through @info, the certificate the server presented, if any. */
GError              *xmpp_tls_explain_failure (GIOStream            *tls,
                                               const GError         *handshake_error,
                                               XmppCertificateInfo **info);

/* "TLS 1.3", for probe and the account page. */
const char          *xmpp_tls_protocol_name (GTlsProtocolVersion version);

G_END_DECLS
