/* xmpp-connection.h: one XML stream over one transport.
 *
 * Stanzas in and out of a GIOStream (TCP, then TLS): a reader fed by
 * asynchronous reads, and a write queue with one write in flight. It knows
 * nothing of SASL or sessions; the connector and the session drive it.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "xmpp-stanza.h"

G_BEGIN_DECLS

#define XMPP_TYPE_CONNECTION (xmpp_connection_get_type ())
G_DECLARE_FINAL_TYPE (XmppConnection, xmpp_connection, XMPP, CONNECTION, GObject)

XmppConnection *xmpp_connection_new         (GIOStream  *stream);
GIOStream      *xmpp_connection_get_stream  (XmppConnection *self);
/* After STARTTLS: the same connection over the TLS stream. The stream
 * starts over too (RFC 6120 §5.4.3.3). */
void            xmpp_connection_set_stream  (XmppConnection *self,
                                             GIOStream      *stream);
/* A new stream on the same transport (after SASL): the reader starts over. */
void            xmpp_connection_restart     (XmppConnection *self);
/* The <stream:error> the peer ended the stream with, or NULL. */
XmppStanza     *xmpp_connection_get_stream_error (XmppConnection *self);
/* Microseconds (monotonic) when bytes last arrived, for dead-peer checks. */
gint64          xmpp_connection_get_last_read (XmppConnection *self);

void            xmpp_connection_send_open_async  (XmppConnection      *self,
                                                  const char          *to,
                                                  const char          *from,
                                                  GCancellable        *cancellable,
                                                  GAsyncReadyCallback  callback,
                                                  gpointer             user_data);
void            xmpp_connection_send_stanza_async (XmppConnection     *self,
                                                  XmppStanza          *stanza,
                                                  GCancellable        *cancellable,
                                                  GAsyncReadyCallback  callback,
                                                  gpointer             user_data);
void            xmpp_connection_send_raw_async   (XmppConnection      *self,
                                                  GBytes              *bytes,
                                                  GCancellable        *cancellable,
                                                  GAsyncReadyCallback  callback,
                                                  gpointer             user_data);
/* Finishes any of the three sends. */
gboolean        xmpp_connection_send_finish      (XmppConnection      *self,
                                                  GAsyncResult        *result,
                                                  GError             **error);

/* The next top-level element: the stream header first after an open or a
 * restart, then stanzas and nonzas. The end of the stream, a stream error
 * from the peer, bad XML and a closed socket are all errors. */
void            xmpp_connection_recv_async  (XmppConnection      *self,
                                             GCancellable        *cancellable,
                                             GAsyncReadyCallback  callback,
                                             gpointer             user_data);
XmppStanza     *xmpp_connection_recv_finish (XmppConnection      *self,
                                             GAsyncResult        *result,
                                             GError             **error);

/* Sends </stream:stream> and closes the transport. */
void            xmpp_connection_close_async  (XmppConnection      *self,
                                              GCancellable        *cancellable,
                                              GAsyncReadyCallback  callback,
                                              gpointer             user_data);
gboolean        xmpp_connection_close_finish (XmppConnection      *self,
                                              GAsyncResult        *result,
                                              GError             **error);

/* A stream error element (<stream:error>) as a GError: the condition as the
 * code of XMPP_STREAM_ERROR, a sentence, and the server's own text. */
GError         *xmpp_stream_error_from_stanza (XmppStanza *stanza);

G_END_DECLS
