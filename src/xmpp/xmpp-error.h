/* xmpp-error.h: GError domains of the engine.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* RFC 6120 §4.9.3 stream error conditions. The code of an XMPP_STREAM_ERROR
 * is the condition, so the connection layer can send it back as it is. */
typedef enum {
  XMPP_STREAM_ERROR_BAD_FORMAT,
  XMPP_STREAM_ERROR_BAD_NAMESPACE_PREFIX,
  XMPP_STREAM_ERROR_CONFLICT,
  XMPP_STREAM_ERROR_CONNECTION_TIMEOUT,
  XMPP_STREAM_ERROR_HOST_GONE,
  XMPP_STREAM_ERROR_HOST_UNKNOWN,
  XMPP_STREAM_ERROR_IMPROPER_ADDRESSING,
  XMPP_STREAM_ERROR_INTERNAL_SERVER_ERROR,
  XMPP_STREAM_ERROR_INVALID_FROM,
  XMPP_STREAM_ERROR_INVALID_NAMESPACE,
  XMPP_STREAM_ERROR_INVALID_XML,
  XMPP_STREAM_ERROR_NOT_AUTHORIZED,
  XMPP_STREAM_ERROR_NOT_WELL_FORMED,
  XMPP_STREAM_ERROR_POLICY_VIOLATION,
  XMPP_STREAM_ERROR_REMOTE_CONNECTION_FAILED,
  XMPP_STREAM_ERROR_RESET,
  XMPP_STREAM_ERROR_RESOURCE_CONSTRAINT,
  XMPP_STREAM_ERROR_RESTRICTED_XML,
  XMPP_STREAM_ERROR_SEE_OTHER_HOST,
  XMPP_STREAM_ERROR_SYSTEM_SHUTDOWN,
  XMPP_STREAM_ERROR_UNDEFINED_CONDITION,
  XMPP_STREAM_ERROR_UNSUPPORTED_ENCODING,
  XMPP_STREAM_ERROR_UNSUPPORTED_FEATURE,
  XMPP_STREAM_ERROR_UNSUPPORTED_STANZA_TYPE,
  XMPP_STREAM_ERROR_UNSUPPORTED_VERSION,
} XmppStreamError;

#define XMPP_STREAM_ERROR (xmpp_stream_error_quark ())
GQuark xmpp_stream_error_quark (void);

/* The element name of a condition ("restricted-xml"), and back.
 * Unknown names map to XMPP_STREAM_ERROR_UNDEFINED_CONDITION. */
const char     *xmpp_stream_error_to_condition   (XmppStreamError code);
XmppStreamError xmpp_stream_error_from_condition (const char *condition);

/* Invalid JIDs (RFC 6122 / RFC 7622). */
typedef enum {
  XMPP_JID_ERROR_EMPTY,
  XMPP_JID_ERROR_TOO_LONG,
  XMPP_JID_ERROR_EMPTY_PART,
  XMPP_JID_ERROR_FORBIDDEN_CHARACTER,
  XMPP_JID_ERROR_INVALID_DOMAIN,
  XMPP_JID_ERROR_INVALID_UTF8,
} XmppJidError;

#define XMPP_JID_ERROR (xmpp_jid_error_quark ())
GQuark xmpp_jid_error_quark (void);

/* XEP-0004 data forms that are malformed or do not validate. */
typedef enum {
  XMPP_DATA_FORM_ERROR_MALFORMED,
  XMPP_DATA_FORM_ERROR_REQUIRED,
  XMPP_DATA_FORM_ERROR_INVALID_VALUE,
} XmppDataFormError;

#define XMPP_DATA_FORM_ERROR (xmpp_data_form_error_quark ())
GQuark xmpp_data_form_error_quark (void);

/* The transport: resolving, connecting, the TCP stream itself. */
typedef enum {
  XMPP_CONNECTION_ERROR_RESOLVE,      /* no address for the domain */
  XMPP_CONNECTION_ERROR_CONNECT,      /* no address accepted a connection */
  XMPP_CONNECTION_ERROR_CLOSED,       /* the peer closed the connection */
  XMPP_CONNECTION_ERROR_TIMEOUT,      /* the peer stopped answering */
  XMPP_CONNECTION_ERROR_PROTOCOL,     /* the peer broke the protocol */
} XmppConnectionError;

#define XMPP_CONNECTION_ERROR (xmpp_connection_error_quark ())
GQuark xmpp_connection_error_quark (void);

/* Transport security. */
typedef enum {
  XMPP_TLS_ERROR_UNAVAILABLE,         /* the server offers no TLS */
  XMPP_TLS_ERROR_UNTRUSTED,           /* the certificate does not verify */
  XMPP_TLS_ERROR_PIN_MISMATCH,        /* not the certificate pinned for this account */
  XMPP_TLS_ERROR_HANDSHAKE,           /* TLS failed for another reason */
} XmppTlsError;

#define XMPP_TLS_ERROR (xmpp_tls_error_quark ())
GQuark xmpp_tls_error_quark (void);

/* Signing in (RFC 6120 §6, XEP-0388). The first codes are the SASL failure
 * conditions of RFC 6120 §6.5, in its order, so the UI can answer each
 * (ask for the password again on NOT_AUTHORIZED, not on ACCOUNT_DISABLED);
 * the codes after XMPP_AUTH_ERROR_FAILED are this client's own refusals. */
typedef enum {
  XMPP_AUTH_ERROR_ABORTED,              /* aborted */
  XMPP_AUTH_ERROR_ACCOUNT_DISABLED,     /* account-disabled */
  XMPP_AUTH_ERROR_CREDENTIALS_EXPIRED,  /* credentials-expired */
  XMPP_AUTH_ERROR_ENCRYPTION_REQUIRED,  /* encryption-required */
  XMPP_AUTH_ERROR_INCORRECT_ENCODING,   /* incorrect-encoding */
  XMPP_AUTH_ERROR_INVALID_AUTHZID,      /* invalid-authzid */
  XMPP_AUTH_ERROR_INVALID_MECHANISM,    /* invalid-mechanism */
  XMPP_AUTH_ERROR_MALFORMED_REQUEST,    /* malformed-request */
  XMPP_AUTH_ERROR_MECHANISM_TOO_WEAK,   /* mechanism-too-weak */
  XMPP_AUTH_ERROR_NOT_AUTHORIZED,       /* not-authorized: wrong password or no such account */
  XMPP_AUTH_ERROR_TEMPORARY_FAILURE,    /* temporary-auth-failure */
  XMPP_AUTH_ERROR_FAILED,               /* a condition not listed above */
  XMPP_AUTH_ERROR_NO_MECHANISM,         /* nothing offered that we accept */
  XMPP_AUTH_ERROR_INSECURE,             /* would expose the password (PLAIN without TLS) */
  XMPP_AUTH_ERROR_SASLPREP,             /* user name or password refused by SASLprep */
  XMPP_AUTH_ERROR_MALFORMED,            /* the server's SASL data is malformed */
  XMPP_AUTH_ERROR_SERVER_SIGNATURE,     /* the server did not prove it knows the password */
  XMPP_AUTH_ERROR_CHANNEL_BINDING,      /* channel binding refused or mismatched */
  XMPP_AUTH_ERROR_DOWNGRADE,            /* offered lists tampered with (XEP-0474) */
} XmppAuthError;

#define XMPP_AUTH_ERROR (xmpp_auth_error_quark ())
GQuark xmpp_auth_error_quark (void);

/* The code of an RFC 6120 §6.5 condition name ("not-authorized");
 * XMPP_AUTH_ERROR_FAILED for unknown names. */
XmppAuthError xmpp_auth_error_from_condition (const char *condition);
/* A GError for a <failure/>: a sentence for @condition, followed by the
 * server's <text/> when there is one (@text may be NULL). */
GError       *xmpp_auth_error_new_from_failure (const char *condition,
                                                const char *text);

G_END_DECLS
