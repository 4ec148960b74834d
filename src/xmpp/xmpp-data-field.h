/* xmpp-data-field.h: one field of a XEP-0004 data form.
 *
 * A field carries everything a user interface needs to render it without
 * looking at XML: its kind (XEP-0004 §3.3), label, description, whether it
 * is required, its values, the options of a list, a XEP-0221 media element
 * (CAPTCHA images and sounds, often cid: URIs of XEP-0231 bits of binary
 * data that travel with the stanza) and XEP-0122 validation rules.
 *
 * Values are a string vector; "value", "boolean" and "text" are views of it
 * for the common kinds, all notified when the values change, so a widget
 * can bind an entry, a switch or a text view straight to the field.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "xmpp-stanza.h"

G_BEGIN_DECLS

/* XEP-0004 §3.3, in the order of its table. A missing or unknown type is
 * text-single (the XEP says a form-submitting entity MUST assume it). */
typedef enum {
  XMPP_DATA_FIELD_BOOLEAN,
  XMPP_DATA_FIELD_FIXED,
  XMPP_DATA_FIELD_HIDDEN,
  XMPP_DATA_FIELD_JID_MULTI,
  XMPP_DATA_FIELD_JID_SINGLE,
  XMPP_DATA_FIELD_LIST_MULTI,
  XMPP_DATA_FIELD_LIST_SINGLE,
  XMPP_DATA_FIELD_TEXT_MULTI,
  XMPP_DATA_FIELD_TEXT_PRIVATE,
  XMPP_DATA_FIELD_TEXT_SINGLE,
} XmppDataFieldKind;

#define XMPP_TYPE_DATA_FIELD_KIND (xmpp_data_field_kind_get_type ())
GType xmpp_data_field_kind_get_type (void) G_GNUC_CONST;

/* XEP-0122 validation methods. A <validate/> without a method, or with one
 * this code does not know, is BASIC, as the XEP requires. */
typedef enum {
  XMPP_DATA_VALIDATE_BASIC,
  XMPP_DATA_VALIDATE_OPEN,
  XMPP_DATA_VALIDATE_RANGE,
  XMPP_DATA_VALIDATE_REGEX,
} XmppDataValidateMethod;

#define XMPP_TYPE_DATA_FIELD (xmpp_data_field_get_type ())
G_DECLARE_FINAL_TYPE (XmppDataField, xmpp_data_field, XMPP, DATA_FIELD, GObject)

/* @var may be NULL only for a FIXED field. The kind is written as the
 * field's type attribute. */
XmppDataField *xmpp_data_field_new        (XmppDataFieldKind kind,
                                           const char       *var);

/* A <field/> element of jabber:x:data. Lenient: unknown types, extra
 * values and options without a value are accepted; the only error is a
 * missing 'var' on a field that is not fixed (XMPP_DATA_FORM_ERROR_MALFORMED). */
XmppDataField *xmpp_data_field_parse      (const XmppNode   *field,
                                           GError          **error);
/* Appends <field/> to @parent (in @parent's namespace, jabber:x:data). */
XmppNode      *xmpp_data_field_to_node    (XmppDataField    *self,
                                           XmppNode         *parent);

/* Checks the values against the field's kind, <required/>, its options and
 * its XEP-0122 rules; a widget can call it per field to mark the one that is
 * wrong. Errors are XMPP_DATA_FORM_ERROR_REQUIRED or _INVALID_VALUE with a
 * sentence naming the field. */
gboolean       xmpp_data_field_validate   (XmppDataField    *self,
                                           GError          **error);

/* The field as it goes into a submit form: var and values only, booleans
 * as "1"/"0", text-multi lines split, duplicate JIDs dropped, JIDs
 * normalised. Call xmpp_data_field_validate first. */
XmppDataField *xmpp_data_field_new_submit (XmppDataField    *self);

const char        *xmpp_data_field_get_var      (XmppDataField *self);
XmppDataFieldKind  xmpp_data_field_get_kind     (XmppDataField *self);
/* FALSE when the element had no (understood) type attribute, or for fields
 * of a submit form: the kind is then implied, and not written out. The
 * construct-only "has-type" property (default TRUE) sets it. */
gboolean           xmpp_data_field_get_has_type (XmppDataField *self);
const char        *xmpp_data_field_get_label    (XmppDataField *self);
void               xmpp_data_field_set_label    (XmppDataField *self,
                                                 const char    *label);
const char        *xmpp_data_field_get_desc     (XmppDataField *self);
void               xmpp_data_field_set_desc     (XmppDataField *self,
                                                 const char    *desc);
gboolean           xmpp_data_field_get_required (XmppDataField *self);
void               xmpp_data_field_set_required (XmppDataField *self,
                                                 gboolean       required);

/* Values; never NULL, possibly empty. */
const char * const *xmpp_data_field_get_values  (XmppDataField *self);
guint              xmpp_data_field_get_n_values (XmppDataField *self);
void               xmpp_data_field_set_values   (XmppDataField *self,
                                                 const char * const *values);
void               xmpp_data_field_add_value    (XmppDataField *self,
                                                 const char    *value);
/* The first value, or NULL; setting replaces all values (NULL: none). */
const char        *xmpp_data_field_get_value    (XmppDataField *self);
void               xmpp_data_field_set_value    (XmppDataField *self,
                                                 const char    *value);
/* XEP-0004 booleans: "1" and "true" are TRUE, anything else (or no value,
 * the XEP's default) FALSE. Setting writes "1" or "0". */
gboolean           xmpp_data_field_get_boolean  (XmppDataField *self);
void               xmpp_data_field_set_boolean  (XmppDataField *self,
                                                 gboolean       value);
/* text-multi as one block: values joined with "\n"; setting splits on
 * line breaks. */
char              *xmpp_data_field_dup_text     (XmppDataField *self);
void               xmpp_data_field_set_text     (XmppDataField *self,
                                                 const char    *text);

/* Options of list-single and list-multi, in the order received. A label
 * may be NULL; show the value then. */
guint              xmpp_data_field_get_n_options     (XmppDataField *self);
const char        *xmpp_data_field_get_option_label  (XmppDataField *self,
                                                      guint          index);
const char        *xmpp_data_field_get_option_value  (XmppDataField *self,
                                                      guint          index);
void               xmpp_data_field_add_option        (XmppDataField *self,
                                                      const char    *label,
                                                      const char    *value);
/* Whether @value is one of the options; @label (nullable) gets its label,
 * to show a result's value the way the form offered it. */
gboolean           xmpp_data_field_has_option        (XmppDataField *self,
                                                      const char    *value,
                                                      const char   **label);

/* XEP-0221 media element. Width and height are 0 when not given. Each URI
 * has a MIME type ("image/png", "audio/ogg; codecs=speex"); a cid: URI
 * names XEP-0231 data that came with the stanza. */
gboolean           xmpp_data_field_has_media         (XmppDataField *self);
void               xmpp_data_field_get_media_size    (XmppDataField *self,
                                                      guint         *width,
                                                      guint         *height);
guint              xmpp_data_field_get_n_media_uris  (XmppDataField *self);
const char        *xmpp_data_field_get_media_uri     (XmppDataField *self,
                                                      guint          index,
                                                      const char   **type);
void               xmpp_data_field_set_media_size    (XmppDataField *self,
                                                      guint          width,
                                                      guint          height);
void               xmpp_data_field_add_media_uri     (XmppDataField *self,
                                                      const char    *type,
                                                      const char    *uri);

/* XEP-0122 validation. Without <validate/> the datatype is "xs:string" and
 * the method BASIC. Range bounds, the regex and list-range bounds are NULL
 * or FALSE when absent. */
gboolean           xmpp_data_field_has_validation    (XmppDataField *self);
const char        *xmpp_data_field_get_datatype      (XmppDataField *self);
XmppDataValidateMethod xmpp_data_field_get_validate_method (XmppDataField *self);
void               xmpp_data_field_get_range         (XmppDataField *self,
                                                      const char   **min,
                                                      const char   **max);
const char        *xmpp_data_field_get_regex         (XmppDataField *self);
gboolean           xmpp_data_field_get_list_range    (XmppDataField *self,
                                                      guint         *min,
                                                      guint         *max);
/* Setting any of these adds <validate/>. NULL @datatype leaves the
 * attribute out (xs:string). Set RANGE and REGEX through their own calls. */
void               xmpp_data_field_set_validation    (XmppDataField *self,
                                                      const char    *datatype,
                                                      XmppDataValidateMethod method);
void               xmpp_data_field_set_range         (XmppDataField *self,
                                                      const char    *min,
                                                      const char    *max);
void               xmpp_data_field_set_regex         (XmppDataField *self,
                                                      const char    *regex);
/* 0 means no bound. */
void               xmpp_data_field_set_list_range    (XmppDataField *self,
                                                      guint          min,
                                                      guint          max);

/* The field named @var in a model of XmppDataField (a form's fields, its
 * reported fields, or one of its items), or NULL. */
XmppDataField     *xmpp_data_field_find              (GListModel    *fields,
                                                      const char    *var);

G_END_DECLS
