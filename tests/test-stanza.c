/* test-stanza.c: building, looking up and writing stanza trees.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "xmpp-stanza.h"
#include "xmpp-writer.h"
#include "xmpp-reader.h"
#include "xmpp-ns.h"

#include <string.h>

static XmppStanza *
reparse (const char *xml)
{
  g_autoptr(XmppReader) reader = xmpp_reader_new ();
  g_autofree char *all = g_strconcat ("<s:stream xmlns:s='" XMPP_NS_STREAM "'>", xml, NULL);
  XmppStanza *stanza = NULL;

  g_assert_true (xmpp_reader_feed (reader, all, strlen (all)));
  g_assert_cmpint (xmpp_reader_pop (reader, NULL, NULL), ==, XMPP_READER_STREAM_OPEN);
  g_assert_cmpint (xmpp_reader_pop (reader, &stanza, NULL), ==, XMPP_READER_STANZA);
  return stanza;
}

static void
test_build (void)
{
  g_autoptr(XmppStanza) s = xmpp_stanza_new ("message", XMPP_NS_CLIENT);
  XmppNode *top = xmpp_stanza_get_top (s);
  XmppNode *body, *active, *found;
  g_autofree char *xml = NULL;

  xmpp_node_set_attr (top, "to", "romeo@example.net");
  xmpp_node_set_attr (top, "type", "chat");
  xmpp_node_set_attr_ns (top, XMPP_NS_XML, "lang", "en");
  body = xmpp_node_add_child_text (top, "body", NULL, "Hello");
  active = xmpp_node_add_child (top, "active", XMPP_NS_CHATSTATES);

  g_assert_cmpstr (xmpp_stanza_get_name (s), ==, "message");
  g_assert_cmpstr (xmpp_stanza_get_ns (s), ==, XMPP_NS_CLIENT);
  g_assert_cmpstr (xmpp_stanza_get_to (s), ==, "romeo@example.net");
  g_assert_cmpstr (xmpp_stanza_get_kind (s), ==, "chat");
  g_assert_null (xmpp_stanza_get_id (s));
  g_assert_cmpstr (body->ns, ==, XMPP_NS_CLIENT);
  g_assert_true (body->parent == top);
  g_assert_true (xmpp_node_get_child (top, "body", NULL) == body);
  g_assert_true (xmpp_node_get_child (top, "body", XMPP_NS_CLIENT) == body);
  g_assert_null (xmpp_node_get_child (top, "body", XMPP_NS_CHATSTATES));
  found = xmpp_node_get_child_ns (top, XMPP_NS_CHATSTATES);
  g_assert_true (found == active);
  g_assert_cmpstr (xmpp_node_get_child_text (top, "body", NULL), ==, "Hello");
  g_assert_null (xmpp_node_get_child_text (top, "subject", NULL));
  g_assert_cmpstr (xmpp_node_get_text (active), ==, "");
  g_assert_cmpuint (xmpp_node_n_children (top), ==, 2);

  xml = xmpp_stanza_to_string (s);
  g_assert_cmpstr (xml, ==,
                   "<message xmlns='jabber:client' to='romeo@example.net' type='chat' xml:lang='en'>"
                   "<body>Hello</body><active xmlns='http://jabber.org/protocol/chatstates'/></message>");
}

static void
test_attrs (void)
{
  g_autoptr(XmppStanza) s = xmpp_stanza_new ("iq", XMPP_NS_CLIENT);
  XmppNode *top = xmpp_stanza_get_top (s);
  char name[16];

  /* Many attributes grow the array; replacing keeps one; NULL removes. */
  for (int i = 0; i < 40; i++)
    {
      g_snprintf (name, sizeof name, "a%d", i);
      xmpp_node_set_attr (top, name, name);
    }
  g_assert_cmpuint (top->n_attrs, ==, 40);
  xmpp_node_set_attr (top, "a7", "seven");
  g_assert_cmpuint (top->n_attrs, ==, 40);
  g_assert_cmpstr (xmpp_node_get_attr (top, "a7"), ==, "seven");
  xmpp_node_set_attr (top, "a7", NULL);
  g_assert_cmpuint (top->n_attrs, ==, 39);
  g_assert_null (xmpp_node_get_attr (top, "a7"));
  g_assert_cmpstr (xmpp_node_get_attr (top, "a8"), ==, "a8");
  g_assert_cmpstr (top->attrs[7].name, ==, "a8");
  xmpp_node_set_attr (top, "missing", NULL);
  g_assert_cmpuint (top->n_attrs, ==, 39);
  /* The same name in another namespace is another attribute. */
  xmpp_node_set_attr_ns (top, "urn:example", "a8", "other");
  g_assert_cmpstr (xmpp_node_get_attr (top, "a8"), ==, "a8");
  g_assert_cmpstr (xmpp_node_get_attr_ns (top, "urn:example", "a8"), ==, "other");
}

/* Text that grows piece by piece while other nodes are allocated between
 * the pieces, and a text large enough to need new chunks. */
static void
test_text_append (void)
{
  g_autoptr(XmppStanza) s = xmpp_stanza_new ("message", XMPP_NS_CLIENT);
  XmppNode *top = xmpp_stanza_get_top (s);
  XmppNode *a = xmpp_node_add_child (top, "a", NULL);
  XmppNode *b;
  g_autoptr(GString) expect = g_string_new (NULL);

  xmpp_node_append_text (a, "one", 3);
  xmpp_node_append_text (a, " two", 4);
  b = xmpp_node_add_child_text (top, "b", NULL, "bee");
  xmpp_node_append_text (a, " three", 6);
  g_assert_cmpstr (xmpp_node_get_text (a), ==, "one two three");
  g_assert_cmpuint (a->text_len, ==, 13);
  g_assert_cmpstr (xmpp_node_get_text (b), ==, "bee");

  for (int i = 0; i < 10000; i++)
    {
      char piece[16];
      int n = g_snprintf (piece, sizeof piece, "%d,", i);

      xmpp_node_append_text (b, piece, n);
      g_string_append_len (expect, piece, n);
      if (i % 1000 == 0)
        xmpp_node_add_child (top, "c", NULL);
    }
  g_assert_cmpstr (xmpp_node_get_text (b) + 3, ==, expect->str);
  g_assert_cmpuint (strlen (b->text), ==, b->text_len);
  g_assert_cmpuint (xmpp_stanza_get_arena_size (s), <, 8 * (expect->len + 4096));

  xmpp_node_set_text (a, "replaced");
  g_assert_cmpstr (xmpp_node_get_text (a), ==, "replaced");
  xmpp_node_set_text (a, NULL);
  g_assert_null (a->text);
}

static void
test_escaping (void)
{
  g_autoptr(XmppStanza) s = xmpp_stanza_new ("message", XMPP_NS_CLIENT);
  XmppNode *top = xmpp_stanza_get_top (s);
  g_autofree char *xml = NULL;
  g_autoptr(XmppStanza) back = NULL;

  xmpp_node_set_attr (top, "id", "a'b\"c<d>e&f\tg\nh\ri");
  xmpp_node_add_child_text (top, "body", NULL, "x < y & z > w ' \" ]]> \r\n\t end");
  xml = xmpp_stanza_to_string (s);
  g_assert_cmpstr (xml, ==,
                   "<message xmlns='jabber:client' id='a&apos;b&quot;c&lt;d&gt;e&amp;f&#9;g&#10;h&#13;i'>"
                   "<body>x &lt; y &amp; z &gt; w ' \" ]]&gt; &#13;\n\t end</body></message>");
  back = reparse (xml);
  g_assert_true (xmpp_node_equal (top, xmpp_stanza_get_top (back)));
}

/* Namespace declarations appear exactly where the namespace changes. */
static void
test_namespaces (void)
{
  g_autoptr(XmppStanza) s = xmpp_stanza_new ("iq", XMPP_NS_CLIENT);
  XmppNode *top = xmpp_stanza_get_top (s);
  XmppNode *query = xmpp_node_add_child (top, "query", XMPP_NS_ROSTER);
  XmppNode *item = xmpp_node_add_child (query, "item", NULL);
  XmppNode *none = xmpp_node_add_child (item, "plain", "");
  g_autoptr(GString) out = g_string_new (NULL);
  g_autoptr(XmppStanza) back = NULL;
  g_autofree char *xml = NULL;

  xmpp_node_add_child (none, "inner", NULL);
  xmpp_node_set_attr_ns (item, "urn:example:a", "x", "1");
  xmpp_node_set_attr_ns (item, "urn:example:b", "y", "2");
  xmpp_node_set_attr (item, "jid", "a@b");

  xmpp_writer_append_node (out, top, XMPP_NS_CLIENT);
  g_assert_cmpstr (out->str, ==,
                   "<iq><query xmlns='jabber:iq:roster'>"
                   "<item xmlns:ns0='urn:example:a' ns0:x='1' xmlns:ns1='urn:example:b' ns1:y='2' jid='a@b'>"
                   "<plain xmlns=''><inner/></plain></item></query></iq>");
  xml = xmpp_stanza_to_string (s);
  back = reparse (xml);
  g_assert_true (xmpp_node_equal (top, xmpp_stanza_get_top (back)));
  g_assert_cmpstr (xmpp_node_get_attr_ns (xmpp_stanza_get_top (back)->children->children,
                                          "urn:example:b", "y"), ==, "2");
}

static void
test_stream_open (void)
{
  g_autofree char *open = xmpp_writer_stream_open (XMPP_NS_CLIENT, "example.org", "juliet@example.org",
                                                   NULL, "en");
  g_autoptr(XmppReader) reader = xmpp_reader_new ();
  g_autoptr(XmppStanza) header = NULL;

  g_assert_cmpstr (open, ==,
                   "<?xml version='1.0'?><stream:stream xmlns='jabber:client' "
                   "xmlns:stream='http://etherx.jabber.org/streams' to='example.org' "
                   "from='juliet@example.org' version='1.0' xml:lang='en'>");
  g_assert_true (xmpp_reader_feed (reader, open, strlen (open)));
  g_assert_cmpint (xmpp_reader_pop (reader, &header, NULL), ==, XMPP_READER_STREAM_OPEN);
  g_assert_cmpstr (xmpp_stanza_get_to (header), ==, "example.org");
  g_assert_false (xmpp_reader_feed (reader, XMPP_WRITER_STREAM_CLOSE, strlen (XMPP_WRITER_STREAM_CLOSE)));
  g_assert_cmpint (xmpp_reader_pop (reader, NULL, NULL), ==, XMPP_READER_STREAM_CLOSE);
}

static void
test_equal (void)
{
  g_autoptr(XmppStanza) a = reparse ("<m x='1' y='2'><b>t</b><c/></m>");
  g_autoptr(XmppStanza) b = reparse ("<m y='2' x='1'><b>t</b><c/></m>");
  const char *different[] = {
    "<m x='1' y='3'><b>t</b><c/></m>",
    "<m x='1'><b>t</b><c/></m>",
    "<m x='1' y='2' z='3'><b>t</b><c/></m>",
    "<m x='1' y='2'><b>u</b><c/></m>",
    "<m x='1' y='2'><b>t</b></m>",
    "<m x='1' y='2'><b>t</b><c/><c/></m>",
    "<m x='1' y='2'><c/><b>t</b></m>",
    "<m x='1' y='2' xmlns='urn:other'><b>t</b><c/></m>",
    "<n x='1' y='2'><b>t</b><c/></n>",
    "<m x='1' y='2'><b>t</b><c xmlns='urn:c'/></m>",
  };

  g_assert_true (xmpp_node_equal (xmpp_stanza_get_top (a), xmpp_stanza_get_top (b)));
  for (guint i = 0; i < G_N_ELEMENTS (different); i++)
    {
      g_autoptr(XmppStanza) d = reparse (different[i]);
      if (xmpp_node_equal (xmpp_stanza_get_top (a), xmpp_stanza_get_top (d)))
        g_error ("%s compares equal", different[i]);
    }
}

static void
test_copy_and_remove (void)
{
  g_autoptr(XmppStanza) a = reparse ("<message type='chat'><body>hi</body><x xmlns='urn:x' k='v'><y>deep</y></x></message>");
  g_autoptr(XmppStanza) copy = xmpp_stanza_copy (a);
  g_autoptr(XmppStanza) wrapper = xmpp_stanza_new ("forwarded", XMPP_NS_FORWARD);
  XmppNode *inner;
  XmppNode *top = xmpp_stanza_get_top (copy);

  g_assert_true (xmpp_node_equal (xmpp_stanza_get_top (a), top));
  g_assert_true (xmpp_stanza_get_top (a) != top);

  /* A copy under another parent keeps its own namespace. */
  inner = xmpp_node_add_copy (xmpp_stanza_get_top (wrapper), xmpp_stanza_get_top (a));
  g_assert_true (xmpp_node_equal (inner, xmpp_stanza_get_top (a)));
  g_assert_cmpstr (inner->ns, ==, "");

  xmpp_node_remove (xmpp_node_get_child (top, "body", NULL));
  g_assert_null (xmpp_node_get_child (top, "body", NULL));
  g_assert_cmpuint (xmpp_node_n_children (top), ==, 1);
  xmpp_node_remove (xmpp_node_get_child (top, "x", NULL));
  g_assert_null (top->children);
  g_assert_null (top->last_child);
  xmpp_node_add_child (top, "z", NULL);
  g_assert_true (top->children == top->last_child);
  /* The original is untouched. */
  g_assert_cmpuint (xmpp_node_n_children (xmpp_stanza_get_top (a)), ==, 2);
}

static void
test_refcount (void)
{
  XmppStanza *s = xmpp_stanza_new ("presence", NULL);
  GValue v = G_VALUE_INIT;

  g_assert_cmpstr (xmpp_stanza_get_ns (s), ==, "");
  g_value_init (&v, XMPP_TYPE_STANZA);
  g_value_set_boxed (&v, s);
  xmpp_stanza_unref (s);
  /* The GValue still holds it. */
  g_assert_cmpstr (xmpp_stanza_get_name (g_value_get_boxed (&v)), ==, "presence");
  g_value_unset (&v);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/xmpp/stanza/build", test_build);
  g_test_add_func ("/xmpp/stanza/attrs", test_attrs);
  g_test_add_func ("/xmpp/stanza/text-append", test_text_append);
  g_test_add_func ("/xmpp/stanza/equal", test_equal);
  g_test_add_func ("/xmpp/stanza/copy-and-remove", test_copy_and_remove);
  g_test_add_func ("/xmpp/stanza/refcount", test_refcount);
  g_test_add_func ("/xmpp/writer/escaping", test_escaping);
  g_test_add_func ("/xmpp/writer/namespaces", test_namespaces);
  g_test_add_func ("/xmpp/writer/stream-open", test_stream_open);

  return g_test_run ();
}
