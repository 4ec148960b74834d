/* xmpp-stanza-private.h: the arena, for the stanza code and the reader.
 *
 * The allocation fast paths are inline: the reader calls them several
 * times per element, and a call costs as much as the bump itself.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "xmpp-stanza.h"

#include <string.h>

G_BEGIN_DECLS

typedef struct _Chunk Chunk;
struct _Chunk {
  Chunk *next;   /* older chunks, freed with the stanza */
  gsize  size;
  gsize  used;
  char   data[];
};

struct _XmppStanza {
  gatomicrefcount ref_count;
  XmppNode       *top;
  Chunk          *chunk;    /* the chunk being filled */
  gsize           total;    /* bytes of all chunks */
  gpointer        borrowed; /* owner of strings the tree points into */
  GDestroyNotify  borrowed_free;
  /* the first chunk follows in the same allocation */
};

#define XMPP_ALIGN8(n) (((n) + 7) & ~(gsize) 7)

char     *xmpp_stanza_reserve_slow (XmppStanza *self,
                                    gsize       size);
/* A zeroed node linked as the last child of @parent, or as the top element
 * when @parent is NULL. The caller fills in name and namespace. */
XmppNode *xmpp_stanza_new_node     (XmppStanza *self,
                                    XmppNode   *parent);

/* Room for @size bytes at @align (a power of two) in the arena. */
static inline char *
xmpp_stanza_reserve (XmppStanza *self,
                     gsize       size,
                     gsize       align)
{
  Chunk *c = self->chunk;
  gsize start = (c->used + align - 1) & ~(align - 1);

  if (G_UNLIKELY (start + size > c->size))
    return xmpp_stanza_reserve_slow (self, size);
  c->used = start + size;
  return c->data + start;
}

/* Memory from the stanza's arena, 8-byte aligned, freed with the stanza. */
static inline gpointer
xmpp_stanza_alloc (XmppStanza *self,
                   gsize       size)
{
  return xmpp_stanza_reserve (self, size, 8);
}

/* A NUL-terminated copy of @len bytes of @str in the arena. */
static inline char *
xmpp_stanza_strndup (XmppStanza *self,
                     const char *str,
                     gsize       len)
{
  char *copy = xmpp_stanza_reserve (self, len + 1, 1);

  memcpy (copy, str, len);
  copy[len] = '\0';
  return copy;
}

/* The tree may point at strings of @owner (the reader's libxml2 name
 * dictionary) instead of copies: the stanza keeps @owner until it goes. */
static inline void
xmpp_stanza_borrow (XmppStanza     *self,
                    gpointer        owner,
                    GDestroyNotify  owner_free)
{
  self->borrowed = owner;
  self->borrowed_free = owner_free;
}

G_END_DECLS
