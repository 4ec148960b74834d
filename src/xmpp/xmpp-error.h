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

G_END_DECLS
