/* xmpp-disco.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "xmpp-disco.h"
#include "xmpp-error.h"
#include "xmpp-ns.h"

#include <glib/gi18n-lib.h>
#include <gnutls/crypto.h>
#include <string.h>

struct _XmppDisco {
  GObject      parent_instance;

  XmppSession *session;
  char        *name;
  char        *version;
  GPtrArray   *features;   /* char*, kept sorted and unique */
  char        *ver;        /* cached; NULL when features changed */
  guint        handlers[2];
};

G_DEFINE_FINAL_TYPE (XmppDisco, xmpp_disco, G_TYPE_OBJECT)

/* Verification string (XEP-0115 §5.1) */

static int
compare_strings (gconstpointer a,
                 gconstpointer b)
{
  return strcmp (*(const char * const *) a, *(const char * const *) b);
}

/* Sorted, with duplicates reported: a duplicate makes the answer
 * ill-formed (§5.4), and a hash over it would be ambiguous. */
static gboolean
sort_unique (GPtrArray *strings)
{
  g_ptr_array_sort (strings, compare_strings);
  for (guint i = 1; i < strings->len; i++)
    if (strcmp (strings->pdata[i - 1], strings->pdata[i]) == 0)
      return FALSE;
  return TRUE;
}

static char *
form_type_of (const XmppNode *x)
{
  xmpp_node_foreach_child (x, field)
    if (xmpp_node_is (field, "field", XMPP_NS_DATA_FORMS) &&
        g_strcmp0 (xmpp_node_get_attr (field, "var"), "FORM_TYPE") == 0)
      {
        /* Only a hidden FORM_TYPE makes a form part of the hash. */
        if (g_strcmp0 (xmpp_node_get_attr (field, "type"), "hidden") != 0)
          return NULL;
        return g_strdup (xmpp_node_get_child_text (field, "value", XMPP_NS_DATA_FORMS));
      }
  return NULL;
}

/* "FORM_TYPE<var<value<value<var<…" for one form, fields by var. */
static char *
form_string (const XmppNode *x,
             const char     *form_type)
{
  g_autoptr(GPtrArray) fields = g_ptr_array_new_with_free_func (g_free);
  GString *out = g_string_new (form_type);

  g_string_append_c (out, '<');
  xmpp_node_foreach_child (x, field)
    {
      const char *var = xmpp_node_get_attr (field, "var");
      g_autoptr(GPtrArray) values = NULL;
      GString *one;

      if (!xmpp_node_is (field, "field", XMPP_NS_DATA_FORMS) || var == NULL ||
          strcmp (var, "FORM_TYPE") == 0)
        continue;
      values = g_ptr_array_new ();
      xmpp_node_foreach_child (field, value)
        if (xmpp_node_is (value, "value", XMPP_NS_DATA_FORMS))
          g_ptr_array_add (values, (gpointer) xmpp_node_get_text (value));
      g_ptr_array_sort (values, compare_strings);
      one = g_string_new (var);
      g_string_append_c (one, '<');
      for (guint i = 0; i < values->len; i++)
        g_string_append_printf (one, "%s<", (const char *) values->pdata[i]);
      g_ptr_array_add (fields, g_string_free (one, FALSE));
    }
  /* Fields sort by var; the var starts each string and ends at '<'. */
  g_ptr_array_sort (fields, compare_strings);
  for (guint i = 0; i < fields->len; i++)
    g_string_append (out, fields->pdata[i]);
  return g_string_free (out, FALSE);
}

char *
xmpp_caps_compute_ver (const XmppNode  *query,
                       GError         **error)
{
  g_autoptr(GPtrArray) identities = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) features = g_ptr_array_new ();
  g_autoptr(GPtrArray) forms = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) form_types = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GString) s = g_string_new (NULL);
  unsigned char digest[20];

  xmpp_node_foreach_child (query, child)
    {
      if (xmpp_node_is (child, "identity", XMPP_NS_DISCO_INFO))
        {
          const char *lang = xmpp_node_get_attr_ns (child, XMPP_NS_XML, "lang");
          const char *name = xmpp_node_get_attr (child, "name");

          g_ptr_array_add (identities, g_strdup_printf ("%s/%s/%s/%s",
                                                        xmpp_node_get_attr (child, "category") ?: "",
                                                        xmpp_node_get_attr (child, "type") ?: "",
                                                        lang ? lang : "", name ? name : ""));
        }
      else if (xmpp_node_is (child, "feature", XMPP_NS_DISCO_INFO) &&
               xmpp_node_get_attr (child, "var") != NULL)
        g_ptr_array_add (features, (gpointer) xmpp_node_get_attr (child, "var"));
      else if (xmpp_node_is (child, "x", XMPP_NS_DATA_FORMS))
        {
          char *form_type = form_type_of (child);
          if (form_type == NULL)
            continue;
          g_ptr_array_add (forms, form_string (child, form_type));
          g_ptr_array_add (form_types, form_type);
        }
    }
  if (!sort_unique (identities) || !sort_unique (features) || !sort_unique (form_types))
    {
      g_set_error_literal (error, XMPP_STREAM_ERROR, XMPP_STREAM_ERROR_INVALID_XML,
                           _("The entity’s capabilities list something twice, so they cannot be verified."));
      return NULL;
    }
  g_ptr_array_sort (forms, compare_strings);
  for (guint i = 0; i < identities->len; i++)
    g_string_append_printf (s, "%s<", (const char *) identities->pdata[i]);
  for (guint i = 0; i < features->len; i++)
    g_string_append_printf (s, "%s<", (const char *) features->pdata[i]);
  for (guint i = 0; i < forms->len; i++)
    g_string_append (s, forms->pdata[i]);
  if (gnutls_hash_fast (GNUTLS_DIG_SHA1, s->str, s->len, digest) < 0)
    {
      g_set_error_literal (error, XMPP_STREAM_ERROR, XMPP_STREAM_ERROR_INTERNAL_SERVER_ERROR,
                           _("The capabilities could not be hashed."));
      return NULL;
    }
  return g_base64_encode (digest, sizeof digest);
}

/* Answering */

static void
fill_info (XmppDisco *self,
           XmppNode  *query)
{
  XmppNode *identity = xmpp_node_add_child (query, "identity", NULL);

  xmpp_node_set_attr (identity, "category", "client");
  xmpp_node_set_attr (identity, "type", "pc");
  xmpp_node_set_attr (identity, "name", self->name);
  for (guint i = 0; i < self->features->len; i++)
    xmpp_node_set_attr (xmpp_node_add_child (query, "feature", NULL), "var", self->features->pdata[i]);
}

static XmppStanza *
result_for (XmppStanza *request)
{
  XmppStanza *reply = xmpp_stanza_new ("iq", XMPP_NS_CLIENT);
  XmppNode *top = xmpp_stanza_get_top (reply);

  xmpp_node_set_attr (top, "type", "result");
  xmpp_node_set_attr (top, "id", xmpp_stanza_get_id (request));
  xmpp_node_set_attr (top, "to", xmpp_stanza_get_from (request));
  return reply;
}

static gboolean
on_disco_info (XmppSession *session,
               XmppStanza  *stanza,
               gpointer     user_data)
{
  XmppDisco *self = user_data;
  XmppNode *asked = xmpp_node_get_child (xmpp_stanza_get_top (stanza), "query", XMPP_NS_DISCO_INFO);
  const char *node = xmpp_node_get_attr (asked, "node");
  g_autofree char *our_node = g_strdup_printf ("%s#%s", XMPP_CAPS_NODE, xmpp_disco_get_caps_ver (self));
  g_autoptr(XmppStanza) reply = NULL;
  XmppNode *query;

  reply = result_for (stanza);
  /* A node we do not have: item-not-found (XEP-0030 §3.1). */
  if (node != NULL && strcmp (node, our_node) != 0)
    {
      XmppNode *error = xmpp_node_add_child (xmpp_stanza_get_top (reply), "error", NULL);

      xmpp_node_set_attr (xmpp_stanza_get_top (reply), "type", "error");
      xmpp_node_set_attr (error, "type", "cancel");
      xmpp_node_add_child (error, "item-not-found", XMPP_NS_STANZAS);
      xmpp_session_send_async (session, reply, NULL, NULL, NULL);
      return TRUE;
    }
  query = xmpp_node_add_child (xmpp_stanza_get_top (reply), "query", XMPP_NS_DISCO_INFO);
  if (node != NULL)
    xmpp_node_set_attr (query, "node", node);
  fill_info (self, query);
  xmpp_session_send_async (session, reply, NULL, NULL, NULL);
  return TRUE;
}

static gboolean
on_version (XmppSession *session,
            XmppStanza  *stanza,
            gpointer     user_data)
{
  XmppDisco *self = user_data;
  g_autoptr(XmppStanza) reply = result_for (stanza);
  XmppNode *query = xmpp_node_add_child (xmpp_stanza_get_top (reply), "query", XMPP_NS_VERSION);

  /* Name and version only: the operating system says more about the
   * user's machine than a contact needs to know (XEP-0092 §4). */
  xmpp_node_add_child_text (query, "name", NULL, self->name);
  xmpp_node_add_child_text (query, "version", NULL, self->version);
  xmpp_session_send_async (session, reply, NULL, NULL, NULL);
  return TRUE;
}

void
xmpp_disco_add_feature (XmppDisco  *self,
                        const char *feature)
{
  for (guint i = 0; i < self->features->len; i++)
    if (strcmp (self->features->pdata[i], feature) == 0)
      return;
  g_ptr_array_add (self->features, g_strdup (feature));
  g_ptr_array_sort (self->features, compare_strings);
  g_clear_pointer (&self->ver, g_free);
}

const char *
xmpp_disco_get_caps_ver (XmppDisco *self)
{
  if (self->ver == NULL)
    {
      g_autoptr(XmppStanza) info = xmpp_stanza_new ("query", XMPP_NS_DISCO_INFO);

      fill_info (self, xmpp_stanza_get_top (info));
      self->ver = xmpp_caps_compute_ver (xmpp_stanza_get_top (info), NULL);
    }
  return self->ver;
}

void
xmpp_disco_add_caps (XmppDisco *self,
                     XmppNode  *presence)
{
  XmppNode *c = xmpp_node_add_child (presence, "c", XMPP_NS_CAPS);

  xmpp_node_set_attr (c, "hash", "sha-1");
  xmpp_node_set_attr (c, "node", XMPP_CAPS_NODE);
  xmpp_node_set_attr (c, "ver", xmpp_disco_get_caps_ver (self));
}

static void
on_info (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;
  XmppStanza *reply = xmpp_session_send_iq_finish (XMPP_SESSION (source), result, &error);

  if (reply == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, reply, (GDestroyNotify) xmpp_stanza_unref);
}

void
xmpp_disco_info_async (XmppDisco           *self,
                       const char          *jid,
                       const char          *node,
                       GCancellable        *cancellable,
                       GAsyncReadyCallback  callback,
                       gpointer             user_data)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);
  g_autoptr(XmppStanza) iq = xmpp_stanza_new ("iq", XMPP_NS_CLIENT);
  XmppNode *query;

  g_task_set_source_tag (task, xmpp_disco_info_async);
  xmpp_node_set_attr (xmpp_stanza_get_top (iq), "type", "get");
  xmpp_node_set_attr (xmpp_stanza_get_top (iq), "to",
                      jid ? jid : xmpp_jid_get_domain (xmpp_session_get_jid (self->session)));
  query = xmpp_node_add_child (xmpp_stanza_get_top (iq), "query", XMPP_NS_DISCO_INFO);
  if (node != NULL)
    xmpp_node_set_attr (query, "node", node);
  xmpp_session_send_iq_async (self->session, iq, cancellable, on_info, task);
}

XmppStanza *
xmpp_disco_info_finish (XmppDisco     *self,
                        GAsyncResult  *result,
                        GError       **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
xmpp_disco_dispose (GObject *object)
{
  XmppDisco *self = XMPP_DISCO (object);

  if (self->session != NULL)
    for (guint i = 0; i < G_N_ELEMENTS (self->handlers); i++)
      xmpp_session_remove_handler (self->session, self->handlers[i]);
  g_clear_object (&self->session);
  G_OBJECT_CLASS (xmpp_disco_parent_class)->dispose (object);
}

static void
xmpp_disco_finalize (GObject *object)
{
  XmppDisco *self = XMPP_DISCO (object);

  g_free (self->name);
  g_free (self->version);
  g_free (self->ver);
  g_ptr_array_unref (self->features);
  G_OBJECT_CLASS (xmpp_disco_parent_class)->finalize (object);
}

static void
xmpp_disco_class_init (XmppDiscoClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = xmpp_disco_dispose;
  G_OBJECT_CLASS (klass)->finalize = xmpp_disco_finalize;
}

static void
xmpp_disco_init (XmppDisco *self)
{
  self->features = g_ptr_array_new_with_free_func (g_free);
}

XmppDisco *
xmpp_disco_new (XmppSession *session,
                const char  *name,
                const char  *version)
{
  XmppDisco *self = g_object_new (XMPP_TYPE_DISCO, NULL);

  self->session = g_object_ref (session);
  self->name = g_strdup (name);
  self->version = g_strdup (version);
  xmpp_disco_add_feature (self, XMPP_NS_DISCO_INFO);
  xmpp_disco_add_feature (self, XMPP_NS_CAPS);
  xmpp_disco_add_feature (self, XMPP_NS_PING);
  xmpp_disco_add_feature (self, XMPP_NS_VERSION);
  self->handlers[0] = xmpp_session_add_handler (session, "iq", "get", XMPP_NS_DISCO_INFO, 0,
                                                on_disco_info, self, NULL);
  self->handlers[1] = xmpp_session_add_handler (session, "iq", "get", XMPP_NS_VERSION, 0,
                                                on_version, self, NULL);
  return self;
}
