/* xmpp-error.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "xmpp-error.h"

#include <glib/gi18n-lib.h>
#include <string.h>

G_DEFINE_QUARK (xmpp-stream-error-quark, xmpp_stream_error)
G_DEFINE_QUARK (xmpp-jid-error-quark, xmpp_jid_error)
G_DEFINE_QUARK (xmpp-data-form-error-quark, xmpp_data_form_error)
G_DEFINE_QUARK (xmpp-connection-error-quark, xmpp_connection_error)
G_DEFINE_QUARK (xmpp-tls-error-quark, xmpp_tls_error)
G_DEFINE_QUARK (xmpp-auth-error-quark, xmpp_auth_error)

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

/* Indexed by XmppAuthError up to XMPP_AUTH_ERROR_FAILED; keep in the
 * enum's order. */
static const char * const auth_conditions[] = {
  "aborted",
  "account-disabled",
  "credentials-expired",
  "encryption-required",
  "incorrect-encoding",
  "invalid-authzid",
  "invalid-mechanism",
  "malformed-request",
  "mechanism-too-weak",
  "not-authorized",
  "temporary-auth-failure",
};

G_STATIC_ASSERT (G_N_ELEMENTS (auth_conditions) == XMPP_AUTH_ERROR_FAILED);

XmppAuthError
xmpp_auth_error_from_condition (const char *condition)
{
  for (guint i = 0; condition != NULL && i < G_N_ELEMENTS (auth_conditions); i++)
    if (strcmp (condition, auth_conditions[i]) == 0)
      return (XmppAuthError) i;
  return XMPP_AUTH_ERROR_FAILED;
}

static const char *
auth_sentence (XmppAuthError code)
{
  switch (code)
    {
    case XMPP_AUTH_ERROR_ABORTED:
      return _("The sign-in was cancelled.");
    case XMPP_AUTH_ERROR_ACCOUNT_DISABLED:
      return _("This account is disabled.");
    case XMPP_AUTH_ERROR_CREDENTIALS_EXPIRED:
      return _("The password has expired and must be changed before signing in.");
    case XMPP_AUTH_ERROR_ENCRYPTION_REQUIRED:
      return _("The server requires an encrypted connection for this sign-in method.");
    case XMPP_AUTH_ERROR_INCORRECT_ENCODING:
      return _("The server could not decode the sign-in data Lorikeet sent.");
    case XMPP_AUTH_ERROR_INVALID_AUTHZID:
      return _("The server refused the identity Lorikeet asked to sign in as.");
    case XMPP_AUTH_ERROR_INVALID_MECHANISM:
      return _("The server does not support the sign-in method Lorikeet chose.");
    case XMPP_AUTH_ERROR_MALFORMED_REQUEST:
      return _("The server found the sign-in request malformed.");
    case XMPP_AUTH_ERROR_MECHANISM_TOO_WEAK:
      return _("The server requires a stronger sign-in method than the one Lorikeet chose.");
    case XMPP_AUTH_ERROR_NOT_AUTHORIZED:
      return _("The password is wrong, or there is no such account.");
    case XMPP_AUTH_ERROR_TEMPORARY_FAILURE:
      return _("The server cannot check the password just now; try again later.");
    default:
      return NULL;
    }
}

/* Server text is shown in dialogues: valid UTF-8 on one line, and short,
 * whatever the server sent. */
#define SERVER_TEXT_MAX 200

static char *
clean_server_text (const char *text)
{
  g_autofree char *valid = g_utf8_make_valid (text, -1);
  GString *out = g_string_new (NULL);
  guint n = 0;

  for (const char *p = valid; *p != '\0'; p = g_utf8_next_char (p), n++)
    {
      gunichar c = g_utf8_get_char (p);

      if (n == SERVER_TEXT_MAX)
        {
          g_string_append (out, "…");
          break;
        }
      g_string_append_unichar (out, g_unichar_iscntrl (c) ? ' ' : c);
    }
  return g_strstrip (g_string_free (out, FALSE));
}

GError *
xmpp_auth_error_new_from_failure (const char *condition,
                                  const char *text)
{
  XmppAuthError code = xmpp_auth_error_from_condition (condition);
  g_autofree char *sentence = NULL;
  g_autofree char *said = text != NULL ? clean_server_text (text) : NULL;

  if (code == XMPP_AUTH_ERROR_FAILED)
    {
      g_autofree char *name = clean_server_text (condition != NULL ? condition : "");

      /* TRANSLATORS: %s is the server's name for the failure, such as
       * "policy-violation". */
      sentence = g_strdup_printf (_("The server refused the sign-in (“%s”)."), name);
    }
  else
    sentence = g_strdup (auth_sentence (code));

  if (said == NULL || *said == '\0')
    return g_error_new_literal (XMPP_AUTH_ERROR, code, sentence);
  /* TRANSLATORS: the first %s is one of the sentences above, the second
   * the server's own explanation, in its words. */
  return g_error_new (XMPP_AUTH_ERROR, code, _("%s The server says: “%s”"),
                      sentence, said);
}
