/* fuzz-reader.c: the stream reader on arbitrary bytes.
 *
 * The input is fed twice, whole and in pieces whose sizes come from the
 * input itself, with a small name limit so parser rotation is exercised.
 * Both runs must agree, every stanza must survive a write and re-read, and
 * nothing may crash, leak or read out of bounds.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "xmpp-reader.h"
#include "xmpp-writer.h"
#include "xmpp-ns.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

static void
check_round_trip (XmppStanza *stanza)
{
  g_autoptr(XmppReader) again = xmpp_reader_new ();
  g_autoptr(GString) xml = g_string_new ("<s:stream xmlns:s='" XMPP_NS_STREAM "'>");
  g_autoptr(XmppStanza) reparsed = NULL;

  xmpp_writer_append_node (xml, xmpp_stanza_get_top (stanza), NULL);
  xmpp_reader_set_max_stanza_size (again, G_MAXSIZE / 2);
  xmpp_reader_feed (again, xml->str, xml->len);
  if (xmpp_reader_pop (again, NULL, NULL) != XMPP_READER_STREAM_OPEN ||
      xmpp_reader_pop (again, &reparsed, NULL) != XMPP_READER_STANZA ||
      !xmpp_node_equal (xmpp_stanza_get_top (stanza), xmpp_stanza_get_top (reparsed)))
    abort ();
}

static GString *
run (const uint8_t *data,
     size_t         size,
     gboolean       pieces)
{
  g_autoptr(XmppReader) reader = xmpp_reader_new ();
  GString *log = g_string_new (NULL);
  size_t pos = 0;

  xmpp_reader_set_max_stanza_size (reader, 64 * 1024);
  xmpp_reader_set_max_names (reader, 16);
  while (pos < size)
    {
      /* Piece sizes derived from the data, 1..16 bytes. */
      size_t n = pieces ? MIN ((size_t) (data[pos] % 16) + 1, size - pos) : size;
      XmppReaderEvent ev;
      XmppStanza *stanza;
      GError *error = NULL;

      xmpp_reader_feed (reader, (const char *) data + pos, n);
      pos += n;
      while ((ev = xmpp_reader_pop (reader, &stanza, &error)) != XMPP_READER_NONE)
        {
          /* \001 cannot occur in parsed XML, so it marks events safely. */
          g_string_append_printf (log, "\001%d:", ev);
          if (error != NULL)
            g_string_append_printf (log, "%d", error->code);
          if (stanza != NULL && ev == XMPP_READER_STANZA)
            {
              g_autofree char *xml = xmpp_stanza_to_string (stanza);
              g_string_append (log, xml);
              check_round_trip (stanza);
            }
          g_clear_error (&error);
          g_clear_pointer (&stanza, xmpp_stanza_unref);
        }
    }
  return log;
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  GString *whole = run (data, size, FALSE);
  GString *split = run (data, size, TRUE);

  /* An error may be found at a different point, or only in one run, when
   * the input stops inside a tag (libxml2 looks at incomplete input
   * differently depending on how much it has): the events before the first
   * error must agree. */
  {
    char *ew = strstr (whole->str, "\001" "4:");
    char *es = strstr (split->str, "\001" "4:");
    size_t lw = ew ? (size_t) (ew - whole->str) : whole->len;
    size_t ls = es ? (size_t) (es - split->str) : split->len;
    size_t l = MIN (lw, ls);

    if (memcmp (whole->str, split->str, l) != 0)
      abort ();
  }
  g_string_free (whole, TRUE);
  g_string_free (split, TRUE);
  return 0;
}
