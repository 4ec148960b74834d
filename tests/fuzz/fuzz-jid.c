/* fuzz-jid.c: JID parsing on arbitrary bytes, with its invariants.
 *
 * Any input may be refused, but never crash, leak or trip a sanitizer; and
 * what is accepted must behave: its string parses back to an equal JID
 * (normalisation is idempotent), every way of building it agrees, its bare
 * form is bare, and escaping its localpart unescapes back to it.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "xmpp-jid.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

/* A broken invariant is a crash, so libFuzzer keeps the input. */
static void
require (gboolean ok)
{
  if (!ok)
    abort ();
}

static void
check_reparse (const XmppJid *jid)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(XmppJid) again = xmpp_jid_new (xmpp_jid_to_string (jid), &error);

  require (again != NULL && error == NULL);
  require (xmpp_jid_equal (jid, again));
  require (xmpp_jid_hash (jid) == xmpp_jid_hash (again));
}

static void
check_parts (const XmppJid *jid)
{
  g_autoptr(XmppJid) built = xmpp_jid_new_from_parts (xmpp_jid_get_local (jid),
                                                      xmpp_jid_get_domain (jid),
                                                      xmpp_jid_get_resource (jid),
                                                      NULL);

  require (built != NULL && xmpp_jid_equal (jid, built));
}

static void
check_bare (XmppJid *jid)
{
  g_autoptr(XmppJid) bare = xmpp_jid_get_bare (jid);
  g_autoptr(XmppJid) back = xmpp_jid_with_resource (bare, xmpp_jid_get_resource (jid), NULL);

  require (xmpp_jid_is_bare (bare));
  require (xmpp_jid_get_resource (bare) == NULL);
  require (strcmp (xmpp_jid_to_string (bare), xmpp_jid_bare_string (jid)) == 0);
  require (xmpp_jid_equal_bare (jid, bare));
  require (back != NULL && xmpp_jid_equal (jid, back));
  require (xmpp_jid_is_bare (jid) == (bare == jid));
}

static void
check_escaping (const XmppJid *jid)
{
  const char *local = xmpp_jid_get_local (jid);
  g_autofree char *display = xmpp_jid_to_display (jid);
  g_autofree char *escaped = NULL;
  g_autofree char *unescaped = NULL;

  require (display != NULL && g_utf8_validate (display, -1, NULL));
  if (local == NULL)
    return;
  /* A prepared localpart has no space, so nothing is trimmed. */
  escaped = xmpp_jid_escape_local (local);
  unescaped = xmpp_jid_unescape_local (escaped);
  require (strcmp (unescaped, local) == 0);
}

/* On any text, not only JIDs: unescape undoes escape, spaces at the ends
 * aside (escaping drops them). */
static void
check_escape_text (const char *text)
{
  g_autofree char *escaped = xmpp_jid_escape_local (text);
  g_autofree char *unescaped = xmpp_jid_unescape_local (escaped);
  g_autofree char *trimmed = g_strdup (text);
  gsize n = strlen (trimmed);

  while (n > 0 && trimmed[n - 1] == ' ')
    trimmed[--n] = '\0';
  require (g_utf8_validate (escaped, -1, NULL));
  require (strcmp (unescaped, trimmed + strspn (trimmed, " ")) == 0);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(XmppJid) jid = NULL;
  /* libFuzzer's buffer ends where the input ends: the C-string paths get
   * a terminated copy, the length-taking one the buffer itself. */
  g_autofree char *text = g_strndup ((const char *) data, size);

  jid = xmpp_jid_new_len ((const char *) data, size, &error);
  if (jid == NULL)
    {
      require (error != NULL && error->domain == XMPP_JID_ERROR);
      require (g_utf8_validate (error->message, -1, NULL));
    }
  else
    {
      require (error == NULL);
      check_reparse (jid);
      check_parts (jid);
      check_bare (jid);
      check_escaping (jid);
    }

  if (g_utf8_validate_len (text, size, NULL))
    {
      require (xmpp_jid_string_is_valid (text) == (jid != NULL));
      check_escape_text (text);
    }
  return 0;
}
