/* xmpp-writer.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "xmpp-writer.h"
#include "xmpp-ns.h"

#include <string.h>

/* Besides the markup characters, CR, LF and TAB inside attribute values and
 * CR in text are written as character references: a parser normalises the
 * raw characters away (XML 1.0 §2.11, §3.3.3), so the round trip would lose
 * them. */
static inline const char *
escape_for (char c,
            gboolean attribute)
{
  switch (c)
    {
    case '&': return "&amp;";
    case '<': return "&lt;";
    case '>': return "&gt;";
    case '\r': return "&#13;";
    case '"': return attribute ? "&quot;" : NULL;
    case '\'': return attribute ? "&apos;" : NULL;
    case '\n': return attribute ? "&#10;" : NULL;
    case '\t': return attribute ? "&#9;" : NULL;
    default: return NULL;
    }
}

void
xmpp_writer_append_escaped (GString    *out,
                            const char *text,
                            gssize      len,
                            gboolean    attribute)
{
  const char *p, *end, *run;

  if (len < 0)
    len = strlen (text);
  end = text + len;
  for (p = run = text; p < end; p++)
    {
      const char *esc = escape_for (*p, attribute);

      if (esc == NULL)
        continue;
      g_string_append_len (out, run, p - run);
      g_string_append (out, esc);
      run = p + 1;
    }
  g_string_append_len (out, run, end - run);
}

static void
append_attr (GString    *out,
             const char *prefix,
             const char *name,
             const char *value)
{
  g_string_append_c (out, ' ');
  if (prefix != NULL)
    {
      g_string_append (out, prefix);
      g_string_append_c (out, ':');
    }
  g_string_append (out, name);
  g_string_append (out, "='");
  xmpp_writer_append_escaped (out, value, -1, TRUE);
  g_string_append_c (out, '\'');
}

/* Namespaced attributes other than xml:* are rare in XMPP; each one gets a
 * prefix declared on its own element, numbered within that element. */
static void
append_attrs (GString        *out,
              const XmppNode *node)
{
  guint next_prefix = 0;

  for (guint i = 0; i < node->n_attrs; i++)
    {
      const XmppAttr *a = &node->attrs[i];
      char prefix[16];

      if (a->ns == NULL || a->ns[0] == '\0')
        append_attr (out, NULL, a->name, a->value);
      else if (strcmp (a->ns, XMPP_NS_XML) == 0)
        append_attr (out, "xml", a->name, a->value);
      else
        {
          g_snprintf (prefix, sizeof prefix, "ns%u", next_prefix++);
          append_attr (out, "xmlns", prefix, a->ns);
          append_attr (out, prefix, a->name, a->value);
        }
    }
}

void
xmpp_writer_append_node (GString        *out,
                         const XmppNode *node,
                         const char     *inherited_ns)
{
  g_string_append_c (out, '<');
  g_string_append (out, node->name);
  if (strcmp (node->ns, inherited_ns ? inherited_ns : "") != 0)
    append_attr (out, NULL, "xmlns", node->ns);
  append_attrs (out, node);

  if (node->children == NULL && node->text_len == 0)
    {
      g_string_append (out, "/>");
      return;
    }
  g_string_append_c (out, '>');
  if (node->text_len > 0)
    xmpp_writer_append_escaped (out, node->text, node->text_len, FALSE);
  xmpp_node_foreach_child (node, child)
    xmpp_writer_append_node (out, child, node->ns);
  g_string_append (out, "</");
  g_string_append (out, node->name);
  g_string_append_c (out, '>');
}

char *
xmpp_stanza_to_string (XmppStanza *stanza)
{
  GString *out = g_string_sized_new (256);

  xmpp_writer_append_node (out, xmpp_stanza_get_top (stanza), NULL);
  return g_string_free (out, FALSE);
}

char *
xmpp_writer_stream_open (const char *content_ns,
                         const char *to,
                         const char *from,
                         const char *id,
                         const char *lang)
{
  GString *out = g_string_new ("<?xml version='1.0'?><stream:stream");

  append_attr (out, NULL, "xmlns", content_ns ? content_ns : XMPP_NS_CLIENT);
  append_attr (out, "xmlns", "stream", XMPP_NS_STREAM);
  if (to != NULL)
    append_attr (out, NULL, "to", to);
  if (from != NULL)
    append_attr (out, NULL, "from", from);
  if (id != NULL)
    append_attr (out, NULL, "id", id);
  append_attr (out, NULL, "version", "1.0");
  if (lang != NULL)
    append_attr (out, "xml", "lang", lang);
  g_string_append_c (out, '>');
  return g_string_free (out, FALSE);
}
