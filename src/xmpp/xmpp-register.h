/* xmpp-register.h: creating an account in-band (XEP-0077).
 *
 * On a stream that is encrypted but not signed in (a connector with
 * xmpp_connector_set_skip_auth): ask the server for its registration form,
 * have it filled in (by the user through a form widget, or by
 * xmpp_register_fill), submit it; then sign in with the new account on a
 * new connection.
 *
 * The form is always an XmppDataForm, whatever the server sent: a XEP-0004
 * form (which may carry a XEP-0158 CAPTCHA, its image or sound a XEP-0231
 * cid: URI of data in the reply), or the legacy fields (<username/>,
 * <password/>, <email/>…), turned into required text-single and
 * text-private fields of FORM_TYPE jabber:iq:register. Where a server sends
 * both (Prosody), the data form is used, as XEP-0077 §8 asks. The form
 * remembers which shape it came in and is submitted in the same shape.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "xmpp-connection.h"
#include "xmpp-data-form.h"

G_BEGIN_DECLS

/* Why the server would not register the account. Each has its own
 * sentence, followed by the server's own text when it sent one. */
typedef enum {
  XMPP_REGISTER_ERROR_UNSUPPORTED,          /* service-unavailable, feature-not-implemented;
                                               or only a web page (XEP-0077 §5) */
  XMPP_REGISTER_ERROR_CONFLICT,             /* conflict: the name is taken */
  XMPP_REGISTER_ERROR_NOT_ACCEPTABLE,       /* not-acceptable, bad-request, jid-malformed:
                                               a field missing or refused */
  XMPP_REGISTER_ERROR_NOT_ALLOWED,          /* forbidden, not-allowed, policy-violation:
                                               registration closed (for this address) */
  XMPP_REGISTER_ERROR_RESOURCE_CONSTRAINT,  /* resource-constraint, a policy-violation of
                                               type wait: too many from this address */
  XMPP_REGISTER_ERROR_FAILED,               /* any other condition */
} XmppRegisterError;

#define XMPP_REGISTER_ERROR (xmpp_register_error_quark ())
GQuark xmpp_register_error_quark (void);

/* Asks @domain for its registration form: an IQ get of jabber:iq:register
 * on @connection, which must not be in use otherwise (nothing else reads
 * it meanwhile; what arrives besides the reply is dropped). The reply is
 * taken only from @domain (or without 'from'). */
void          xmpp_register_get_form_async  (XmppConnection       *connection,
                                             const char           *domain,
                                             GCancellable         *cancellable,
                                             GAsyncReadyCallback   callback,
                                             gpointer              user_data);
/* A form of kind FORM. @reply (nullable) gets the whole reply, where the
 * XEP-0231 <data xmlns='urn:xmpp:bob'/> of a CAPTCHA's cid: URIs are.
 * Errors: XMPP_REGISTER_ERROR, XMPP_DATA_FORM_ERROR_MALFORMED, and those of
 * the connection. */
XmppDataForm *xmpp_register_get_form_finish (GAsyncResult         *result,
                                             XmppStanza          **reply,
                                             GError              **error);

/* Whether @form came as legacy fields rather than a data form. */
gboolean      xmpp_register_form_is_legacy  (XmppDataForm         *form);

/* Submits @form (from xmpp_register_get_form_finish, filled in): validated
 * first (xmpp_data_form_new_submit), then sent in the shape it came in.
 * Completes when the server has created the account. */
void          xmpp_register_submit_async    (XmppConnection       *connection,
                                             const char           *domain,
                                             XmppDataForm         *form,
                                             GCancellable         *cancellable,
                                             GAsyncReadyCallback   callback,
                                             gpointer              user_data);
gboolean      xmpp_register_submit_finish   (GAsyncResult         *result,
                                             GError              **error);

/* For a program that cannot show the form: fills in its username and
 * password fields. Fails when the form has no username field, or leaves
 * another required field empty (a CAPTCHA, an email address), with
 * XMPP_DATA_FORM_ERROR_REQUIRED and a sentence naming it; other values
 * are checked as xmpp_data_field_validate does. */
gboolean      xmpp_register_fill            (XmppDataForm         *form,
                                             const char           *username,
                                             const char           *password,
                                             GError              **error);

G_END_DECLS
