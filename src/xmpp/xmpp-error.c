/* xmpp-error.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "xmpp-error.h"

#include <string.h>

G_DEFINE_QUARK (xmpp-stream-error-quark, xmpp_stream_error)
G_DEFINE_QUARK (xmpp-jid-error-quark, xmpp_jid_error)
G_DEFINE_QUARK (xmpp-data-form-error-quark, xmpp_data_form_error)

/* Indexed by XmppStreamError; keep in the enum's order. */
static const char * const stream_conditions[] = {
  "bad-format",
  "bad-namespace-prefix",
  "conflict",
  "connection-timeout",
  "host-gone",
  "host-unknown",
  "improper-addressing",
  "internal-server-error",
  "invalid-from",
  "invalid-namespace",
  "invalid-xml",
  "not-authorized",
  "not-well-formed",
  "policy-violation",
  "remote-connection-failed",
  "reset",
  "resource-constraint",
  "restricted-xml",
  "see-other-host",
  "system-shutdown",
  "undefined-condition",
  "unsupported-encoding",
  "unsupported-feature",
  "unsupported-stanza-type",
  "unsupported-version",
};

G_STATIC_ASSERT (G_N_ELEMENTS (stream_conditions) == XMPP_STREAM_ERROR_UNSUPPORTED_VERSION + 1);

const char *
xmpp_stream_error_to_condition (XmppStreamError code)
{
  if ((guint) code >= G_N_ELEMENTS (stream_conditions))
    return "undefined-condition";
  return stream_conditions[code];
}

XmppStreamError
xmpp_stream_error_from_condition (const char *condition)
{
  for (guint i = 0; condition != NULL && i < G_N_ELEMENTS (stream_conditions); i++)
    if (strcmp (condition, stream_conditions[i]) == 0)
      return (XmppStreamError) i;
  return XMPP_STREAM_ERROR_UNDEFINED_CONDITION;
}
