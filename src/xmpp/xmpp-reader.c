/* xmpp-reader.c: libxml2's SAX2 push parser, restricted to XMPP's XML.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "xmpp-reader.h"
#include "xmpp-stanza-private.h"
#include "xmpp-writer.h"
#include "xmpp-ns.h"

#include <glib/gi18n-lib.h>
#include <libxml/parser.h>
#include <libxml/parserInternals.h>
#include <string.h>

typedef enum {
  STATE_OPEN,     /* parsing */
  STATE_CLOSED,   /* </stream:stream> seen */
  STATE_FAILED,   /* error queued */
} State;

typedef struct {
  XmppReaderEvent type;
  XmppStanza     *stanza;
} Event;

struct _XmppReader {
  xmlParserCtxtPtr ctxt;
  State            state;

  /* limits */
  gsize  max_stanza_size;
  guint  max_depth;
  guint  max_attrs;
  guint  max_names;

  /* the tree being built */
  guint          depth;        /* 0 outside the stream, 1 between stanzas */
  XmppStanza    *stanza;
  XmppNode      *current;
  const xmlChar **uris;        /* libxml2's interned namespace per depth */

  /* Byte positions in the stream, to bound a stanza while it is still
   * open: libxml2 buffers a whole start tag before it calls back. */
  gsize  fed;                  /* bytes given to the parser */
  gsize  boundary;             /* end of the last stanza (or header) */
  gsize  ctxt_offset;          /* stream position of the parser's byte 0 */

  /* Parser rotation, see xmpp_reader_set_max_names() */
  GString *reopen;             /* the header again, to prime a new parser */
  char    *leftover;           /* bytes after the boundary, not yet parsed */
  gsize    leftover_len;
  gboolean rotate;
  gboolean priming;            /* the new parser is reading the header again */
  gboolean ends_in_cr;         /* the last chunk given ended with '\r' */
  guint    rotations;

  XmppStanza *header;
  char       *default_ns;
  GError     *error;
  GArray     *events;
  guint       next_event;
};

static void reader_fail (XmppReader *self, XmppStreamError code, const char *message);

/* The stream position libxml2 has parsed up to. */
static gsize
parsed_position (XmppReader *self)
{
  return self->ctxt_offset + (gsize) xmlByteConsumed (self->ctxt);
}

static void
push_event (XmppReader      *self,
            XmppReaderEvent  type,
            XmppStanza      *stanza)
{
  Event ev = { type, stanza };

  g_array_append_val (self->events, ev);
}

/* With entity substitution off, libxml2 hands back every '&' in attribute
 * values and namespace names (from &amp; or &#38;) as the reference "&#38;"
 * for a tree builder to decode later. Nothing else can be left: other
 * entities are refused. Decodes in place. */
static void
decode_amp (char *str)
{
  char *w, *r;

  for (r = w = str; *r != '\0'; )
    {
      if (*r == '&' && strncmp (r, "&#38;", 5) == 0)
        {
          *w++ = '&';
          r += 5;
        }
      else
        *w++ = *r++;
    }
  *w = '\0';
}

static char *
arena_dup_decoded (XmppStanza *stanza,
                   const char *str,
                   gsize       len)
{
  char *out = xmpp_stanza_strndup (stanza, str, len);

  if (memchr (out, '&', len) != NULL)
    decode_amp (out);
  return out;
}

/* A name from libxml2's dictionary, as it is unless it holds a "&#38;". */
static const char *
borrow_decoded (XmppStanza    *stanza,
                const xmlChar *name)
{
  const char *str = (const char *) name;

  if (G_LIKELY (strchr (str, '&') == NULL))
    return str;
  return arena_dup_decoded (stanza, str, strlen (str));
}

/* Element and attribute names stay in libxml2's dictionary rather than
 * being copied: each stanza holds a reference to the dictionary, which
 * outlives the parser if it must (see rotation). */
static XmppStanza *
new_stanza (XmppReader *self)
{
  XmppStanza *s = xmpp_stanza_new_empty ();

  xmlDictReference (self->ctxt->dict);
  xmpp_stanza_borrow (s, self->ctxt->dict, (GDestroyNotify) xmlDictFree);
  return s;
}

static void
remember_header (XmppReader     *self,
                 const xmlChar  *localname,
                 const xmlChar  *prefix,
                 int             nb_namespaces,
                 const xmlChar **namespaces)
{
  g_string_truncate (self->reopen, 0);
  g_string_append_c (self->reopen, '<');
  if (prefix != NULL)
    g_string_append_printf (self->reopen, "%s:", (const char *) prefix);
  g_string_append (self->reopen, (const char *) localname);
  for (int i = 0; i < nb_namespaces; i++)
    {
      const xmlChar *ns_prefix = namespaces[2 * i];
      g_autofree char *uri = g_strdup (namespaces[2 * i + 1] ? (const char *) namespaces[2 * i + 1] : "");

      decode_amp (uri);
      g_string_append (self->reopen, " xmlns");
      if (ns_prefix != NULL)
        g_string_append_printf (self->reopen, ":%s", (const char *) ns_prefix);
      g_string_append (self->reopen, "='");
      xmpp_writer_append_escaped (self->reopen, uri, -1, TRUE);
      g_string_append_c (self->reopen, '\'');
      if (ns_prefix == NULL)
        {
          g_free (self->default_ns);
          self->default_ns = g_steal_pointer (&uri);
        }
    }
  g_string_append_c (self->reopen, '>');
}

static void
fill_attrs (XmppReader     *self,
            XmppNode       *node,
            int             nb_attributes,
            const xmlChar **attributes)
{
  XmppStanza *s = node->stanza;

  if (nb_attributes == 0)
    return;
  node->attrs = xmpp_stanza_alloc (s, nb_attributes * sizeof (XmppAttr));
  node->n_attrs = node->attrs_size = nb_attributes;
  for (int i = 0; i < nb_attributes; i++)
    {
      const xmlChar **a = attributes + 5 * i;   /* localname, prefix, URI, value, end */
      XmppAttr *attr = &node->attrs[i];

      attr->name = (const char *) a[0];
      if (a[2] == NULL)
        attr->ns = NULL;
      else if (a[2] == self->ctxt->str_xml_ns)   /* xml:lang, on many stanzas */
        attr->ns = XMPP_NS_XML;
      else
        attr->ns = borrow_decoded (s, a[2]);
      attr->value = arena_dup_decoded (s, (const char *) a[3], a[4] - a[3]);
    }
}

static void
open_stream (XmppReader     *self,
             const xmlChar  *localname,
             const xmlChar  *prefix,
             const xmlChar  *uri,
             int             nb_namespaces,
             const xmlChar **namespaces,
             int             nb_attributes,
             const xmlChar **attributes)
{
  XmppNode *top;

  if (uri == NULL || strcmp ((const char *) uri, XMPP_NS_STREAM) != 0)
    {
      reader_fail (self, XMPP_STREAM_ERROR_INVALID_NAMESPACE,
                   _("The server did not open an XMPP stream: its first element is in the wrong namespace."));
      return;
    }
  if (strcmp ((const char *) localname, "stream") != 0)
    {
      reader_fail (self, XMPP_STREAM_ERROR_BAD_FORMAT,
                   _("The server did not open an XMPP stream: its first element is not a stream."));
      return;
    }
  remember_header (self, localname, prefix, nb_namespaces, namespaces);
  self->header = new_stanza (self);
  top = xmpp_stanza_new_node (self->header, NULL);
  top->name = xmpp_stanza_strndup (self->header, "stream", 6);
  top->ns = xmpp_stanza_strndup (self->header, XMPP_NS_STREAM, strlen (XMPP_NS_STREAM));
  fill_attrs (self, top, nb_attributes, attributes);
  push_event (self, XMPP_READER_STREAM_OPEN, xmpp_stanza_ref (self->header));
}

static void
on_start_element (void           *user_data,
                  const xmlChar  *localname,
                  const xmlChar  *prefix,
                  const xmlChar  *uri,
                  int             nb_namespaces,
                  const xmlChar **namespaces,
                  int             nb_attributes,
                  int             nb_defaulted,
                  const xmlChar **attributes)
{
  XmppReader *self = user_data;
  XmppNode *node;
  XmppStanza *s;

  if (self->state != STATE_OPEN)
    return;
  if ((guint) (nb_attributes + nb_namespaces) > self->max_attrs)
    {
      reader_fail (self, XMPP_STREAM_ERROR_POLICY_VIOLATION,
                   _("The server sent an element with too many attributes."));
      return;
    }
  if (self->depth == 0 && self->priming)
    {
      self->depth = 1;   /* a rotated parser reading the header again: not news */
      return;
    }
  if (self->depth == 0)
    {
      open_stream (self, localname, prefix, uri, nb_namespaces, namespaces,
                   nb_attributes, attributes);
      self->depth = 1;
      self->boundary = parsed_position (self);
      return;
    }
  if (self->depth > self->max_depth)
    {
      reader_fail (self, XMPP_STREAM_ERROR_POLICY_VIOLATION,
                   _("The server sent a stanza nested deeper than allowed."));
      return;
    }

  if (self->depth == 1)
    self->stanza = new_stanza (self);
  s = self->stanza;
  node = xmpp_stanza_new_node (s, self->current);
  node->name = (const char *) localname;
  /* libxml2 interns namespace URIs, so a pointer compare finds the common
   * case of a child in its parent's namespace without copying it again. */
  if (self->current != NULL && uri == self->uris[self->depth - 1])
    node->ns = self->current->ns;
  else if (self->current != NULL && uri == self->uris[1])
    node->ns = s->top->ns;   /* jabber:client inside carbons and MAM results */
  else if (uri != NULL)
    node->ns = borrow_decoded (s, uri);
  else
    node->ns = "";
  self->uris[self->depth] = uri;
  fill_attrs (self, node, nb_attributes, attributes);
  self->current = node;
  self->depth++;
}

static gboolean
is_blank (const char *text,
          gsize       len)
{
  for (gsize i = 0; i < len; i++)
    if (!g_ascii_isspace (text[i]))
      return FALSE;
  return TRUE;
}

/* Before a new parser replaces this one, keep what it has not parsed yet:
 * after xmlStopParser() libxml2 forgets its input. */
static void
prepare_rotation (XmppReader *self)
{
  xmlParserInputPtr in = self->ctxt->input;

  self->leftover_len = in->end - in->cur;
  /* xmlParseChunk() holds back a final '\r' until after parsing (to join
   * it with a following '\n'): it is not in the buffer yet. */
  self->leftover = g_malloc (self->leftover_len + 1);
  memcpy (self->leftover, in->cur, self->leftover_len);
  if (self->ends_in_cr)
    self->leftover[self->leftover_len++] = '\r';
  self->rotate = TRUE;
  xmlStopParser (self->ctxt);
}

static void
close_stanza (XmppReader *self)
{
  XmppStanza *s = g_steal_pointer (&self->stanza);

  self->current = NULL;
  push_event (self, XMPP_READER_STANZA, s);
  self->boundary = parsed_position (self);
  if (self->max_names > 0 && (guint) xmlDictSize (self->ctxt->dict) > self->max_names)
    prepare_rotation (self);
}

static void
on_end_element (void          *user_data,
                const xmlChar *localname,
                const xmlChar *prefix,
                const xmlChar *uri)
{
  XmppReader *self = user_data;
  XmppNode *node = self->current;

  if (self->state != STATE_OPEN)
    return;
  self->depth--;
  if (self->depth == 0)
    {
      self->state = STATE_CLOSED;
      push_event (self, XMPP_READER_STREAM_CLOSE, NULL);
      xmlStopParser (self->ctxt);
      return;
    }
  /* Whitespace between child elements is formatting, not content. */
  if (node->children != NULL && node->text != NULL && is_blank (node->text, node->text_len))
    {
      node->text = NULL;
      node->text_len = node->text_size = 0;
    }
  if (self->depth == 1)
    close_stanza (self);
  else
    self->current = node->parent;
}

static void
on_characters (void          *user_data,
               const xmlChar *ch,
               int            len)
{
  XmppReader *self = user_data;

  if (self->state != STATE_OPEN)
    return;
  if (self->depth >= 2)
    xmpp_node_append_text (self->current, (const char *) ch, len);
  else if (!is_blank ((const char *) ch, len))
    reader_fail (self, XMPP_STREAM_ERROR_BAD_FORMAT,
                 _("The server sent text outside of any stanza."));
}

/* libxml2 2.9's push parser checks CDATA sections more loosely than other
 * text: it lets overlong UTF-8 sequences through. Nothing above the engine
 * may ever see invalid UTF-8, so check it here. */
static void
on_cdata (void          *user_data,
          const xmlChar *ch,
          int            len)
{
  XmppReader *self = user_data;

  if (self->state != STATE_OPEN)
    return;
  if (!g_utf8_validate_len ((const char *) ch, len, NULL))
    reader_fail (self, XMPP_STREAM_ERROR_NOT_WELL_FORMED,
                 _("The server sent bytes that are not valid UTF-8 or characters XML does not allow."));
  else
    on_characters (user_data, ch, len);
}

/* Everything RFC 6120 §11.1 rules out of an XMPP stream. */

static void
on_comment (void          *user_data,
            const xmlChar *value)
{
  reader_fail (user_data, XMPP_STREAM_ERROR_RESTRICTED_XML,
               _("The server sent an XML comment, which XMPP does not allow."));
}

static void
on_processing_instruction (void          *user_data,
                           const xmlChar *target,
                           const xmlChar *data)
{
  reader_fail (user_data, XMPP_STREAM_ERROR_RESTRICTED_XML,
               _("The server sent an XML processing instruction, which XMPP does not allow."));
}

static void
on_dtd (void          *user_data,
        const xmlChar *name,
        const xmlChar *external_id,
        const xmlChar *system_id)
{
  reader_fail (user_data, XMPP_STREAM_ERROR_RESTRICTED_XML,
               _("The server sent a document type declaration, which XMPP does not allow."));
}

static void
on_entity_decl (void          *user_data,
                const xmlChar *name,
                int            type,
                const xmlChar *public_id,
                const xmlChar *system_id,
                xmlChar       *content)
{
  reader_fail (user_data, XMPP_STREAM_ERROR_RESTRICTED_XML,
               _("The server declared an XML entity, which XMPP does not allow."));
}

/* libxml2 resolves the five predefined entities itself and asks only about
 * the others. */
static xmlEntityPtr
on_get_entity (void          *user_data,
               const xmlChar *name)
{
  reader_fail (user_data, XMPP_STREAM_ERROR_RESTRICTED_XML,
               _("The server used an XML entity other than the five predefined ones, which XMPP does not allow."));
  return NULL;
}

static void
on_start_document (void *user_data)
{
  XmppReader *self = user_data;
  xmlParserCtxtPtr ctxt = self->ctxt;
  const char *declared = (const char *) (ctxt->encoding ? ctxt->encoding : ctxt->input->encoding);

  if ((declared != NULL && g_ascii_strcasecmp (declared, "UTF-8") != 0 &&
       g_ascii_strcasecmp (declared, "UTF8") != 0) ||
      (ctxt->input->buf != NULL && ctxt->input->buf->encoder != NULL))
    reader_fail (self, XMPP_STREAM_ERROR_UNSUPPORTED_ENCODING,
                 _("The server sent its stream in an encoding other than UTF-8."));
}

static void
on_error (void        *user_data,
          xmlErrorPtr  err)
{
  XmppReader *self = user_data;
  g_autofree char *detail = NULL;

  /* Warnings are not errors: libxml2 warns about namespace names that are
   * not absolute URIs, and XMPP has some ("vcard-temp"). */
  if (err->level == XML_ERR_WARNING || self->state != STATE_OPEN)
    return;

  detail = g_strchomp (g_strdup (err->message ? err->message : ""));
  switch (err->code)
    {
    case XML_ERR_UNDECLARED_ENTITY:
    case XML_WAR_UNDECLARED_ENTITY:
    case XML_ERR_ENTITY_LOOP:
      reader_fail (self, XMPP_STREAM_ERROR_RESTRICTED_XML,
                   _("The server used an XML entity other than the five predefined ones, which XMPP does not allow."));
      break;
    case XML_ERR_UNSUPPORTED_ENCODING:
    case XML_ERR_UNKNOWN_ENCODING:
      reader_fail (self, XMPP_STREAM_ERROR_UNSUPPORTED_ENCODING,
                   _("The server sent its stream in an encoding other than UTF-8."));
      break;
    case XML_ERR_INVALID_CHAR:
    case XML_ERR_INVALID_ENCODING:
      reader_fail (self, XMPP_STREAM_ERROR_NOT_WELL_FORMED,
                   _("The server sent bytes that are not valid UTF-8 or characters XML does not allow."));
      break;
    default:
      {
        g_autofree char *message =
          g_strdup_printf (_("The server sent XML that is not well-formed (%s)."), detail);
        reader_fail (self, XMPP_STREAM_ERROR_NOT_WELL_FORMED, message);
      }
      break;
    }
}

static xmlSAXHandler sax_handler = {
  .initialized = XML_SAX2_MAGIC,
  .startDocument = on_start_document,
  .startElementNs = on_start_element,
  .endElementNs = on_end_element,
  .characters = on_characters,
  .cdataBlock = on_cdata,
  .ignorableWhitespace = on_characters,
  .comment = on_comment,
  .processingInstruction = on_processing_instruction,
  .internalSubset = on_dtd,
  .externalSubset = on_dtd,
  .entityDecl = on_entity_decl,
  .getEntity = on_get_entity,
  .getParameterEntity = on_get_entity,
  .serror = on_error,
};

static void
reader_fail (XmppReader      *self,
             XmppStreamError  code,
             const char      *message)
{
  if (self->state != STATE_OPEN)
    return;
  self->state = STATE_FAILED;
  self->error = g_error_new_literal (XMPP_STREAM_ERROR, code, message);
  g_clear_pointer (&self->stanza, xmpp_stanza_unref);
  self->current = NULL;
  push_event (self, XMPP_READER_ERROR, NULL);
  if (self->ctxt != NULL)
    xmlStopParser (self->ctxt);
}

static void
drop_parser (XmppReader *self)
{
  if (self->ctxt == NULL)
    return;
  /* The dictionary goes with the context; the stanzas do not use it. */
  xmlFreeParserCtxt (self->ctxt);
  self->ctxt = NULL;
}

static void
new_parser (XmppReader *self)
{
  self->ctxt = xmlCreatePushParserCtxt (&sax_handler, self, NULL, 0, NULL);
  /* Never XML_PARSE_NOENT: entities stay unexpanded, and refused. */
  xmlCtxtUseOptions (self->ctxt, XML_PARSE_NONET);
}

XmppReader *
xmpp_reader_new (void)
{
  XmppReader *self = g_new0 (XmppReader, 1);

  self->max_stanza_size = XMPP_READER_DEFAULT_MAX_STANZA_SIZE;
  self->max_depth = XMPP_READER_DEFAULT_MAX_DEPTH;
  self->max_attrs = XMPP_READER_DEFAULT_MAX_ATTRS;
  self->max_names = XMPP_READER_DEFAULT_MAX_NAMES;
  self->uris = g_new0 (const xmlChar *, self->max_depth + 2);
  self->reopen = g_string_new (NULL);
  self->events = g_array_new (FALSE, FALSE, sizeof (Event));
  return self;
}

static void
clear_events (XmppReader *self)
{
  for (guint i = self->next_event; i < self->events->len; i++)
    {
      Event *ev = &g_array_index (self->events, Event, i);
      g_clear_pointer (&ev->stanza, xmpp_stanza_unref);
    }
  g_array_set_size (self->events, 0);
  self->next_event = 0;
}

void
xmpp_reader_reset (XmppReader *self)
{
  drop_parser (self);
  clear_events (self);
  g_clear_pointer (&self->stanza, xmpp_stanza_unref);
  g_clear_pointer (&self->header, xmpp_stanza_unref);
  g_clear_pointer (&self->default_ns, g_free);
  g_clear_pointer (&self->leftover, g_free);
  g_clear_error (&self->error);
  g_string_truncate (self->reopen, 0);
  self->current = NULL;
  self->state = STATE_OPEN;
  self->depth = 0;
  self->fed = self->boundary = self->ctxt_offset = 0;
  self->rotate = FALSE;
}

void
xmpp_reader_free (XmppReader *self)
{
  if (self == NULL)
    return;
  xmpp_reader_reset (self);
  g_string_free (self->reopen, TRUE);
  g_array_unref (self->events);
  g_free (self->uris);
  g_free (self);
}

void
xmpp_reader_set_max_stanza_size (XmppReader *self,
                                 gsize       bytes)
{
  self->max_stanza_size = MAX (bytes, 64);
}

void
xmpp_reader_set_max_depth (XmppReader *self,
                           guint       depth)
{
  g_return_if_fail (self->depth == 0);
  self->max_depth = CLAMP (depth, 1, 1024);
  g_free (self->uris);
  self->uris = g_new0 (const xmlChar *, self->max_depth + 2);
}

void
xmpp_reader_set_max_attrs (XmppReader *self,
                           guint       attrs)
{
  self->max_attrs = attrs;
}

void
xmpp_reader_set_max_names (XmppReader *self,
                           guint       names)
{
  self->max_names = names;
}

static void
parse_chunk (XmppReader *self,
             const char *data,
             gsize       len)
{
  self->ends_in_cr = len > 0 && data[len - 1] == '\r';
  xmlParseChunk (self->ctxt, data, len, 0);
}

/* A fresh parser continues the stream after the last stanza: primed with
 * the same header (so prefixes and the default namespace still resolve),
 * then given the bytes the old one had not parsed yet. */
static void
rotate_parser (XmppReader *self)
{
  g_autofree char *leftover = g_steal_pointer (&self->leftover);
  gsize len = self->leftover_len;

  self->rotate = FALSE;
  self->rotations++;
  drop_parser (self);
  new_parser (self);
  self->depth = 0;
  self->priming = TRUE;
  parse_chunk (self, self->reopen->str, self->reopen->len);
  self->priming = FALSE;
  /* The primer is not part of the stream: positions exclude it. */
  self->ctxt_offset = self->boundary - (gsize) xmlByteConsumed (self->ctxt);
  self->fed = self->boundary;
  if (len > 0 && self->state == STATE_OPEN)
    {
      parse_chunk (self, leftover, len);
      self->fed += len;
    }
}

static void
check_stanza_size (XmppReader *self)
{
  if (self->state == STATE_OPEN && self->fed - self->boundary > self->max_stanza_size)
    reader_fail (self, XMPP_STREAM_ERROR_POLICY_VIOLATION,
                 _("The server sent a stanza larger than allowed."));
}

gboolean
xmpp_reader_feed (XmppReader *self,
                  const char *data,
                  gsize       len)
{
  const char *nul;

  g_return_val_if_fail (self != NULL, FALSE);

  if (self->state != STATE_OPEN)
    return FALSE;
  /* libxml2 reads a NUL as the end of its buffer in places; XML never
   * allows one, so libxml2 only gets the bytes before it. */
  nul = memchr (data, '\0', len);
  if (nul != NULL)
    len = nul - data;
  if (self->ctxt == NULL)
    new_parser (self);

  /* Feed no more than the current stanza may still grow by (plus one byte
   * to notice going over), so a huge chunk cannot make libxml2 chew through
   * megabytes of a stanza that is already too large. */
  while (len > 0 && self->state == STATE_OPEN)
    {
      gsize pending = self->fed - self->boundary;
      gsize room = pending < self->max_stanza_size ? self->max_stanza_size - pending + 1 : 1;
      gsize n = MIN (len, room);

      parse_chunk (self, data, n);
      self->fed += n;
      data += n;
      len -= n;
      while (self->rotate)
        rotate_parser (self);
      check_stanza_size (self);
    }
  if (nul != NULL)
    reader_fail (self, XMPP_STREAM_ERROR_NOT_WELL_FORMED,
                 _("The server sent bytes that are not valid UTF-8 or characters XML does not allow."));
  return self->state == STATE_OPEN;
}

XmppReaderEvent
xmpp_reader_pop (XmppReader  *self,
                 XmppStanza **stanza,
                 GError     **error)
{
  Event ev;

  if (stanza != NULL)
    *stanza = NULL;
  if (self->next_event >= self->events->len)
    {
      g_array_set_size (self->events, 0);
      self->next_event = 0;
      return XMPP_READER_NONE;
    }
  ev = g_array_index (self->events, Event, self->next_event++);
  if (ev.type == XMPP_READER_ERROR && error != NULL)
    *error = g_error_copy (self->error);
  if (stanza != NULL)
    *stanza = ev.stanza;
  else if (ev.stanza != NULL)
    xmpp_stanza_unref (ev.stanza);
  return ev.type;
}

const char *
xmpp_reader_get_default_ns (XmppReader *self)
{
  return self->default_ns;
}

guint
xmpp_reader_get_rotations (XmppReader *self)
{
  return self->rotations;
}
