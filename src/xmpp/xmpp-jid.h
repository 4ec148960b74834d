/* xmpp-jid.h: XMPP addresses (JIDs), parsed, validated and normalised.
 *
 * A JID is localpart@domainpart/resourcepart, the localpart and the
 * resourcepart being optional. Parts are prepared with the stringprep
 * profiles of RFC 6122 (nodeprep, nameprep, resourceprep through libidn),
 * as the deployed servers still do, not with the PRECIS rules of RFC 7622;
 * tests/test-jid.c lists where the two give different answers.
 *
 * An XmppJid is immutable once made and holds only prepared parts, so two
 * JIDs are the same address exactly when their strings are equal. Anything
 * that is not a valid JID is refused with an XMPP_JID_ERROR.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib-object.h>

#include "xmpp-error.h"

G_BEGIN_DECLS

typedef struct _XmppJid XmppJid;

#define XMPP_TYPE_JID (xmpp_jid_get_type ())
GType xmpp_jid_get_type (void) G_GNUC_CONST;

/* Parsing. @str is "[local@]domain[/resource]"; @len may be -1 when @str
 * is NUL-terminated. An embedded NUL makes the input invalid. */
XmppJid    *xmpp_jid_new              (const char    *str,
                                       GError       **error);
XmppJid    *xmpp_jid_new_len          (const char    *str,
                                       gssize         len,
                                       GError       **error);
XmppJid    *xmpp_jid_new_from_parts   (const char    *local,
                                       const char    *domain,
                                       const char    *resource,
                                       GError       **error);
gboolean    xmpp_jid_string_is_valid  (const char    *str);

XmppJid    *xmpp_jid_ref              (XmppJid       *jid);
void        xmpp_jid_unref            (XmppJid       *jid);

/* The prepared parts; local and resource are NULL when absent. */
const char *xmpp_jid_get_local        (const XmppJid *jid);
const char *xmpp_jid_get_domain       (const XmppJid *jid);
const char *xmpp_jid_get_resource     (const XmppJid *jid);

/* The full and the bare forms, owned by @jid: the wire format, to send and
 * to compare, not to show (see xmpp_jid_to_display). */
const char *xmpp_jid_to_string        (const XmppJid *jid);
const char *xmpp_jid_bare_string      (const XmppJid *jid);

gboolean    xmpp_jid_is_bare          (const XmppJid *jid);
/* A new reference: @jid itself when it is already bare. */
XmppJid    *xmpp_jid_get_bare         (XmppJid       *jid);
/* @jid's bare form with @resource (prepared here); NULL @resource gives
 * the bare JID. */
XmppJid    *xmpp_jid_with_resource    (XmppJid       *jid,
                                       const char    *resource,
                                       GError       **error);

/* Typed as GEqualFunc / GHashFunc so that they go straight into
 * g_hash_table_new (xmpp_jid_hash, xmpp_jid_equal). */
gboolean    xmpp_jid_equal            (gconstpointer  a,
                                       gconstpointer  b);
guint       xmpp_jid_hash             (gconstpointer  jid);
gboolean    xmpp_jid_equal_bare       (const XmppJid *a,
                                       const XmppJid *b);

/* XEP-0106 JID escaping of a localpart. Escaping turns what a person typed
 * ("d'artagnan") into a string that nodeprep accepts ("d\27artagnan");
 * unescaping is for display only, never for comparison. Both return a new
 * string; @unescaped must be UTF-8. */
char       *xmpp_jid_escape_local     (const char    *unescaped);
char       *xmpp_jid_unescape_local   (const char    *escaped);

/* The address as a person should see it: the localpart unescaped, the
 * domain in Unicode. Not for the wire nor for comparisons. */
char       *xmpp_jid_to_display       (const XmppJid *jid);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (XmppJid, xmpp_jid_unref)

G_END_DECLS
