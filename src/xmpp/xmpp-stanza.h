/* xmpp-stanza.h: a top-level XML element (stanza or nonza) as a tree.
 *
 * An XmppStanza owns every node, attribute and string of its tree in one
 * arena, so building or freeing a stanza costs a handful of allocations
 * whatever its size. Nodes are plain structs readable in place; change them
 * only through the functions below, which allocate from the owning arena.
 *
 * The tree is namespace-resolved: each node carries its namespace URI, never
 * a prefix; the writer (xmpp-writer.h) makes up the declarations it needs.
 * Text is one string per element: XMPP payloads do not mix text and child
 * elements, and whitespace-only text between child elements is dropped.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

typedef struct _XmppStanza XmppStanza;
typedef struct _XmppNode   XmppNode;
typedef struct _XmppAttr   XmppAttr;

struct _XmppAttr {
  const char *name;
  const char *ns;     /* NULL for an unqualified attribute (almost all of them) */
  const char *value;
};

struct _XmppNode {
  const char *name;
  const char *ns;     /* namespace URI; "" when the element has none */
  XmppAttr   *attrs;
  guint       n_attrs;
  guint       attrs_size;
  char       *text;   /* NULL when the element has no text */
  gsize       text_len;
  gsize       text_size; /* room at text, for appends */
  XmppNode   *parent;
  XmppNode   *children;
  XmppNode   *last_child;
  XmppNode   *next;
  XmppStanza *stanza;
};

#define XMPP_TYPE_STANZA (xmpp_stanza_get_type ())
GType xmpp_stanza_get_type (void) G_GNUC_CONST;

XmppStanza *xmpp_stanza_new    (const char *name,
                                const char *ns);
/* A stanza with no element yet; the reader's way in. */
XmppStanza *xmpp_stanza_new_empty (void);
XmppStanza *xmpp_stanza_ref    (XmppStanza *self);
void        xmpp_stanza_unref  (XmppStanza *self);
XmppNode   *xmpp_stanza_get_top (XmppStanza *self);
/* Bytes the arena holds. */
gsize       xmpp_stanza_get_arena_size (XmppStanza *self);
XmppStanza *xmpp_stanza_copy   (XmppStanza *self);

/* Shortcuts on the top element. */
const char *xmpp_stanza_get_name (XmppStanza *self);
const char *xmpp_stanza_get_ns   (XmppStanza *self);
const char *xmpp_stanza_get_attr (XmppStanza *self,
                                  const char *name);
#define xmpp_stanza_get_id(s)   xmpp_stanza_get_attr ((s), "id")
#define xmpp_stanza_get_from(s) xmpp_stanza_get_attr ((s), "from")
#define xmpp_stanza_get_to(s)   xmpp_stanza_get_attr ((s), "to")
#define xmpp_stanza_get_kind(s) xmpp_stanza_get_attr ((s), "type")

/* Building. Strings are copied into the stanza's arena. A NULL @ns on a
 * child means "the parent's namespace". */
XmppNode   *xmpp_node_add_child     (XmppNode   *parent,
                                     const char *name,
                                     const char *ns);
XmppNode   *xmpp_node_add_child_text (XmppNode  *parent,
                                     const char *name,
                                     const char *ns,
                                     const char *text);
void        xmpp_node_set_attr      (XmppNode   *self,
                                     const char *name,
                                     const char *value);
void        xmpp_node_set_attr_ns   (XmppNode   *self,
                                     const char *ns,
                                     const char *name,
                                     const char *value);
void        xmpp_node_set_text      (XmppNode   *self,
                                     const char *text);
void        xmpp_node_append_text   (XmppNode   *self,
                                     const char *text,
                                     gsize       len);
/* Copies @child (from any stanza) with its subtree under @parent. */
XmppNode   *xmpp_node_add_copy      (XmppNode   *parent,
                                     const XmppNode *child);
/* Unlinks @child from its parent; its memory stays in the arena. */
void        xmpp_node_remove        (XmppNode   *child);

/* Lookups. A NULL @ns matches any namespace. */
const char *xmpp_node_get_attr      (const XmppNode *self,
                                     const char *name);
const char *xmpp_node_get_attr_ns   (const XmppNode *self,
                                     const char *ns,
                                     const char *name);
XmppNode   *xmpp_node_get_child     (const XmppNode *self,
                                     const char *name,
                                     const char *ns);
/* The next sibling after @after with the same name and namespace rules. */
XmppNode   *xmpp_node_get_next_sibling (const XmppNode *after,
                                     const char *name,
                                     const char *ns);
/* The first child in namespace @ns, whatever its name (payload lookups). */
XmppNode   *xmpp_node_get_child_ns  (const XmppNode *self,
                                     const char *ns);
const char *xmpp_node_get_text      (const XmppNode *self);
const char *xmpp_node_get_child_text (const XmppNode *self,
                                     const char *name,
                                     const char *ns);
gboolean    xmpp_node_is            (const XmppNode *self,
                                     const char *name,
                                     const char *ns);
guint       xmpp_node_n_children    (const XmppNode *self);

/* Structural equality: names, namespaces, attributes (in any order), text
 * and children in order. */
gboolean    xmpp_node_equal         (const XmppNode *a,
                                     const XmppNode *b);

#define xmpp_node_foreach_child(parent, child) \
  for (XmppNode *child = (parent)->children; child != NULL; child = child->next)

G_DEFINE_AUTOPTR_CLEANUP_FUNC (XmppStanza, xmpp_stanza_unref)

G_END_DECLS
