/* test-reader.c: the streaming reader, fed as a network would feed it.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "xmpp-reader.h"
#include "xmpp-writer.h"
#include "xmpp-ns.h"

#include <string.h>

#define STREAM_OPEN "<stream:stream xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams' version='1.0'>"

/* Every event of a reader as one line, so runs can be compared as text. */
static void
drain (XmppReader *reader,
       GPtrArray  *log)
{
  XmppReaderEvent ev;
  XmppStanza *stanza;
  GError *error = NULL;

  while ((ev = xmpp_reader_pop (reader, &stanza, &error)) != XMPP_READER_NONE)
    {
      g_autofree char *xml = stanza ? xmpp_stanza_to_string (stanza) : NULL;

      switch (ev)
        {
        case XMPP_READER_STREAM_OPEN:
          g_ptr_array_add (log, g_strdup_printf ("open %s ns=%s", xml,
                                                 xmpp_reader_get_default_ns (reader)));
          break;
        case XMPP_READER_STANZA:
          g_ptr_array_add (log, g_strdup_printf ("stanza %s", xml));
          break;
        case XMPP_READER_STREAM_CLOSE:
          g_ptr_array_add (log, g_strdup ("close"));
          break;
        case XMPP_READER_ERROR:
          g_ptr_array_add (log, g_strdup_printf ("error %s",
                                                 xmpp_stream_error_to_condition (error->code)));
          g_clear_error (&error);
          break;
        case XMPP_READER_NONE:
          break;
        }
      g_clear_pointer (&stanza, xmpp_stanza_unref);
    }
}

/* Feeds @data cut at each offset in @cuts (ascending), draining after each
 * piece as a connection would. */
static GPtrArray *
parse_cut (const char  *data,
           gsize        len,
           const gsize *cuts,
           guint        n_cuts,
           guint        max_names)
{
  g_autoptr(XmppReader) reader = xmpp_reader_new ();
  GPtrArray *log = g_ptr_array_new_with_free_func (g_free);
  gsize pos = 0;

  if (max_names > 0)
    xmpp_reader_set_max_names (reader, max_names);
  for (guint i = 0; i <= n_cuts; i++)
    {
      gsize end = i < n_cuts ? cuts[i] : len;

      xmpp_reader_feed (reader, data + pos, end - pos);
      drain (reader, log);
      pos = end;
    }
  return log;
}

static GPtrArray *
parse_whole (const char *data,
             gsize       len)
{
  return parse_cut (data, len, NULL, 0, 0);
}

static void
assert_same_log (GPtrArray  *expected,
                 GPtrArray  *got,
                 const char *what)
{
  if (expected->len != got->len)
    g_error ("%s: %u events instead of %u", what, got->len, expected->len);
  for (guint i = 0; i < expected->len; i++)
    if (strcmp (expected->pdata[i], got->pdata[i]) != 0)
      g_error ("%s: event %u differs:\n  expected %s\n  got      %s", what, i,
               (char *) expected->pdata[i], (char *) got->pdata[i]);
}

static GPtrArray *
corpus_files (void)
{
  g_autofree char *dir = g_test_build_filename (G_TEST_DIST, "corpus", "reader", NULL);
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  GPtrArray *files = g_ptr_array_new_with_free_func (g_free);
  const char *name;

  g_assert_nonnull (d);
  while ((name = g_dir_read_name (d)) != NULL)
    if (g_str_has_prefix (name, "stream-"))
      g_ptr_array_add (files, g_build_filename (dir, name, NULL));
  g_assert_cmpuint (files->len, >=, 6);
  return files;
}

static GPtrArray *
check_corpus_file_sane (const char *path,
                        char      **data,
                        gsize      *len)
{
  GPtrArray *whole;

  g_assert_true (g_file_get_contents (path, data, len, NULL));
  whole = parse_whole (*data, *len);
  /* A corpus file is a whole valid stream: open, stanzas, close. */
  g_assert_cmpuint (whole->len, >=, 4);
  g_assert_true (g_str_has_prefix (whole->pdata[0], "open "));
  g_assert_cmpstr (whole->pdata[whole->len - 1], ==, "close");
  for (guint i = 1; i + 1 < whole->len; i++)
    g_assert_true (g_str_has_prefix (whole->pdata[i], "stanza "));
  return whole;
}

/* Every single split position gives the same events as the whole. */
static void
test_split_everywhere (void)
{
  g_autoptr(GPtrArray) files = corpus_files ();

  for (guint f = 0; f < files->len; f++)
    {
      g_autofree char *data = NULL;
      gsize len;
      g_autoptr(GPtrArray) whole = check_corpus_file_sane (files->pdata[f], &data, &len);

      for (gsize cut = 1; cut < len; cut++)
        {
          g_autoptr(GPtrArray) split = parse_cut (data, len, &cut, 1, 0);
          g_autofree char *what = g_strdup_printf ("%s cut at %zu", (char *) files->pdata[f], cut);
          assert_same_log (whole, split, what);
        }
    }
}

/* One byte at a time cuts inside every tag, attribute, entity and UTF-8
 * sequence at once. */
static void
test_byte_at_a_time (void)
{
  g_autoptr(GPtrArray) files = corpus_files ();

  for (guint f = 0; f < files->len; f++)
    {
      g_autofree char *data = NULL;
      gsize len;
      g_autoptr(GPtrArray) whole = check_corpus_file_sane (files->pdata[f], &data, &len);
      g_autofree gsize *cuts = g_new (gsize, len);
      g_autoptr(GPtrArray) split = NULL;

      for (gsize i = 0; i + 1 < len; i++)
        cuts[i] = i + 1;
      split = parse_cut (data, len, cuts, len - 1, 0);
      assert_same_log (whole, split, files->pdata[f]);
    }
}

/* Random cuts into three to twenty pieces, and the same again with the
 * parser changed after every stanza: rotation must be invisible. */
static void
test_random_cuts_and_rotation (void)
{
  g_autoptr(GPtrArray) files = corpus_files ();

  for (guint f = 0; f < files->len; f++)
    {
      g_autofree char *data = NULL;
      gsize len;
      g_autoptr(GPtrArray) whole = check_corpus_file_sane (files->pdata[f], &data, &len);

      for (guint round = 0; round < 300; round++)
        {
          guint n = g_test_rand_int_range (2, 20);
          g_autofree gsize *cuts = g_new (gsize, n);
          g_autoptr(GPtrArray) split = NULL;
          g_autoptr(GPtrArray) rotated = NULL;

          for (guint i = 0; i < n; i++)
            cuts[i] = g_test_rand_int_range (1, len);
          for (guint i = 1; i < n; i++)  /* insertion sort, n is small */
            for (guint j = i; j > 0 && cuts[j - 1] > cuts[j]; j--)
              {
                gsize t = cuts[j];
                cuts[j] = cuts[j - 1];
                cuts[j - 1] = t;
              }
          split = parse_cut (data, len, cuts, n, 0);
          assert_same_log (whole, split, files->pdata[f]);
          rotated = parse_cut (data, len, cuts, n, 1);
          assert_same_log (whole, rotated, files->pdata[f]);
        }
    }
}

/* parse → serialise → parse gives the same tree. */
static void
test_round_trip (void)
{
  g_autoptr(GPtrArray) files = corpus_files ();
  guint stanzas = 0;

  for (guint f = 0; f < files->len; f++)
    {
      g_autofree char *data = NULL;
      gsize len;
      g_autoptr(XmppReader) first = xmpp_reader_new ();
      XmppStanza *stanza;
      XmppReaderEvent ev;

      g_assert_true (g_file_get_contents (files->pdata[f], &data, &len, NULL));
      xmpp_reader_feed (first, data, len);
      while ((ev = xmpp_reader_pop (first, &stanza, NULL)) != XMPP_READER_NONE)
        {
          g_autoptr(XmppReader) second = xmpp_reader_new ();
          g_autoptr(GString) again = g_string_new (STREAM_OPEN);
          g_autoptr(XmppStanza) reparsed = NULL;

          if (ev != XMPP_READER_STANZA)
            {
              g_clear_pointer (&stanza, xmpp_stanza_unref);
              continue;
            }
          /* Inside a jabber:client stream, as the connection writes it. */
          xmpp_writer_append_node (again, xmpp_stanza_get_top (stanza), XMPP_NS_CLIENT);
          xmpp_reader_feed (second, again->str, again->len);
          g_assert_cmpint (xmpp_reader_pop (second, NULL, NULL), ==, XMPP_READER_STREAM_OPEN);
          g_assert_cmpint (xmpp_reader_pop (second, &reparsed, NULL), ==, XMPP_READER_STANZA);
          if (!xmpp_node_equal (xmpp_stanza_get_top (stanza), xmpp_stanza_get_top (reparsed)))
            g_error ("round trip changed the tree:\n%s", again->str);
          stanzas++;
          xmpp_stanza_unref (stanza);
        }
    }
  g_assert_cmpuint (stanzas, >, 30);
}

static XmppStanza *
parse_one (const char *xml)
{
  g_autoptr(XmppReader) reader = xmpp_reader_new ();
  g_autofree char *all = g_strconcat (STREAM_OPEN, xml, NULL);
  XmppStanza *stanza = NULL;

  g_assert_true (xmpp_reader_feed (reader, all, strlen (all)));
  g_assert_cmpint (xmpp_reader_pop (reader, NULL, NULL), ==, XMPP_READER_STREAM_OPEN);
  g_assert_cmpint (xmpp_reader_pop (reader, &stanza, NULL), ==, XMPP_READER_STANZA);
  g_assert_cmpint (xmpp_reader_pop (reader, NULL, NULL), ==, XMPP_READER_NONE);
  return stanza;
}

static void
test_tree_contents (void)
{
  g_autoptr(XmppStanza) s = parse_one (
    "<message to='a@b' type='chat' xml:lang='de'>\n  <body>a &amp; b &lt; c &#x1F600; &#233;\r\nx</body>\n"
    "  <x xmlns='vcard-temp:x:update' k='&amp;&#38;&lt;&quot;&apos;&#x9;&#10;'><photo/></x>\n"
    "  <body xml:lang='fr'><![CDATA[<i>&amp;</i>]]></body>\n</message>");
  XmppNode *top = xmpp_stanza_get_top (s);
  XmppNode *body = xmpp_node_get_child (top, "body", XMPP_NS_CLIENT);
  XmppNode *x = xmpp_node_get_child_ns (top, "vcard-temp:x:update");
  XmppNode *body2;

  g_assert_cmpstr (top->name, ==, "message");
  g_assert_cmpstr (top->ns, ==, XMPP_NS_CLIENT);
  g_assert_cmpstr (xmpp_stanza_get_to (s), ==, "a@b");
  g_assert_cmpstr (xmpp_stanza_get_kind (s), ==, "chat");
  g_assert_cmpstr (xmpp_node_get_attr_ns (top, XMPP_NS_XML, "lang"), ==, "de");
  g_assert_null (xmpp_node_get_attr (top, "lang"));
  /* Whitespace between children is dropped; text keeps CRLF folded to LF. */
  g_assert_null (top->text);
  g_assert_cmpstr (xmpp_node_get_text (body), ==, "a & b < c \xf0\x9f\x98\x80 \xc3\xa9\nx");
  g_assert_nonnull (x);
  g_assert_cmpstr (xmpp_node_get_attr (x, "k"), ==, "&&<\"'\t\n");
  g_assert_true (xmpp_node_is (x->children, "photo", "vcard-temp:x:update"));
  body2 = xmpp_node_get_next_sibling (body, "body", NULL);
  g_assert_nonnull (body2);
  g_assert_cmpstr (xmpp_node_get_text (body2), ==, "<i>&amp;</i>");
  g_assert_cmpstr (xmpp_node_get_attr_ns (body2, XMPP_NS_XML, "lang"), ==, "fr");
  g_assert_cmpuint (xmpp_node_n_children (top), ==, 3);
}

/* Namespace names hold '&' too, and must survive rotation (the new parser
 * is primed with the header's declarations written out again). */
static void
test_amp_in_namespace (void)
{
  const char *stream = "<stream:stream xmlns='urn:a&amp;b' xmlns:stream='http://etherx.jabber.org/streams'>"
                       "<m xmlns:p='urn:c&#38;d' p:k='v'><x xmlns='urn:e&amp;f'/></m><m/><m/>";
  g_autoptr(XmppReader) reader = xmpp_reader_new ();
  XmppStanza *s;
  guint n = 0;

  xmpp_reader_set_max_names (reader, 1);
  g_assert_true (xmpp_reader_feed (reader, stream, strlen (stream)));
  g_assert_cmpstr (xmpp_reader_get_default_ns (reader), ==, "urn:a&b");
  g_assert_cmpint (xmpp_reader_pop (reader, NULL, NULL), ==, XMPP_READER_STREAM_OPEN);
  while (xmpp_reader_pop (reader, &s, NULL) == XMPP_READER_STANZA)
    {
      XmppNode *top = xmpp_stanza_get_top (s);

      g_assert_cmpstr (top->ns, ==, "urn:a&b");
      if (n++ == 0)
        {
          g_assert_cmpstr (xmpp_node_get_attr_ns (top, "urn:c&d", "k"), ==, "v");
          g_assert_cmpstr (top->children->ns, ==, "urn:e&f");
        }
      xmpp_stanza_unref (s);
    }
  g_assert_cmpuint (n, ==, 3);
  g_assert_cmpuint (xmpp_reader_get_rotations (reader), >=, 2);
}

/* A stanza is there as soon as its last byte is: no waiting for more. */
static void
test_no_lookahead (void)
{
  g_autoptr(XmppReader) reader = xmpp_reader_new ();
  const char *stanzas[] = {
    "<presence/>",
    "<message><body>hi</body></message>",
    "<iq type='get' id='1'><ping xmlns='urn:xmpp:ping'/></iq>",
    "<r xmlns='urn:xmpp:sm:3'/>",
  };
  XmppStanza *s = NULL;

  xmpp_reader_feed (reader, STREAM_OPEN, strlen (STREAM_OPEN));
  g_assert_cmpint (xmpp_reader_pop (reader, NULL, NULL), ==, XMPP_READER_STREAM_OPEN);
  g_assert_cmpint (xmpp_reader_pop (reader, NULL, NULL), ==, XMPP_READER_NONE);
  for (guint i = 0; i < G_N_ELEMENTS (stanzas); i++)
    {
      gsize len = strlen (stanzas[i]);

      /* All but the last byte: nothing yet. */
      xmpp_reader_feed (reader, stanzas[i], len - 1);
      g_assert_cmpint (xmpp_reader_pop (reader, NULL, NULL), ==, XMPP_READER_NONE);
      xmpp_reader_feed (reader, stanzas[i] + len - 1, 1);
      g_assert_cmpint (xmpp_reader_pop (reader, &s, NULL), ==, XMPP_READER_STANZA);
      g_clear_pointer (&s, xmpp_stanza_unref);
      /* Whitespace keepalives are nothing. */
      xmpp_reader_feed (reader, " \n", 2);
      g_assert_cmpint (xmpp_reader_pop (reader, NULL, NULL), ==, XMPP_READER_NONE);
    }
}

static void
test_header (void)
{
  g_autoptr(XmppReader) reader = xmpp_reader_new ();
  const char *open = "<?xml version='1.0' encoding='UTF-8'?><stream:stream xmlns='jabber:client' "
                     "xmlns:stream='http://etherx.jabber.org/streams' id='abc&amp;' from='example.org' "
                     "version='1.0' xml:lang='en'>";
  g_autoptr(XmppStanza) header = NULL;
  XmppNode *top;

  g_assert_null (xmpp_reader_get_default_ns (reader));
  g_assert_true (xmpp_reader_feed (reader, open, strlen (open)));
  g_assert_cmpint (xmpp_reader_pop (reader, &header, NULL), ==, XMPP_READER_STREAM_OPEN);
  top = xmpp_stanza_get_top (header);
  g_assert_cmpstr (top->name, ==, "stream");
  g_assert_cmpstr (top->ns, ==, XMPP_NS_STREAM);
  g_assert_cmpstr (xmpp_stanza_get_id (header), ==, "abc&");
  g_assert_cmpstr (xmpp_stanza_get_from (header), ==, "example.org");
  g_assert_cmpstr (xmpp_stanza_get_attr (header, "version"), ==, "1.0");
  g_assert_cmpstr (xmpp_node_get_attr_ns (top, XMPP_NS_XML, "lang"), ==, "en");
  g_assert_cmpstr (xmpp_reader_get_default_ns (reader), ==, XMPP_NS_CLIENT);

  /* The end of the stream, then nothing more is read. */
  g_assert_false (xmpp_reader_feed (reader, "</stream:stream><presence/>", 27));
  g_assert_cmpint (xmpp_reader_pop (reader, NULL, NULL), ==, XMPP_READER_STREAM_CLOSE);
  g_assert_cmpint (xmpp_reader_pop (reader, NULL, NULL), ==, XMPP_READER_NONE);
  g_assert_false (xmpp_reader_feed (reader, "<presence/>", 11));
}

/* After STARTTLS or SASL the stream starts again from a new header. */
static void
test_reset (void)
{
  g_autoptr(XmppReader) reader = xmpp_reader_new ();
  const char *first = STREAM_OPEN "<proceed xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>";
  const char *second = "<?xml version='1.0'?><stream:stream xmlns='jabber:client' "
                       "xmlns:stream='http://etherx.jabber.org/streams' id='new'><presence/>";
  g_autoptr(XmppStanza) header = NULL;
  g_autoptr(XmppStanza) presence = NULL;

  xmpp_reader_feed (reader, first, strlen (first));
  g_assert_cmpint (xmpp_reader_pop (reader, NULL, NULL), ==, XMPP_READER_STREAM_OPEN);
  g_assert_cmpint (xmpp_reader_pop (reader, NULL, NULL), ==, XMPP_READER_STANZA);
  xmpp_reader_reset (reader);
  g_assert_null (xmpp_reader_get_default_ns (reader));
  g_assert_true (xmpp_reader_feed (reader, second, strlen (second)));
  g_assert_cmpint (xmpp_reader_pop (reader, &header, NULL), ==, XMPP_READER_STREAM_OPEN);
  g_assert_cmpstr (xmpp_stanza_get_id (header), ==, "new");
  g_assert_cmpint (xmpp_reader_pop (reader, &presence, NULL), ==, XMPP_READER_STANZA);
  g_assert_cmpstr (xmpp_stanza_get_name (presence), ==, "presence");
}

typedef struct {
  const char     *name;
  const char     *stream;      /* after STREAM_OPEN unless it starts with '<?' or '!' */
  XmppStreamError code;
  guint           stanzas_before;
} BadCase;

static const BadCase bad_cases[] = {
  { "dtd", "!<?xml version='1.0'?><!DOCTYPE stream:stream [<!ENTITY a 'b'>]>" STREAM_OPEN,
    XMPP_STREAM_ERROR_RESTRICTED_XML, 0 },
  { "dtd-external", "!<!DOCTYPE stream SYSTEM 'file:///etc/passwd'>" STREAM_OPEN,
    XMPP_STREAM_ERROR_RESTRICTED_XML, 0 },
  { "undefined-entity", "<message><body>&foo;</body></message>", XMPP_STREAM_ERROR_RESTRICTED_XML, 0 },
  { "entity-in-attribute", "<message to='&foo;'/>", XMPP_STREAM_ERROR_RESTRICTED_XML, 0 },
  { "comment", "<message><!-- hi --><body/></message>", XMPP_STREAM_ERROR_RESTRICTED_XML, 0 },
  { "comment-between", "<presence/><!-- hi --><presence/>", XMPP_STREAM_ERROR_RESTRICTED_XML, 1 },
  { "comment-before-stream", "!<!-- hi -->" STREAM_OPEN, XMPP_STREAM_ERROR_RESTRICTED_XML, 0 },
  { "pi", "<message><?php echo 1; ?></message>", XMPP_STREAM_ERROR_RESTRICTED_XML, 0 },
  { "pi-between", "<presence/><?foo bar?>", XMPP_STREAM_ERROR_RESTRICTED_XML, 1 },
  { "invalid-utf8", "<message><body>\xff\xfe</body></message>", XMPP_STREAM_ERROR_NOT_WELL_FORMED, 0 },
  { "overlong-utf8", "<message><body>\xc0\xaf</body></message>", XMPP_STREAM_ERROR_NOT_WELL_FORMED, 0 },
  { "surrogate-utf8", "<message><body>\xed\xa0\x80</body></message>", XMPP_STREAM_ERROR_NOT_WELL_FORMED, 0 },
  { "truncated-utf8", "<message><body>\xe2\x82</body></message>", XMPP_STREAM_ERROR_NOT_WELL_FORMED, 0 },
  { "overlong-utf8-in-cdata", "<message><body><![CDATA[\xc1\xbd]]></body></message><presence/>",
    XMPP_STREAM_ERROR_NOT_WELL_FORMED, 0 },
  { "utf8-in-name", "<mess\xff age/>", XMPP_STREAM_ERROR_NOT_WELL_FORMED, 0 },
  { "control-char", "<message><body>\x01</body></message>", XMPP_STREAM_ERROR_NOT_WELL_FORMED, 0 },
  { "control-charref", "<message><body>&#1;</body></message>", XMPP_STREAM_ERROR_NOT_WELL_FORMED, 0 },
  { "nul-charref", "<message><body>&#0;</body></message>", XMPP_STREAM_ERROR_NOT_WELL_FORMED, 0 },
  { "mismatched", "<presence/><message><body></message>", XMPP_STREAM_ERROR_NOT_WELL_FORMED, 1 },
  { "unbound-prefix", "<foo:message/>", XMPP_STREAM_ERROR_NOT_WELL_FORMED, 0 },
  { "duplicate-attr", "<message to='a' to='b'/>", XMPP_STREAM_ERROR_NOT_WELL_FORMED, 0 },
  { "lt-in-attr", "<message to='a<b'/><presence/>", XMPP_STREAM_ERROR_NOT_WELL_FORMED, 0 },
  { "text-at-stream-level", "<presence/>hello<presence/>", XMPP_STREAM_ERROR_BAD_FORMAT, 1 },
  { "latin1", "!<?xml version='1.0' encoding='ISO-8859-1'?>" STREAM_OPEN,
    XMPP_STREAM_ERROR_UNSUPPORTED_ENCODING, 0 },
  { "wrong-stream-ns", "!<stream:stream xmlns:stream='urn:wrong' xmlns='jabber:client'>",
    XMPP_STREAM_ERROR_INVALID_NAMESPACE, 0 },
  { "not-a-stream", "!<html xmlns:stream='http://etherx.jabber.org/streams'>",
    XMPP_STREAM_ERROR_INVALID_NAMESPACE, 0 },
  { "wrong-root-name", "!<stream:flow xmlns:stream='http://etherx.jabber.org/streams'>",
    XMPP_STREAM_ERROR_BAD_FORMAT, 0 },
};

static GPtrArray *
feed_case (const char *stream,
           gsize       len,
           gsize       chunk)
{
  g_autoptr(XmppReader) reader = xmpp_reader_new ();
  GPtrArray *log = g_ptr_array_new_with_free_func (g_free);

  for (gsize pos = 0; pos < len; pos += chunk)
    {
      xmpp_reader_feed (reader, stream + pos, MIN (chunk, len - pos));
      drain (reader, log);
    }
  return log;
}

static void
test_restricted (gconstpointer data)
{
  const BadCase *c = data;
  g_autofree char *stream = c->stream[0] == '!' ? g_strdup (c->stream + 1)
                                                : g_strconcat (STREAM_OPEN, c->stream, NULL);
  gsize len = strlen (stream);
  g_autofree char *want = g_strdup_printf ("error %s", xmpp_stream_error_to_condition (c->code));

  /* Whole, and one byte at a time: the same verdict either way. */
  for (gsize chunk = len; chunk >= 1; chunk = chunk == len ? 1 : 0)
    {
      g_autoptr(GPtrArray) log = feed_case (stream, len, chunk);
      guint stanzas = 0;

      for (guint i = 0; i < log->len; i++)
        stanzas += g_str_has_prefix (log->pdata[i], "stanza ");
      g_assert_cmpuint (log->len, >=, 1);
      g_assert_cmpstr (log->pdata[log->len - 1], ==, want);
      g_assert_cmpuint (stanzas, ==, c->stanzas_before);
    }
}

static void
test_error_message_readable (void)
{
  g_autoptr(XmppReader) reader = xmpp_reader_new ();
  const char *s = STREAM_OPEN "<message><!-- x --></message>";
  g_autoptr(GError) error = NULL;

  xmpp_reader_feed (reader, s, strlen (s));
  g_assert_cmpint (xmpp_reader_pop (reader, NULL, NULL), ==, XMPP_READER_STREAM_OPEN);
  g_assert_cmpint (xmpp_reader_pop (reader, NULL, &error), ==, XMPP_READER_ERROR);
  g_assert_error (error, XMPP_STREAM_ERROR, XMPP_STREAM_ERROR_RESTRICTED_XML);
  /* A sentence: a capital, words, a full stop. */
  g_assert_true (g_ascii_isupper (error->message[0]));
  g_assert_true (g_str_has_suffix (error->message, "."));
  g_assert_nonnull (strstr (error->message, "comment"));
}

static void
test_utf16_bom (void)
{
  const char bom_stream[] = "\xfe\xff\x00<\x00s";
  g_autoptr(GPtrArray) log = feed_case (bom_stream, sizeof bom_stream - 1, sizeof bom_stream - 1);

  g_assert_cmpuint (log->len, ==, 1);
  g_assert_true (g_str_has_prefix (log->pdata[0], "error "));
}

/* "Billion laughs" never gets to expand: the DTD is refused first. */
static void
test_billion_laughs (void)
{
  GString *s = g_string_new ("<?xml version='1.0'?><!DOCTYPE lolz [<!ENTITY lol 'lol'>");
  gint64 start = g_get_monotonic_time ();
  g_autoptr(GPtrArray) log = NULL;

  for (int i = 1; i < 10; i++)
    g_string_append_printf (s, "<!ENTITY lol%d '&lol%d;&lol%d;&lol%d;&lol%d;&lol%d;&lol%d;&lol%d;&lol%d;&lol%d;&lol%d;'>",
                            i, i - 1, i - 1, i - 1, i - 1, i - 1, i - 1, i - 1, i - 1, i - 1, i - 1);
  g_string_append (s, "]>" STREAM_OPEN "<message><body>&lol9;</body></message>");
  log = feed_case (s->str, s->len, 7);
  g_assert_cmpuint (log->len, ==, 1);
  g_assert_cmpstr (log->pdata[0], ==, "error restricted-xml");
  g_assert_cmpint (g_get_monotonic_time () - start, <, G_USEC_PER_SEC);
  g_string_free (s, TRUE);
}

/* Bytes fed until the reader gave up on an endless stanza. */
static gsize
feed_endless (XmppReader *reader,
              const char *prefix,
              char        filler,
              gsize       total,
              gsize       chunk)
{
  g_autofree char *buf = g_malloc (chunk);
  gsize fed;

  memset (buf, filler, chunk);
  xmpp_reader_feed (reader, STREAM_OPEN, strlen (STREAM_OPEN));
  xmpp_reader_feed (reader, prefix, strlen (prefix));
  for (fed = 0; fed < total; fed += chunk)
    if (!xmpp_reader_feed (reader, buf, chunk))
      break;
  return fed;
}

static void
assert_popped_error (XmppReader     *reader,
                     XmppStreamError code)
{
  g_autoptr(GError) error = NULL;
  XmppReaderEvent ev;

  while ((ev = xmpp_reader_pop (reader, NULL, &error)) == XMPP_READER_STREAM_OPEN ||
         ev == XMPP_READER_STANZA)
    ;
  g_assert_cmpint (ev, ==, XMPP_READER_ERROR);
  g_assert_error (error, XMPP_STREAM_ERROR, (gint) code);
}

/* A 100 MB text node: refused after about a megabyte, in well under a
 * second, without the reader holding more than the limit. */
static void
test_huge_text (void)
{
  g_autoptr(XmppReader) reader = xmpp_reader_new ();
  gint64 start = g_get_monotonic_time ();
  gsize fed = feed_endless (reader, "<message><body>", 'a', 100 * 1024 * 1024, 64 * 1024);

  g_assert_cmpuint (fed, <=, XMPP_READER_DEFAULT_MAX_STANZA_SIZE + 64 * 1024);
  assert_popped_error (reader, XMPP_STREAM_ERROR_POLICY_VIOLATION);
  g_assert_cmpint (g_get_monotonic_time () - start, <, G_USEC_PER_SEC);
}

/* The same limit while a start tag is still open: libxml2 would buffer it
 * whole, and rescan it on every chunk when values hold a raw '>'. */
static void
test_huge_start_tag (void)
{
  g_autoptr(XmppReader) reader = xmpp_reader_new ();
  g_autoptr(XmppReader) reader2 = xmpp_reader_new ();
  gint64 start = g_get_monotonic_time ();
  gsize fed = feed_endless (reader, "<message to='", '>', 100 * 1024 * 1024, 4096);

  g_assert_cmpuint (fed, <=, XMPP_READER_DEFAULT_MAX_STANZA_SIZE + 4096);
  assert_popped_error (reader, XMPP_STREAM_ERROR_POLICY_VIOLATION);
  fed = feed_endless (reader2, "<message a", 'a', 100 * 1024 * 1024, 4096);
  g_assert_cmpuint (fed, <=, XMPP_READER_DEFAULT_MAX_STANZA_SIZE + 4096);
  assert_popped_error (reader2, XMPP_STREAM_ERROR_POLICY_VIOLATION);
  g_assert_cmpint (g_get_monotonic_time () - start, <, 5 * G_USEC_PER_SEC);
}

/* One huge chunk is cut up by the reader itself. */
static void
test_huge_single_chunk (void)
{
  g_autoptr(XmppReader) reader = xmpp_reader_new ();
  gsize len = 50 * 1024 * 1024;
  g_autofree char *buf = g_malloc (len);
  gint64 start = g_get_monotonic_time ();

  memset (buf, 'x', len);
  memcpy (buf, STREAM_OPEN "<message><body>", strlen (STREAM_OPEN "<message><body>"));
  g_assert_false (xmpp_reader_feed (reader, buf, len));
  assert_popped_error (reader, XMPP_STREAM_ERROR_POLICY_VIOLATION);
  g_assert_cmpint (g_get_monotonic_time () - start, <, G_USEC_PER_SEC);
}

/* The limit is configurable and counts each stanza on its own. */
static void
test_stanza_size_limit (void)
{
  g_autoptr(XmppReader) reader = xmpp_reader_new ();
  g_autoptr(GString) s = g_string_new (STREAM_OPEN);
  GString *body = g_string_new (NULL);
  g_autoptr(GPtrArray) log = g_ptr_array_new_with_free_func (g_free);

  xmpp_reader_set_max_stanza_size (reader, 1000);
  g_string_append_len (body, "<message><body>", 15);
  while (body->len < 900)
    g_string_append_c (body, 'b');
  g_string_append (body, "</body></message>");
  /* Fifty stanzas of 925 bytes pass in one chunk; one of 1,100 does not. */
  for (int i = 0; i < 50; i++)
    g_string_append (s, body->str);
  g_string_append (s, "<message><body>");
  for (int i = 0; i < 1100; i++)
    g_string_append_c (s, 'c');
  g_string_append (s, "</body></message><presence/>");
  xmpp_reader_feed (reader, s->str, s->len);
  drain (reader, log);
  g_assert_cmpuint (log->len, ==, 52);
  g_assert_cmpstr (log->pdata[51], ==, "error policy-violation");
  g_string_free (body, TRUE);
}

static void
test_depth_limit (void)
{
  g_autoptr(XmppReader) reader = xmpp_reader_new ();
  g_autoptr(GString) ok = g_string_new (STREAM_OPEN);
  g_autoptr(GPtrArray) log = g_ptr_array_new_with_free_func (g_free);

  xmpp_reader_set_max_depth (reader, 10);
  for (int i = 0; i < 10; i++)
    g_string_append (ok, "<a>");
  for (int i = 0; i < 10; i++)
    g_string_append (ok, "</a>");
  for (int i = 0; i < 11; i++)
    g_string_append (ok, "<a>");
  xmpp_reader_feed (reader, ok->str, ok->len);
  drain (reader, log);
  g_assert_cmpuint (log->len, ==, 3);
  g_assert_true (g_str_has_prefix (log->pdata[1], "stanza <a"));
  g_assert_cmpstr (log->pdata[2], ==, "error policy-violation");
}

/* libxml2's own depth limit is 256; ours is lower and comes first. */
static void
test_default_depth_limit (void)
{
  g_autoptr(XmppReader) reader = xmpp_reader_new ();
  g_autoptr(GString) deep = g_string_new (NULL);

  for (int i = 0; i < 100000; i++)
    g_string_append (deep, "<a>");
  feed_endless (reader, deep->str, ' ', 1, 1);
  assert_popped_error (reader, XMPP_STREAM_ERROR_POLICY_VIOLATION);
}

static void
test_attribute_limit (void)
{
  g_autoptr(XmppReader) reader = xmpp_reader_new ();
  g_autoptr(GString) s = g_string_new (STREAM_OPEN "<presence");
  g_autoptr(GPtrArray) log = g_ptr_array_new_with_free_func (g_free);

  xmpp_reader_set_max_attrs (reader, 8);
  for (int i = 0; i < 8; i++)
    g_string_append_printf (s, " a%d='x'", i);
  g_string_append (s, "/><presence");
  for (int i = 0; i < 8; i++)
    g_string_append_printf (s, " xmlns:p%d='urn:x:%d'", i, i);
  g_string_append (s, " a='1'/>");
  xmpp_reader_feed (reader, s->str, s->len);
  drain (reader, log);
  g_assert_cmpuint (log->len, ==, 3);
  g_assert_cmpstr (log->pdata[2], ==, "error policy-violation");
}

/* A peer inventing new element and namespace names forever: the reader
 * keeps going (stanzas arrive intact) and its parser is renewed, so the
 * name dictionary stays bounded. */
static void
test_endless_names (void)
{
  g_autoptr(XmppReader) reader = xmpp_reader_new ();
  guint stanzas = 0;
  XmppStanza *s;
  XmppReaderEvent ev;

  xmpp_reader_set_max_names (reader, 1000);
  xmpp_reader_feed (reader, STREAM_OPEN, strlen (STREAM_OPEN));
  for (guint i = 0; i < 20000; i++)
    {
      g_autofree char *stanza = g_strdup_printf (
        "<message id='%u'><e%u xmlns='urn:random:%u' a%u='v'>t%u</e%u></message>\r\n",
        i, i, i, i, i, i);
      /* Cut mid-stanza so rotations meet leftovers. */
      gsize half = strlen (stanza) / 2;
      g_assert_true (xmpp_reader_feed (reader, stanza, half));
      g_assert_true (xmpp_reader_feed (reader, stanza + half, strlen (stanza) - half));
      while ((ev = xmpp_reader_pop (reader, &s, NULL)) != XMPP_READER_NONE)
        {
          if (ev == XMPP_READER_STANZA)
            {
              XmppNode *e = xmpp_stanza_get_top (s)->children;
              g_autofree char *id = g_strdup_printf ("%u", stanzas);
              g_autofree char *name = g_strdup_printf ("e%u", stanzas);
              g_autofree char *text = g_strdup_printf ("t%u", stanzas);

              g_assert_cmpstr (xmpp_stanza_get_id (s), ==, id);
              g_assert_cmpstr (e->name, ==, name);
              g_assert_cmpstr (xmpp_node_get_text (e), ==, text);
              stanzas++;
            }
          g_clear_pointer (&s, xmpp_stanza_unref);
        }
    }
  g_assert_cmpuint (stanzas, ==, 20000);
  g_assert_cmpuint (xmpp_reader_get_rotations (reader), >=, 20000 * 3 / 1000 - 5);
  /* The rotated parser still closes the stream the peer opened. */
  g_assert_false (xmpp_reader_feed (reader, "</stream:stream>", 16));
  g_assert_cmpint (xmpp_reader_pop (reader, NULL, NULL), ==, XMPP_READER_STREAM_CLOSE);
}

/* Text interleaved with child elements, as much as the limit allows:
 * appending must stay linear. */
static void
test_mixed_content (void)
{
  g_autoptr(XmppReader) reader = xmpp_reader_new ();
  g_autoptr(GString) s = g_string_new (STREAM_OPEN "<message><body>");
  g_autoptr(XmppStanza) stanza = NULL;
  gint64 start = g_get_monotonic_time ();

  while (s->len < XMPP_READER_DEFAULT_MAX_STANZA_SIZE - 64)
    g_string_append (s, "x<b/>");
  g_string_append (s, "</body></message>");
  g_assert_true (xmpp_reader_feed (reader, s->str, s->len));
  g_assert_cmpint (xmpp_reader_pop (reader, NULL, NULL), ==, XMPP_READER_STREAM_OPEN);
  g_assert_cmpint (xmpp_reader_pop (reader, &stanza, NULL), ==, XMPP_READER_STANZA);
  g_assert_cmpuint (xmpp_stanza_get_top (stanza)->children->text_len, >, 200000);
  g_assert_cmpint (g_get_monotonic_time () - start, <, 2 * G_USEC_PER_SEC);
}

/* Bytes after an error are ignored; the stanzas before it were delivered. */
static void
test_after_error (void)
{
  g_autoptr(XmppReader) reader = xmpp_reader_new ();
  const char *s = STREAM_OPEN "<presence/><presence/><!-- no --><presence/>";

  g_assert_false (xmpp_reader_feed (reader, s, strlen (s)));
  g_assert_false (xmpp_reader_feed (reader, "<presence/>", 11));
  g_assert_cmpint (xmpp_reader_pop (reader, NULL, NULL), ==, XMPP_READER_STREAM_OPEN);
  g_assert_cmpint (xmpp_reader_pop (reader, NULL, NULL), ==, XMPP_READER_STANZA);
  g_assert_cmpint (xmpp_reader_pop (reader, NULL, NULL), ==, XMPP_READER_STANZA);
  g_assert_cmpint (xmpp_reader_pop (reader, NULL, NULL), ==, XMPP_READER_ERROR);
  g_assert_cmpint (xmpp_reader_pop (reader, NULL, NULL), ==, XMPP_READER_NONE);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/xmpp/reader/split/everywhere", test_split_everywhere);
  g_test_add_func ("/xmpp/reader/split/byte-at-a-time", test_byte_at_a_time);
  g_test_add_func ("/xmpp/reader/split/random-and-rotation", test_random_cuts_and_rotation);
  g_test_add_func ("/xmpp/reader/round-trip", test_round_trip);
  g_test_add_func ("/xmpp/reader/tree", test_tree_contents);
  g_test_add_func ("/xmpp/reader/amp-in-namespace", test_amp_in_namespace);
  g_test_add_func ("/xmpp/reader/no-lookahead", test_no_lookahead);
  g_test_add_func ("/xmpp/reader/header", test_header);
  g_test_add_func ("/xmpp/reader/reset", test_reset);
  for (guint i = 0; i < G_N_ELEMENTS (bad_cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("/xmpp/reader/restricted/%s", bad_cases[i].name);
      g_test_add_data_func (path, &bad_cases[i], test_restricted);
    }
  g_test_add_func ("/xmpp/reader/restricted/utf16-bom", test_utf16_bom);
  g_test_add_func ("/xmpp/reader/restricted/billion-laughs", test_billion_laughs);
  g_test_add_func ("/xmpp/reader/error-message", test_error_message_readable);
  g_test_add_func ("/xmpp/reader/after-error", test_after_error);
  g_test_add_func ("/xmpp/reader/limits/huge-text", test_huge_text);
  g_test_add_func ("/xmpp/reader/limits/huge-start-tag", test_huge_start_tag);
  g_test_add_func ("/xmpp/reader/limits/huge-single-chunk", test_huge_single_chunk);
  g_test_add_func ("/xmpp/reader/limits/stanza-size", test_stanza_size_limit);
  g_test_add_func ("/xmpp/reader/limits/depth", test_depth_limit);
  g_test_add_func ("/xmpp/reader/limits/default-depth", test_default_depth_limit);
  g_test_add_func ("/xmpp/reader/limits/attributes", test_attribute_limit);
  g_test_add_func ("/xmpp/reader/limits/endless-names", test_endless_names);
  g_test_add_func ("/xmpp/reader/limits/mixed-content", test_mixed_content);

  return g_test_run ();
}
