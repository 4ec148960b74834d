/* xmpp-register.c
 *
 * Two IQs on a bare connection: no session routes replies before signing
 * in, so each request reads the stream itself until its reply arrives.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "xmpp-register.h"
#include "xmpp-session.h"
#include "xmpp-error.h"
#include "xmpp-ns.h"

#include <glib/gi18n-lib.h>
#include <string.h>

G_DEFINE_QUARK (xmpp-register-error-quark, xmpp_register_error)

/* Set on forms made of legacy fields. */
#define LEGACY_KEY "xmpp-register-legacy"

/* The errors */

static GError *
register_error_new (XmppStanza *reply)
{
  const char *condition, *text, *type;
  XmppRegisterError code;
  const char *sentence;

  xmpp_stanza_error_read (reply, &condition, &text, &type);
  if (strcmp (condition, "conflict") == 0)
    {
      code = XMPP_REGISTER_ERROR_CONFLICT;
      sentence = _("That user name is taken.");
    }
  else if (strcmp (condition, "not-acceptable") == 0 || strcmp (condition, "bad-request") == 0 ||
           strcmp (condition, "jid-malformed") == 0)
    {
      code = XMPP_REGISTER_ERROR_NOT_ACCEPTABLE;
      sentence = _("The server did not accept the form: a field is missing or its value is refused.");
    }
  else if (strcmp (condition, "resource-constraint") == 0 ||
           (strcmp (condition, "policy-violation") == 0 && g_strcmp0 (type, "wait") == 0))
    {
      code = XMPP_REGISTER_ERROR_RESOURCE_CONSTRAINT;
      sentence = _("The server takes no more new accounts from this address for now; try again later.");
    }
  else if (strcmp (condition, "forbidden") == 0 || strcmp (condition, "not-allowed") == 0 ||
           strcmp (condition, "policy-violation") == 0)
    {
      code = XMPP_REGISTER_ERROR_NOT_ALLOWED;
      sentence = _("The server does not allow new accounts to be created (from this address).");
    }
  else if (strcmp (condition, "service-unavailable") == 0 ||
           strcmp (condition, "feature-not-implemented") == 0)
    {
      code = XMPP_REGISTER_ERROR_UNSUPPORTED;
      sentence = _("The server does not create accounts in-band.");
    }
  else
    {
      code = XMPP_REGISTER_ERROR_FAILED;
      sentence = _("The server could not create the account.");
    }

  if (text != NULL && *text != '\0')
    return g_error_new (XMPP_REGISTER_ERROR, code, _("%s The server says: “%s”"), sentence, text);
  if (code == XMPP_REGISTER_ERROR_FAILED)
    return g_error_new (XMPP_REGISTER_ERROR, code, "%s (%s)", sentence, condition);
  return g_error_new_literal (XMPP_REGISTER_ERROR, code, sentence);
}

static GError *
protocol_error (const char *what)
{
  return g_error_new (XMPP_CONNECTION_ERROR, XMPP_CONNECTION_ERROR_PROTOCOL,
                      _("The server broke the protocol: %s"), what);
}

/* One IQ and its reply */

typedef struct {
  XmppConnection *connection;
  char           *domain;
  char           *id;
  XmppStanza     *reply;     /* the form's, for XEP-0231 data */
} Request;

static void
request_free (Request *r)
{
  g_clear_object (&r->connection);
  g_free (r->domain);
  g_free (r->id);
  g_clear_pointer (&r->reply, xmpp_stanza_unref);
  g_free (r);
}

static void on_reply (GObject *source, GAsyncResult *result, gpointer user_data);

static XmppNode *
request_new (GTask          *task,
             XmppConnection *connection,
             const char     *domain,
             XmppStanza     *iq,
             const char     *type)
{
  Request *r = g_new0 (Request, 1);
  XmppNode *top = xmpp_stanza_get_top (iq);

  r->connection = g_object_ref (connection);
  r->domain = g_strdup (domain);
  r->id = g_uuid_string_random ();
  g_task_set_task_data (task, r, (GDestroyNotify) request_free);
  xmpp_node_set_attr (top, "type", type);
  xmpp_node_set_attr (top, "id", r->id);
  xmpp_node_set_attr (top, "to", domain);
  return xmpp_node_add_child (top, "query", XMPP_NS_REGISTER);
}

static void
request_send (GTask      *task,
              XmppStanza *iq)
{
  Request *r = g_task_get_task_data (task);

  xmpp_connection_send_stanza_async (r->connection, iq, NULL, NULL, NULL);
  xmpp_connection_recv_async (r->connection, g_task_get_cancellable (task), on_reply, task);
}

/* Legacy fields */

static const struct {
  const char *name;
  const char *label;
} legacy_labels[] = {
  { "username", N_("User name") },
  { "password", N_("Password") },
  { "nick", N_("Nickname") },
  { "name", N_("Full name") },
  { "first", N_("Given name") },
  { "last", N_("Family name") },
  { "email", N_("Email") },
  { "address", N_("Street") },
  { "city", N_("City") },
  { "state", N_("State or region") },
  { "zip", N_("Postal code") },
  { "phone", N_("Telephone") },
  { "url", N_("Web page") },
  { "date", N_("Date") },
  { "misc", N_("Other") },
  { "text", N_("Text") },
};

/* XEP-0077 §3.1: the fields the server lists are the ones it requires.
 * <key/> is a token to send back unchanged; <instructions/> is text;
 * <registered/> says the stream's account exists (not before signing in). */
static XmppDataForm *
form_from_legacy (XmppNode *query)
{
  g_autoptr(XmppDataForm) form = xmpp_data_form_new (XMPP_DATA_FORM_KIND_FORM, XMPP_NS_REGISTER);
  guint n_fields = 0;

  xmpp_node_foreach_child (query, child)
    {
      g_autoptr(XmppDataField) field = NULL;
      const char *text = xmpp_node_get_text (child);

      if (strcmp (child->ns, XMPP_NS_REGISTER) != 0 || strcmp (child->name, "registered") == 0 ||
          strcmp (child->name, "remove") == 0 || strcmp (child->name, "FORM_TYPE") == 0 ||
          xmpp_data_form_get_field (form, child->name) != NULL)
        continue;
      if (strcmp (child->name, "instructions") == 0)
        {
          if (text != NULL && *text != '\0')
            xmpp_data_form_add_instructions (form, text);
          continue;
        }
      if (strcmp (child->name, "key") == 0)
        {
          field = xmpp_data_field_new (XMPP_DATA_FIELD_HIDDEN, child->name);
          xmpp_data_field_set_value (field, text ? text : "");
          xmpp_data_form_add_field (form, field);
          continue;
        }
      field = xmpp_data_field_new (strcmp (child->name, "password") == 0 ? XMPP_DATA_FIELD_TEXT_PRIVATE
                                                                         : XMPP_DATA_FIELD_TEXT_SINGLE,
                                   child->name);
      xmpp_data_field_set_label (field, child->name);
      for (guint i = 0; i < G_N_ELEMENTS (legacy_labels); i++)
        if (strcmp (child->name, legacy_labels[i].name) == 0)
          xmpp_data_field_set_label (field, _(legacy_labels[i].label));
      xmpp_data_field_set_required (field, TRUE);
      if (text != NULL && *text != '\0')
        xmpp_data_field_set_value (field, text);
      xmpp_data_form_add_field (form, field);
      n_fields++;
    }
  if (n_fields == 0)
    return NULL;
  g_object_set_data (G_OBJECT (form), LEGACY_KEY, GINT_TO_POINTER (TRUE));
  return g_steal_pointer (&form);
}

gboolean
xmpp_register_form_is_legacy (XmppDataForm *form)
{
  g_return_val_if_fail (XMPP_IS_DATA_FORM (form), FALSE);

  return g_object_get_data (G_OBJECT (form), LEGACY_KEY) != NULL;
}

/* The replies */

static void
form_received (GTask      *task,
               XmppStanza *reply)
{
  XmppNode *query = xmpp_node_get_child (xmpp_stanza_get_top (reply), "query", XMPP_NS_REGISTER);
  XmppNode *x;
  XmppNode *oob;
  XmppDataForm *form;
  GError *error = NULL;

  if (query == NULL)
    return g_task_return_error (task, protocol_error (_("its answer has no registration form.")));
  x = xmpp_node_get_child (query, "x", XMPP_NS_DATA_FORMS);
  form = x != NULL ? xmpp_data_form_parse (x, &error) : form_from_legacy (query);
  if (error != NULL)
    return g_task_return_error (task, error);
  if (form != NULL)
    {
      Request *r = g_task_get_task_data (task);

      r->reply = xmpp_stanza_ref (reply);
      return g_task_return_pointer (task, form, g_object_unref);
    }
  oob = xmpp_node_get_child (query, "x", XMPP_NS_OOB);
  if (oob != NULL && xmpp_node_get_child_text (oob, "url", NULL) != NULL)
    return g_task_return_new_error (task, XMPP_REGISTER_ERROR, XMPP_REGISTER_ERROR_UNSUPPORTED,
                                    _("The server creates accounts only on its web site: %s"),
                                    xmpp_node_get_child_text (oob, "url", NULL));
  g_task_return_new_error (task, XMPP_REGISTER_ERROR, XMPP_REGISTER_ERROR_UNSUPPORTED,
                           _("The server’s registration form asks for nothing."));
}

static gboolean
is_domain (const char *from,
           const char *domain)
{
  return from == NULL || g_ascii_strcasecmp (from, domain) == 0;
}

static void
on_reply (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Request *r = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(XmppStanza) reply = xmpp_connection_recv_finish (r->connection, result, &error);
  const char *type;

  if (reply == NULL)
    return g_task_return_error (task, g_steal_pointer (&error));
  type = xmpp_stanza_get_kind (reply);
  if (!xmpp_node_is (xmpp_stanza_get_top (reply), "iq", XMPP_NS_CLIENT) ||
      g_strcmp0 (xmpp_stanza_get_id (reply), r->id) != 0 ||
      !is_domain (xmpp_stanza_get_from (reply), r->domain) ||
      (g_strcmp0 (type, "result") != 0 && g_strcmp0 (type, "error") != 0))
    {
      g_debug ("not the registration reply: <%s id='%s'>, dropped", xmpp_stanza_get_name (reply),
               xmpp_stanza_get_id (reply) ? xmpp_stanza_get_id (reply) : "");
      xmpp_connection_recv_async (r->connection, g_task_get_cancellable (task), on_reply,
                                  g_steal_pointer (&task));
      return;
    }
  if (strcmp (type, "error") == 0)
    return g_task_return_error (task, register_error_new (reply));
  if (g_task_get_source_tag (task) == xmpp_register_get_form_async)
    form_received (task, reply);
  else
    g_task_return_boolean (task, TRUE);
}

/* The API */

void
xmpp_register_get_form_async (XmppConnection      *connection,
                              const char          *domain,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  GTask *task;
  g_autoptr(XmppStanza) iq = NULL;

  g_return_if_fail (XMPP_IS_CONNECTION (connection));
  g_return_if_fail (domain != NULL);

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, xmpp_register_get_form_async);
  iq = xmpp_stanza_new ("iq", XMPP_NS_CLIENT);
  request_new (task, connection, domain, iq, "get");
  request_send (task, iq);
}

XmppDataForm *
xmpp_register_get_form_finish (GAsyncResult  *result,
                               XmppStanza   **reply,
                               GError       **error)
{
  XmppDataForm *form;

  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == xmpp_register_get_form_async, NULL);

  form = g_task_propagate_pointer (G_TASK (result), error);
  if (reply != NULL)
    {
      Request *r = g_task_get_task_data (G_TASK (result));

      *reply = form != NULL ? xmpp_stanza_ref (r->reply) : NULL;
    }
  return form;
}

void
xmpp_register_submit_async (XmppConnection      *connection,
                            const char          *domain,
                            XmppDataForm        *form,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  GTask *task;
  g_autoptr(XmppStanza) iq = NULL;
  g_autoptr(XmppDataForm) submit = NULL;
  GError *error = NULL;
  XmppNode *query;

  g_return_if_fail (XMPP_IS_CONNECTION (connection));
  g_return_if_fail (domain != NULL);
  g_return_if_fail (XMPP_IS_DATA_FORM (form));

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, xmpp_register_submit_async);
  submit = xmpp_data_form_new_submit (form, &error);
  if (submit == NULL)
    {
      g_task_return_error (task, error);
      g_object_unref (task);
      return;
    }
  iq = xmpp_stanza_new ("iq", XMPP_NS_CLIENT);
  query = request_new (task, connection, domain, iq, "set");
  if (xmpp_register_form_is_legacy (form))
    {
      GListModel *fields = xmpp_data_form_get_fields (submit);

      for (guint i = 0; i < g_list_model_get_n_items (fields); i++)
        {
          g_autoptr(XmppDataField) field = g_list_model_get_item (fields, i);
          const char *value = xmpp_data_field_get_value (field);

          if (g_strcmp0 (xmpp_data_field_get_var (field), "FORM_TYPE") != 0)
            xmpp_node_add_child_text (query, xmpp_data_field_get_var (field), NULL,
                                      value ? value : "");
        }
    }
  else
    xmpp_data_form_to_node (submit, query);
  request_send (task, iq);
}

gboolean
xmpp_register_submit_finish (GAsyncResult  *result,
                             GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == xmpp_register_submit_async, FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/* A field's name as the user sees it. */
static const char *
field_name (XmppDataField *field)
{
  const char *label = xmpp_data_field_get_label (field);

  return label != NULL && *label != '\0' ? label : xmpp_data_field_get_var (field);
}

gboolean
xmpp_register_fill (XmppDataForm  *form,
                    const char    *username,
                    const char    *password,
                    GError       **error)
{
  GListModel *fields;

  g_return_val_if_fail (XMPP_IS_DATA_FORM (form), FALSE);
  g_return_val_if_fail (username != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (xmpp_data_form_get_field (form, "username") == NULL)
    {
      g_set_error_literal (error, XMPP_DATA_FORM_ERROR, XMPP_DATA_FORM_ERROR_REQUIRED,
                           _("The server’s registration form does not ask for a user name."));
      return FALSE;
    }
  xmpp_data_form_set_value (form, "username", username);
  if (xmpp_data_form_get_field (form, "password") != NULL)
    xmpp_data_form_set_value (form, "password", password);

  fields = xmpp_data_form_get_fields (form);
  for (guint i = 0; i < g_list_model_get_n_items (fields); i++)
    {
      g_autoptr(XmppDataField) field = g_list_model_get_item (fields, i);
      g_autoptr(GError) local = NULL;

      if (xmpp_data_field_validate (field, &local))
        continue;
      if (g_error_matches (local, XMPP_DATA_FORM_ERROR, XMPP_DATA_FORM_ERROR_REQUIRED))
        {
          g_set_error (error, XMPP_DATA_FORM_ERROR, XMPP_DATA_FORM_ERROR_REQUIRED,
                       _("The server also requires “%s”, which cannot be filled in here."),
                       field_name (field));
          return FALSE;
        }
      g_propagate_error (error, g_steal_pointer (&local));
      return FALSE;
    }
  return TRUE;
}
