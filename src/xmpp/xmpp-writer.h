/* xmpp-writer.h: stanza trees and stream headers as XML text.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "xmpp-stanza.h"

G_BEGIN_DECLS

/* Appends @node and its subtree to @out. @inherited_ns is the default
 * namespace in scope where it is written (jabber:client inside a client
 * stream), so no redundant xmlns is emitted; NULL when there is none. */
void  xmpp_writer_append_node    (GString        *out,
                                  const XmppNode *node,
                                  const char     *inherited_ns);

/* A stanza on its own, with the namespace declaration of its top element. */
char *xmpp_stanza_to_string      (XmppStanza     *stanza);

/* Escapes @len bytes of @text (-1: NUL-terminated) for element content, or
 * for a quoted attribute value when @attribute is TRUE. */
void  xmpp_writer_append_escaped (GString        *out,
                                  const char     *text,
                                  gssize          len,
                                  gboolean        attribute);

/* RFC 6120 §4.7 stream header. NULL arguments are left out. */
char *xmpp_writer_stream_open    (const char     *content_ns,
                                  const char     *to,
                                  const char     *from,
                                  const char     *id,
                                  const char     *lang);

#define XMPP_WRITER_STREAM_CLOSE "</stream:stream>"

G_END_DECLS
