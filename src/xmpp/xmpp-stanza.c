/* xmpp-stanza.c: stanza trees in one arena each.
 *
 * Why an arena: the reader builds a tree per stanza at network speed, and a
 * malloc per node, name and text makes allocation the largest cost after
 * libxml2 itself. Nodes are never freed one by one: the whole stanza goes at
 * once, so a bump allocator is all that is needed.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "xmpp-stanza-private.h"

#include <string.h>

/* Every stanza starts with one block of this size; most fit in it. */
#define BLOCK_SIZE 2048
/* Freed blocks kept per thread for the next stanzas. The reader makes, and
 * its caller frees, a stanza every few hundred bytes of stream: a block
 * still warm in the cache beats malloc's path for blocks of this size. */
#if defined(__SANITIZE_ADDRESS__)
# define CACHE_DEPTH 0   /* let AddressSanitizer see every use after free */
#elif defined(__has_feature)
# if __has_feature(address_sanitizer)
#  define CACHE_DEPTH 0
# endif
#endif
#ifndef CACHE_DEPTH
# define CACHE_DEPTH 8
#endif

static __thread XmppStanza *block_cache[CACHE_DEPTH + 1];
static __thread guint n_cached;

G_DEFINE_BOXED_TYPE (XmppStanza, xmpp_stanza, xmpp_stanza_ref, xmpp_stanza_unref)

static XmppStanza *
stanza_new_empty (void)
{
  XmppStanza *self;

  if (n_cached > 0)
    self = block_cache[--n_cached];
  else
    self = g_malloc (sizeof (XmppStanza) + sizeof (Chunk) + BLOCK_SIZE);
  g_atomic_ref_count_init (&self->ref_count);
  self->top = NULL;
  self->borrowed = NULL;
  self->borrowed_free = NULL;
  self->chunk = (Chunk *) (self + 1);
  self->chunk->next = NULL;
  self->chunk->size = BLOCK_SIZE;
  self->chunk->used = 0;
  self->total = BLOCK_SIZE;
  return self;
}

XmppStanza *
xmpp_stanza_new_empty (void)
{
  return stanza_new_empty ();
}

XmppStanza *
xmpp_stanza_new (const char *name,
                 const char *ns)
{
  XmppStanza *self;
  XmppNode *top;

  g_return_val_if_fail (name != NULL, NULL);

  self = stanza_new_empty ();
  top = xmpp_stanza_new_node (self, NULL);
  top->name = xmpp_stanza_strndup (self, name, strlen (name));
  top->ns = xmpp_stanza_strndup (self, ns ? ns : "", ns ? strlen (ns) : 0);
  return self;
}

XmppStanza *
xmpp_stanza_ref (XmppStanza *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  g_atomic_ref_count_inc (&self->ref_count);
  return self;
}

void
xmpp_stanza_unref (XmppStanza *self)
{
  Chunk *first;

  g_return_if_fail (self != NULL);
  if (!g_atomic_ref_count_dec (&self->ref_count))
    return;

  if (self->borrowed_free != NULL)
    self->borrowed_free (self->borrowed);
  first = (Chunk *) (self + 1);
  for (Chunk *c = self->chunk, *next; c != first; c = next)
    {
      next = c->next;
      g_free (c);
    }
  if (n_cached < CACHE_DEPTH)
    block_cache[n_cached++] = self;
  else
    g_free (self);
}

XmppNode *
xmpp_stanza_get_top (XmppStanza *self)
{
  return self->top;
}

gsize
xmpp_stanza_get_arena_size (XmppStanza *self)
{
  return self->total;
}

/* A new chunk at least twice the last, so a growing stanza costs O(log n)
 * mallocs. The fast path is inline, in xmpp-stanza-private.h. */
char *
xmpp_stanza_reserve_slow (XmppStanza *self,
                          gsize       size)
{
  gsize csize = MAX (XMPP_ALIGN8 (size), self->chunk->size * 2);
  Chunk *n = g_malloc (sizeof (Chunk) + csize);

  n->next = self->chunk;
  n->size = csize;
  n->used = size;
  self->chunk = n;
  self->total += csize;
  return n->data;
}

XmppNode *
xmpp_stanza_new_node (XmppStanza *self,
                      XmppNode   *parent)
{
  XmppNode *node = xmpp_stanza_alloc (self, sizeof (XmppNode));

  memset (node, 0, sizeof *node);
  node->stanza = self;
  node->parent = parent;
  if (parent == NULL)
    self->top = node;
  else if (parent->last_child == NULL)
    parent->children = parent->last_child = node;
  else
    parent->last_child = parent->last_child->next = node;
  return node;
}

const char *
xmpp_stanza_get_name (XmppStanza *self)
{
  return self->top ? self->top->name : NULL;
}

const char *
xmpp_stanza_get_ns (XmppStanza *self)
{
  return self->top ? self->top->ns : NULL;
}

const char *
xmpp_stanza_get_attr (XmppStanza *self,
                      const char *name)
{
  return self->top ? xmpp_node_get_attr (self->top, name) : NULL;
}

/* Attributes, text and children of @src, added to @dst. */
static void
copy_contents (XmppNode       *dst,
               const XmppNode *src)
{
  for (guint i = 0; i < src->n_attrs; i++)
    xmpp_node_set_attr_ns (dst, src->attrs[i].ns, src->attrs[i].name, src->attrs[i].value);
  if (src->text != NULL)
    xmpp_node_append_text (dst, src->text, src->text_len);
  xmpp_node_foreach_child (src, child)
    copy_contents (xmpp_node_add_child (dst, child->name, child->ns), child);
}

XmppNode *
xmpp_node_add_copy (XmppNode       *parent,
                    const XmppNode *child)
{
  XmppNode *dst = xmpp_node_add_child (parent, child->name, child->ns);

  copy_contents (dst, child);
  return dst;
}

XmppStanza *
xmpp_stanza_copy (XmppStanza *self)
{
  XmppStanza *copy = xmpp_stanza_new (self->top->name, self->top->ns);

  copy_contents (copy->top, self->top);
  return copy;
}

/* Building */

XmppNode *
xmpp_node_add_child (XmppNode   *parent,
                     const char *name,
                     const char *ns)
{
  XmppStanza *s;
  XmppNode *node;

  g_return_val_if_fail (parent != NULL && name != NULL, NULL);

  s = parent->stanza;
  node = xmpp_stanza_new_node (s, parent);
  node->name = xmpp_stanza_strndup (s, name, strlen (name));
  /* Sharing the parent's string is safe: both live in the same arena. */
  if (ns == NULL || strcmp (ns, parent->ns) == 0)
    node->ns = parent->ns;
  else
    node->ns = xmpp_stanza_strndup (s, ns, strlen (ns));
  return node;
}

XmppNode *
xmpp_node_add_child_text (XmppNode   *parent,
                          const char *name,
                          const char *ns,
                          const char *text)
{
  XmppNode *node = xmpp_node_add_child (parent, name, ns);

  if (text != NULL)
    xmpp_node_set_text (node, text);
  return node;
}

static XmppAttr *
find_attr (const XmppNode *self,
           const char     *ns,
           const char     *name)
{
  for (guint i = 0; i < self->n_attrs; i++)
    {
      XmppAttr *a = &self->attrs[i];

      if (strcmp (a->name, name) == 0 && g_strcmp0 (a->ns, ns) == 0)
        return a;
    }
  return NULL;
}

void
xmpp_node_set_attr_ns (XmppNode   *self,
                       const char *ns,
                       const char *name,
                       const char *value)
{
  XmppStanza *s;
  XmppAttr *a;

  g_return_if_fail (self != NULL && name != NULL);

  s = self->stanza;
  a = find_attr (self, ns, name);
  if (a == NULL && value == NULL)
    return;
  if (a != NULL && value == NULL)
    {
      /* Removal keeps the order of the others: writers of signed or hashed
       * content (caps) rely on a stable attribute order. */
      guint i = a - self->attrs;
      memmove (a, a + 1, (self->n_attrs - i - 1) * sizeof *a);
      self->n_attrs--;
      return;
    }
  if (a == NULL)
    {
      if (self->n_attrs == self->attrs_size)
        {
          guint size = MAX (4, self->attrs_size * 2);
          XmppAttr *attrs = xmpp_stanza_alloc (s, size * sizeof (XmppAttr));

          if (self->n_attrs > 0)
            memcpy (attrs, self->attrs, self->n_attrs * sizeof (XmppAttr));
          self->attrs = attrs;
          self->attrs_size = size;
        }
      a = &self->attrs[self->n_attrs++];
      a->name = xmpp_stanza_strndup (s, name, strlen (name));
      a->ns = ns ? xmpp_stanza_strndup (s, ns, strlen (ns)) : NULL;
    }
  a->value = xmpp_stanza_strndup (s, value, strlen (value));
}

void
xmpp_node_set_attr (XmppNode   *self,
                    const char *name,
                    const char *value)
{
  xmpp_node_set_attr_ns (self, NULL, name, value);
}

void
xmpp_node_set_text (XmppNode   *self,
                    const char *text)
{
  g_return_if_fail (self != NULL);

  self->text = NULL;
  self->text_len = 0;
  self->text_size = 0;
  if (text != NULL)
    xmpp_node_append_text (self, text, strlen (text));
}

/* Text arrives in several pieces per element (libxml2 calls back once per
 * entity). When this node's text is the last thing in the arena it grows in
 * place, so a text of many pieces is still one copy. Otherwise (text mixed
 * with child elements) it moves to a buffer twice the size, so a hostile
 * "x<b/>x<b/>x…" costs amortised linear time, not quadratic. */
void
xmpp_node_append_text (XmppNode   *self,
                       const char *text,
                       gsize       len)
{
  XmppStanza *s = self->stanza;
  Chunk *c = s->chunk;
  gsize need = self->text_len + len + 1;
  char *buf;

  if (self->text != NULL && need > self->text_size &&
      self->text + self->text_size == c->data + c->used &&
      c->used + (need - self->text_size) <= c->size)
    {
      c->used += need - self->text_size;
      self->text_size = need;
    }
  if (self->text == NULL || need > self->text_size)
    {
      gsize size = self->text_len > 0 ? need * 2 : need;

      buf = xmpp_stanza_reserve (s, size, 1);
      if (self->text_len > 0)
        memcpy (buf, self->text, self->text_len);
      self->text = buf;
      self->text_size = size;
    }
  memcpy (self->text + self->text_len, text, len);
  self->text_len += len;
  self->text[self->text_len] = '\0';
}

void
xmpp_node_remove (XmppNode *child)
{
  XmppNode *parent = child->parent;
  XmppNode *prev = NULL;

  g_return_if_fail (parent != NULL);

  for (XmppNode *n = parent->children; n != NULL; prev = n, n = n->next)
    {
      if (n != child)
        continue;
      if (prev == NULL)
        parent->children = n->next;
      else
        prev->next = n->next;
      if (parent->last_child == n)
        parent->last_child = prev;
      break;
    }
  child->parent = NULL;
  child->next = NULL;
}

/* Lookups */

const char *
xmpp_node_get_attr_ns (const XmppNode *self,
                       const char     *ns,
                       const char     *name)
{
  XmppAttr *a = find_attr (self, ns, name);

  return a ? a->value : NULL;
}

const char *
xmpp_node_get_attr (const XmppNode *self,
                    const char     *name)
{
  return xmpp_node_get_attr_ns (self, NULL, name);
}

gboolean
xmpp_node_is (const XmppNode *self,
              const char     *name,
              const char     *ns)
{
  return self != NULL &&
         (name == NULL || strcmp (self->name, name) == 0) &&
         (ns == NULL || strcmp (self->ns, ns) == 0);
}

XmppNode *
xmpp_node_get_child (const XmppNode *self,
                     const char     *name,
                     const char     *ns)
{
  xmpp_node_foreach_child (self, child)
    if (xmpp_node_is (child, name, ns))
      return child;
  return NULL;
}

XmppNode *
xmpp_node_get_next_sibling (const XmppNode *after,
                            const char     *name,
                            const char     *ns)
{
  for (XmppNode *n = after->next; n != NULL; n = n->next)
    if (xmpp_node_is (n, name, ns))
      return n;
  return NULL;
}

XmppNode *
xmpp_node_get_child_ns (const XmppNode *self,
                        const char     *ns)
{
  return xmpp_node_get_child (self, NULL, ns);
}

const char *
xmpp_node_get_text (const XmppNode *self)
{
  return self->text ? self->text : "";
}

const char *
xmpp_node_get_child_text (const XmppNode *self,
                          const char     *name,
                          const char     *ns)
{
  XmppNode *child = xmpp_node_get_child (self, name, ns);

  return child ? xmpp_node_get_text (child) : NULL;
}

guint
xmpp_node_n_children (const XmppNode *self)
{
  guint n = 0;

  xmpp_node_foreach_child (self, child)
    n++;
  return n;
}

gboolean
xmpp_node_equal (const XmppNode *a,
                 const XmppNode *b)
{
  const XmppNode *ca, *cb;

  if (strcmp (a->name, b->name) != 0 || strcmp (a->ns, b->ns) != 0)
    return FALSE;
  if (a->n_attrs != b->n_attrs || a->text_len != b->text_len)
    return FALSE;
  if (a->text_len > 0 && memcmp (a->text, b->text, a->text_len) != 0)
    return FALSE;
  for (guint i = 0; i < a->n_attrs; i++)
    {
      XmppAttr *other = find_attr (b, a->attrs[i].ns, a->attrs[i].name);

      if (other == NULL || strcmp (other->value, a->attrs[i].value) != 0)
        return FALSE;
    }
  for (ca = a->children, cb = b->children; ca && cb; ca = ca->next, cb = cb->next)
    if (!xmpp_node_equal (ca, cb))
      return FALSE;
  return ca == NULL && cb == NULL;
}
