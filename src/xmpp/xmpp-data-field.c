/* xmpp-data-field.c: XEP-0004 fields, their XEP-0221 media and XEP-0122
 * validation.
 *
 * Parsing is lenient, as XEP-0004 asks of a form-submitting entity: what a
 * user interface can still show is kept, and only what cannot be submitted
 * back (a field without a name) is an error. Strictness lives in
 * xmpp_data_field_validate, which runs on what the user typed.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "xmpp-data-field.h"
#include "xmpp-error.h"
#include "xmpp-jid.h"
#include "xmpp-ns.h"

#include <glib/gi18n-lib.h>
#include <string.h>

typedef struct {
  char *label;   /* nullable */
  char *value;
} Option;

typedef struct {
  char *type;    /* nullable: the XEP requires it, servers may forget it */
  char *uri;
} MediaUri;

typedef struct {
  guint      width;   /* 0: not given */
  guint      height;
  GPtrArray *uris;    /* of MediaUri */
} Media;

typedef struct {
  char                  *datatype;    /* NULL: no attribute, xs:string */
  XmppDataValidateMethod method;
  gboolean               has_method;  /* a method element to write back */
  char                  *min;         /* RANGE bounds, nullable */
  char                  *max;
  char                  *regex;       /* REGEX pattern */
  gboolean               has_list_range;
  guint                  list_min;    /* 0: no bound */
  guint                  list_max;
} Validate;

struct _XmppDataField {
  GObject            parent_instance;

  XmppDataFieldKind  kind;
  gboolean           has_type;
  char              *var;
  char              *label;
  char              *desc;
  gboolean           required;
  GStrv              values;     /* never NULL */
  GPtrArray         *options;    /* of Option */
  Media             *media;      /* NULL: no media element */
  Validate          *validate;   /* NULL: no validate element */
};

G_DEFINE_FINAL_TYPE (XmppDataField, xmpp_data_field, G_TYPE_OBJECT)

/* The nicks are the XEP-0004 type strings, in the enum's order. */
G_DEFINE_ENUM_TYPE (XmppDataFieldKind, xmpp_data_field_kind,
  G_DEFINE_ENUM_VALUE (XMPP_DATA_FIELD_BOOLEAN, "boolean"),
  G_DEFINE_ENUM_VALUE (XMPP_DATA_FIELD_FIXED, "fixed"),
  G_DEFINE_ENUM_VALUE (XMPP_DATA_FIELD_HIDDEN, "hidden"),
  G_DEFINE_ENUM_VALUE (XMPP_DATA_FIELD_JID_MULTI, "jid-multi"),
  G_DEFINE_ENUM_VALUE (XMPP_DATA_FIELD_JID_SINGLE, "jid-single"),
  G_DEFINE_ENUM_VALUE (XMPP_DATA_FIELD_LIST_MULTI, "list-multi"),
  G_DEFINE_ENUM_VALUE (XMPP_DATA_FIELD_LIST_SINGLE, "list-single"),
  G_DEFINE_ENUM_VALUE (XMPP_DATA_FIELD_TEXT_MULTI, "text-multi"),
  G_DEFINE_ENUM_VALUE (XMPP_DATA_FIELD_TEXT_PRIVATE, "text-private"),
  G_DEFINE_ENUM_VALUE (XMPP_DATA_FIELD_TEXT_SINGLE, "text-single"))

static const char * const kind_names[] = {
  "boolean", "fixed", "hidden", "jid-multi", "jid-single",
  "list-multi", "list-single", "text-multi", "text-private", "text-single",
};

G_STATIC_ASSERT (G_N_ELEMENTS (kind_names) == XMPP_DATA_FIELD_TEXT_SINGLE + 1);

static const char * const method_names[] = { "basic", "open", "range", "regex" };

G_STATIC_ASSERT (G_N_ELEMENTS (method_names) == XMPP_DATA_VALIDATE_REGEX + 1);

enum {
  PROP_0,
  PROP_VAR,
  PROP_KIND,
  PROP_HAS_TYPE,
  PROP_LABEL,
  PROP_DESC,
  PROP_REQUIRED,
  PROP_VALUES,
  PROP_VALUE,
  PROP_BOOLEAN,
  PROP_TEXT,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
option_free (gpointer data)
{
  Option *o = data;

  g_free (o->label);
  g_free (o->value);
  g_free (o);
}

static void
media_uri_free (gpointer data)
{
  MediaUri *m = data;

  g_free (m->type);
  g_free (m->uri);
  g_free (m);
}

static void
media_free (Media *media)
{
  if (media == NULL)
    return;
  g_ptr_array_unref (media->uris);
  g_free (media);
}

static void
validate_free (Validate *v)
{
  if (v == NULL)
    return;
  g_free (v->datatype);
  g_free (v->min);
  g_free (v->max);
  g_free (v->regex);
  g_free (v);
}

static void
xmpp_data_field_finalize (GObject *object)
{
  XmppDataField *self = XMPP_DATA_FIELD (object);

  g_free (self->var);
  g_free (self->label);
  g_free (self->desc);
  g_strfreev (self->values);
  g_clear_pointer (&self->options, g_ptr_array_unref);
  media_free (self->media);
  validate_free (self->validate);

  G_OBJECT_CLASS (xmpp_data_field_parent_class)->finalize (object);
}

static void
xmpp_data_field_get_property (GObject    *object,
                              guint       prop_id,
                              GValue     *value,
                              GParamSpec *pspec)
{
  XmppDataField *self = XMPP_DATA_FIELD (object);

  switch (prop_id)
    {
    case PROP_VAR:
      g_value_set_string (value, self->var);
      break;
    case PROP_KIND:
      g_value_set_enum (value, self->kind);
      break;
    case PROP_HAS_TYPE:
      g_value_set_boolean (value, self->has_type);
      break;
    case PROP_LABEL:
      g_value_set_string (value, self->label);
      break;
    case PROP_DESC:
      g_value_set_string (value, self->desc);
      break;
    case PROP_REQUIRED:
      g_value_set_boolean (value, self->required);
      break;
    case PROP_VALUES:
      g_value_set_boxed (value, self->values);
      break;
    case PROP_VALUE:
      g_value_set_string (value, xmpp_data_field_get_value (self));
      break;
    case PROP_BOOLEAN:
      g_value_set_boolean (value, xmpp_data_field_get_boolean (self));
      break;
    case PROP_TEXT:
      g_value_take_string (value, xmpp_data_field_dup_text (self));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
xmpp_data_field_set_property (GObject      *object,
                              guint         prop_id,
                              const GValue *value,
                              GParamSpec   *pspec)
{
  XmppDataField *self = XMPP_DATA_FIELD (object);

  switch (prop_id)
    {
    case PROP_VAR:
      self->var = g_value_dup_string (value);
      break;
    case PROP_KIND:
      self->kind = g_value_get_enum (value);
      break;
    case PROP_HAS_TYPE:
      self->has_type = g_value_get_boolean (value);
      break;
    case PROP_LABEL:
      xmpp_data_field_set_label (self, g_value_get_string (value));
      break;
    case PROP_DESC:
      xmpp_data_field_set_desc (self, g_value_get_string (value));
      break;
    case PROP_REQUIRED:
      xmpp_data_field_set_required (self, g_value_get_boolean (value));
      break;
    case PROP_VALUES:
      xmpp_data_field_set_values (self, g_value_get_boxed (value));
      break;
    case PROP_VALUE:
      xmpp_data_field_set_value (self, g_value_get_string (value));
      break;
    case PROP_BOOLEAN:
      xmpp_data_field_set_boolean (self, g_value_get_boolean (value));
      break;
    case PROP_TEXT:
      xmpp_data_field_set_text (self, g_value_get_string (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
xmpp_data_field_class_init (XmppDataFieldClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags rw = G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;
  GParamFlags ctor = G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY |
                     G_PARAM_STATIC_STRINGS;

  object_class->finalize = xmpp_data_field_finalize;
  object_class->get_property = xmpp_data_field_get_property;
  object_class->set_property = xmpp_data_field_set_property;

  properties[PROP_VAR] = g_param_spec_string ("var", NULL, NULL, NULL, ctor);
  properties[PROP_KIND] =
    g_param_spec_enum ("kind", NULL, NULL, XMPP_TYPE_DATA_FIELD_KIND,
                       XMPP_DATA_FIELD_TEXT_SINGLE, ctor);
  /* See xmpp_data_field_get_has_type. */
  properties[PROP_HAS_TYPE] =
    g_param_spec_boolean ("has-type", NULL, NULL, TRUE, ctor);
  properties[PROP_LABEL] = g_param_spec_string ("label", NULL, NULL, NULL, rw);
  properties[PROP_DESC] = g_param_spec_string ("desc", NULL, NULL, NULL, rw);
  properties[PROP_REQUIRED] = g_param_spec_boolean ("required", NULL, NULL, FALSE, rw);
  properties[PROP_VALUES] = g_param_spec_boxed ("values", NULL, NULL, G_TYPE_STRV, rw);
  properties[PROP_VALUE] = g_param_spec_string ("value", NULL, NULL, NULL, rw);
  properties[PROP_BOOLEAN] = g_param_spec_boolean ("boolean", NULL, NULL, FALSE, rw);
  properties[PROP_TEXT] = g_param_spec_string ("text", NULL, NULL, NULL, rw);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
xmpp_data_field_init (XmppDataField *self)
{
  self->kind = XMPP_DATA_FIELD_TEXT_SINGLE;
  self->values = g_new0 (char *, 1);
}

XmppDataField *
xmpp_data_field_new (XmppDataFieldKind kind,
                     const char       *var)
{
  g_return_val_if_fail ((guint) kind < G_N_ELEMENTS (kind_names), NULL);
  g_return_val_if_fail (var != NULL || kind == XMPP_DATA_FIELD_FIXED, NULL);

  return g_object_new (XMPP_TYPE_DATA_FIELD, "kind", kind, "var", var, NULL);
}

/* Accessors */

const char *
xmpp_data_field_get_var (XmppDataField *self)
{
  g_return_val_if_fail (XMPP_IS_DATA_FIELD (self), NULL);
  return self->var;
}

XmppDataFieldKind
xmpp_data_field_get_kind (XmppDataField *self)
{
  g_return_val_if_fail (XMPP_IS_DATA_FIELD (self), XMPP_DATA_FIELD_TEXT_SINGLE);
  return self->kind;
}

gboolean
xmpp_data_field_get_has_type (XmppDataField *self)
{
  g_return_val_if_fail (XMPP_IS_DATA_FIELD (self), FALSE);
  return self->has_type;
}

/* Replaces *@slot with a copy of @value and notifies @prop if it changed. */
static void
set_string (XmppDataField *self,
            char         **slot,
            const char    *value,
            guint          prop)
{
  if (g_strcmp0 (*slot, value) == 0)
    return;
  g_free (*slot);
  *slot = g_strdup (value);
  g_object_notify_by_pspec (G_OBJECT (self), properties[prop]);
}

const char *
xmpp_data_field_get_label (XmppDataField *self)
{
  g_return_val_if_fail (XMPP_IS_DATA_FIELD (self), NULL);
  return self->label;
}

void
xmpp_data_field_set_label (XmppDataField *self,
                           const char    *label)
{
  g_return_if_fail (XMPP_IS_DATA_FIELD (self));
  set_string (self, &self->label, label, PROP_LABEL);
}

const char *
xmpp_data_field_get_desc (XmppDataField *self)
{
  g_return_val_if_fail (XMPP_IS_DATA_FIELD (self), NULL);
  return self->desc;
}

void
xmpp_data_field_set_desc (XmppDataField *self,
                          const char    *desc)
{
  g_return_if_fail (XMPP_IS_DATA_FIELD (self));
  set_string (self, &self->desc, desc, PROP_DESC);
}

gboolean
xmpp_data_field_get_required (XmppDataField *self)
{
  g_return_val_if_fail (XMPP_IS_DATA_FIELD (self), FALSE);
  return self->required;
}

void
xmpp_data_field_set_required (XmppDataField *self,
                              gboolean       required)
{
  g_return_if_fail (XMPP_IS_DATA_FIELD (self));
  required = !!required;
  if (self->required == required)
    return;
  self->required = required;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_REQUIRED]);
}

/* Values */

/* Takes @values; every view of the values is notified together, so a
 * widget bound to any one of them follows. */
static void
take_values (XmppDataField *self,
             GStrv          values)
{
  GObject *object = G_OBJECT (self);

  if (g_strv_equal ((const char * const *) self->values, (const char * const *) values))
    {
      g_strfreev (values);
      return;
    }
  g_strfreev (self->values);
  self->values = values;

  g_object_freeze_notify (object);
  g_object_notify_by_pspec (object, properties[PROP_VALUES]);
  g_object_notify_by_pspec (object, properties[PROP_VALUE]);
  g_object_notify_by_pspec (object, properties[PROP_BOOLEAN]);
  g_object_notify_by_pspec (object, properties[PROP_TEXT]);
  g_object_thaw_notify (object);
}

const char * const *
xmpp_data_field_get_values (XmppDataField *self)
{
  g_return_val_if_fail (XMPP_IS_DATA_FIELD (self), NULL);
  return (const char * const *) self->values;
}

guint
xmpp_data_field_get_n_values (XmppDataField *self)
{
  g_return_val_if_fail (XMPP_IS_DATA_FIELD (self), 0);
  return g_strv_length (self->values);
}

void
xmpp_data_field_set_values (XmppDataField      *self,
                            const char * const *values)
{
  g_return_if_fail (XMPP_IS_DATA_FIELD (self));
  take_values (self, values ? g_strdupv ((char **) values) : g_new0 (char *, 1));
}

void
xmpp_data_field_add_value (XmppDataField *self,
                           const char    *value)
{
  guint n;
  GStrv values;

  g_return_if_fail (XMPP_IS_DATA_FIELD (self));
  g_return_if_fail (value != NULL);

  n = g_strv_length (self->values);
  values = g_new (char *, n + 2);
  for (guint i = 0; i < n; i++)
    values[i] = g_strdup (self->values[i]);
  values[n] = g_strdup (value);
  values[n + 1] = NULL;
  take_values (self, values);
}

const char *
xmpp_data_field_get_value (XmppDataField *self)
{
  g_return_val_if_fail (XMPP_IS_DATA_FIELD (self), NULL);
  return self->values[0];
}

void
xmpp_data_field_set_value (XmppDataField *self,
                           const char    *value)
{
  const char *one[] = { value, NULL };

  g_return_if_fail (XMPP_IS_DATA_FIELD (self));
  xmpp_data_field_set_values (self, one);
}

/* XML Schema's lexical forms of xs:boolean; XEP-0004 requires both. */
static gboolean
parse_boolean (const char *s,
               gboolean   *out)
{
  if (g_strcmp0 (s, "1") == 0 || g_strcmp0 (s, "true") == 0)
    *out = TRUE;
  else if (g_strcmp0 (s, "0") == 0 || g_strcmp0 (s, "false") == 0)
    *out = FALSE;
  else
    return FALSE;
  return TRUE;
}

gboolean
xmpp_data_field_get_boolean (XmppDataField *self)
{
  gboolean value = FALSE;

  g_return_val_if_fail (XMPP_IS_DATA_FIELD (self), FALSE);
  return parse_boolean (self->values[0], &value) && value;
}

void
xmpp_data_field_set_boolean (XmppDataField *self,
                             gboolean       value)
{
  xmpp_data_field_set_value (self, value ? "1" : "0");
}

char *
xmpp_data_field_dup_text (XmppDataField *self)
{
  g_return_val_if_fail (XMPP_IS_DATA_FIELD (self), NULL);
  return g_strjoinv ("\n", self->values);
}

/* One value per line, as XEP-0004 asks of text-multi; a CR before the LF
 * (text pasted from elsewhere) is not part of the line. */
static GStrv
split_lines (const char *text)
{
  GStrv lines = g_strsplit (text, "\n", -1);

  for (guint i = 0; lines[i] != NULL; i++)
    {
      gsize len = strlen (lines[i]);

      if (len > 0 && lines[i][len - 1] == '\r')
        lines[i][len - 1] = '\0';
    }
  return lines;
}

void
xmpp_data_field_set_text (XmppDataField *self,
                          const char    *text)
{
  g_return_if_fail (XMPP_IS_DATA_FIELD (self));
  take_values (self, split_lines (text ? text : ""));
}

/* Options */

guint
xmpp_data_field_get_n_options (XmppDataField *self)
{
  g_return_val_if_fail (XMPP_IS_DATA_FIELD (self), 0);
  return self->options ? self->options->len : 0;
}

static Option *
get_option (XmppDataField *self,
            guint          index)
{
  g_return_val_if_fail (XMPP_IS_DATA_FIELD (self), NULL);
  g_return_val_if_fail (self->options != NULL && index < self->options->len, NULL);
  return g_ptr_array_index (self->options, index);
}

const char *
xmpp_data_field_get_option_label (XmppDataField *self,
                                  guint          index)
{
  Option *o = get_option (self, index);

  return o ? o->label : NULL;
}

const char *
xmpp_data_field_get_option_value (XmppDataField *self,
                                  guint          index)
{
  Option *o = get_option (self, index);

  return o ? o->value : NULL;
}

void
xmpp_data_field_add_option (XmppDataField *self,
                            const char    *label,
                            const char    *value)
{
  Option *o;

  g_return_if_fail (XMPP_IS_DATA_FIELD (self));
  g_return_if_fail (value != NULL);

  if (self->options == NULL)
    self->options = g_ptr_array_new_with_free_func (option_free);
  o = g_new (Option, 1);
  o->label = g_strdup (label);
  o->value = g_strdup (value);
  g_ptr_array_add (self->options, o);
}

gboolean
xmpp_data_field_has_option (XmppDataField *self,
                            const char    *value,
                            const char   **label)
{
  g_return_val_if_fail (XMPP_IS_DATA_FIELD (self), FALSE);

  for (guint i = 0; self->options != NULL && i < self->options->len; i++)
    {
      Option *o = g_ptr_array_index (self->options, i);

      if (g_strcmp0 (o->value, value) != 0)
        continue;
      if (label != NULL)
        *label = o->label;
      return TRUE;
    }
  return FALSE;
}

/* Media */

static Media *
ensure_media (XmppDataField *self)
{
  if (self->media == NULL)
    {
      self->media = g_new0 (Media, 1);
      self->media->uris = g_ptr_array_new_with_free_func (media_uri_free);
    }
  return self->media;
}

gboolean
xmpp_data_field_has_media (XmppDataField *self)
{
  g_return_val_if_fail (XMPP_IS_DATA_FIELD (self), FALSE);
  return self->media != NULL;
}

void
xmpp_data_field_get_media_size (XmppDataField *self,
                                guint         *width,
                                guint         *height)
{
  g_return_if_fail (XMPP_IS_DATA_FIELD (self));
  if (width != NULL)
    *width = self->media ? self->media->width : 0;
  if (height != NULL)
    *height = self->media ? self->media->height : 0;
}

guint
xmpp_data_field_get_n_media_uris (XmppDataField *self)
{
  g_return_val_if_fail (XMPP_IS_DATA_FIELD (self), 0);
  return self->media ? self->media->uris->len : 0;
}

const char *
xmpp_data_field_get_media_uri (XmppDataField *self,
                               guint          index,
                               const char   **type)
{
  MediaUri *m;

  g_return_val_if_fail (XMPP_IS_DATA_FIELD (self), NULL);
  g_return_val_if_fail (self->media != NULL && index < self->media->uris->len, NULL);

  m = g_ptr_array_index (self->media->uris, index);
  if (type != NULL)
    *type = m->type;
  return m->uri;
}

void
xmpp_data_field_set_media_size (XmppDataField *self,
                                guint          width,
                                guint          height)
{
  Media *media;

  g_return_if_fail (XMPP_IS_DATA_FIELD (self));
  media = ensure_media (self);
  media->width = width;
  media->height = height;
}

void
xmpp_data_field_add_media_uri (XmppDataField *self,
                               const char    *type,
                               const char    *uri)
{
  MediaUri *m;

  g_return_if_fail (XMPP_IS_DATA_FIELD (self));
  g_return_if_fail (uri != NULL);

  m = g_new (MediaUri, 1);
  m->type = g_strdup (type);
  m->uri = g_strdup (uri);
  g_ptr_array_add (ensure_media (self)->uris, m);
}

/* Validation rules */

static Validate *
ensure_validate (XmppDataField *self)
{
  if (self->validate == NULL)
    self->validate = g_new0 (Validate, 1);
  return self->validate;
}

gboolean
xmpp_data_field_has_validation (XmppDataField *self)
{
  g_return_val_if_fail (XMPP_IS_DATA_FIELD (self), FALSE);
  return self->validate != NULL;
}

const char *
xmpp_data_field_get_datatype (XmppDataField *self)
{
  g_return_val_if_fail (XMPP_IS_DATA_FIELD (self), NULL);
  if (self->validate == NULL || self->validate->datatype == NULL)
    return "xs:string";
  return self->validate->datatype;
}

XmppDataValidateMethod
xmpp_data_field_get_validate_method (XmppDataField *self)
{
  g_return_val_if_fail (XMPP_IS_DATA_FIELD (self), XMPP_DATA_VALIDATE_BASIC);
  return self->validate ? self->validate->method : XMPP_DATA_VALIDATE_BASIC;
}

void
xmpp_data_field_get_range (XmppDataField *self,
                           const char   **min,
                           const char   **max)
{
  gboolean range;

  g_return_if_fail (XMPP_IS_DATA_FIELD (self));
  range = self->validate && self->validate->method == XMPP_DATA_VALIDATE_RANGE;
  if (min != NULL)
    *min = range ? self->validate->min : NULL;
  if (max != NULL)
    *max = range ? self->validate->max : NULL;
}

const char *
xmpp_data_field_get_regex (XmppDataField *self)
{
  g_return_val_if_fail (XMPP_IS_DATA_FIELD (self), NULL);
  if (self->validate == NULL || self->validate->method != XMPP_DATA_VALIDATE_REGEX)
    return NULL;
  return self->validate->regex;
}

gboolean
xmpp_data_field_get_list_range (XmppDataField *self,
                                guint         *min,
                                guint         *max)
{
  gboolean has;

  g_return_val_if_fail (XMPP_IS_DATA_FIELD (self), FALSE);
  has = self->validate && self->validate->has_list_range;
  if (min != NULL)
    *min = has ? self->validate->list_min : 0;
  if (max != NULL)
    *max = has ? self->validate->list_max : 0;
  return has;
}

void
xmpp_data_field_set_validation (XmppDataField          *self,
                                const char             *datatype,
                                XmppDataValidateMethod  method)
{
  Validate *v;

  g_return_if_fail (XMPP_IS_DATA_FIELD (self));
  g_return_if_fail ((guint) method < G_N_ELEMENTS (method_names));

  v = ensure_validate (self);
  g_free (v->datatype);
  v->datatype = g_strdup (datatype);
  v->method = method;
  v->has_method = TRUE;
}

void
xmpp_data_field_set_range (XmppDataField *self,
                           const char    *min,
                           const char    *max)
{
  Validate *v;

  g_return_if_fail (XMPP_IS_DATA_FIELD (self));
  v = ensure_validate (self);
  v->method = XMPP_DATA_VALIDATE_RANGE;
  v->has_method = TRUE;
  g_free (v->min);
  g_free (v->max);
  v->min = g_strdup (min);
  v->max = g_strdup (max);
}

void
xmpp_data_field_set_regex (XmppDataField *self,
                           const char    *regex)
{
  Validate *v;

  g_return_if_fail (XMPP_IS_DATA_FIELD (self));
  g_return_if_fail (regex != NULL);
  v = ensure_validate (self);
  v->method = XMPP_DATA_VALIDATE_REGEX;
  v->has_method = TRUE;
  g_free (v->regex);
  v->regex = g_strdup (regex);
}

void
xmpp_data_field_set_list_range (XmppDataField *self,
                                guint          min,
                                guint          max)
{
  Validate *v;

  g_return_if_fail (XMPP_IS_DATA_FIELD (self));
  v = ensure_validate (self);
  v->has_list_range = TRUE;
  v->list_min = min;
  v->list_max = max;
}

XmppDataField *
xmpp_data_field_find (GListModel *fields,
                      const char *var)
{
  guint n;

  g_return_val_if_fail (G_IS_LIST_MODEL (fields), NULL);
  g_return_val_if_fail (var != NULL, NULL);

  n = g_list_model_get_n_items (fields);
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(XmppDataField) field = g_list_model_get_item (fields, i);

      /* The model keeps its own reference: the pointer stays valid. */
      if (g_strcmp0 (field->var, var) == 0)
        return field;
    }
  return NULL;
}

/* Parsing */

static gboolean
kind_from_string (const char        *type,
                  XmppDataFieldKind *kind)
{
  for (guint i = 0; type != NULL && i < G_N_ELEMENTS (kind_names); i++)
    if (strcmp (type, kind_names[i]) == 0)
      {
        *kind = (XmppDataFieldKind) i;
        return TRUE;
      }
  return FALSE;
}

/* An attribute as an unsigned number up to @max, 0 when absent or bad:
 * sizes and counts only guide the display, so a bad one is dropped. */
static guint
attr_uint (const XmppNode *node,
           const char     *name,
           guint           max)
{
  const char *s = xmpp_node_get_attr (node, name);
  guint64 n = 0;

  if (s == NULL || !g_ascii_string_to_unsigned (s, 10, 0, max, &n, NULL))
    return 0;
  return (guint) n;
}

/* An <option/> without its one <value/> cannot be chosen: it is skipped. */
static void
parse_option (XmppDataField  *self,
              const XmppNode *option)
{
  const char *value = xmpp_node_get_child_text (option, "value", XMPP_NS_DATA_FORMS);

  if (value == NULL)
    {
      g_debug ("Data form field %s: option without a value skipped", self->var);
      return;
    }
  xmpp_data_field_add_option (self, xmpp_node_get_attr (option, "label"), value);
}

/* URIs are trimmed: the XEP's own examples put them on lines of their own. */
static void
parse_media (XmppDataField  *self,
             const XmppNode *media)
{
  xmpp_data_field_set_media_size (self,
                                  attr_uint (media, "width", G_MAXUINT16),
                                  attr_uint (media, "height", G_MAXUINT16));
  xmpp_node_foreach_child (media, uri)
    {
      g_autofree char *text = NULL;

      if (!xmpp_node_is (uri, "uri", XMPP_NS_DATA_FORMS_MEDIA))
        continue;
      text = g_strstrip (g_strdup (xmpp_node_get_text (uri)));
      if (*text != '\0')
        xmpp_data_field_add_media_uri (self, xmpp_node_get_attr (uri, "type"), text);
    }
}

/* The first method element wins (the XEP allows one); an unknown method
 * leaves BASIC, as XEP-0122 §4.1 requires. */
static void
parse_validate_child (Validate       *v,
                      const XmppNode *child)
{
  if (strcmp (child->name, "list-range") == 0)
    {
      v->has_list_range = TRUE;
      v->list_min = attr_uint (child, "min", G_MAXUINT);
      v->list_max = attr_uint (child, "max", G_MAXUINT);
      return;
    }
  for (guint i = 0; !v->has_method && i < G_N_ELEMENTS (method_names); i++)
    {
      if (strcmp (child->name, method_names[i]) != 0)
        continue;
      v->method = (XmppDataValidateMethod) i;
      v->has_method = TRUE;
      if (v->method == XMPP_DATA_VALIDATE_RANGE)
        {
          v->min = g_strdup (xmpp_node_get_attr (child, "min"));
          v->max = g_strdup (xmpp_node_get_attr (child, "max"));
        }
      else if (v->method == XMPP_DATA_VALIDATE_REGEX)
        v->regex = g_strdup (xmpp_node_get_text (child));
    }
}

static void
parse_validate (XmppDataField  *self,
                const XmppNode *validate)
{
  Validate *v = ensure_validate (self);

  v->datatype = g_strdup (xmpp_node_get_attr (validate, "datatype"));
  xmpp_node_foreach_child (validate, child)
    if (strcmp (child->ns, XMPP_NS_DATA_VALIDATE) == 0)
      parse_validate_child (v, child);
}

static void
parse_child (XmppDataField  *self,
             GStrvBuilder   *values,
             const XmppNode *child)
{
  if (xmpp_node_is (child, "value", XMPP_NS_DATA_FORMS))
    g_strv_builder_add (values, xmpp_node_get_text (child));
  else if (xmpp_node_is (child, "option", XMPP_NS_DATA_FORMS))
    parse_option (self, child);
  else if (xmpp_node_is (child, "required", XMPP_NS_DATA_FORMS))
    self->required = TRUE;
  else if (xmpp_node_is (child, "desc", XMPP_NS_DATA_FORMS) && self->desc == NULL)
    self->desc = g_strdup (xmpp_node_get_text (child));
  else if (xmpp_node_is (child, "media", XMPP_NS_DATA_FORMS_MEDIA) &&
           self->media == NULL)
    parse_media (self, child);
  else if (xmpp_node_is (child, "validate", XMPP_NS_DATA_VALIDATE) &&
           self->validate == NULL)
    parse_validate (self, child);
}

XmppDataField *
xmpp_data_field_parse (const XmppNode  *node,
                       GError         **error)
{
  XmppDataFieldKind kind = XMPP_DATA_FIELD_TEXT_SINGLE;
  g_autoptr(GStrvBuilder) values = NULL;
  XmppDataField *self;
  const char *var;
  gboolean known;

  g_return_val_if_fail (node != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  known = kind_from_string (xmpp_node_get_attr (node, "type"), &kind);
  var = xmpp_node_get_attr (node, "var");
  if (var == NULL && kind != XMPP_DATA_FIELD_FIXED)
    {
      g_set_error_literal (error, XMPP_DATA_FORM_ERROR, XMPP_DATA_FORM_ERROR_MALFORMED,
                           _("A field of the form has no name"));
      return NULL;
    }

  self = g_object_new (XMPP_TYPE_DATA_FIELD,
                       "kind", kind, "var", var, "has-type", known, NULL);
  self->label = g_strdup (xmpp_node_get_attr (node, "label"));
  values = g_strv_builder_new ();
  xmpp_node_foreach_child (node, child)
    parse_child (self, values, child);
  g_strfreev (self->values);
  self->values = g_strv_builder_end (values);
  return self;
}

/* Building */

static void
media_to_node (Media    *media,
               XmppNode *field)
{
  XmppNode *node = xmpp_node_add_child (field, "media", XMPP_NS_DATA_FORMS_MEDIA);
  char buf[16];

  if (media->height > 0)
    {
      g_snprintf (buf, sizeof buf, "%u", media->height);
      xmpp_node_set_attr (node, "height", buf);
    }
  if (media->width > 0)
    {
      g_snprintf (buf, sizeof buf, "%u", media->width);
      xmpp_node_set_attr (node, "width", buf);
    }
  for (guint i = 0; i < media->uris->len; i++)
    {
      MediaUri *m = g_ptr_array_index (media->uris, i);
      XmppNode *uri = xmpp_node_add_child_text (node, "uri", NULL, m->uri);

      xmpp_node_set_attr (uri, "type", m->type);
    }
}

static void
set_uint_attr (XmppNode   *node,
               const char *name,
               guint       value)
{
  char buf[16];

  if (value == 0)
    return;
  g_snprintf (buf, sizeof buf, "%u", value);
  xmpp_node_set_attr (node, name, buf);
}

static void
validate_to_node (Validate *v,
                  XmppNode *field)
{
  XmppNode *node = xmpp_node_add_child (field, "validate", XMPP_NS_DATA_VALIDATE);

  xmpp_node_set_attr (node, "datatype", v->datatype);
  if (v->has_method)
    {
      XmppNode *method = xmpp_node_add_child (node, method_names[v->method], NULL);

      if (v->method == XMPP_DATA_VALIDATE_RANGE)
        {
          xmpp_node_set_attr (method, "min", v->min);
          xmpp_node_set_attr (method, "max", v->max);
        }
      else if (v->method == XMPP_DATA_VALIDATE_REGEX)
        xmpp_node_set_text (method, v->regex);
    }
  if (v->has_list_range)
    {
      XmppNode *range = xmpp_node_add_child (node, "list-range", NULL);

      set_uint_attr (range, "min", v->list_min);
      set_uint_attr (range, "max", v->list_max);
    }
}

XmppNode *
xmpp_data_field_to_node (XmppDataField *self,
                         XmppNode      *parent)
{
  XmppNode *node;

  g_return_val_if_fail (XMPP_IS_DATA_FIELD (self), NULL);
  g_return_val_if_fail (parent != NULL, NULL);

  node = xmpp_node_add_child (parent, "field", XMPP_NS_DATA_FORMS);
  xmpp_node_set_attr (node, "var", self->var);
  if (self->has_type)
    xmpp_node_set_attr (node, "type", kind_names[self->kind]);
  xmpp_node_set_attr (node, "label", self->label);
  if (self->desc != NULL)
    xmpp_node_add_child_text (node, "desc", NULL, self->desc);
  if (self->required)
    xmpp_node_add_child (node, "required", NULL);
  if (self->media != NULL)
    media_to_node (self->media, node);
  if (self->validate != NULL)
    validate_to_node (self->validate, node);
  for (guint i = 0; self->values[i] != NULL; i++)
    xmpp_node_add_child_text (node, "value", NULL, self->values[i]);
  for (guint i = 0; self->options != NULL && i < self->options->len; i++)
    {
      Option *o = g_ptr_array_index (self->options, i);
      XmppNode *option = xmpp_node_add_child (node, "option", NULL);

      xmpp_node_set_attr (option, "label", o->label);
      xmpp_node_add_child_text (option, "value", NULL, o->value);
    }
  return node;
}

/* XEP-0122 datatypes.
 *
 * Only the registered xs: types are understood; any other validates as
 * xs:string, as the XEP requires. Values are compared for <range/> through
 * a Scalar: integers exactly when they fit in 64 bits, other numbers as
 * doubles, dates and times as instants. */

typedef enum {
  DT_STRING,
  DT_BOOLEAN,
  DT_INTEGER,
  DT_DECIMAL,
  DT_DOUBLE,
  DT_DATE,
  DT_DATETIME,
  DT_TIME,
  DT_LANGUAGE,
} DatatypeClass;

typedef struct {
  const char   *name;
  DatatypeClass klass;
  gint64        min;   /* bounds of integer types; both 0: unbounded */
  gint64        max;
} Datatype;

static const Datatype datatypes[] = {
  { "xs:boolean",  DT_BOOLEAN,  0, 0 },
  { "xs:byte",     DT_INTEGER,  G_MININT8, G_MAXINT8 },
  { "xs:short",    DT_INTEGER,  G_MININT16, G_MAXINT16 },
  { "xs:int",      DT_INTEGER,  G_MININT32, G_MAXINT32 },
  { "xs:long",     DT_INTEGER,  G_MININT64, G_MAXINT64 },
  { "xs:integer",  DT_INTEGER,  0, 0 },
  { "xs:decimal",  DT_DECIMAL,  0, 0 },
  { "xs:double",   DT_DOUBLE,   0, 0 },
  { "xs:date",     DT_DATE,     0, 0 },
  { "xs:dateTime", DT_DATETIME, 0, 0 },
  { "xs:time",     DT_TIME,     0, 0 },
  { "xs:language", DT_LANGUAGE, 0, 0 },
};

static const Datatype string_datatype = { "xs:string", DT_STRING, 0, 0 };

static const Datatype *
lookup_datatype (const char *name)
{
  for (guint i = 0; name != NULL && i < G_N_ELEMENTS (datatypes); i++)
    if (strcmp (name, datatypes[i].name) == 0)
      return &datatypes[i];
  return &string_datatype;
}

typedef struct {
  gboolean   exact;   /* an integer held in @i */
  gint64     i;
  double     d;
  GDateTime *dt;      /* dates and times */
} Scalar;

static void
scalar_clear (Scalar *s)
{
  g_clear_pointer (&s->dt, g_date_time_unref);
}

static const char *
skip_digits (const char *p)
{
  while (g_ascii_isdigit (*p))
    p++;
  return p;
}

/* [+-]?digits */
static gboolean
scan_integer (const char *s)
{
  const char *p = s + (*s == '+' || *s == '-');
  const char *end = skip_digits (p);

  return end > p && *end == '\0';
}

/* [+-]?(digits(.digits?)?|.digits), with [eE][+-]?digits after it for
 * xs:double, or one of its special values. */
static gboolean
scan_decimal (const char *s,
              gboolean    exponent)
{
  const char *p = s + (*s == '+' || *s == '-');
  const char *int_end = skip_digits (p);
  const char *frac = int_end;

  if (exponent && (strcmp (p, "INF") == 0 || strcmp (s, "NaN") == 0))
    return TRUE;
  if (*frac == '.')
    frac = skip_digits (frac + 1);
  if (frac == p || (int_end == p && frac == int_end + 1))
    return FALSE;
  if (exponent && (*frac == 'e' || *frac == 'E'))
    {
      const char *e = frac + 1 + (frac[1] == '+' || frac[1] == '-');

      frac = skip_digits (e);
      if (frac == e)
        return FALSE;
    }
  return *frac == '\0';
}

/* YYYY-MM-DD or hh:mm:ss(.s)? with an optional zone, made into an instant
 * by GLib's ISO 8601 parser; zoneless values are taken as UTC. */
static GDateTime *
parse_temporal (DatatypeClass klass,
                const char   *s)
{
  g_autoptr(GTimeZone) utc = g_time_zone_new_utc ();
  g_autofree char *iso = NULL;

  if (klass == DT_DATE)
    {
      if (strlen (s) < 10 || s[4] != '-' || s[7] != '-')
        return NULL;
      iso = g_strdup_printf ("%.10sT00:00:00%s", s, s + 10);
    }
  else if (klass == DT_TIME)
    iso = g_strconcat ("2000-01-01T", s, NULL);
  else
    iso = g_strdup (s);
  return g_date_time_new_from_iso8601 (iso, utc);
}

/* RFC 1766 tags as XML Schema has them: 1-8 letters, then -1-8 alnum. */
static gboolean
scan_language (const char *s)
{
  gboolean first = TRUE;

  for (const char *p = s;; p++)
    {
      const char *start = p;

      while (first ? g_ascii_isalpha (*p) : g_ascii_isalnum (*p))
        p++;
      if (p == start || p - start > 8)
        return FALSE;
      if (*p == '\0')
        return TRUE;
      if (*p != '-')
        return FALSE;
      first = FALSE;
    }
}

static gboolean
parse_integer (const Datatype *type,
               const char     *s,
               Scalar         *out)
{
  if (!scan_integer (s))
    return FALSE;
  out->exact = g_ascii_string_to_signed (s, 10, G_MININT64, G_MAXINT64, &out->i, NULL);
  out->d = g_ascii_strtod (s, NULL);
  if (type->min == 0 && type->max == 0)
    return TRUE;
  return out->exact && out->i >= type->min && out->i <= type->max;
}

/* Whether @s is a valid @type; *@out (nullable) gets it for comparisons
 * and must then be cleared. */
static gboolean
parse_scalar (const Datatype *type,
              const char     *s,
              Scalar         *out)
{
  Scalar unused = { 0 };
  gboolean b, ok = TRUE;

  if (out == NULL)
    out = &unused;
  switch (type->klass)
    {
    case DT_STRING:
      break;
    case DT_BOOLEAN:
      ok = parse_boolean (s, &b);
      break;
    case DT_INTEGER:
      ok = parse_integer (type, s, out);
      break;
    case DT_DECIMAL:
    case DT_DOUBLE:
      ok = scan_decimal (s, type->klass == DT_DOUBLE);
      out->d = g_ascii_strtod (s, NULL);
      break;
    case DT_DATE:
    case DT_DATETIME:
    case DT_TIME:
      out->dt = parse_temporal (type->klass, s);
      ok = out->dt != NULL;
      break;
    case DT_LANGUAGE:
      ok = scan_language (s);
      break;
    default:
      g_assert_not_reached ();
    }
  scalar_clear (&unused);
  return ok;
}

static int
scalar_compare (const Scalar *a,
                const Scalar *b)
{
  if (a->dt != NULL && b->dt != NULL)
    return g_date_time_compare (a->dt, b->dt);
  if (a->exact && b->exact)
    return (a->i > b->i) - (a->i < b->i);
  return (a->d > b->d) - (a->d < b->d);
}

/* Whether @value is on the right side of @bound (sign -1: at least,
 * +1: at most). A bound that is not of the datatype cannot be checked and
 * is ignored; so are bounds on strings, which XEP-0122 forbids. */
static gboolean
within_bound (const Datatype *type,
              const Scalar   *value,
              const char     *bound,
              int             sign)
{
  Scalar b = { 0 };
  gboolean ok = TRUE;

  if (bound == NULL || type->klass == DT_STRING ||
      type->klass == DT_BOOLEAN || type->klass == DT_LANGUAGE)
    return TRUE;
  if (parse_scalar (type, bound, &b))
    ok = scalar_compare (value, &b) * sign <= 0;
  else
    g_debug ("XEP-0122 bound “%s” is not a %s: ignored", bound, type->name);
  scalar_clear (&b);
  return ok;
}

/* XEP-0122 regexes are POSIX EREs; PCRE reads the usual ones the same.
 * They constrain the whole value. One that does not compile cannot be
 * checked, and is not held against the user. */
static gboolean
matches_regex (const char *pattern,
               const char *value)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *anchored = g_strdup_printf ("\\A(?:%s)\\z", pattern);
  g_autoptr(GRegex) regex = g_regex_new (anchored, 0, 0, &error);

  if (regex == NULL)
    {
      g_debug ("XEP-0122 regex “%s” does not compile: %s", pattern, error->message);
      return TRUE;
    }
  return g_regex_match (regex, value, 0, NULL);
}

/* Validation of what the user entered */

/* How the field is named in error messages: as the user sees it. */
static const char *
display_name (XmppDataField *self)
{
  if (self->label != NULL && *self->label != '\0')
    return self->label;
  return self->var ? self->var : "";
}

/* An INVALID_VALUE error; @format takes the value, then the field's name. */
static gboolean
fail_value (XmppDataField  *self,
            GError        **error,
            const char     *format,
            const char     *value)
{
  g_set_error (error, XMPP_DATA_FORM_ERROR, XMPP_DATA_FORM_ERROR_INVALID_VALUE,
               format, value, display_name (self));
  return FALSE;
}

/* An error whose @format takes the field's name only. */
static gboolean
fail_field (XmppDataField      *self,
            GError            **error,
            XmppDataFormError   code,
            const char         *format)
{
  g_set_error (error, XMPP_DATA_FORM_ERROR, code, format, display_name (self));
  return FALSE;
}

static gboolean
check_range (XmppDataField  *self,
             const Datatype *type,
             const char     *value,
             GError        **error)
{
  Validate *v = self->validate;
  Scalar s = { 0 };
  gboolean ok;

  parse_scalar (type, value, &s);
  ok = within_bound (type, &s, v->min, -1) && within_bound (type, &s, v->max, 1);
  scalar_clear (&s);
  if (ok)
    return TRUE;
  if (v->min != NULL && v->max != NULL)
    g_set_error (error, XMPP_DATA_FORM_ERROR, XMPP_DATA_FORM_ERROR_INVALID_VALUE,
                 _("“%s” must be between %s and %s"),
                 display_name (self), v->min, v->max);
  else if (v->min != NULL)
    g_set_error (error, XMPP_DATA_FORM_ERROR, XMPP_DATA_FORM_ERROR_INVALID_VALUE,
                 _("“%s” must be at least %s"), display_name (self), v->min);
  else
    g_set_error (error, XMPP_DATA_FORM_ERROR, XMPP_DATA_FORM_ERROR_INVALID_VALUE,
                 _("“%s” must be at most %s"), display_name (self), v->max);
  return FALSE;
}

/* The XEP-0122 datatype, then its range or regex method. */
static gboolean
check_datatype (XmppDataField  *self,
                const char     *value,
                GError        **error)
{
  Validate *v = self->validate;
  const Datatype *type;

  if (v == NULL)
    return TRUE;
  type = lookup_datatype (v->datatype);
  if (!parse_scalar (type, value, NULL))
    return fail_value (self, error,
                       _("“%s” is not a valid value for “%s”"), value);
  if (v->method == XMPP_DATA_VALIDATE_RANGE)
    return check_range (self, type, value, error);
  if (v->method == XMPP_DATA_VALIDATE_REGEX && v->regex != NULL &&
      !matches_regex (v->regex, value))
    return fail_value (self, error,
                       _("“%s” is not in the format “%s” expects"), value);
  return TRUE;
}

/* XEP-0122: any method but basic opens a list to values of the user's. */
static gboolean
is_open_list (XmppDataField *self)
{
  return self->validate != NULL && self->validate->method != XMPP_DATA_VALIDATE_BASIC;
}

static gboolean
is_valid_jid (const char *value)
{
  g_autoptr(XmppJid) jid = xmpp_jid_new (value, NULL);

  return jid != NULL;
}

static gboolean
check_value (XmppDataField  *self,
             const char     *value,
             GError        **error)
{
  gboolean b;

  switch (self->kind)
    {
    case XMPP_DATA_FIELD_BOOLEAN:
      if (!parse_boolean (value, &b))
        return fail_value (self, error,
                           _("“%s” is not a valid value for “%s”"), value);
      break;
    case XMPP_DATA_FIELD_JID_SINGLE:
    case XMPP_DATA_FIELD_JID_MULTI:
      if (!is_valid_jid (value))
        return fail_value (self, error,
                           _("“%s” is not a valid address for “%s”"), value);
      return TRUE;
    case XMPP_DATA_FIELD_LIST_SINGLE:
    case XMPP_DATA_FIELD_LIST_MULTI:
      if (xmpp_data_field_has_option (self, value, NULL))
        return TRUE;
      if (!is_open_list (self))
        return fail_value (self, error,
                           _("“%s” is not one of the choices for “%s”"), value);
      break;
    case XMPP_DATA_FIELD_TEXT_SINGLE:
    case XMPP_DATA_FIELD_TEXT_PRIVATE:
      if (strpbrk (value, "\r\n") != NULL)
        return fail_field (self, error, XMPP_DATA_FORM_ERROR_INVALID_VALUE,
                           _("“%s” must fit on one line"));
      break;
    default:
      break;
    }
  return check_datatype (self, value, error);
}

static gboolean
is_multi_valued (XmppDataFieldKind kind)
{
  return kind == XMPP_DATA_FIELD_JID_MULTI ||
         kind == XMPP_DATA_FIELD_LIST_MULTI ||
         kind == XMPP_DATA_FIELD_TEXT_MULTI;
}

/* An empty string is what an emptied entry leaves: no answer. */
static guint
count_answers (XmppDataField *self)
{
  guint n = 0;

  for (guint i = 0; self->values[i] != NULL; i++)
    n += self->values[i][0] != '\0';
  return n;
}

static gboolean
check_list_range (XmppDataField  *self,
                  GError        **error)
{
  Validate *v = self->validate;
  guint n = count_answers (self);

  if (v == NULL || !v->has_list_range || self->kind != XMPP_DATA_FIELD_LIST_MULTI)
    return TRUE;
  if (v->list_min > 0 && n < v->list_min)
    {
      g_set_error (error, XMPP_DATA_FORM_ERROR, XMPP_DATA_FORM_ERROR_INVALID_VALUE,
                   g_dngettext (GETTEXT_PACKAGE,
                                "Choose at least %u option for “%s”",
                                "Choose at least %u options for “%s”",
                                v->list_min),
                   v->list_min, display_name (self));
      return FALSE;
    }
  if (v->list_max > 0 && n > v->list_max)
    {
      g_set_error (error, XMPP_DATA_FORM_ERROR, XMPP_DATA_FORM_ERROR_INVALID_VALUE,
                   g_dngettext (GETTEXT_PACKAGE,
                                "Choose at most %u option for “%s”",
                                "Choose at most %u options for “%s”",
                                v->list_max),
                   v->list_max, display_name (self));
      return FALSE;
    }
  return TRUE;
}

gboolean
xmpp_data_field_validate (XmppDataField  *self,
                          GError        **error)
{
  g_return_val_if_fail (XMPP_IS_DATA_FIELD (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  /* Nothing the user can change: hidden values go back as they came. */
  if (self->kind == XMPP_DATA_FIELD_FIXED || self->kind == XMPP_DATA_FIELD_HIDDEN)
    return TRUE;

  if (self->required && count_answers (self) == 0)
    return fail_field (self, error, XMPP_DATA_FORM_ERROR_REQUIRED,
                       _("“%s” is required"));
  if (!is_multi_valued (self->kind) && g_strv_length (self->values) > 1)
    return fail_field (self, error, XMPP_DATA_FORM_ERROR_INVALID_VALUE,
                       _("“%s” takes a single value"));
  for (guint i = 0; self->values[i] != NULL; i++)
    if (self->values[i][0] != '\0' && !check_value (self, self->values[i], error))
      return FALSE;
  return check_list_range (self, error);
}

/* Submission */

/* Prepared JIDs, each once: XEP-0004 says duplicates MUST be ignored, and
 * only prepared forms tell which are duplicates. */
static GStrv
submit_jids (XmppDataField *self)
{
  g_autoptr(GStrvBuilder) out = g_strv_builder_new ();
  g_autoptr(GHashTable) seen =
    g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);

  for (guint i = 0; self->values[i] != NULL; i++)
    {
      g_autoptr(XmppJid) jid = xmpp_jid_new (self->values[i], NULL);
      const char *s = jid ? xmpp_jid_to_string (jid) : self->values[i];

      if (g_hash_table_add (seen, g_strdup (s)))
        g_strv_builder_add (out, s);
    }
  return g_strv_builder_end (out);
}

static GStrv
submit_values (XmppDataField *self)
{
  g_autoptr(GStrvBuilder) out = NULL;
  gboolean b;

  switch (self->kind)
    {
    case XMPP_DATA_FIELD_JID_SINGLE:
    case XMPP_DATA_FIELD_JID_MULTI:
      return submit_jids (self);
    case XMPP_DATA_FIELD_BOOLEAN:
    case XMPP_DATA_FIELD_TEXT_MULTI:
      break;
    default:
      return g_strdupv (self->values);
    }

  out = g_strv_builder_new ();
  for (guint i = 0; self->values[i] != NULL; i++)
    {
      if (self->kind == XMPP_DATA_FIELD_BOOLEAN)
        g_strv_builder_add (out, parse_boolean (self->values[i], &b) && b ? "1" : "0");
      else
        {
          g_auto(GStrv) lines = split_lines (self->values[i]);

          g_strv_builder_addv (out, (const char **) lines);
        }
    }
  return g_strv_builder_end (out);
}

XmppDataField *
xmpp_data_field_new_submit (XmppDataField *self)
{
  XmppDataField *copy;

  g_return_val_if_fail (XMPP_IS_DATA_FIELD (self), NULL);

  copy = g_object_new (XMPP_TYPE_DATA_FIELD,
                       "kind", self->kind, "var", self->var, "has-type", FALSE, NULL);
  g_strfreev (copy->values);
  copy->values = submit_values (self);
  return copy;
}
