/* xmpp-reader.h: an XMPP stream parsed as bytes arrive.
 *
 * Push bytes in with xmpp_reader_feed() in chunks of any size, split
 * anywhere; pop what they completed with xmpp_reader_pop(): the stream
 * header, each top-level element (stanza or nonza) once its end tag closes,
 * the end of the stream, or the one error that ended it. No I/O here.
 *
 * Anything outside RFC 6120 §11's restricted XML ends the stream with the
 * stream error to send back (XMPP_STREAM_ERROR, code = condition) and a
 * sentence for the user. Memory stays bounded: limits on stanza size, depth,
 * attribute count, and a bounded name dictionary.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "xmpp-stanza.h"
#include "xmpp-error.h"

G_BEGIN_DECLS

typedef struct _XmppReader XmppReader;

typedef enum {
  XMPP_READER_NONE,          /* nothing more until more bytes come */
  XMPP_READER_STREAM_OPEN,   /* the stream header, as a childless stanza */
  XMPP_READER_STANZA,        /* a complete top-level element */
  XMPP_READER_STREAM_CLOSE,  /* </stream:stream> */
  XMPP_READER_ERROR,         /* the stream is over: see the error */
} XmppReaderEvent;

#define XMPP_READER_DEFAULT_MAX_STANZA_SIZE (1024 * 1024)
#define XMPP_READER_DEFAULT_MAX_DEPTH       64
#define XMPP_READER_DEFAULT_MAX_ATTRS       64
#define XMPP_READER_DEFAULT_MAX_NAMES       4096

XmppReader     *xmpp_reader_new   (void);
void            xmpp_reader_free  (XmppReader *self);

/* Limits apply from the next feed. A stanza is every byte from the end of
 * the previous one (or of the header) to its own end tag, so whitespace
 * keepalives count towards the next stanza. */
void            xmpp_reader_set_max_stanza_size (XmppReader *self,
                                                 gsize       bytes);
void            xmpp_reader_set_max_depth       (XmppReader *self,
                                                 guint       depth);
void            xmpp_reader_set_max_attrs       (XmppReader *self,
                                                 guint       attrs);
/* libxml2 interns every element, attribute and namespace name for as long
 * as its parser lives. Past this many names the reader starts a fresh
 * parser at the next stanza boundary, transparently, so a peer sending
 * endless new names costs bounded memory and does not end the stream. */
void            xmpp_reader_set_max_names       (XmppReader *self,
                                                 guint       names);

/* Returns FALSE once the stream has ended (closed or in error): later bytes
 * are ignored until xmpp_reader_reset(). */
gboolean        xmpp_reader_feed  (XmppReader *self,
                                   const char *data,
                                   gsize       len);

/* Takes the next event. @stanza receives the header (STREAM_OPEN) or the
 * element (STANZA), transfer full; @error the error (ERROR). */
XmppReaderEvent xmpp_reader_pop   (XmppReader  *self,
                                   XmppStanza **stanza,
                                   GError     **error);

/* Forgets everything for a stream restart (after STARTTLS or SASL). Events
 * not yet popped are dropped. */
void            xmpp_reader_reset (XmppReader *self);

/* The default namespace the stream header declared ("jabber:client"), or
 * NULL before the header. */
const char     *xmpp_reader_get_default_ns (XmppReader *self);
/* How often the reader changed parser to bound its name dictionary. */
guint           xmpp_reader_get_rotations  (XmppReader *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (XmppReader, xmpp_reader_free)

G_END_DECLS
