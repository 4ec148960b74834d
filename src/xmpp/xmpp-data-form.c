/* xmpp-data-form.c: XEP-0004 forms as a GListModel of fields.
 *
 * The fields live in a GListStore, so a user interface binds to the form's
 * own model and sees exactly the fields protocol code reads and submits.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "xmpp-data-form.h"
#include "xmpp-error.h"
#include "xmpp-ns.h"

#include <glib/gi18n-lib.h>
#include <string.h>

struct _XmppDataForm {
  GObject           parent_instance;

  XmppDataFormKind  kind;
  char             *title;
  GStrv             instructions;  /* never NULL */
  GListStore       *fields;        /* of XmppDataField */
  GListStore       *reported;      /* of XmppDataField */
  GListStore       *items;         /* of GListModel of XmppDataField */
};

G_DEFINE_FINAL_TYPE (XmppDataForm, xmpp_data_form, G_TYPE_OBJECT)

/* The nicks are the XEP-0004 type strings, in the enum's order. */
G_DEFINE_ENUM_TYPE (XmppDataFormKind, xmpp_data_form_kind,
  G_DEFINE_ENUM_VALUE (XMPP_DATA_FORM_KIND_FORM, "form"),
  G_DEFINE_ENUM_VALUE (XMPP_DATA_FORM_KIND_SUBMIT, "submit"),
  G_DEFINE_ENUM_VALUE (XMPP_DATA_FORM_KIND_CANCEL, "cancel"),
  G_DEFINE_ENUM_VALUE (XMPP_DATA_FORM_KIND_RESULT, "result"))

static const char * const kind_names[] = { "form", "submit", "cancel", "result" };

G_STATIC_ASSERT (G_N_ELEMENTS (kind_names) == XMPP_DATA_FORM_KIND_RESULT + 1);

#define FORM_TYPE "FORM_TYPE"

enum {
  PROP_0,
  PROP_KIND,
  PROP_TITLE,
  PROP_INSTRUCTIONS,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
xmpp_data_form_finalize (GObject *object)
{
  XmppDataForm *self = XMPP_DATA_FORM (object);

  g_free (self->title);
  g_strfreev (self->instructions);
  g_object_unref (self->fields);
  g_object_unref (self->reported);
  g_object_unref (self->items);

  G_OBJECT_CLASS (xmpp_data_form_parent_class)->finalize (object);
}

static void
xmpp_data_form_get_property (GObject    *object,
                             guint       prop_id,
                             GValue     *value,
                             GParamSpec *pspec)
{
  XmppDataForm *self = XMPP_DATA_FORM (object);

  switch (prop_id)
    {
    case PROP_KIND:
      g_value_set_enum (value, self->kind);
      break;
    case PROP_TITLE:
      g_value_set_string (value, self->title);
      break;
    case PROP_INSTRUCTIONS:
      g_value_set_boxed (value, self->instructions);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
xmpp_data_form_set_property (GObject      *object,
                             guint         prop_id,
                             const GValue *value,
                             GParamSpec   *pspec)
{
  XmppDataForm *self = XMPP_DATA_FORM (object);

  switch (prop_id)
    {
    case PROP_KIND:
      self->kind = g_value_get_enum (value);
      break;
    case PROP_TITLE:
      xmpp_data_form_set_title (self, g_value_get_string (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
xmpp_data_form_class_init (XmppDataFormClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = xmpp_data_form_finalize;
  object_class->get_property = xmpp_data_form_get_property;
  object_class->set_property = xmpp_data_form_set_property;

  properties[PROP_KIND] =
    g_param_spec_enum ("kind", NULL, NULL,
                       XMPP_TYPE_DATA_FORM_KIND, XMPP_DATA_FORM_KIND_FORM,
                       G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY |
                       G_PARAM_STATIC_STRINGS);
  properties[PROP_TITLE] =
    g_param_spec_string ("title", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY |
                         G_PARAM_STATIC_STRINGS);
  properties[PROP_INSTRUCTIONS] =
    g_param_spec_boxed ("instructions", NULL, NULL, G_TYPE_STRV,
                        G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY |
                        G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
xmpp_data_form_init (XmppDataForm *self)
{
  self->instructions = g_new0 (char *, 1);
  self->fields = g_list_store_new (XMPP_TYPE_DATA_FIELD);
  self->reported = g_list_store_new (XMPP_TYPE_DATA_FIELD);
  self->items = g_list_store_new (G_TYPE_LIST_MODEL);
}

XmppDataForm *
xmpp_data_form_new (XmppDataFormKind  kind,
                    const char       *form_type)
{
  XmppDataForm *self;

  g_return_val_if_fail ((guint) kind < G_N_ELEMENTS (kind_names), NULL);

  self = g_object_new (XMPP_TYPE_DATA_FORM, "kind", kind, NULL);
  if (form_type != NULL)
    {
      g_autoptr(XmppDataField) field =
        xmpp_data_field_new (XMPP_DATA_FIELD_HIDDEN, FORM_TYPE);

      xmpp_data_field_set_value (field, form_type);
      g_list_store_append (self->fields, field);
    }
  return self;
}

XmppDataForm *
xmpp_data_form_new_cancel (void)
{
  return xmpp_data_form_new (XMPP_DATA_FORM_KIND_CANCEL, NULL);
}

/* Accessors */

XmppDataFormKind
xmpp_data_form_get_kind (XmppDataForm *self)
{
  g_return_val_if_fail (XMPP_IS_DATA_FORM (self), XMPP_DATA_FORM_KIND_FORM);
  return self->kind;
}

const char *
xmpp_data_form_get_title (XmppDataForm *self)
{
  g_return_val_if_fail (XMPP_IS_DATA_FORM (self), NULL);
  return self->title;
}

void
xmpp_data_form_set_title (XmppDataForm *self,
                          const char   *title)
{
  g_return_if_fail (XMPP_IS_DATA_FORM (self));

  if (g_strcmp0 (self->title, title) == 0)
    return;
  g_free (self->title);
  self->title = g_strdup (title);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TITLE]);
}

const char * const *
xmpp_data_form_get_instructions (XmppDataForm *self)
{
  g_return_val_if_fail (XMPP_IS_DATA_FORM (self), NULL);
  return (const char * const *) self->instructions;
}

void
xmpp_data_form_add_instructions (XmppDataForm *self,
                                 const char   *instructions)
{
  guint n;

  g_return_if_fail (XMPP_IS_DATA_FORM (self));
  g_return_if_fail (instructions != NULL);

  n = g_strv_length (self->instructions);
  self->instructions = g_renew (char *, self->instructions, n + 2);
  self->instructions[n] = g_strdup (instructions);
  self->instructions[n + 1] = NULL;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_INSTRUCTIONS]);
}

/* XEP-0068: a FORM_TYPE that is not hidden is an ordinary field. Submit
 * forms commonly leave the type out (XEP-0068's and XEP-0158's own
 * examples do), and still mean it. */
const char *
xmpp_data_form_get_form_type (XmppDataForm *self)
{
  XmppDataField *field;

  g_return_val_if_fail (XMPP_IS_DATA_FORM (self), NULL);

  field = xmpp_data_form_get_field (self, FORM_TYPE);
  if (field == NULL)
    return NULL;
  if (xmpp_data_field_get_kind (field) == XMPP_DATA_FIELD_HIDDEN ||
      (self->kind == XMPP_DATA_FORM_KIND_SUBMIT &&
       !xmpp_data_field_get_has_type (field)))
    return xmpp_data_field_get_value (field);
  return NULL;
}

GListModel *
xmpp_data_form_get_fields (XmppDataForm *self)
{
  g_return_val_if_fail (XMPP_IS_DATA_FORM (self), NULL);
  return G_LIST_MODEL (self->fields);
}

XmppDataField *
xmpp_data_form_get_field (XmppDataForm *self,
                          const char   *var)
{
  g_return_val_if_fail (XMPP_IS_DATA_FORM (self), NULL);
  return xmpp_data_field_find (G_LIST_MODEL (self->fields), var);
}

void
xmpp_data_form_add_field (XmppDataForm  *self,
                          XmppDataField *field)
{
  const char *var;

  g_return_if_fail (XMPP_IS_DATA_FORM (self));
  g_return_if_fail (XMPP_IS_DATA_FIELD (field));

  var = xmpp_data_field_get_var (field);
  g_return_if_fail (var == NULL || xmpp_data_form_get_field (self, var) == NULL);
  g_list_store_append (self->fields, field);
}

const char *
xmpp_data_form_get_value (XmppDataForm *self,
                          const char   *var)
{
  XmppDataField *field = xmpp_data_form_get_field (self, var);

  return field ? xmpp_data_field_get_value (field) : NULL;
}

/* Protocol code names fields the form may not have yet (a MAM query's
 * "with"); they go in untyped, as the XEPs' submissions write them. */
static XmppDataField *
ensure_field (XmppDataForm *self,
              const char   *var)
{
  XmppDataField *field = xmpp_data_form_get_field (self, var);

  if (field == NULL)
    {
      field = g_object_new (XMPP_TYPE_DATA_FIELD, "var", var, "has-type", FALSE, NULL);
      g_list_store_append (self->fields, field);
      g_object_unref (field);
    }
  return field;
}

void
xmpp_data_form_set_value (XmppDataForm *self,
                          const char   *var,
                          const char   *value)
{
  g_return_if_fail (XMPP_IS_DATA_FORM (self));
  g_return_if_fail (var != NULL);
  xmpp_data_field_set_value (ensure_field (self, var), value);
}

void
xmpp_data_form_set_values (XmppDataForm       *self,
                           const char         *var,
                           const char * const *values)
{
  g_return_if_fail (XMPP_IS_DATA_FORM (self));
  g_return_if_fail (var != NULL);
  xmpp_data_field_set_values (ensure_field (self, var), values);
}

GListModel *
xmpp_data_form_get_reported (XmppDataForm *self)
{
  g_return_val_if_fail (XMPP_IS_DATA_FORM (self), NULL);
  return G_LIST_MODEL (self->reported);
}

GListModel *
xmpp_data_form_get_items (XmppDataForm *self)
{
  g_return_val_if_fail (XMPP_IS_DATA_FORM (self), NULL);
  return G_LIST_MODEL (self->items);
}

void
xmpp_data_form_add_reported (XmppDataForm  *self,
                             XmppDataField *field)
{
  g_return_if_fail (XMPP_IS_DATA_FORM (self));
  g_return_if_fail (XMPP_IS_DATA_FIELD (field));
  g_list_store_append (self->reported, field);
}

void
xmpp_data_form_add_item (XmppDataForm *self,
                         GListModel   *fields)
{
  g_return_if_fail (XMPP_IS_DATA_FORM (self));
  g_return_if_fail (G_IS_LIST_MODEL (fields));
  g_return_if_fail (g_list_model_get_item_type (fields) == XMPP_TYPE_DATA_FIELD);
  g_list_store_append (self->items, fields);
}

/* Parsing */

static gboolean
kind_from_string (const char       *type,
                  XmppDataFormKind *kind)
{
  for (guint i = 0; type != NULL && i < G_N_ELEMENTS (kind_names); i++)
    if (strcmp (type, kind_names[i]) == 0)
      {
        *kind = (XmppDataFormKind) i;
        return TRUE;
      }
  return FALSE;
}

/* Parses <field/> @node into @store. @vars holds the names already in
 * @store: a var names one field (XEP-0004 §3.2), and which of two to
 * submit cannot be guessed. */
static gboolean
add_field_node (GListStore      *store,
                GHashTable      *vars,
                const XmppNode  *node,
                GError         **error)
{
  g_autoptr(XmppDataField) field = xmpp_data_field_parse (node, error);
  const char *var;

  if (field == NULL)
    return FALSE;
  var = xmpp_data_field_get_var (field);
  if (var != NULL && !g_hash_table_add (vars, (gpointer) var))
    {
      g_set_error (error, XMPP_DATA_FORM_ERROR, XMPP_DATA_FORM_ERROR_MALFORMED,
                   _("The form has two fields named “%s”"), var);
      return FALSE;
    }
  g_list_store_append (store, field);
  return TRUE;
}

/* The <field/> children of <reported/> or <item/> into @store. */
static gboolean
parse_field_list (GListStore      *store,
                  const XmppNode  *parent,
                  GError         **error)
{
  g_autoptr(GHashTable) vars = g_hash_table_new (g_str_hash, g_str_equal);

  xmpp_node_foreach_child (parent, child)
    if (xmpp_node_is (child, "field", XMPP_NS_DATA_FORMS) &&
        !add_field_node (store, vars, child, error))
      return FALSE;
  return TRUE;
}

static gboolean
parse_item (XmppDataForm    *self,
            const XmppNode  *node,
            GError         **error)
{
  g_autoptr(GListStore) item = g_list_store_new (XMPP_TYPE_DATA_FIELD);

  if (!parse_field_list (item, node, error))
    return FALSE;
  g_list_store_append (self->items, item);
  return TRUE;
}

/* A second <title/> or <reported/> breaks the schema but not the form:
 * the first is kept. */
static gboolean
parse_child (XmppDataForm    *self,
             GHashTable      *vars,
             const XmppNode  *child,
             GError         **error)
{
  if (strcmp (child->ns, XMPP_NS_DATA_FORMS) != 0)
    return TRUE;
  if (strcmp (child->name, "field") == 0)
    return add_field_node (self->fields, vars, child, error);
  if (strcmp (child->name, "item") == 0)
    return parse_item (self, child, error);
  if (strcmp (child->name, "reported") == 0 &&
      g_list_model_get_n_items (G_LIST_MODEL (self->reported)) == 0)
    return parse_field_list (self->reported, child, error);
  if (strcmp (child->name, "title") == 0 && self->title == NULL)
    self->title = g_strdup (xmpp_node_get_text (child));
  else if (strcmp (child->name, "instructions") == 0)
    xmpp_data_form_add_instructions (self, xmpp_node_get_text (child));
  return TRUE;
}

static gboolean
parse_kind (const XmppNode    *x,
            XmppDataFormKind  *kind,
            GError           **error)
{
  const char *type = xmpp_node_get_attr (x, "type");

  if (!xmpp_node_is (x, "x", XMPP_NS_DATA_FORMS))
    g_set_error (error, XMPP_DATA_FORM_ERROR, XMPP_DATA_FORM_ERROR_MALFORMED,
                 _("This is not a data form"));
  else if (type == NULL)
    g_set_error (error, XMPP_DATA_FORM_ERROR, XMPP_DATA_FORM_ERROR_MALFORMED,
                 _("The form has no type"));
  else if (!kind_from_string (type, kind))
    g_set_error (error, XMPP_DATA_FORM_ERROR, XMPP_DATA_FORM_ERROR_MALFORMED,
                 _("The form has an unknown type, “%s”"), type);
  else
    return TRUE;
  return FALSE;
}

XmppDataForm *
xmpp_data_form_parse (const XmppNode  *x,
                      GError         **error)
{
  g_autoptr(XmppDataForm) self = NULL;
  g_autoptr(GHashTable) vars = NULL;
  XmppDataFormKind kind;

  g_return_val_if_fail (x != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!parse_kind (x, &kind, error))
    return NULL;

  self = g_object_new (XMPP_TYPE_DATA_FORM, "kind", kind, NULL);
  vars = g_hash_table_new (g_str_hash, g_str_equal);
  xmpp_node_foreach_child (x, child)
    if (!parse_child (self, vars, child, error))
      return NULL;
  return g_steal_pointer (&self);
}

/* Building */

static void
fields_to_node (GListModel *fields,
                XmppNode   *parent)
{
  guint n = g_list_model_get_n_items (fields);

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(XmppDataField) field = g_list_model_get_item (fields, i);

      xmpp_data_field_to_node (field, parent);
    }
}

static void
fill_node (XmppDataForm *self,
           XmppNode     *x)
{
  GListModel *items = G_LIST_MODEL (self->items);
  guint n_items = g_list_model_get_n_items (items);

  xmpp_node_set_attr (x, "type", kind_names[self->kind]);
  if (self->title != NULL)
    xmpp_node_add_child_text (x, "title", NULL, self->title);
  for (guint i = 0; self->instructions[i] != NULL; i++)
    xmpp_node_add_child_text (x, "instructions", NULL, self->instructions[i]);
  fields_to_node (G_LIST_MODEL (self->fields), x);
  if (g_list_model_get_n_items (G_LIST_MODEL (self->reported)) > 0)
    fields_to_node (G_LIST_MODEL (self->reported),
                    xmpp_node_add_child (x, "reported", NULL));
  for (guint i = 0; i < n_items; i++)
    {
      g_autoptr(GListModel) item = g_list_model_get_item (items, i);

      fields_to_node (item, xmpp_node_add_child (x, "item", NULL));
    }
}

XmppNode *
xmpp_data_form_to_node (XmppDataForm *self,
                        XmppNode     *parent)
{
  XmppNode *x;

  g_return_val_if_fail (XMPP_IS_DATA_FORM (self), NULL);
  g_return_val_if_fail (parent != NULL, NULL);

  x = xmpp_node_add_child (parent, "x", XMPP_NS_DATA_FORMS);
  fill_node (self, x);
  return x;
}

XmppStanza *
xmpp_data_form_to_stanza (XmppDataForm *self)
{
  XmppStanza *stanza;

  g_return_val_if_fail (XMPP_IS_DATA_FORM (self), NULL);

  stanza = xmpp_stanza_new ("x", XMPP_NS_DATA_FORMS);
  fill_node (self, xmpp_stanza_get_top (stanza));
  return stanza;
}

/* Submission */

gboolean
xmpp_data_form_validate (XmppDataForm  *self,
                         GError       **error)
{
  GListModel *fields;
  guint n;

  g_return_val_if_fail (XMPP_IS_DATA_FORM (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  fields = G_LIST_MODEL (self->fields);
  n = g_list_model_get_n_items (fields);
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(XmppDataField) field = g_list_model_get_item (fields, i);

      if (!xmpp_data_field_validate (field, error))
        return FALSE;
    }
  return TRUE;
}

/* Fixed fields are the form's text, not data, and hidden ones go back as
 * they came. A single-valued field left without a value was not answered:
 * XEP-0004 lets a submission omit it, and XEP-0158 and XEP-0313 submissions
 * do. A multi-valued field is sent even when empty, because an empty list
 * (no admins, no option chosen) is an answer. */
static gboolean
is_submitted (XmppDataField *field)
{
  if (xmpp_data_field_get_var (field) == NULL)
    return FALSE;
  switch (xmpp_data_field_get_kind (field))
    {
    case XMPP_DATA_FIELD_FIXED:
      return FALSE;
    case XMPP_DATA_FIELD_HIDDEN:
    case XMPP_DATA_FIELD_JID_MULTI:
    case XMPP_DATA_FIELD_LIST_MULTI:
    case XMPP_DATA_FIELD_TEXT_MULTI:
      return TRUE;
    default:
      return xmpp_data_field_get_n_values (field) > 0;
    }
}

XmppDataForm *
xmpp_data_form_new_submit (XmppDataForm  *self,
                           GError       **error)
{
  GListModel *fields;
  XmppDataForm *submit;
  guint n;

  g_return_val_if_fail (XMPP_IS_DATA_FORM (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!xmpp_data_form_validate (self, error))
    return NULL;

  submit = xmpp_data_form_new (XMPP_DATA_FORM_KIND_SUBMIT, NULL);
  fields = G_LIST_MODEL (self->fields);
  n = g_list_model_get_n_items (fields);
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(XmppDataField) field = g_list_model_get_item (fields, i);
      g_autoptr(XmppDataField) copy = NULL;

      if (!is_submitted (field))
        continue;
      copy = xmpp_data_field_new_submit (field);
      g_list_store_append (submit->fields, copy);
    }
  return submit;
}
