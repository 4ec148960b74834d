/* xml-reader.c: how close XmppReader comes to libxml2 parsing alone.
 *
 * The reader is libxml2's SAX2 push parser plus tree building, so the
 * honest yardstick is the same parser with empty callbacks fed the same
 * bytes the same way: the gap between the two is all the reader's own cost.
 * A busy client's stream is generated in memory (fixed seed, so every run
 * and every machine sees the same bytes), fed in socket-sized reads, and
 * both are timed, best of several alternating runs since wall time is
 * noisy. Instruction counts under callgrind (--callgrind) are the
 * repeatable figure. Figures only, never pass/fail: see bench/README.md.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "xmpp-reader.h"

#include <errno.h>
#include <gio/gio.h>
#include <glib/gstdio.h>
#include <libxml/parser.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#define SEED          0x10c1ee7
#define MB            1000000.0
#define CALLGRIND_MB  5

/* Allocation counting
 *
 * Defining malloc and friends in the executable interposes them for every
 * shared library too (the executable comes first in symbol lookup), so
 * GLib's and libxml2's allocations are counted without LD_PRELOAD or
 * hooks. They forward to glibc's own entry points. GLib 2.74 also calls
 * posix_memalign (GSlice magazines, g_aligned_alloc). Plain counters: the
 * bench parses on one thread, and a count lost to another thread would
 * only blur a figure. */

extern void *__libc_malloc (size_t size);
extern void *__libc_calloc (size_t n, size_t size);
extern void *__libc_realloc (void *ptr, size_t size);
extern void *__libc_memalign (size_t align, size_t size);
extern void  __libc_free (void *ptr);

static gsize n_allocs;
static gsize n_alloc_bytes;

static inline void
count_alloc (size_t size)
{
  n_allocs++;
  n_alloc_bytes += size;
}

void *
malloc (size_t size)
{
  count_alloc (size);
  return __libc_malloc (size);
}

void *
calloc (size_t n,
        size_t size)
{
  count_alloc (n * size);
  return __libc_calloc (n, size);
}

void *
realloc (void   *ptr,
         size_t  size)
{
  count_alloc (size);
  return __libc_realloc (ptr, size);
}

void
free (void *ptr)
{
  __libc_free (ptr);
}

void *
memalign (size_t align,
          size_t size)
{
  count_alloc (size);
  return __libc_memalign (align, size);
}

void *
aligned_alloc (size_t align,
               size_t size)
{
  return memalign (align, size);
}

int
posix_memalign (void   **out,
                size_t   align,
                size_t   size)
{
  void *p;

  if (align % sizeof (void *) != 0 || (align & (align - 1)) != 0)
    return EINVAL;
  p = memalign (align, size);
  if (p == NULL)
    return ENOMEM;
  *out = p;
  return 0;
}

/* The stream
 *
 * Proportions are those of a busy client: mostly one-to-one and room
 * messages with their XEP payloads, presence floods from rooms, archive
 * pages, and now and then a roster, a disco#info result or a vCard with a
 * photo. Payload namespaces are declared on each payload element as
 * servers send them; a few are prefixed instead. No whitespace between
 * sibling elements, so text counts can be compared exactly (see
 * verify_trees()). Decisions never depend on the target size, so a short
 * stream is a prefix of a long one. */

typedef struct {
  GString *out;
  GRand   *rand;
  guint    stanzas;
  guint    sm_h;
} Gen;

typedef struct {
  char  *data;
  gsize  len;
  guint  stanzas;   /* top-level elements, the header not included */
} Stream;

static const char *const ascii_words[] = {
  "hi", "hello", "ok", "yes", "no", "see", "you", "tomorrow", "the",
  "meeting", "is", "at", "noon", "did", "anyone", "read", "patch", "thanks",
  "lol", "sure", "what", "about", "build", "server", "restart", "coffee",
  "later", "a", "it", "works", "for", "me", "now", "broken", "again", "on",
  "CI", "merged", "ping", "pong", "review", "please", "XMPP", "client",
  "&lt;3", "Tom &amp; Jerry", "&quot;quoted&quot;", "a &lt; b &amp;&amp; c &gt; d",
  "https://example.org/p/view?id=42&amp;lang=en", "it's", ":)", "-", "1.2.3",
};

static const char *const utf8_words[] = {
  "café", "naïve", "Grüße", "привет", "спасибо", "日本語", "你好", "😀", "👍",
  "ça va", "señor", "żółw", "Ελληνικά", "مرحبا", "שלום", "€5", "“quotes”", "…",
  "&#x1F389;",
};

static const char *const domains[] = {
  "example.org", "jabber.example.net", "chat.example.com", "xmpp.example.eu",
};

static const char *const resources[] = {
  "Conversations.f3Xk", "gajim.K2D9QW", "dino.3a1c7e2b", "Monal-iOS.5b2e",
  "profanity", "lorikeet.7Yq", "Psi+",
};

static const char *const features[] = {
  "http://jabber.org/protocol/caps", "http://jabber.org/protocol/disco#info",
  "http://jabber.org/protocol/disco#items", "http://jabber.org/protocol/muc",
  "http://jabber.org/protocol/chatstates", "http://jabber.org/protocol/ibb",
  "http://jabber.org/protocol/nick+notify", "urn:xmpp:avatar:metadata+notify",
  "urn:xmpp:receipts", "urn:xmpp:chat-markers:0", "urn:xmpp:ping", "urn:xmpp:time",
  "urn:xmpp:jingle:1", "urn:xmpp:jingle:apps:rtp:1", "urn:xmpp:jingle:apps:rtp:audio",
  "urn:xmpp:jingle:apps:rtp:video", "urn:xmpp:jingle:transports:ice-udp:1",
  "urn:xmpp:jingle:apps:file-transfer:5", "urn:xmpp:jingle:transports:s5b:1",
  "urn:xmpp:message-correct:0", "urn:xmpp:reactions:0", "urn:xmpp:sid:0",
  "urn:xmpp:omemo:2:devices+notify", "eu.siacs.conversations.axolotl.devicelist+notify",
  "jabber:iq:version", "jabber:iq:last", "jabber:x:conference", "jabber:x:oob",
  "vcard-temp", "urn:xmpp:bookmarks:1+notify", "urn:xmpp:mam:2", "urn:xmpp:carbons:2",
  "urn:xmpp:hints", "urn:xmpp:message-retract:1", "urn:xmpp:jingle-message:0",
};

static const char *const groups[] = {
  "Friends", "Work", "Family", "Lorikeet devs", "Gym &amp; Co", "Café crowd",
};

#define PICK(gen, array) ((array)[g_rand_int_range ((gen)->rand, 0, G_N_ELEMENTS (array))])

static gboolean
chance (Gen    *gen,
        double  p)
{
  return g_rand_double (gen->rand) < p;
}

static void
append_id (Gen   *gen,
           guint  len)
{
  static const char alnum[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

  for (guint i = 0; i < len; i++)
    g_string_append_c (gen->out, alnum[g_rand_int_range (gen->rand, 0, sizeof alnum - 1)]);
}

static void
append_uuid (Gen *gen)
{
  g_string_append_printf (gen->out, "%08x-%04x-4%03x-a%03x-%08x%04x",
                          g_rand_int (gen->rand), g_rand_int (gen->rand) & 0xffff,
                          g_rand_int (gen->rand) & 0xfff, g_rand_int (gen->rand) & 0xfff,
                          g_rand_int (gen->rand), g_rand_int (gen->rand) & 0xffff);
}

static void
append_contact (Gen *gen)
{
  g_string_append_printf (gen->out, "user%u@%s", g_rand_int_range (gen->rand, 0, 300),
                          PICK (gen, domains));
}

static void
append_full_jid (Gen *gen)
{
  append_contact (gen);
  g_string_append_printf (gen->out, "/%s", PICK (gen, resources));
}

static void
append_room (Gen *gen)
{
  g_string_append_printf (gen->out, "room%u@conference.example.org",
                          g_rand_int_range (gen->rand, 0, 12));
}

static void
append_nick (Gen *gen)
{
  if (chance (gen, 0.1))
    g_string_append (gen->out, "Tom &amp; Jerry");
  else if (chance (gen, 0.2))
    g_string_append_printf (gen->out, "Zoë%u", g_rand_int_range (gen->rand, 0, 50));
  else
    g_string_append_printf (gen->out, "nick%u", g_rand_int_range (gen->rand, 0, 200));
}

static void
append_stamp (Gen *gen)
{
  g_string_append_printf (gen->out, "2024-%02d-%02dT%02d:%02d:%02d.%03dZ",
                          g_rand_int_range (gen->rand, 1, 13), g_rand_int_range (gen->rand, 1, 29),
                          g_rand_int_range (gen->rand, 0, 24), g_rand_int_range (gen->rand, 0, 60),
                          g_rand_int_range (gen->rand, 0, 60), g_rand_int_range (gen->rand, 0, 1000));
}

/* Mostly a few words, sometimes a paragraph, now and then a pasted log
 * over many lines. */
static void
append_body_text (Gen *gen)
{
  double r = g_rand_double (gen->rand);
  guint words = r < 0.6 ? g_rand_int_range (gen->rand, 1, 9)
              : r < 0.9 ? g_rand_int_range (gen->rand, 8, 41)
              : g_rand_int_range (gen->rand, 40, 300);
  gboolean lines = chance (gen, 0.08);
  double utf8 = chance (gen, 0.3) ? 0.4 : 0.02;

  for (guint i = 0; i < words; i++)
    {
      if (i > 0)
        g_string_append_c (gen->out, lines && chance (gen, 0.15) ? '\n' : ' ');
      g_string_append (gen->out, chance (gen, utf8) ? PICK (gen, utf8_words)
                                                    : PICK (gen, ascii_words));
    }
}

static void
append_body (Gen *gen)
{
  g_string_append (gen->out, "<body>");
  append_body_text (gen);
  g_string_append (gen->out, "</body>");
}

static void
append_origin_id (Gen *gen)
{
  g_string_append (gen->out, "<origin-id xmlns='urn:xmpp:sid:0' id='");
  append_uuid (gen);
  g_string_append (gen->out, "'/>");
}

static void
append_stanza_id (Gen        *gen,
                  const char *by)
{
  g_string_append (gen->out, "<stanza-id xmlns='urn:xmpp:sid:0' id='");
  append_uuid (gen);
  g_string_append_printf (gen->out, "' by='%s'/>", by);
}

/* The inside of a one-to-one message: body, chat state, receipt request,
 * ids. Used bare, and wrapped by carbons and archive results. */
static void
append_chat_payload (Gen *gen)
{
  append_body (gen);
  if (chance (gen, 0.7))
    g_string_append (gen->out, "<active xmlns='http://jabber.org/protocol/chatstates'/>");
  if (chance (gen, 0.6))
    g_string_append (gen->out, "<request xmlns='urn:xmpp:receipts'/>");
  if (chance (gen, 0.4))
    g_string_append (gen->out, "<markable xmlns='urn:xmpp:chat-markers:0'/>");
  if (chance (gen, 0.8))
    append_origin_id (gen);
}

static void
gen_chat_message (Gen *gen)
{
  g_string_append (gen->out, "<message from='");
  append_full_jid (gen);
  g_string_append (gen->out, "' to='romeo@example.org/lorikeet.7Yq' type='chat' id='");
  append_uuid (gen);
  g_string_append (gen->out, chance (gen, 0.5) ? "' xml:lang='en'>" : "'>");
  append_chat_payload (gen);
  append_stanza_id (gen, "romeo@example.org");
  g_string_append (gen->out, "</message>");
}

static void
gen_groupchat_message (Gen *gen)
{
  g_string_append (gen->out, "<message from='");
  append_room (gen);
  g_string_append_c (gen->out, '/');
  append_nick (gen);
  g_string_append (gen->out, "' to='romeo@example.org/lorikeet.7Yq' type='groupchat' id='");
  append_id (gen, 20);
  g_string_append (gen->out, "'>");
  append_body (gen);
  if (chance (gen, 0.5))
    append_origin_id (gen);
  g_string_append (gen->out, "<occupant-id xmlns='urn:xmpp:occupant-id:0' id='");
  append_id (gen, 43);
  g_string_append (gen->out, "='/>");
  append_stanza_id (gen, "room@conference.example.org");
  g_string_append (gen->out, "</message>");
}

static void
gen_chat_state (Gen *gen)
{
  static const char *const states[] = { "composing", "paused", "active", "inactive", "gone" };

  g_string_append (gen->out, "<message from='");
  append_full_jid (gen);
  g_string_append_printf (gen->out,
                          "' to='romeo@example.org/lorikeet.7Yq' type='chat'>"
                          "<%s xmlns='http://jabber.org/protocol/chatstates'/>"
                          "<no-store xmlns='urn:xmpp:hints'/></message>",
                          PICK (gen, states));
}

static void
gen_receipt (Gen *gen)
{
  gboolean marker = chance (gen, 0.4);

  g_string_append (gen->out, "<message from='");
  append_full_jid (gen);
  g_string_append (gen->out, "' to='romeo@example.org/lorikeet.7Yq' id='");
  append_id (gen, 16);
  g_string_append (gen->out, marker ? "'><displayed xmlns='urn:xmpp:chat-markers:0' id='"
                                    : "'><received xmlns='urn:xmpp:receipts' id='");
  append_uuid (gen);
  g_string_append (gen->out, "'/></message>");
}

static void
append_caps (Gen *gen)
{
  g_string_append (gen->out, "<c xmlns='http://jabber.org/protocol/caps' hash='sha-1' "
                             "node='https://conversations.im' ver='");
  append_id (gen, 27);
  g_string_append (gen->out, "='/>");
}

static void
append_muc_user (Gen *gen)
{
  static const char *const roles[] = { "participant", "moderator", "visitor" };
  static const char *const affiliations[] = { "none", "member", "admin", "owner" };

  g_string_append_printf (gen->out,
                          "<x xmlns='http://jabber.org/protocol/muc#user'>"
                          "<item affiliation='%s' role='%s' jid='",
                          PICK (gen, affiliations), PICK (gen, roles));
  append_full_jid (gen);
  g_string_append (gen->out, "'/>");
  if (chance (gen, 0.05))
    g_string_append (gen->out, "<status code='110'/><status code='100'/>");
  g_string_append (gen->out, "</x>");
}

static void
gen_presence (Gen *gen)
{
  gboolean muc = chance (gen, 0.6);

  g_string_append (gen->out, "<presence from='");
  if (muc)
    {
      append_room (gen);
      g_string_append_c (gen->out, '/');
      append_nick (gen);
    }
  else
    append_full_jid (gen);
  g_string_append (gen->out, "' to='romeo@example.org/lorikeet.7Yq'>");
  if (chance (gen, 0.3))
    g_string_append_printf (gen->out, "<show>%s</show>", chance (gen, 0.5) ? "away" : "dnd");
  if (chance (gen, 0.25))
    {
      g_string_append (gen->out, "<status>");
      append_body_text (gen);
      g_string_append (gen->out, "</status>");
    }
  if (!muc)
    g_string_append_printf (gen->out, "<priority>%d</priority>", g_rand_int_range (gen->rand, -1, 50));
  append_caps (gen);
  g_string_append (gen->out, "<x xmlns='vcard-temp:x:update'><photo>");
  for (int i = 0; i < 5; i++)
    g_string_append_printf (gen->out, "%08x", g_rand_int (gen->rand));
  g_string_append (gen->out, "</photo></x>");
  if (muc)
    {
      g_string_append (gen->out, "<occupant-id xmlns='urn:xmpp:occupant-id:0' id='");
      append_id (gen, 43);
      g_string_append (gen->out, "='/>");
      append_muc_user (gen);
    }
  if (chance (gen, 0.1))
    {
      g_string_append (gen->out, "<delay xmlns='urn:xmpp:delay' stamp='");
      append_stamp (gen);
      g_string_append (gen->out, "'/>");
    }
  g_string_append (gen->out, "</presence>");
}

static void
append_forwarded_message (Gen *gen)
{
  g_string_append (gen->out, "<forwarded xmlns='urn:xmpp:forward:0'><delay xmlns='urn:xmpp:delay' stamp='");
  append_stamp (gen);
  g_string_append (gen->out, "'/><message xmlns='jabber:client' from='");
  append_full_jid (gen);
  g_string_append (gen->out, "' to='romeo@example.org' type='chat' id='");
  append_uuid (gen);
  g_string_append (gen->out, "'>");
  append_chat_payload (gen);
  g_string_append (gen->out, "</message></forwarded>");
}

/* A page of the archive: a few servers prefix the result element. */
static void
gen_mam_result (Gen *gen)
{
  gboolean prefixed = chance (gen, 0.1);

  g_string_append (gen->out, "<message to='romeo@example.org/lorikeet.7Yq' from='romeo@example.org' id='");
  append_id (gen, 12);
  g_string_append (gen->out, prefixed ? "'><mam:result xmlns:mam='urn:xmpp:mam:2' queryid='q"
                                      : "'><result xmlns='urn:xmpp:mam:2' queryid='q");
  append_id (gen, 8);
  g_string_append (gen->out, "' id='");
  append_uuid (gen);
  g_string_append (gen->out, "'>");
  append_forwarded_message (gen);
  g_string_append (gen->out, prefixed ? "</mam:result></message>" : "</result></message>");
}

static void
gen_carbon (Gen *gen)
{
  const char *dir = chance (gen, 0.5) ? "received" : "sent";

  g_string_append (gen->out, "<message from='romeo@example.org' to='romeo@example.org/lorikeet.7Yq' type='chat'>");
  g_string_append_printf (gen->out, "<%s xmlns='urn:xmpp:carbons:2'>", dir);
  append_forwarded_message (gen);
  g_string_append_printf (gen->out, "</%s></message>", dir);
}

static void
gen_sm (Gen *gen)
{
  gboolean prefixed = chance (gen, 0.1);

  if (chance (gen, 0.5))
    g_string_append (gen->out, prefixed ? "<sm:r xmlns:sm='urn:xmpp:sm:3'/>" : "<r xmlns='urn:xmpp:sm:3'/>");
  else
    g_string_append_printf (gen->out, prefixed ? "<sm:a xmlns:sm='urn:xmpp:sm:3' h='%u'/>"
                                               : "<a xmlns='urn:xmpp:sm:3' h='%u'/>",
                            gen->sm_h += 7);
}

static void
gen_ping (Gen *gen)
{
  g_string_append (gen->out, "<iq from='example.org' to='romeo@example.org/lorikeet.7Yq' id='");
  append_id (gen, 10);
  g_string_append (gen->out, chance (gen, 0.5) ? "' type='get'><ping xmlns='urn:xmpp:ping'/></iq>"
                                               : "' type='result'/>");
}

static void
append_field (Gen        *gen,
              const char *var,
              const char *type,
              const char *value)
{
  g_string_append_printf (gen->out, "<field var='%s'%s%s%s><value>%s</value></field>",
                          var, type ? " type='" : "", type ? type : "", type ? "'" : "", value);
}

static void
gen_disco_info (Gen *gen)
{
  guint n = g_rand_int_range (gen->rand, 15, G_N_ELEMENTS (features));
  guint first = g_rand_int_range (gen->rand, 0, G_N_ELEMENTS (features));

  g_string_append (gen->out, "<iq from='");
  append_full_jid (gen);
  g_string_append (gen->out, "' to='romeo@example.org/lorikeet.7Yq' type='result' id='disco");
  append_id (gen, 6);
  g_string_append (gen->out, "'><query xmlns='http://jabber.org/protocol/disco#info' "
                             "node='https://conversations.im#");
  append_id (gen, 27);
  g_string_append (gen->out, "='><identity category='client' type='phone' name='Conversations'/>");
  for (guint i = 0; i < n; i++)
    g_string_append_printf (gen->out, "<feature var='%s'/>",
                            features[(first + i) % G_N_ELEMENTS (features)]);
  g_string_append (gen->out, "<x xmlns='jabber:x:data' type='result'>");
  append_field (gen, "FORM_TYPE", "hidden", "urn:xmpp:dataforms:softwareinfo");
  append_field (gen, "os", NULL, "Android");
  append_field (gen, "os_version", NULL, "14");
  append_field (gen, "software", NULL, "Conversations");
  append_field (gen, "software_version", NULL, "2.16.4+free");
  g_string_append (gen->out, "</x></query></iq>");
}

static void
gen_roster (Gen *gen)
{
  static const char *const subs[] = { "both", "both", "both", "to", "from", "none" };
  guint n = g_rand_int_range (gen->rand, 20, 150);

  g_string_append (gen->out, "<iq to='romeo@example.org/lorikeet.7Yq' type='result' id='roster");
  append_id (gen, 6);
  g_string_append_printf (gen->out, "'><query xmlns='jabber:iq:roster' ver='ver%u'>",
                          g_rand_int_range (gen->rand, 1, 999));
  for (guint i = 0; i < n; i++)
    {
      g_string_append (gen->out, "<item jid='");
      append_contact (gen);
      g_string_append (gen->out, "' name='");
      append_nick (gen);
      g_string_append_printf (gen->out, "' subscription='%s'>", PICK (gen, subs));
      for (guint k = g_rand_int_range (gen->rand, 0, 3); k > 0; k--)
        g_string_append_printf (gen->out, "<group>%s</group>",
                                PICK (gen, groups));
      g_string_append (gen->out, "</item>");
    }
  g_string_append (gen->out, "</query></iq>");
}

/* A photo of 2 to 12 KB, in base64 lines as vCard servers store it. */
static void
gen_vcard (Gen *gen)
{
  gsize n = g_rand_int_range (gen->rand, 2048, 12288);
  g_autofree guchar *photo = g_malloc (n);
  g_autofree char *b64 = NULL;

  for (gsize i = 0; i < n; i++)
    photo[i] = g_rand_int (gen->rand);
  b64 = g_base64_encode (photo, n);
  g_string_append (gen->out, "<iq from='");
  append_contact (gen);
  g_string_append (gen->out, "' to='romeo@example.org/lorikeet.7Yq' type='result' id='vc");
  append_id (gen, 8);
  g_string_append (gen->out, "'><vCard xmlns='vcard-temp'><FN>");
  append_nick (gen);
  g_string_append (gen->out, "</FN><NICKNAME>");
  append_nick (gen);
  g_string_append (gen->out, "</NICKNAME><PHOTO><TYPE>image/jpeg</TYPE><BINVAL>");
  for (gsize i = 0, len = strlen (b64); i < len; i += 76)
    {
      g_string_append_len (gen->out, b64 + i, MIN (76, len - i));
      g_string_append_c (gen->out, '\n');
    }
  g_string_append (gen->out, "</BINVAL></PHOTO></vCard></iq>");
}

typedef void (*GenFunc) (Gen *gen);

static const struct {
  guint   weight;   /* per thousand */
  GenFunc func;
} mix[] = {
  { 280, gen_chat_message },
  { 120, gen_groupchat_message },
  { 100, gen_chat_state },
  { 70,  gen_receipt },
  { 150, gen_presence },
  { 120, gen_mam_result },
  { 50,  gen_carbon },
  { 60,  gen_sm },
  { 20,  gen_ping },
  { 25,  gen_disco_info },
  { 2,   gen_roster },
  { 3,   gen_vcard },
};

static void
gen_stanza (Gen *gen)
{
  guint r = g_rand_int_range (gen->rand, 0, 1000);

  for (guint i = 0; i < G_N_ELEMENTS (mix); i++)
    {
      if (r < mix[i].weight)
        {
          mix[i].func (gen);
          break;
        }
      r -= mix[i].weight;
    }
  gen->stanzas++;
  /* whitespace keepalives */
  if (chance (gen, 0.01))
    g_string_append_c (gen->out, chance (gen, 0.5) ? ' ' : '\n');
}

/* Stanzas until @target bytes, cut at a stanza boundary, then the end of
 * the stream. */
static Stream
generate_stream (gsize target)
{
  Gen gen = { g_string_sized_new (target + 64 * 1024), g_rand_new_with_seed (SEED), 0, 0 };
  Stream st;
  guint sum = 0;

  for (guint i = 0; i < G_N_ELEMENTS (mix); i++)
    sum += mix[i].weight;
  g_assert (sum == 1000);

  g_string_append (gen.out,
                   "<?xml version='1.0'?><stream:stream xmlns='jabber:client' "
                   "xmlns:stream='http://etherx.jabber.org/streams' from='example.org' "
                   "to='romeo@example.org' id='x7d2Hk9q' version='1.0' xml:lang='en'>"
                   "<stream:features><sm xmlns='urn:xmpp:sm:3'/>"
                   "<csi xmlns='urn:xmpp:csi:0'/></stream:features>");
  gen.stanzas++;
  while (gen.out->len < target)
    gen_stanza (&gen);
  g_string_append (gen.out, "</stream:stream>");

  g_rand_free (gen.rand);
  st.len = gen.out->len;
  st.stanzas = gen.stanzas;
  st.data = g_string_free (gen.out, FALSE);
  return st;
}

/* The two parsers */

typedef struct {
  guint   opens;
  guint   stanzas;
  guint   closes;
  GError *error;
} Tally;

typedef gboolean (*StanzaFunc) (XmppStanza *stanza, gpointer user_data);

/* As a real consumer does: pop everything after each read. */
static void
drain (XmppReader *reader,
       Tally      *tally,
       StanzaFunc  func,
       gpointer    user_data)
{
  XmppReaderEvent ev;
  XmppStanza *stanza;
  GError *error = NULL;

  while ((ev = xmpp_reader_pop (reader, &stanza, &error)) != XMPP_READER_NONE)
    {
      if (ev == XMPP_READER_STREAM_OPEN)
        tally->opens++;
      else if (ev == XMPP_READER_STANZA)
        tally->stanzas++;
      else if (ev == XMPP_READER_STREAM_CLOSE)
        tally->closes++;
      else if (tally->error == NULL)
        tally->error = g_steal_pointer (&error);
      if (stanza != NULL && ev == XMPP_READER_STANZA && func != NULL)
        func (stanza, user_data);
      g_clear_pointer (&stanza, xmpp_stanza_unref);
      g_clear_error (&error);
    }
}

static void
run_reader (const char *data,
            gsize       len,
            gsize       chunk,
            Tally      *tally,
            StanzaFunc  func,
            gpointer    user_data)
{
  XmppReader *reader = xmpp_reader_new ();

  for (gsize off = 0; off < len; off += chunk)
    {
      xmpp_reader_feed (reader, data + off, MIN (chunk, len - off));
      drain (reader, tally, func, user_data);
    }
  xmpp_reader_free (reader);
}

/* The floor: the same parser, same options, nothing done per callback. */

static void
bare_start (void *ctx, const xmlChar *localname, const xmlChar *prefix,
            const xmlChar *uri, int nb_namespaces, const xmlChar **namespaces,
            int nb_attributes, int nb_defaulted, const xmlChar **attributes)
{
}

static void
bare_end (void *ctx, const xmlChar *localname, const xmlChar *prefix,
          const xmlChar *uri)
{
}

static void
bare_characters (void *ctx, const xmlChar *ch, int len)
{
}

/* Not on the hot path (XML has no errors here): only there so that a
 * broken stream is noticed, as the reader notices it. */
static void
bare_error (void *ctx, xmlErrorPtr err)
{
  int *errors = ctx;

  if (err->level != XML_ERR_WARNING)
    (*errors)++;
}

static int
run_sax (xmlSAXHandler *sax,
         void          *user_data,
         const char    *data,
         gsize          len,
         gsize          chunk)
{
  xmlParserCtxtPtr ctxt = xmlCreatePushParserCtxt (sax, user_data, NULL, 0, NULL);
  int well_formed;

  xmlCtxtUseOptions (ctxt, XML_PARSE_NONET);
  for (gsize off = 0; off < len; off += chunk)
    xmlParseChunk (ctxt, data + off, MIN (chunk, len - off), 0);
  xmlParseChunk (ctxt, NULL, 0, 1);
  well_formed = ctxt->wellFormed;
  xmlFreeParserCtxt (ctxt);
  return well_formed;
}

static int
run_bare (const char *data,
          gsize       len,
          gsize       chunk)
{
  xmlSAXHandler sax = {
    .initialized = XML_SAX2_MAGIC,
    .startElementNs = bare_start,
    .endElementNs = bare_end,
    .characters = bare_characters,
    .ignorableWhitespace = bare_characters,
    .cdataBlock = bare_characters,
    .serror = bare_error,
  };
  int errors = 0;

  if (!run_sax (&sax, &errors, data, len, chunk))
    errors++;
  return errors;
}

/* Checks
 *
 * A reader that drops content would look fast, so before any timing the
 * trees it builds are compared with what libxml2 itself reports: every
 * element below the stream, every attribute, every byte of text. */

typedef struct {
  guint64 elements;
  guint64 attrs;
  guint64 text;
  guint   depth;
  int     errors;
} Census;

static void
census_start (void *ctx, const xmlChar *localname, const xmlChar *prefix,
              const xmlChar *uri, int nb_namespaces, const xmlChar **namespaces,
              int nb_attributes, int nb_defaulted, const xmlChar **attributes)
{
  Census *c = ctx;

  if (c->depth++ >= 1)
    {
      c->elements++;
      c->attrs += nb_attributes;
    }
}

static void
census_end (void *ctx, const xmlChar *localname, const xmlChar *prefix,
            const xmlChar *uri)
{
  ((Census *) ctx)->depth--;
}

static void
census_characters (void *ctx, const xmlChar *ch, int len)
{
  Census *c = ctx;

  if (c->depth >= 2)
    c->text += len;
}

static void
census_error (void *ctx, xmlErrorPtr err)
{
  if (err->level != XML_ERR_WARNING)
    ((Census *) ctx)->errors++;
}

static void
census_node (Census         *c,
             const XmppNode *node)
{
  c->elements++;
  c->attrs += node->n_attrs;
  c->text += node->text_len;
  xmpp_node_foreach_child (node, child)
    census_node (c, child);
}

static gboolean
census_stanza (XmppStanza *stanza,
               gpointer    user_data)
{
  census_node (user_data, xmpp_stanza_get_top (stanza));
  return TRUE;
}

/* Exits on any difference: a broken reader gets no figure. */
static void
verify_reader (const Stream *st,
               gsize         chunk)
{
  xmlSAXHandler sax = {
    .initialized = XML_SAX2_MAGIC,
    .startElementNs = census_start,
    .endElementNs = census_end,
    .characters = census_characters,
    .cdataBlock = census_characters,
    .serror = census_error,
  };
  Census want = { 0 }, got = { 0 };
  Tally tally = { 0 };

  if (!run_sax (&sax, &want, st->data, st->len, chunk) || want.errors > 0)
    g_error ("the generated stream is not well-formed XML");
  run_reader (st->data, st->len, chunk, &tally, census_stanza, &got);
  if (tally.error != NULL || tally.opens != 1 || tally.closes != 1 ||
      tally.stanzas != st->stanzas)
    {
      g_printerr ("reader failed: %u stanzas of %u, %u headers, %u closes%s%s\n",
                  tally.stanzas, st->stanzas, tally.opens, tally.closes,
                  tally.error ? ", error: " : "", tally.error ? tally.error->message : "");
      exit (1);
    }
  if (got.elements != want.elements || got.attrs != want.attrs || got.text != want.text)
    {
      g_printerr ("reader trees differ from the XML: %" G_GUINT64_FORMAT " elements (want %"
                  G_GUINT64_FORMAT "), %" G_GUINT64_FORMAT " attributes (want %" G_GUINT64_FORMAT
                  "), %" G_GUINT64_FORMAT " text bytes (want %" G_GUINT64_FORMAT ")\n",
                  got.elements, want.elements, got.attrs, want.attrs, got.text, want.text);
      exit (1);
    }
}

/* Timing */

typedef struct {
  gint64 best_us;
  gsize  allocs;        /* malloc-family calls in one run */
  gsize  alloc_bytes;
  glong  faults;        /* minor page faults in one run */
} Measure;

/* Page faults are the kernel's share, which callgrind does not see: heap
 * memory given back and taken again costs a fault per page. */
static glong
minor_faults (void)
{
  struct rusage usage;

  getrusage (RUSAGE_SELF, &usage);
  return usage.ru_minflt;
}

static void
time_reader (const Stream *st,
             gsize         chunk,
             Measure      *m)
{
  Tally tally = { 0 };
  gsize allocs = n_allocs, bytes = n_alloc_bytes;
  glong faults = minor_faults ();
  gint64 t0 = g_get_monotonic_time (), dt;

  run_reader (st->data, st->len, chunk, &tally, NULL, NULL);
  dt = g_get_monotonic_time () - t0;
  m->allocs = n_allocs - allocs;
  m->alloc_bytes = n_alloc_bytes - bytes;
  m->faults = minor_faults () - faults;
  if (tally.error != NULL || tally.stanzas != st->stanzas)
    {
      g_printerr ("reader failed during timing: %u stanzas of %u%s%s\n", tally.stanzas,
                  st->stanzas, tally.error ? ", " : "", tally.error ? tally.error->message : "");
      exit (1);
    }
  if (m->best_us == 0 || dt < m->best_us)
    m->best_us = dt;
}

static void
time_bare (const Stream *st,
           gsize         chunk,
           Measure      *m)
{
  gsize allocs = n_allocs, bytes = n_alloc_bytes;
  glong faults = minor_faults ();
  gint64 t0 = g_get_monotonic_time (), dt;
  int errors = run_bare (st->data, st->len, chunk);

  dt = g_get_monotonic_time () - t0;
  m->allocs = n_allocs - allocs;
  m->alloc_bytes = n_alloc_bytes - bytes;
  m->faults = minor_faults () - faults;
  if (errors > 0)
    {
      g_printerr ("bare parse failed: %d errors\n", errors);
      exit (1);
    }
  if (m->best_us == 0 || dt < m->best_us)
    m->best_us = dt;
}

static double
mb_per_s (const Stream  *st,
          const Measure *m)
{
  return st->len / MB / (m->best_us / 1e6);
}

static void
print_measure (const char    *name,
               const Stream  *st,
               const Measure *m)
{
  g_print ("%-7s %6.1f MB/s %8.0f stanzas/s  allocs/stanza %5.2f  bytes/stanza %6.0f  faults/MB %4.0f\n",
           name, mb_per_s (st, m), st->stanzas / (m->best_us / 1e6),
           (double) m->allocs / st->stanzas, (double) m->alloc_bytes / st->stanzas,
           m->faults / (st->len / MB));
}

static void
run_throughput (const Stream *st,
                gsize         chunk,
                guint         runs)
{
  Measure reader = { 0 }, bare = { 0 };

  if (n_allocs == 0)
    g_error ("malloc is not interposed: allocations cannot be counted");
  for (guint i = 0; i < runs; i++)
    {
      time_reader (st, chunk, &reader);
      time_bare (st, chunk, &bare);
    }
  if (bare.allocs == 0)
    g_error ("no allocation counted in libxml2: the interposition does not work");
  print_measure ("reader:", st, &reader);
  print_measure ("bare:", st, &bare);
  g_print ("excess: %.2f allocs/stanza\n",
           ((double) reader.allocs - (double) bare.allocs) / st->stanzas);
  g_print ("ratio: %.2f\n", mb_per_s (st, &reader) / mb_per_s (st, &bare));
}

/* Callgrind
 *
 * Each parser runs in its own child under callgrind, which counts only
 * inside the phase function (--toggle-collect): generating the stream and
 * starting up are left out. Instruction counts do not depend on the load
 * of the machine, so these are the figures to compare between commits. */

/* Callgrind finds the phases by name: gcc must not clone them under
 * another one (clang does not clone, nor know the attribute). */
#if defined(__clang__)
# define PHASE G_GNUC_NO_INLINE
#else
# define PHASE G_GNUC_NO_INLINE __attribute__ ((noclone))
#endif

PHASE static guint
phase_reader (const Stream *st,
              gsize         chunk)
{
  Tally tally = { 0 };

  run_reader (st->data, st->len, chunk, &tally, NULL, NULL);
  return tally.error == NULL ? tally.stanzas : 0;
}

PHASE static guint
phase_bare (const Stream *st,
            gsize         chunk)
{
  return run_bare (st->data, st->len, chunk) == 0 ? st->stanzas : 0;
}

static int
run_phase (const char *phase,
           gsize       size,
           gsize       chunk)
{
  Stream st = generate_stream (size);
  guint stanzas;

  if (g_strcmp0 (phase, "reader") == 0)
    stanzas = phase_reader (&st, chunk);
  else if (g_strcmp0 (phase, "bare") == 0)
    stanzas = phase_bare (&st, chunk);
  else
    {
      g_printerr ("unknown phase %s\n", phase);
      return 1;
    }
  if (stanzas != st.stanzas)
    {
      g_printerr ("%s failed: %u stanzas of %u\n", phase, stanzas, st.stanzas);
      return 1;
    }
  g_free (st.data);
  return 0;
}

/* Total Ir from the "totals:" (or "summary:") line of a callgrind file. */
static guint64
read_callgrind_total (const char *path)
{
  g_autofree char *text = NULL;
  g_auto (GStrv) lines = NULL;
  guint64 total = 0;

  if (!g_file_get_contents (path, &text, NULL, NULL))
    return 0;
  lines = g_strsplit (text, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      if (g_str_has_prefix (lines[i], "totals:"))
        return g_ascii_strtoull (lines[i] + 7, NULL, 10);
      if (g_str_has_prefix (lines[i], "summary:"))
        total = g_ascii_strtoull (lines[i] + 8, NULL, 10);
    }
  return total;
}

static GSubprocess *
spawn_callgrind (const char  *dir,
                 const char  *phase,
                 gsize        chunk,
                 GError     **error)
{
  g_autofree char *exe = g_file_read_link ("/proc/self/exe", error);
  g_autofree char *toggle = g_strdup_printf ("--toggle-collect=phase_%s", phase);
  g_autofree char *out = g_strdup_printf ("--callgrind-out-file=%s/%s.out", dir, phase);
  g_autofree char *log = g_strdup_printf ("--log-file=%s/%s.log", dir, phase);
  g_autofree char *phase_arg = g_strdup_printf ("--phase=%s", phase);
  g_autofree char *size_arg = g_strdup_printf ("--size=%d", CALLGRIND_MB);
  g_autofree char *chunk_arg = g_strdup_printf ("--chunk=%" G_GSIZE_FORMAT, chunk);

  if (exe == NULL)
    return NULL;
  return g_subprocess_new (G_SUBPROCESS_FLAGS_NONE, error,
                           "valgrind", "--tool=callgrind", "--collect-atstart=no",
                           toggle, out, log, exe, phase_arg, size_arg, chunk_arg, NULL);
}

/* The per-byte count of one child, or 0 after printing why not. */
static double
finish_callgrind (GSubprocess *proc,
                  const char  *dir,
                  const char  *phase,
                  gsize        bytes)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *out = g_strdup_printf ("%s/%s.out", dir, phase);
  g_autofree char *log = g_strdup_printf ("%s/%s.log", dir, phase);
  g_autofree char *log_text = NULL;
  guint64 total;

  if (!g_subprocess_wait_check (proc, NULL, &error))
    {
      g_file_get_contents (log, &log_text, NULL, NULL);
      g_printerr ("callgrind %s: %s\n%s", phase, error->message, log_text ? log_text : "");
      return 0;
    }
  total = read_callgrind_total (out);
  if (total == 0)
    g_printerr ("callgrind %s: no instruction count in %s\n", phase, out);
  return (double) total / bytes;
}

static int
run_callgrind (gsize chunk)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("xml-reader-XXXXXX", &error);
  g_autoptr (GSubprocess) reader = NULL;
  g_autoptr (GSubprocess) bare = NULL;
  Stream st = generate_stream (CALLGRIND_MB * MB);
  double reader_ipb = 0, bare_ipb = 0;
  const char *files[] = { "reader.out", "reader.log", "bare.out", "bare.log" };

  /* Both at once: the counts do not depend on sharing the machine. */
  if (dir != NULL &&
      (reader = spawn_callgrind (dir, "reader", chunk, &error)) != NULL &&
      (bare = spawn_callgrind (dir, "bare", chunk, &error)) != NULL)
    {
      reader_ipb = finish_callgrind (reader, dir, "reader", st.len);
      bare_ipb = finish_callgrind (bare, dir, "bare", st.len);
    }
  if (error != NULL)
    g_printerr ("callgrind: %s\n", error->message);
  if (reader != NULL && bare == NULL)
    g_subprocess_wait (reader, NULL, NULL);
  for (guint i = 0; dir != NULL && i < G_N_ELEMENTS (files); i++)
    {
      g_autofree char *path = g_build_filename (dir, files[i], NULL);
      g_remove (path);
    }
  if (dir != NULL)
    g_rmdir (dir);
  g_free (st.data);
  if (reader_ipb == 0 || bare_ipb == 0)
    return 1;
  g_print ("callgrind (%.1f MB): reader %.1f instr/byte, bare %.1f instr/byte, ratio %.2f\n",
           st.len / MB, reader_ipb, bare_ipb, reader_ipb / bare_ipb);
  return 0;
}

int
main (int    argc,
      char **argv)
{
  int size_mb = 50, chunk = 4096, runs = 5;
  gboolean callgrind = FALSE;
  g_autofree char *phase = NULL;
  g_autofree char *dump = NULL;
  GOptionEntry entries[] = {
    { "size", 0, 0, G_OPTION_ARG_INT, &size_mb, "Stream size (default 50)", "MB" },
    { "chunk", 0, 0, G_OPTION_ARG_INT, &chunk, "Bytes per read (default 4096)", "N" },
    { "runs", 0, 0, G_OPTION_ARG_INT, &runs, "Timed runs of each, best kept (default 5)", "N" },
    { "callgrind", 0, 0, G_OPTION_ARG_NONE, &callgrind,
      "Also count instructions per byte under callgrind on a 5 MB prefix", NULL },
    { "dump", 0, 0, G_OPTION_ARG_FILENAME, &dump, "Write the stream to FILE and exit", "FILE" },
    { "phase", 0, G_OPTION_FLAG_HIDDEN, G_OPTION_ARG_STRING, &phase, NULL, NULL },
    { NULL }
  };
  g_autoptr (GOptionContext) context = g_option_context_new (NULL);
  g_autoptr (GError) error = NULL;
  Stream st;
  int status = 0;

  g_option_context_set_summary (context,
    "Throughput of XmppReader against a bare libxml2 SAX2 push parse of the same stream.");
  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("%s\n", error->message);
      return 2;
    }
  if (size_mb < 1 || chunk < 1 || runs < 1)
    {
      g_printerr ("--size, --chunk and --runs must be positive\n");
      return 2;
    }
  /* Before anything is counted: libxml2's one-time setup is no one's cost. */
  xmlInitParser ();

  if (phase != NULL)
    return run_phase (phase, size_mb * MB, chunk);

  st = generate_stream (size_mb * MB);
  if (dump != NULL)
    {
      if (!g_file_set_contents (dump, st.data, st.len, &error))
        {
          g_printerr ("%s\n", error->message);
          return 1;
        }
      return 0;
    }
  g_print ("stream: %.1f MB, %u stanzas, %d-byte reads, best of %d\n",
           st.len / MB, st.stanzas, chunk, runs);
  verify_reader (&st, chunk);
  run_throughput (&st, chunk, runs);
  g_free (st.data);
  if (callgrind)
    status = run_callgrind (chunk);
  return status;
}
