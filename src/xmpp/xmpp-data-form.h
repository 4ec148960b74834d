/* xmpp-data-form.h: XEP-0004 data forms.
 *
 * Registration (XEP-0077, with XEP-0158 CAPTCHAs), archive queries
 * (XEP-0313), extended disco info (XEP-0128, hashed by XEP-0115), room
 * configuration and ad-hoc commands all carry their parameters in
 * <x xmlns='jabber:x:data'/>. An XmppDataForm is that element parsed: its
 * fields are a GListModel of XmppDataField a widget can show as they are;
 * a result's <reported/> columns and <item/> rows are models too.
 *
 * Parse what arrives with xmpp_data_form_parse, let the user fill in the
 * fields, then send xmpp_data_form_new_submit's form. Protocol code that
 * sends a form of its own builds it with xmpp_data_form_new and
 * xmpp_data_form_set_value.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "xmpp-data-field.h"
#include "xmpp-stanza.h"

G_BEGIN_DECLS

/* The form's 'type' attribute (XEP-0004 §3.1). */
typedef enum {
  XMPP_DATA_FORM_KIND_FORM,
  XMPP_DATA_FORM_KIND_SUBMIT,
  XMPP_DATA_FORM_KIND_CANCEL,
  XMPP_DATA_FORM_KIND_RESULT,
} XmppDataFormKind;

#define XMPP_TYPE_DATA_FORM_KIND (xmpp_data_form_kind_get_type ())
GType xmpp_data_form_kind_get_type (void) G_GNUC_CONST;

#define XMPP_TYPE_DATA_FORM (xmpp_data_form_get_type ())
G_DECLARE_FINAL_TYPE (XmppDataForm, xmpp_data_form, XMPP, DATA_FORM, GObject)

/* An empty form; a non-NULL @form_type adds the XEP-0068 hidden FORM_TYPE
 * field first. */
XmppDataForm     *xmpp_data_form_new            (XmppDataFormKind  kind,
                                                 const char       *form_type);
/* <x xmlns='jabber:x:data' type='cancel'/>, to decline a form. */
XmppDataForm     *xmpp_data_form_new_cancel     (void);

/* Errors (XMPP_DATA_FORM_ERROR_MALFORMED) for what makes the form
 * unusable: @x is not a jabber:x:data <x/>, its type is missing or
 * unknown, a non-fixed field has no var, or two fields share one. The rest
 * is accepted as XEP-0004 asks (see xmpp_data_field_parse); elements this
 * code does not know, such as XEP-0141 layout, are skipped. */
XmppDataForm     *xmpp_data_form_parse          (const XmppNode   *x,
                                                 GError          **error);
/* Appends <x xmlns='jabber:x:data' type='…'/> with the form under @parent
 * and returns it. */
XmppNode         *xmpp_data_form_to_node        (XmppDataForm     *self,
                                                 XmppNode         *parent);
/* The form on its own, <x/> being the top element. */
XmppStanza       *xmpp_data_form_to_stanza      (XmppDataForm     *self);

/* Every field checked with xmpp_data_field_validate; the first failure is
 * reported. */
gboolean          xmpp_data_form_validate       (XmppDataForm     *self,
                                                 GError          **error);
/* A type='submit' form of the values the user gave @self, validated
 * first: var and values only (see xmpp_data_field_new_submit). Fixed
 * fields are left out, hidden ones sent back unchanged; a single-valued
 * field without a value is left out (not answered), a multi-valued one is
 * sent even empty (an empty list is an answer). */
XmppDataForm     *xmpp_data_form_new_submit     (XmppDataForm     *self,
                                                 GError          **error);

XmppDataFormKind  xmpp_data_form_get_kind       (XmppDataForm     *self);
const char       *xmpp_data_form_get_title      (XmppDataForm     *self);
void              xmpp_data_form_set_title      (XmppDataForm     *self,
                                                 const char       *title);
/* One string per <instructions/>; never NULL. */
const char * const *xmpp_data_form_get_instructions (XmppDataForm *self);
void              xmpp_data_form_add_instructions (XmppDataForm   *self,
                                                 const char       *instructions);
/* The XEP-0068 FORM_TYPE: the value of the field so named if it is
 * hidden, or untyped in a submit form (as the XEPs' submissions send it);
 * else NULL. */
const char       *xmpp_data_form_get_form_type  (XmppDataForm     *self);

/* The fields, in order: a model of XmppDataField owned by @self. */
GListModel       *xmpp_data_form_get_fields     (XmppDataForm     *self);
XmppDataField    *xmpp_data_form_get_field      (XmppDataForm     *self,
                                                 const char       *var);
/* @field's var must not be in the form yet. */
void              xmpp_data_form_add_field      (XmppDataForm     *self,
                                                 XmppDataField    *field);
/* The first value of field @var, or NULL. */
const char       *xmpp_data_form_get_value      (XmppDataForm     *self,
                                                 const char       *var);
/* Sets field @var to the one @value (NULL: no value), adding an untyped
 * field (text-single, type not written) when the form has none so named. */
void              xmpp_data_form_set_value      (XmppDataForm     *self,
                                                 const char       *var,
                                                 const char       *value);
void              xmpp_data_form_set_values     (XmppDataForm     *self,
                                                 const char       *var,
                                                 const char * const *values);

/* Multi-item results (XEP-0004 §3.4): the <reported/> fields are the
 * columns, a model of XmppDataField; each item is a row, itself a model
 * of XmppDataField (look a cell up with xmpp_data_field_find). Items'
 * fields usually have no type: take it from the reported field. */
GListModel       *xmpp_data_form_get_reported   (XmppDataForm     *self);
GListModel       *xmpp_data_form_get_items      (XmppDataForm     *self);
void              xmpp_data_form_add_reported   (XmppDataForm     *self,
                                                 XmppDataField    *field);
/* @fields: a model of XmppDataField, referenced. */
void              xmpp_data_form_add_item       (XmppDataForm     *self,
                                                 GListModel       *fields);

G_END_DECLS
