/* xmpp-stanza-private.h: arena access for the reader.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "xmpp-stanza.h"

G_BEGIN_DECLS

/* Memory from the stanza's arena, 8-byte aligned, freed with the stanza. */
gpointer  xmpp_stanza_alloc      (XmppStanza *self,
                                  gsize       size);
/* A NUL-terminated copy of @len bytes of @str in the arena. */
char     *xmpp_stanza_strndup    (XmppStanza *self,
                                  const char *str,
                                  gsize       len);
/* A zeroed node linked as the last child of @parent, or as the top element
 * when @parent is NULL. The caller fills in name and namespace. */
XmppNode *xmpp_stanza_new_node   (XmppStanza *self,
                                  XmppNode   *parent);

G_END_DECLS
