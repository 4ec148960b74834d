/* test-caps.c: XEP-0115 verification strings, from the XEP's examples.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "xmpp-disco.h"
#include "xmpp-reader.h"

#include <string.h>

static XmppStanza *
parse (const char *xml)
{
  g_autoptr(XmppReader) reader = xmpp_reader_new ();
  g_autofree char *all = g_strconcat ("<s:stream xmlns:s='http://etherx.jabber.org/streams'>", xml, NULL);
  XmppStanza *stanza = NULL;

  g_assert_true (xmpp_reader_feed (reader, all, strlen (all)));
  g_assert_cmpint (xmpp_reader_pop (reader, NULL, NULL), ==, XMPP_READER_STREAM_OPEN);
  g_assert_cmpint (xmpp_reader_pop (reader, &stanza, NULL), ==, XMPP_READER_STANZA);
  return stanza;
}

/* XEP-0115 §5.2 */
static const char simple[] =
  "<query xmlns='http://jabber.org/protocol/disco#info'>"
  "<identity category='client' name='Exodus 0.9.1' type='pc'/>"
  "<feature var='http://jabber.org/protocol/caps'/>"
  "<feature var='http://jabber.org/protocol/disco#info'/>"
  "<feature var='http://jabber.org/protocol/disco#items'/>"
  "<feature var='http://jabber.org/protocol/muc'/></query>";

/* XEP-0115 §5.3, in another order than the hash input, on purpose. */
static const char complex[] =
  "<query xmlns='http://jabber.org/protocol/disco#info'>"
  "<identity xml:lang='en' category='client' name='Psi 0.11' type='pc'/>"
  "<identity xml:lang='el' category='client' name='Ψ 0.11' type='pc'/>"
  "<feature var='http://jabber.org/protocol/muc'/>"
  "<feature var='http://jabber.org/protocol/disco#info'/>"
  "<feature var='http://jabber.org/protocol/disco#items'/>"
  "<feature var='http://jabber.org/protocol/caps'/>"
  "<x xmlns='jabber:x:data' type='result'>"
  "<field var='FORM_TYPE' type='hidden'><value>urn:xmpp:dataforms:softwareinfo</value></field>"
  "<field var='ip_version'><value>ipv6</value><value>ipv4</value></field>"
  "<field var='os'><value>Mac</value></field>"
  "<field var='os_version'><value>10.5.1</value></field>"
  "<field var='software'><value>Psi</value></field>"
  "<field var='software_version'><value>0.11</value></field></x></query>";

static void
test_examples (void)
{
  g_autoptr(XmppStanza) a = parse (simple);
  g_autoptr(XmppStanza) b = parse (complex);
  g_autofree char *va = xmpp_caps_compute_ver (xmpp_stanza_get_top (a), NULL);
  g_autofree char *vb = xmpp_caps_compute_ver (xmpp_stanza_get_top (b), NULL);

  g_assert_cmpstr (va, ==, "QgayPKawpkPSDYmwT/WM94uAlu0=");
  g_assert_cmpstr (vb, ==, "q07IKJEyjvHSyhy//CH0CxmKi8w=");
}

/* §5.4: duplicates make the answer unverifiable. */
static void
test_ill_formed (void)
{
  const char *bad[] = {
    "<query xmlns='http://jabber.org/protocol/disco#info'><identity category='client' type='pc'/>"
    "<feature var='a'/><feature var='a'/></query>",
    "<query xmlns='http://jabber.org/protocol/disco#info'><identity category='client' type='pc'/>"
    "<identity category='client' type='pc'/></query>",
    "<query xmlns='http://jabber.org/protocol/disco#info'>"
    "<x xmlns='jabber:x:data' type='result'><field var='FORM_TYPE' type='hidden'><value>urn:x</value></field></x>"
    "<x xmlns='jabber:x:data' type='result'><field var='FORM_TYPE' type='hidden'><value>urn:x</value></field></x></query>",
  };

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(XmppStanza) s = parse (bad[i]);
      g_autoptr(GError) error = NULL;
      g_autofree char *ver = xmpp_caps_compute_ver (xmpp_stanza_get_top (s), &error);

      g_assert_null (ver);
      g_assert_nonnull (error);
    }
}

/* A form whose FORM_TYPE is not hidden is left out of the hash. */
static void
test_form_not_hidden (void)
{
  g_autofree char *with_form = g_strdup_printf ("%.*s<x xmlns='jabber:x:data' type='result'>"
                                                "<field var='FORM_TYPE'><value>urn:x</value></field>"
                                                "<field var='f'><value>v</value></field></x></query>",
                                                (int) (strlen (simple) - strlen ("</query>")), simple);
  g_autoptr(XmppStanza) s = parse (with_form);
  g_autofree char *ver = xmpp_caps_compute_ver (xmpp_stanza_get_top (s), NULL);

  g_assert_cmpstr (ver, ==, "QgayPKawpkPSDYmwT/WM94uAlu0=");
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/xmpp/caps/examples", test_examples);
  g_test_add_func ("/xmpp/caps/ill-formed", test_ill_formed);
  g_test_add_func ("/xmpp/caps/form-not-hidden", test_form_not_hidden);

  return g_test_run ();
}
