/* test-data-form.c: XEP-0004 data forms, parsed, built, validated and
 * submitted, on the examples of the XEPs that use them.
 *
 * Trees are built with libxml2 here rather than with the stream reader, so
 * that these tests depend on the stanza tree and the writer only.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "xmpp-data-form.h"
#include "xmpp-error.h"
#include "xmpp-ns.h"
#include "xmpp-writer.h"

#include <libxml/parser.h>
#include <string.h>

/* XEP-0004 Example 2: the bot configuration form, every field type. */
static const char bot_form[] =
  "<iq from='joogle@botster.shakespeare.lit' to='romeo@montague.net/home'"
  "    type='result' xml:lang='en' id='create1'>"
  "  <command xmlns='http://jabber.org/protocol/commands' node='create'"
  "           sessionid='create:20040408T0128Z' status='executing'>"
  "    <x xmlns='jabber:x:data' type='form'>"
  "      <title>Bot Configuration</title>"
  "      <instructions>Fill out this form to configure your new bot!</instructions>"
  "      <field type='hidden' var='FORM_TYPE'>"
  "        <value>jabber:bot</value>"
  "      </field>"
  "      <field type='fixed'><value>Section 1: Bot Info</value></field>"
  "      <field type='text-single' label='The name of your bot' var='botname'/>"
  "      <field type='text-multi' label='Helpful description of your bot'"
  "             var='description'/>"
  "      <field type='boolean' label='Public bot?' var='public'>"
  "        <required/>"
  "      </field>"
  "      <field type='text-private' label='Password for special access'"
  "             var='password'/>"
  "      <field type='fixed'><value>Section 2: Features</value></field>"
  "      <field type='list-multi' label='What features will the bot support?'"
  "             var='features'>"
  "        <option label='Contests'><value>contests</value></option>"
  "        <option label='News'><value>news</value></option>"
  "        <option label='Polls'><value>polls</value></option>"
  "        <option label='Reminders'><value>reminders</value></option>"
  "        <option label='Search'><value>search</value></option>"
  "        <value>news</value>"
  "        <value>search</value>"
  "      </field>"
  "      <field type='fixed'><value>Section 3: Subscriber List</value></field>"
  "      <field type='list-single' label='Maximum number of subscribers'"
  "             var='maxsubs'>"
  "        <value>20</value>"
  "        <option label='10'><value>10</value></option>"
  "        <option label='20'><value>20</value></option>"
  "        <option label='30'><value>30</value></option>"
  "        <option label='50'><value>50</value></option>"
  "        <option label='100'><value>100</value></option>"
  "        <option label='None'><value>none</value></option>"
  "      </field>"
  "      <field type='fixed'><value>Section 4: Invitations</value></field>"
  "      <field type='jid-multi' label='People to invite' var='invitelist'>"
  "        <desc>Tell all your friends about your new bot!</desc>"
  "      </field>"
  "    </x>"
  "  </command>"
  "</iq>";

/* XEP-0004 Example 3: the user submits it. */
static const char bot_submit[] =
  "<x xmlns='jabber:x:data' type='submit'>"
  "  <field type='hidden' var='FORM_TYPE'>"
  "    <value>jabber:bot</value>"
  "  </field>"
  "  <field type='text-single' var='botname'>"
  "    <value>The Jabber Google Bot</value>"
  "  </field>"
  "  <field type='text-multi' var='description'>"
  "    <value>This bot enables you to send requests to</value>"
  "    <value>Google and receive the search results right</value>"
  "    <value>in your Jabber client. It&apos; really cool!</value>"
  "    <value>It even supports Google News!</value>"
  "  </field>"
  "  <field type='boolean' var='public'>"
  "    <value>0</value>"
  "  </field>"
  "  <field type='text-private' var='password'>"
  "    <value>v3r0na</value>"
  "  </field>"
  "  <field type='list-multi' var='features'>"
  "    <value>news</value>"
  "    <value>search</value>"
  "  </field>"
  "  <field type='list-single' var='maxsubs'>"
  "    <value>50</value>"
  "  </field>"
  "  <field type='jid-multi' var='invitelist'>"
  "    <value>juliet@capulet.com</value>"
  "    <value>benvolio@montague.net</value>"
  "  </field>"
  "</x>";

/* XEP-0004 Example 8: search results, <reported/> and <item/>s. */
static const char search_result[] =
  "<x xmlns='jabber:x:data' type='result'>"
  "  <title>Joogle Search: verona</title>"
  "  <reported>"
  "    <field var='name'/>"
  "    <field var='url'/>"
  "  </reported>"
  "  <item>"
  "    <field var='name'>"
  "      <value>Comune di Verona - Benvenuti nel sito ufficiale</value>"
  "    </field>"
  "    <field var='url'>"
  "      <value>http://www.comune.verona.it/</value>"
  "    </field>"
  "  </item>"
  "  <item>"
  "    <field var='name'>"
  "      <value>benvenuto!</value>"
  "    </field>"
  "    <field var='url'>"
  "      <value>http://www.hellasverona.it/</value>"
  "    </field>"
  "  </item>"
  "  <item>"
  "    <field var='name'>"
  "      <value>Universita degli Studi di Verona - Home Page</value>"
  "    </field>"
  "    <field var='url'>"
  "      <value>http://www.univr.it/</value>"
  "    </field>"
  "  </item>"
  "  <item>"
  "    <field var='name'>"
  "      <value>Aeroporti del Garda</value>"
  "    </field>"
  "    <field var='url'>"
  "      <value>http://www.aeroportoverona.it/</value>"
  "    </field>"
  "  </item>"
  "  <item>"
  "    <field var='name'>"
  "      <value>Veronafiere - fiera di Verona</value>"
  "    </field>"
  "    <field var='url'>"
  "      <value>http://www.veronafiere.it/</value>"
  "    </field>"
  "  </item>"
  "</x>";

/* XEP-0158 §4: XEP-0077 registration with a CAPTCHA challenge. */
static const char captcha_register[] =
  "<iq type='result' xml:lang='en' id='reg1'>"
  "  <query xmlns='jabber:iq:register'>"
  "    <x xmlns='jabber:x:data' type='form'>"
  "      <field type='hidden' var='FORM_TYPE'>"
  "        <value>urn:xmpp:captcha</value>"
  "      </field>"
  "      <field type='hidden' var='challenge'><value>F3A6292C</value></field>"
  "      <field type='hidden' var='sid'><value>reg1</value></field>"
  "      <field type='hidden' var='answers'><value>3</value></field>"
  "      <field var='ocr' label='Enter the text you see'>"
  "        <media xmlns='urn:xmpp:media-element'"
  "               height='80'"
  "               width='290'>"
  "          <uri type='image/jpeg'>"
  "            http://www.victim.com/challenges/ocr.jpeg?F3A6292C"
  "          </uri>"
  "        </media>"
  "      </field>"
  "      <field label='93C7A' type='text-single' var='SHA-256'/>"
  "      <field type='text-single' var='username'>"
  "        <required/>"
  "      </field>"
  "      <field type='text-private' var='password'>"
  "        <required/>"
  "      </field>"
  "    </x>"
  "    <instructions>"
  "      To register, visit http://www.victim.com/register.html"
  "    </instructions>"
  "    <x xmlns='jabber:x:oob'>"
  "      <url>http://www.victim.com/register.html</url>"
  "    </x>"
  "  </query>"
  "</iq>";

/* XEP-0158 §4: what the entity sends back. */
static const char captcha_register_submit[] =
  "<x xmlns='jabber:x:data' type='submit'>"
  "  <field var='FORM_TYPE'>"
  "    <value>urn:xmpp:captcha</value>"
  "  </field>"
  "  <field var='challenge'><value>F3A6292C</value></field>"
  "  <field var='sid'><value>reg1</value></field>"
  "  <field var='answers'><value>3</value></field>"
  "  <field var='ocr'><value>7nHL3</value></field>"
  "  <field var='username'><value>bill</value></field>"
  "  <field var='password'><value>Calliope</value></field>"
  "</x>";

/* XEP-0158 §3.2 (trimmed): media with XEP-0231 cid: URIs and audio. */
static const char captcha_message[] =
  "<message from='victim.com' to='robot@abuser.com/zombie' id='F3A6292C'>"
  "  <captcha xmlns='urn:xmpp:captcha'>"
  "    <x xmlns='jabber:x:data' type='form'>"
  "      <field type='hidden' var='FORM_TYPE'>"
  "        <value>urn:xmpp:captcha</value>"
  "      </field>"
  "      <field var='ocr' label='Enter the text you see'>"
  "        <media xmlns='urn:xmpp:media-element' height='80' width='290'>"
  "          <uri type='image/jpeg'>"
  "            http://www.victim.com/challenges/ocr.jpeg?F3A6292C"
  "          </uri>"
  "          <uri type='image/jpeg'>"
  "            cid:sha1+f24030b8d91d233bac14777be5ab531ca3b9f102@bob.xmpp.org"
  "          </uri>"
  "        </media>"
  "      </field>"
  "      <field var='speech_recog' label='Enter the words you hear'>"
  "        <media xmlns='urn:xmpp:media-element'>"
  "          <uri type='audio/x-wav'>"
  "            http://www.victim.com/challenges/speech.wav?F3A6292C"
  "          </uri>"
  "          <uri type='audio/ogg; codecs=speex'>"
  "            http://www.victim.com/challenges/speech.ogg?F3A6292C"
  "          </uri>"
  "        </media>"
  "      </field>"
  "    </x>"
  "  </captcha>"
  "</message>";

/* XEP-0313 §4.1: the archive's query form. */
static const char mam_form[] =
  "<iq type='result' id='form1'>"
  "  <query xmlns='urn:xmpp:mam:2'>"
  "    <x xmlns='jabber:x:data' type='form'>"
  "      <field type='hidden' var='FORM_TYPE'>"
  "        <value>urn:xmpp:mam:2</value>"
  "      </field>"
  "      <field type='jid-single' var='with'/>"
  "      <field type='text-single' var='start'/>"
  "      <field type='text-single' var='end'/>"
  "    </x>"
  "  </query>"
  "</iq>";

/* XEP-0313 §4.1.1: a query by correspondent and start time. */
static const char mam_query[] =
  "<iq type='set' id='juliet1'>"
  "  <query xmlns='urn:xmpp:mam:2' queryid='f27'>"
  "    <x xmlns='jabber:x:data' type='submit'>"
  "      <field var='FORM_TYPE' type='hidden'>"
  "        <value>urn:xmpp:mam:2</value>"
  "      </field>"
  "      <field var='with'>"
  "        <value>juliet@capulet.lit</value>"
  "      </field>"
  "      <field var='start'>"
  "        <value>2010-06-07T00:00:00Z</value>"
  "      </field>"
  "    </x>"
  "  </query>"
  "</iq>";

/* XEP-0115 §5.3: extended disco info (XEP-0128), untyped fields. */
static const char softwareinfo[] =
  "<x xmlns='jabber:x:data' type='result'>"
  "  <field var='FORM_TYPE' type='hidden'>"
  "    <value>urn:xmpp:dataforms:softwareinfo</value>"
  "  </field>"
  "  <field var='ip_version' type='text-multi'>"
  "    <value>ipv4</value>"
  "    <value>ipv6</value>"
  "  </field>"
  "  <field var='os'>"
  "    <value>Mac</value>"
  "  </field>"
  "  <field var='os_version'>"
  "    <value>10.5.1</value>"
  "  </field>"
  "  <field var='software'>"
  "    <value>Psi</value>"
  "  </field>"
  "  <field var='software_version'>"
  "    <value>0.11</value>"
  "  </field>"
  "</x>";

/* XEP-0068 §5.3: a FORM_TYPE that is not hidden, and options without
 * a <value/>. */
static const char bad_form_type[] =
  "<x xmlns='jabber:x:data' type='form'>"
  "  <title>Balcony Scene (Act 2, Scene 2)</title>"
  "  <instructions>But soft! What light through yonder window breaks?</instructions>"
  "  <field var='FORM_TYPE' type='text-single'>"
  "    <value>http://jabber.org/protocol/shakespeare</value>"
  "  </field>"
  "  <field var='light' type='list-multi'>"
  "    <option label='Juliet'>Sun</option>"
  "    <option lable='Maid'>Moon</option>"
  "    <option label='Eyes'>Stars</option>"
  "  </field>"
  "</x>";

/* XEP-0122's examples in one form, written in the order the builder
 * writes, so that its output must equal it node for node. */
static const char canonical[] =
  "<x xmlns='jabber:x:data' type='form'>"
  "  <title>Event</title>"
  "  <instructions>First line</instructions>"
  "  <instructions>Second line</instructions>"
  "  <field var='evt.date' type='text-single' label='Event Date/Time'>"
  "    <desc>When it starts</desc>"
  "    <required/>"
  "    <validate xmlns='http://jabber.org/protocol/xdata-validate' datatype='xs:dateTime'>"
  "      <range min='2003-10-05T00:00:00-07:00' max='2003-10-24T23:59:59-07:00'/>"
  "    </validate>"
  "    <value>2003-10-06T11:22:00-07:00</value>"
  "  </field>"
  "  <field var='evt.category' type='list-single' label='Event Category'>"
  "    <validate xmlns='http://jabber.org/protocol/xdata-validate' datatype='xs:string'>"
  "      <open/>"
  "    </validate>"
  "    <option><value>holiday</value></option>"
  "    <option><value>reminder</value></option>"
  "    <option><value>appointment</value></option>"
  "  </field>"
  "  <field var='ssn' type='text-single' label='Social Security Number'>"
  "    <desc>This field should be your SSN, including '-' (e.g. 123-12-1234)</desc>"
  "    <validate xmlns='http://jabber.org/protocol/xdata-validate' datatype='xs:string'>"
  "      <regex>([0-9]{3})-([0-9]{2})-([0-9]{4})</regex>"
  "    </validate>"
  "  </field>"
  "  <field var='evt.notify-methods' type='list-multi' label='Notify me by'>"
  "    <validate xmlns='http://jabber.org/protocol/xdata-validate' datatype='xs:string'>"
  "      <basic/>"
  "      <list-range min='1' max='3'/>"
  "    </validate>"
  "    <option><value>e-mail</value></option>"
  "    <option label='XMPP'><value>jabber/xmpp</value></option>"
  "    <option><value>work phone</value></option>"
  "    <option><value>home phone</value></option>"
  "    <option><value>cell phone</value></option>"
  "  </field>"
  "  <field var='captcha' label='Enter the text you see'>"
  "    <media xmlns='urn:xmpp:media-element' height='80' width='290'>"
  "      <uri type='image/png'>cid:sha1+8f35fef110ffc5df08d579a50083ff9308fb6242@bob.xmpp.org</uri>"
  "    </media>"
  "  </field>"
  "  <field var='untyped-multi'>"
  "    <value>one</value>"
  "    <value></value>"
  "    <value> spaced </value>"
  "  </field>"
  "  <field type='fixed'><value>A section</value></field>"
  "  <reported>"
  "    <field var='jid' type='jid-single' label='JID'/>"
  "  </reported>"
  "  <item>"
  "    <field var='jid'><value>juliet@capulet.lit</value></field>"
  "  </item>"
  "</x>";

/* libxml2 to stanza tree */

static void
copy_element (XmppNode      *node,
              const xmlNode *element)
{
  gboolean has_elements = FALSE;

  for (const xmlAttr *a = element->properties; a != NULL; a = a->next)
    {
      xmlChar *value = xmlNodeGetContent ((const xmlNode *) a);

      xmpp_node_set_attr_ns (node, a->ns ? (const char *) a->ns->href : NULL,
                             (const char *) a->name, (const char *) value);
      xmlFree (value);
    }
  for (const xmlNode *c = element->children; c != NULL; c = c->next)
    has_elements |= c->type == XML_ELEMENT_NODE;

  /* As the reader does: whitespace between child elements is dropped. */
  for (const xmlNode *c = element->children; c != NULL; c = c->next)
    {
      if (c->type == XML_ELEMENT_NODE)
        copy_element (xmpp_node_add_child (node, (const char *) c->name,
                                           c->ns ? (const char *) c->ns->href : ""),
                      c);
      else if ((c->type == XML_TEXT_NODE || c->type == XML_CDATA_SECTION_NODE) && !has_elements)
        xmpp_node_append_text (node, (const char *) c->content, strlen ((const char *) c->content));
    }
}

static XmppStanza *
parse_xml (const char *xml)
{
  xmlDoc *doc = xmlReadMemory (xml, strlen (xml), NULL, "UTF-8", XML_PARSE_NONET);
  const xmlNode *root;
  XmppStanza *stanza;

  g_assert_nonnull (doc);
  root = xmlDocGetRootElement (doc);
  stanza = xmpp_stanza_new ((const char *) root->name,
                            root->ns ? (const char *) root->ns->href : "");
  copy_element (xmpp_stanza_get_top (stanza), root);
  xmlFreeDoc (doc);
  return stanza;
}

/* The first jabber:x:data <x/> at or under @node, depth first. */
static const XmppNode *
find_x (const XmppNode *node)
{
  if (xmpp_node_is (node, "x", XMPP_NS_DATA_FORMS))
    return node;
  xmpp_node_foreach_child (node, child)
    {
      const XmppNode *x = find_x (child);

      if (x != NULL)
        return x;
    }
  return NULL;
}

static XmppDataForm *
parse_form (const char *xml)
{
  g_autoptr(XmppStanza) stanza = parse_xml (xml);
  g_autoptr(GError) error = NULL;
  const XmppNode *x = find_x (xmpp_stanza_get_top (stanza));
  XmppDataForm *form;

  g_assert_nonnull (x);
  form = xmpp_data_form_parse (x, &error);
  g_assert_no_error (error);
  g_assert_nonnull (form);
  return form;
}

static void
assert_parse_fails (const char *xml,
                    int         code)
{
  g_autoptr(XmppStanza) stanza = parse_xml (xml);
  g_autoptr(GError) error = NULL;
  g_autoptr(XmppDataForm) form = xmpp_data_form_parse (xmpp_stanza_get_top (stanza), &error);

  g_assert_null (form);
  g_assert_error (error, XMPP_DATA_FORM_ERROR, code);
  g_assert_cmpstr (error->message, !=, "");
}

/* Whether @form's XML is @expected's, node for node. */
static void
assert_form_is (XmppDataForm *form,
                const char   *expected)
{
  g_autoptr(XmppStanza) want = parse_xml (expected);
  g_autoptr(XmppStanza) got = xmpp_data_form_to_stanza (form);

  if (!xmpp_node_equal (xmpp_stanza_get_top (got), find_x (xmpp_stanza_get_top (want))))
    {
      g_autofree char *s = xmpp_stanza_to_string (got);

      g_test_message ("got %s", s);
      g_test_fail ();
    }
}

static XmppDataField *
field_at (GListModel *model,
          guint       i)
{
  g_autoptr(XmppDataField) field = g_list_model_get_item (model, i);

  g_assert_nonnull (field);
  return field;   /* the model keeps it alive */
}

static void
assert_values (XmppDataField *field,
               const char    *first,
               ...)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_auto(GStrv) want = NULL;
  va_list args;

  va_start (args, first);
  for (const char *s = first; s != NULL; s = va_arg (args, const char *))
    g_strv_builder_add (builder, s);
  va_end (args);
  want = g_strv_builder_end (builder);
  g_assert_cmpstrv (xmpp_data_field_get_values (field), want);
}

/* Field-by-field comparison */

static void
assert_fields_equal (XmppDataField *a,
                     XmppDataField *b)
{
  guint aw, ah, bw, bh, amin, amax, bmin, bmax;
  const char *as, *bs, *at, *bt;

  g_assert_cmpstr (xmpp_data_field_get_var (a), ==, xmpp_data_field_get_var (b));
  g_assert_cmpint (xmpp_data_field_get_kind (a), ==, xmpp_data_field_get_kind (b));
  g_assert_cmpint (xmpp_data_field_get_has_type (a), ==, xmpp_data_field_get_has_type (b));
  g_assert_cmpstr (xmpp_data_field_get_label (a), ==, xmpp_data_field_get_label (b));
  g_assert_cmpstr (xmpp_data_field_get_desc (a), ==, xmpp_data_field_get_desc (b));
  g_assert_cmpint (xmpp_data_field_get_required (a), ==, xmpp_data_field_get_required (b));
  g_assert_cmpstrv (xmpp_data_field_get_values (a), xmpp_data_field_get_values (b));

  g_assert_cmpuint (xmpp_data_field_get_n_options (a), ==, xmpp_data_field_get_n_options (b));
  for (guint i = 0; i < xmpp_data_field_get_n_options (a); i++)
    {
      g_assert_cmpstr (xmpp_data_field_get_option_label (a, i), ==,
                       xmpp_data_field_get_option_label (b, i));
      g_assert_cmpstr (xmpp_data_field_get_option_value (a, i), ==,
                       xmpp_data_field_get_option_value (b, i));
    }

  g_assert_cmpint (xmpp_data_field_has_media (a), ==, xmpp_data_field_has_media (b));
  xmpp_data_field_get_media_size (a, &aw, &ah);
  xmpp_data_field_get_media_size (b, &bw, &bh);
  g_assert_cmpuint (aw, ==, bw);
  g_assert_cmpuint (ah, ==, bh);
  g_assert_cmpuint (xmpp_data_field_get_n_media_uris (a), ==, xmpp_data_field_get_n_media_uris (b));
  for (guint i = 0; i < xmpp_data_field_get_n_media_uris (a); i++)
    {
      g_assert_cmpstr (xmpp_data_field_get_media_uri (a, i, &at), ==,
                       xmpp_data_field_get_media_uri (b, i, &bt));
      g_assert_cmpstr (at, ==, bt);
    }

  g_assert_cmpint (xmpp_data_field_has_validation (a), ==, xmpp_data_field_has_validation (b));
  g_assert_cmpstr (xmpp_data_field_get_datatype (a), ==, xmpp_data_field_get_datatype (b));
  g_assert_cmpint (xmpp_data_field_get_validate_method (a), ==,
                   xmpp_data_field_get_validate_method (b));
  xmpp_data_field_get_range (a, &as, &at);
  xmpp_data_field_get_range (b, &bs, &bt);
  g_assert_cmpstr (as, ==, bs);
  g_assert_cmpstr (at, ==, bt);
  g_assert_cmpstr (xmpp_data_field_get_regex (a), ==, xmpp_data_field_get_regex (b));
  g_assert_cmpint (xmpp_data_field_get_list_range (a, &amin, &amax), ==,
                   xmpp_data_field_get_list_range (b, &bmin, &bmax));
  g_assert_cmpuint (amin, ==, bmin);
  g_assert_cmpuint (amax, ==, bmax);
}

static void
assert_field_models_equal (GListModel *a,
                           GListModel *b)
{
  guint n = g_list_model_get_n_items (a);

  g_assert_cmpuint (n, ==, g_list_model_get_n_items (b));
  for (guint i = 0; i < n; i++)
    assert_fields_equal (field_at (a, i), field_at (b, i));
}

static void
assert_forms_equal (XmppDataForm *a,
                    XmppDataForm *b)
{
  GListModel *items_a = xmpp_data_form_get_items (a);
  GListModel *items_b = xmpp_data_form_get_items (b);

  g_assert_cmpint (xmpp_data_form_get_kind (a), ==, xmpp_data_form_get_kind (b));
  g_assert_cmpstr (xmpp_data_form_get_title (a), ==, xmpp_data_form_get_title (b));
  g_assert_cmpstrv (xmpp_data_form_get_instructions (a), xmpp_data_form_get_instructions (b));
  g_assert_cmpstr (xmpp_data_form_get_form_type (a), ==, xmpp_data_form_get_form_type (b));
  assert_field_models_equal (xmpp_data_form_get_fields (a), xmpp_data_form_get_fields (b));
  assert_field_models_equal (xmpp_data_form_get_reported (a), xmpp_data_form_get_reported (b));
  g_assert_cmpuint (g_list_model_get_n_items (items_a), ==, g_list_model_get_n_items (items_b));
  for (guint i = 0; i < g_list_model_get_n_items (items_a); i++)
    {
      g_autoptr(GListModel) ia = g_list_model_get_item (items_a, i);
      g_autoptr(GListModel) ib = g_list_model_get_item (items_b, i);

      assert_field_models_equal (ia, ib);
    }
}

/* Parsing the XEPs' examples */

static void
test_parse_bot_form (void)
{
  g_autoptr(XmppDataForm) form = parse_form (bot_form);
  GListModel *fields = xmpp_data_form_get_fields (form);
  static const XmppDataFieldKind kinds[] = {
    XMPP_DATA_FIELD_HIDDEN, XMPP_DATA_FIELD_FIXED, XMPP_DATA_FIELD_TEXT_SINGLE,
    XMPP_DATA_FIELD_TEXT_MULTI, XMPP_DATA_FIELD_BOOLEAN, XMPP_DATA_FIELD_TEXT_PRIVATE,
    XMPP_DATA_FIELD_FIXED, XMPP_DATA_FIELD_LIST_MULTI, XMPP_DATA_FIELD_FIXED,
    XMPP_DATA_FIELD_LIST_SINGLE, XMPP_DATA_FIELD_FIXED, XMPP_DATA_FIELD_JID_MULTI,
  };
  const char *instructions[] = { "Fill out this form to configure your new bot!", NULL };
  XmppDataField *f;
  const char *label = NULL;

  g_assert_cmpint (xmpp_data_form_get_kind (form), ==, XMPP_DATA_FORM_KIND_FORM);
  g_assert_cmpstr (xmpp_data_form_get_title (form), ==, "Bot Configuration");
  g_assert_cmpstrv (xmpp_data_form_get_instructions (form), instructions);
  g_assert_cmpstr (xmpp_data_form_get_form_type (form), ==, "jabber:bot");

  g_assert_cmpuint (g_list_model_get_n_items (fields), ==, G_N_ELEMENTS (kinds));
  g_assert_true (g_list_model_get_item_type (fields) == XMPP_TYPE_DATA_FIELD);
  for (guint i = 0; i < G_N_ELEMENTS (kinds); i++)
    {
      g_assert_cmpint (xmpp_data_field_get_kind (field_at (fields, i)), ==, kinds[i]);
      g_assert_true (xmpp_data_field_get_has_type (field_at (fields, i)));
    }

  f = field_at (fields, 1);
  g_assert_null (xmpp_data_field_get_var (f));
  assert_values (f, "Section 1: Bot Info", NULL);

  f = xmpp_data_form_get_field (form, "botname");
  g_assert_cmpstr (xmpp_data_field_get_label (f), ==, "The name of your bot");
  g_assert_false (xmpp_data_field_get_required (f));
  g_assert_cmpuint (xmpp_data_field_get_n_values (f), ==, 0);
  g_assert_null (xmpp_data_field_get_value (f));

  f = xmpp_data_form_get_field (form, "public");
  g_assert_true (xmpp_data_field_get_required (f));
  g_assert_false (xmpp_data_field_get_boolean (f));   /* XEP-0004: default false */

  f = xmpp_data_form_get_field (form, "features");
  g_assert_cmpuint (xmpp_data_field_get_n_options (f), ==, 5);
  g_assert_cmpstr (xmpp_data_field_get_option_label (f, 3), ==, "Reminders");
  g_assert_cmpstr (xmpp_data_field_get_option_value (f, 3), ==, "reminders");
  assert_values (f, "news", "search", NULL);

  f = xmpp_data_form_get_field (form, "maxsubs");
  g_assert_cmpuint (xmpp_data_field_get_n_options (f), ==, 6);
  g_assert_cmpstr (xmpp_data_field_get_value (f), ==, "20");
  g_assert_true (xmpp_data_field_has_option (f, "none", &label));
  g_assert_cmpstr (label, ==, "None");
  g_assert_false (xmpp_data_field_has_option (f, "25", NULL));

  f = xmpp_data_form_get_field (form, "invitelist");
  g_assert_cmpstr (xmpp_data_field_get_desc (f), ==, "Tell all your friends about your new bot!");
  g_assert_false (xmpp_data_field_has_media (f));
  g_assert_false (xmpp_data_field_has_validation (f));
  g_assert_cmpstr (xmpp_data_field_get_datatype (f), ==, "xs:string");

  g_assert_null (xmpp_data_form_get_field (form, "nonexistent"));
  g_assert_cmpuint (g_list_model_get_n_items (xmpp_data_form_get_reported (form)), ==, 0);
  g_assert_cmpuint (g_list_model_get_n_items (xmpp_data_form_get_items (form)), ==, 0);
}

static void
test_parse_bot_submit (void)
{
  g_autoptr(XmppDataForm) form = parse_form (bot_submit);
  g_autofree char *text = NULL;
  XmppDataField *f;

  g_assert_cmpint (xmpp_data_form_get_kind (form), ==, XMPP_DATA_FORM_KIND_SUBMIT);
  g_assert_null (xmpp_data_form_get_title (form));
  g_assert_cmpuint (g_strv_length ((GStrv) xmpp_data_form_get_instructions (form)), ==, 0);
  g_assert_cmpstr (xmpp_data_form_get_form_type (form), ==, "jabber:bot");
  g_assert_cmpuint (g_list_model_get_n_items (xmpp_data_form_get_fields (form)), ==, 8);

  f = xmpp_data_form_get_field (form, "description");
  g_assert_cmpuint (xmpp_data_field_get_n_values (f), ==, 4);
  text = xmpp_data_field_dup_text (f);
  g_assert_cmpstr (text, ==,
                   "This bot enables you to send requests to\n"
                   "Google and receive the search results right\n"
                   "in your Jabber client. It' really cool!\n"
                   "It even supports Google News!");

  g_assert_false (xmpp_data_field_get_boolean (xmpp_data_form_get_field (form, "public")));
  g_assert_cmpstr (xmpp_data_form_get_value (form, "maxsubs"), ==, "50");
  assert_values (xmpp_data_form_get_field (form, "invitelist"),
                 "juliet@capulet.com", "benvolio@montague.net", NULL);
}

static void
test_parse_search_result (void)
{
  g_autoptr(XmppDataForm) form = parse_form (search_result);
  GListModel *reported = xmpp_data_form_get_reported (form);
  GListModel *items = xmpp_data_form_get_items (form);
  g_autoptr(GListModel) row = NULL;

  g_assert_cmpint (xmpp_data_form_get_kind (form), ==, XMPP_DATA_FORM_KIND_RESULT);
  g_assert_cmpstr (xmpp_data_form_get_title (form), ==, "Joogle Search: verona");
  g_assert_cmpuint (g_list_model_get_n_items (xmpp_data_form_get_fields (form)), ==, 0);

  g_assert_cmpuint (g_list_model_get_n_items (reported), ==, 2);
  g_assert_cmpstr (xmpp_data_field_get_var (field_at (reported, 0)), ==, "name");
  g_assert_cmpstr (xmpp_data_field_get_var (field_at (reported, 1)), ==, "url");
  g_assert_false (xmpp_data_field_get_has_type (field_at (reported, 1)));

  g_assert_cmpuint (g_list_model_get_n_items (items), ==, 5);
  row = g_list_model_get_item (items, 1);
  g_assert_cmpuint (g_list_model_get_n_items (row), ==, 2);
  g_assert_cmpstr (xmpp_data_field_get_value (xmpp_data_field_find (row, "url")), ==,
                   "http://www.hellasverona.it/");
  g_assert_cmpstr (xmpp_data_field_get_value (xmpp_data_field_find (row, "name")), ==,
                   "benvenuto!");
  g_assert_null (xmpp_data_field_find (row, "email"));
}

static void
test_parse_captcha_register (void)
{
  g_autoptr(XmppDataForm) form = parse_form (captcha_register);
  g_autoptr(XmppDataForm) submit = NULL;
  g_autoptr(GError) error = NULL;
  XmppDataField *ocr = xmpp_data_form_get_field (form, "ocr");
  const char *type = NULL;
  guint width, height;

  g_assert_cmpstr (xmpp_data_form_get_form_type (form), ==, "urn:xmpp:captcha");

  /* No type attribute: text-single (XEP-0004 §3.3), and not written back. */
  g_assert_cmpint (xmpp_data_field_get_kind (ocr), ==, XMPP_DATA_FIELD_TEXT_SINGLE);
  g_assert_false (xmpp_data_field_get_has_type (ocr));
  g_assert_cmpstr (xmpp_data_field_get_label (ocr), ==, "Enter the text you see");

  g_assert_true (xmpp_data_field_has_media (ocr));
  xmpp_data_field_get_media_size (ocr, &width, &height);
  g_assert_cmpuint (width, ==, 290);
  g_assert_cmpuint (height, ==, 80);
  g_assert_cmpuint (xmpp_data_field_get_n_media_uris (ocr), ==, 1);
  g_assert_cmpstr (xmpp_data_field_get_media_uri (ocr, 0, &type), ==,
                   "http://www.victim.com/challenges/ocr.jpeg?F3A6292C");
  g_assert_cmpstr (type, ==, "image/jpeg");

  g_assert_true (xmpp_data_field_get_required (xmpp_data_form_get_field (form, "username")));
  g_assert_cmpint (xmpp_data_field_get_kind (xmpp_data_form_get_field (form, "password")), ==,
                   XMPP_DATA_FIELD_TEXT_PRIVATE);

  /* The user answers; SHA-256 stays unanswered and is left out. */
  submit = xmpp_data_form_new_submit (form, &error);
  g_assert_error (error, XMPP_DATA_FORM_ERROR, XMPP_DATA_FORM_ERROR_REQUIRED);
  g_assert_null (submit);
  g_clear_error (&error);

  xmpp_data_field_set_value (ocr, "7nHL3");
  xmpp_data_form_set_value (form, "username", "bill");
  xmpp_data_form_set_value (form, "password", "Calliope");
  submit = xmpp_data_form_new_submit (form, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (xmpp_data_form_get_form_type (submit), ==, "urn:xmpp:captcha");
  assert_form_is (submit, captcha_register_submit);
}

static void
test_parse_captcha_media (void)
{
  g_autoptr(XmppDataForm) form = parse_form (captcha_message);
  XmppDataField *ocr = xmpp_data_form_get_field (form, "ocr");
  XmppDataField *speech = xmpp_data_form_get_field (form, "speech_recog");
  const char *type = NULL;
  guint width = 1, height = 1;

  g_assert_cmpuint (xmpp_data_field_get_n_media_uris (ocr), ==, 2);
  g_assert_cmpstr (xmpp_data_field_get_media_uri (ocr, 1, &type), ==,
                   "cid:sha1+f24030b8d91d233bac14777be5ab531ca3b9f102@bob.xmpp.org");
  g_assert_cmpstr (type, ==, "image/jpeg");

  xmpp_data_field_get_media_size (speech, &width, &height);
  g_assert_cmpuint (width, ==, 0);
  g_assert_cmpuint (height, ==, 0);
  g_assert_cmpstr (xmpp_data_field_get_media_uri (speech, 1, &type), ==,
                   "http://www.victim.com/challenges/speech.ogg?F3A6292C");
  g_assert_cmpstr (type, ==, "audio/ogg; codecs=speex");
}

static void
test_parse_mam (void)
{
  g_autoptr(XmppDataForm) form = parse_form (mam_form);
  g_autoptr(XmppDataForm) submit = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_cmpstr (xmpp_data_form_get_form_type (form), ==, XMPP_NS_MAM);
  g_assert_cmpint (xmpp_data_field_get_kind (xmpp_data_form_get_field (form, "with")), ==,
                   XMPP_DATA_FIELD_JID_SINGLE);

  xmpp_data_form_set_value (form, "with", "juliet@capulet.lit");
  xmpp_data_form_set_value (form, "start", "2010-06-07T00:00:00Z");
  submit = xmpp_data_form_new_submit (form, &error);
  g_assert_no_error (error);
  /* "end" has no value: not sent. The hidden field goes back untyped. */
  assert_form_is (submit,
                  "<x xmlns='jabber:x:data' type='submit'>"
                  "<field var='FORM_TYPE'><value>urn:xmpp:mam:2</value></field>"
                  "<field var='with'><value>juliet@capulet.lit</value></field>"
                  "<field var='start'><value>2010-06-07T00:00:00Z</value></field>"
                  "</x>");
}

/* A query built from nothing, the way protocol code does it. */
static void
test_build_mam_query (void)
{
  g_autoptr(XmppStanza) want = parse_xml (mam_query);
  g_autoptr(XmppStanza) iq = xmpp_stanza_new ("iq", NULL);
  g_autoptr(XmppDataForm) form = xmpp_data_form_new (XMPP_DATA_FORM_KIND_SUBMIT, XMPP_NS_MAM);
  XmppNode *top = xmpp_stanza_get_top (iq);
  XmppNode *query, *x;

  xmpp_node_set_attr (top, "type", "set");
  xmpp_node_set_attr (top, "id", "juliet1");
  query = xmpp_node_add_child (top, "query", XMPP_NS_MAM);
  xmpp_node_set_attr (query, "queryid", "f27");

  xmpp_data_form_set_value (form, "with", "juliet@capulet.lit");
  xmpp_data_form_set_value (form, "start", "2010-06-07T00:00:00Z");
  x = xmpp_data_form_to_node (form, query);

  g_assert_true (x->parent == query);
  g_assert_cmpstr (x->ns, ==, XMPP_NS_DATA_FORMS);
  g_assert_true (xmpp_node_equal (top, xmpp_stanza_get_top (want)));
  g_assert_cmpstr (xmpp_data_form_get_form_type (form), ==, XMPP_NS_MAM);
}

static void
test_parse_softwareinfo (void)
{
  g_autoptr(XmppDataForm) form = parse_form (softwareinfo);
  XmppDataField *os = xmpp_data_form_get_field (form, "os");

  g_assert_cmpint (xmpp_data_form_get_kind (form), ==, XMPP_DATA_FORM_KIND_RESULT);
  g_assert_cmpstr (xmpp_data_form_get_form_type (form), ==, "urn:xmpp:dataforms:softwareinfo");
  assert_values (xmpp_data_form_get_field (form, "ip_version"), "ipv4", "ipv6", NULL);
  g_assert_false (xmpp_data_field_get_has_type (os));
  g_assert_cmpstr (xmpp_data_form_get_value (form, "os"), ==, "Mac");
  g_assert_cmpstr (xmpp_data_form_get_value (form, "software_version"), ==, "0.11");
  g_assert_null (xmpp_data_form_get_value (form, "missing"));
}

/* Leniency */

static void
test_parse_lenient (void)
{
  g_autoptr(XmppDataForm) form = parse_form (bad_form_type);
  g_autoptr(XmppDataForm) other = NULL;
  XmppDataField *f;

  /* XEP-0068 §5.3: not hidden, so not a FORM_TYPE. */
  g_assert_null (xmpp_data_form_get_form_type (form));
  g_assert_cmpstr (xmpp_data_form_get_value (form, "FORM_TYPE"), ==,
                   "http://jabber.org/protocol/shakespeare");
  /* Options without a <value/> cannot be chosen: dropped, form kept. */
  g_assert_cmpuint (xmpp_data_field_get_n_options (xmpp_data_form_get_field (form, "light")), ==, 0);
  /* Untyped means text-single outside submit forms: not a FORM_TYPE. */
  {
    g_autoptr(XmppDataForm) result =
      parse_form ("<x xmlns='jabber:x:data' type='result'>"
                  "<field var='FORM_TYPE'><value>urn:example</value></field></x>");

    g_assert_null (xmpp_data_form_get_form_type (result));
  }

  /* An unknown field type is text-single (XEP-0004 §3.3); a single-valued
   * field with several values, options on a text field, unknown elements
   * and a second title are kept or skipped, not refused. */
  other = parse_form ("<x xmlns='jabber:x:data' type='form'>"
                      "<title>One</title><title>Two</title>"
                      "<page xmlns='http://jabber.org/protocol/xdata-layout' label='P'/>"
                      "<field var='a' type='colour-picker'><value>red</value></field>"
                      "<field var='b' type='text-single'><value>1</value><value>2</value>"
                      "<option><value>x</value></option><unknown/></field>"
                      "<field var='c' type='boolean'><value>true</value></field>"
                      "<field var='d'><validate xmlns='http://jabber.org/protocol/xdata-validate'"
                      " datatype='xs:integer'><fancy/></validate></field>"
                      "<field var='e'><media xmlns='urn:xmpp:media-element' width='wide'>"
                      "<uri>cid:x@bob.xmpp.org</uri><uri type='image/png'>  </uri></media></field>"
                      "</x>");
  g_assert_cmpstr (xmpp_data_form_get_title (other), ==, "One");
  f = xmpp_data_form_get_field (other, "a");
  g_assert_cmpint (xmpp_data_field_get_kind (f), ==, XMPP_DATA_FIELD_TEXT_SINGLE);
  g_assert_false (xmpp_data_field_get_has_type (f));
  assert_values (xmpp_data_form_get_field (other, "b"), "1", "2", NULL);
  g_assert_cmpuint (xmpp_data_field_get_n_options (xmpp_data_form_get_field (other, "b")), ==, 1);
  g_assert_true (xmpp_data_field_get_boolean (xmpp_data_form_get_field (other, "c")));

  /* XEP-0122 §4.1: an unknown method is basic. */
  f = xmpp_data_form_get_field (other, "d");
  g_assert_true (xmpp_data_field_has_validation (f));
  g_assert_cmpstr (xmpp_data_field_get_datatype (f), ==, "xs:integer");
  g_assert_cmpint (xmpp_data_field_get_validate_method (f), ==, XMPP_DATA_VALIDATE_BASIC);

  /* A bad width is no width; an empty URI is no URI; a missing type is NULL. */
  f = xmpp_data_form_get_field (other, "e");
  g_assert_cmpuint (xmpp_data_field_get_n_media_uris (f), ==, 1);
  {
    const char *type = "unset";
    guint width = 1;

    g_assert_cmpstr (xmpp_data_field_get_media_uri (f, 0, &type), ==, "cid:x@bob.xmpp.org");
    g_assert_null (type);
    xmpp_data_field_get_media_size (f, &width, NULL);
    g_assert_cmpuint (width, ==, 0);
  }
}

static void
test_parse_malformed (void)
{
  /* Not a data form at all. */
  assert_parse_fails ("<x xmlns='jabber:x:oob' type='form'/>", XMPP_DATA_FORM_ERROR_MALFORMED);
  assert_parse_fails ("<form xmlns='jabber:x:data' type='form'/>", XMPP_DATA_FORM_ERROR_MALFORMED);
  /* The form type is required and must be one of four. */
  assert_parse_fails ("<x xmlns='jabber:x:data'/>", XMPP_DATA_FORM_ERROR_MALFORMED);
  assert_parse_fails ("<x xmlns='jabber:x:data' type='query'/>", XMPP_DATA_FORM_ERROR_MALFORMED);
  assert_parse_fails ("<x xmlns='jabber:x:data' type='Form'/>", XMPP_DATA_FORM_ERROR_MALFORMED);
  /* A non-fixed field without var, typed or not, at any level. */
  assert_parse_fails ("<x xmlns='jabber:x:data' type='form'><field type='text-single'/></x>",
                      XMPP_DATA_FORM_ERROR_MALFORMED);
  assert_parse_fails ("<x xmlns='jabber:x:data' type='submit'><field><value>1</value></field></x>",
                      XMPP_DATA_FORM_ERROR_MALFORMED);
  assert_parse_fails ("<x xmlns='jabber:x:data' type='result'><reported><field/></reported></x>",
                      XMPP_DATA_FORM_ERROR_MALFORMED);
  assert_parse_fails ("<x xmlns='jabber:x:data' type='result'><item><field type='hidden'/></item></x>",
                      XMPP_DATA_FORM_ERROR_MALFORMED);
  /* Two fields of one name: which one to submit? */
  assert_parse_fails ("<x xmlns='jabber:x:data' type='form'>"
                      "<field var='a'/><field var='b'/><field var='a' type='boolean'/></x>",
                      XMPP_DATA_FORM_ERROR_MALFORMED);
  assert_parse_fails ("<x xmlns='jabber:x:data' type='result'>"
                      "<item><field var='a'/><field var='a'/></item></x>",
                      XMPP_DATA_FORM_ERROR_MALFORMED);
}

static void
test_parse_accepts (void)
{
  g_autoptr(XmppDataForm) cancel = parse_form ("<x xmlns='jabber:x:data' type='cancel'/>");
  /* Fixed fields need no var; the same var in two items is two rows. */
  g_autoptr(XmppDataForm) form =
    parse_form ("<x xmlns='jabber:x:data' type='result'>"
                "<field type='fixed'><value>a</value></field>"
                "<field type='fixed'><value>b</value></field>"
                "<item><field var='a'/></item><item><field var='a'/></item></x>");

  g_assert_cmpint (xmpp_data_form_get_kind (cancel), ==, XMPP_DATA_FORM_KIND_CANCEL);
  g_assert_cmpuint (g_list_model_get_n_items (xmpp_data_form_get_fields (form)), ==, 2);
  g_assert_cmpuint (g_list_model_get_n_items (xmpp_data_form_get_items (form)), ==, 2);
}

/* Round trips */

/* parse → XML text → parse: the same form, field for field, and the same
 * XML the second time. Through text, so the writer is in the loop. */
static void
assert_round_trip (const char *xml)
{
  g_autoptr(XmppDataForm) first = parse_form (xml);
  g_autoptr(XmppStanza) out1 = xmpp_data_form_to_stanza (first);
  g_autofree char *text1 = xmpp_stanza_to_string (out1);
  g_autoptr(XmppDataForm) second = parse_form (text1);
  g_autoptr(XmppStanza) out2 = xmpp_data_form_to_stanza (second);
  g_autofree char *text2 = xmpp_stanza_to_string (out2);

  assert_forms_equal (first, second);
  g_assert_true (xmpp_node_equal (xmpp_stanza_get_top (out1), xmpp_stanza_get_top (out2)));
  g_assert_cmpstr (text1, ==, text2);
}

static void
test_round_trip (void)
{
  const char *examples[] = {
    bot_form, bot_submit, search_result, captcha_register, captcha_register_submit,
    captcha_message, mam_form, mam_query, softwareinfo, bad_form_type, canonical,
  };

  for (guint i = 0; i < G_N_ELEMENTS (examples); i++)
    assert_round_trip (examples[i]);
}

/* Written in the builder's order, the output must be the input. */
static void
test_round_trip_exact (void)
{
  g_autoptr(XmppStanza) in = parse_xml (canonical);
  g_autoptr(XmppDataForm) form = parse_form (canonical);
  g_autoptr(XmppStanza) out = xmpp_data_form_to_stanza (form);
  XmppDataField *f;
  const char *min, *max;
  guint lmin, lmax;

  g_assert_true (xmpp_node_equal (xmpp_stanza_get_top (in), xmpp_stanza_get_top (out)));

  f = xmpp_data_form_get_field (form, "evt.date");
  g_assert_cmpint (xmpp_data_field_get_validate_method (f), ==, XMPP_DATA_VALIDATE_RANGE);
  xmpp_data_field_get_range (f, &min, &max);
  g_assert_cmpstr (min, ==, "2003-10-05T00:00:00-07:00");
  g_assert_cmpstr (max, ==, "2003-10-24T23:59:59-07:00");
  f = xmpp_data_form_get_field (form, "ssn");
  g_assert_cmpstr (xmpp_data_field_get_regex (f), ==, "([0-9]{3})-([0-9]{2})-([0-9]{4})");
  f = xmpp_data_form_get_field (form, "evt.notify-methods");
  g_assert_true (xmpp_data_field_get_list_range (f, &lmin, &lmax));
  g_assert_cmpuint (lmin, ==, 1);
  g_assert_cmpuint (lmax, ==, 3);
  assert_values (xmpp_data_form_get_field (form, "untyped-multi"), "one", "", " spaced ", NULL);
}

/* The same form built through the API gives the same XML. */
static void
test_build_canonical (void)
{
  g_autoptr(XmppDataForm) form = xmpp_data_form_new (XMPP_DATA_FORM_KIND_FORM, NULL);
  g_autoptr(XmppDataField) date = xmpp_data_field_new (XMPP_DATA_FIELD_TEXT_SINGLE, "evt.date");
  g_autoptr(XmppDataField) cat = xmpp_data_field_new (XMPP_DATA_FIELD_LIST_SINGLE, "evt.category");
  g_autoptr(XmppDataField) ssn = xmpp_data_field_new (XMPP_DATA_FIELD_TEXT_SINGLE, "ssn");
  g_autoptr(XmppDataField) notify = xmpp_data_field_new (XMPP_DATA_FIELD_LIST_MULTI, "evt.notify-methods");
  g_autoptr(XmppDataField) captcha = g_object_new (XMPP_TYPE_DATA_FIELD, "var", "captcha",
                                                   "has-type", FALSE, NULL);
  g_autoptr(XmppDataField) fixed = xmpp_data_field_new (XMPP_DATA_FIELD_FIXED, NULL);
  g_autoptr(XmppDataField) jid = xmpp_data_field_new (XMPP_DATA_FIELD_JID_SINGLE, "jid");
  g_autoptr(XmppDataField) cell = g_object_new (XMPP_TYPE_DATA_FIELD, "var", "jid",
                                                "has-type", FALSE, NULL);
  g_autoptr(GListStore) item = g_list_store_new (XMPP_TYPE_DATA_FIELD);
  const char *multi[] = { "one", "", " spaced ", NULL };

  xmpp_data_form_set_title (form, "Event");
  xmpp_data_form_add_instructions (form, "First line");
  xmpp_data_form_add_instructions (form, "Second line");

  g_object_set (date, "label", "Event Date/Time", "desc", "When it starts",
                "required", TRUE, "value", "2003-10-06T11:22:00-07:00", NULL);
  xmpp_data_field_set_validation (date, "xs:dateTime", XMPP_DATA_VALIDATE_BASIC);
  xmpp_data_field_set_range (date, "2003-10-05T00:00:00-07:00", "2003-10-24T23:59:59-07:00");
  xmpp_data_form_add_field (form, date);

  xmpp_data_field_set_label (cat, "Event Category");
  xmpp_data_field_set_validation (cat, "xs:string", XMPP_DATA_VALIDATE_OPEN);
  xmpp_data_field_add_option (cat, NULL, "holiday");
  xmpp_data_field_add_option (cat, NULL, "reminder");
  xmpp_data_field_add_option (cat, NULL, "appointment");
  xmpp_data_form_add_field (form, cat);

  xmpp_data_field_set_label (ssn, "Social Security Number");
  xmpp_data_field_set_desc (ssn, "This field should be your SSN, including '-' (e.g. 123-12-1234)");
  xmpp_data_field_set_validation (ssn, "xs:string", XMPP_DATA_VALIDATE_BASIC);
  xmpp_data_field_set_regex (ssn, "([0-9]{3})-([0-9]{2})-([0-9]{4})");
  xmpp_data_form_add_field (form, ssn);

  xmpp_data_field_set_label (notify, "Notify me by");
  xmpp_data_field_set_validation (notify, "xs:string", XMPP_DATA_VALIDATE_BASIC);
  xmpp_data_field_set_list_range (notify, 1, 3);
  xmpp_data_field_add_option (notify, NULL, "e-mail");
  xmpp_data_field_add_option (notify, "XMPP", "jabber/xmpp");
  xmpp_data_field_add_option (notify, NULL, "work phone");
  xmpp_data_field_add_option (notify, NULL, "home phone");
  xmpp_data_field_add_option (notify, NULL, "cell phone");
  xmpp_data_form_add_field (form, notify);

  xmpp_data_field_set_label (captcha, "Enter the text you see");
  xmpp_data_field_set_media_size (captcha, 290, 80);
  xmpp_data_field_add_media_uri (captcha, "image/png",
                                 "cid:sha1+8f35fef110ffc5df08d579a50083ff9308fb6242@bob.xmpp.org");
  xmpp_data_form_add_field (form, captcha);

  xmpp_data_form_set_values (form, "untyped-multi", multi);

  xmpp_data_field_set_value (fixed, "A section");
  xmpp_data_form_add_field (form, fixed);

  xmpp_data_field_set_label (jid, "JID");
  xmpp_data_form_add_reported (form, jid);
  xmpp_data_field_set_value (cell, "juliet@capulet.lit");
  g_list_store_append (item, cell);
  xmpp_data_form_add_item (form, G_LIST_MODEL (item));

  assert_form_is (form, canonical);
}

/* Submitting */

static void
test_submit_bot (void)
{
  g_autoptr(XmppDataForm) form = parse_form (bot_form);
  g_autoptr(XmppDataForm) submit = NULL;
  g_autoptr(GError) error = NULL;
  GListModel *fields;

  xmpp_data_form_set_value (form, "botname", "The Jabber Google Bot");
  xmpp_data_field_set_text (xmpp_data_form_get_field (form, "description"),
                            "This bot enables you to send requests to\r\n"
                            "Google and receive the search results right");
  xmpp_data_form_set_value (form, "public", "false");
  xmpp_data_form_set_value (form, "password", "v3r0na");
  xmpp_data_form_set_value (form, "maxsubs", "50");
  xmpp_data_field_add_value (xmpp_data_form_get_field (form, "invitelist"), "juliet@capulet.com");
  xmpp_data_field_add_value (xmpp_data_form_get_field (form, "invitelist"), "benvolio@montague.net");

  submit = xmpp_data_form_new_submit (form, &error);
  g_assert_no_error (error);
  g_assert_cmpint (xmpp_data_form_get_kind (submit), ==, XMPP_DATA_FORM_KIND_SUBMIT);
  fields = xmpp_data_form_get_fields (submit);
  /* Four fixed fields dropped; FORM_TYPE kept; the booleans' "false" is
   * "0"; no types, labels, options or descriptions. */
  g_assert_cmpuint (g_list_model_get_n_items (fields), ==, 8);
  for (guint i = 0; i < g_list_model_get_n_items (fields); i++)
    g_assert_cmpint (xmpp_data_field_get_kind (field_at (fields, i)), !=, XMPP_DATA_FIELD_FIXED);
  assert_form_is (submit,
                  "<x xmlns='jabber:x:data' type='submit'>"
                  "<field var='FORM_TYPE'><value>jabber:bot</value></field>"
                  "<field var='botname'><value>The Jabber Google Bot</value></field>"
                  "<field var='description'>"
                  "<value>This bot enables you to send requests to</value>"
                  "<value>Google and receive the search results right</value></field>"
                  "<field var='public'><value>0</value></field>"
                  "<field var='password'><value>v3r0na</value></field>"
                  "<field var='features'><value>news</value><value>search</value></field>"
                  "<field var='maxsubs'><value>50</value></field>"
                  "<field var='invitelist'><value>juliet@capulet.com</value>"
                  "<value>benvolio@montague.net</value></field>"
                  "</x>");
  /* The submit form still knows its kinds, for code that reads it. */
  g_assert_cmpint (xmpp_data_field_get_kind (xmpp_data_form_get_field (submit, "public")), ==,
                   XMPP_DATA_FIELD_BOOLEAN);
  g_assert_false (xmpp_data_field_get_has_type (xmpp_data_form_get_field (submit, "public")));
  g_assert_cmpstr (xmpp_data_form_get_form_type (submit), ==, "jabber:bot");

  /* A parsed form is left as it was. */
  g_assert_cmpstr (xmpp_data_form_get_value (form, "public"), ==, "false");
}

/* Emptied multi-valued fields are answers; unanswered single ones are not;
 * hidden ones go back even empty, and unchanged. */
static void
test_submit_empty_fields (void)
{
  g_autoptr(XmppDataForm) form =
    parse_form ("<x xmlns='jabber:x:data' type='form'>"
                "<field var='h' type='hidden'/>"
                "<field var='h2' type='hidden'><value> odd\nvalue </value><value>2</value></field>"
                "<field var='admins' type='jid-multi'><value>a@b.c</value></field>"
                "<field var='opts' type='list-multi'><option><value>x</value></option></field>"
                "<field var='lines' type='text-multi'/>"
                "<field var='name' type='text-single'/>"
                "<field var='flag' type='boolean'/>"
                "<field var='pick' type='list-single'><option><value>x</value></option></field>"
                "<field var='who' type='jid-single'/>"
                "<field var='cleared' type='text-single'><value>old</value></field>"
                "</x>");
  g_autoptr(XmppDataForm) submit = NULL;
  g_autoptr(GError) error = NULL;

  xmpp_data_field_set_values (xmpp_data_form_get_field (form, "admins"), NULL);
  xmpp_data_form_set_value (form, "cleared", "");
  submit = xmpp_data_form_new_submit (form, &error);
  g_assert_no_error (error);
  assert_form_is (submit,
                  "<x xmlns='jabber:x:data' type='submit'>"
                  "<field var='h'/>"
                  "<field var='h2'><value> odd\nvalue </value><value>2</value></field>"
                  "<field var='admins'/>"
                  "<field var='opts'/>"
                  "<field var='lines'/>"
                  "<field var='cleared'><value/></field>"
                  "</x>");
}

static void
test_submit_normalises (void)
{
  g_autoptr(XmppDataForm) form =
    parse_form ("<x xmlns='jabber:x:data' type='form'>"
                "<field var='t' type='boolean'><value>true</value></field>"
                "<field var='f' type='boolean'><value>false</value></field>"
                "<field var='one' type='boolean'><value>1</value></field>"
                "<field var='zero' type='boolean'><value>0</value></field>"
                "<field var='who' type='jid-single'><value>Juliet@Capulet.LIT</value></field>"
                "<field var='invite' type='jid-multi'>"
                "<value>juliet@capulet.lit</value><value>romeo@montague.lit</value>"
                "<value>JULIET@capulet.lit</value><value>juliet@capulet.lit/balcony</value>"
                "</field>"
                "<field var='lines' type='text-multi'><value>a\nb</value><value>c\r\nd</value></field>"
                "</x>");
  g_autoptr(XmppDataForm) submit = xmpp_data_form_new_submit (form, NULL);

  g_assert_nonnull (submit);
  /* JIDs prepared; duplicates (after preparation) dropped (XEP-0004 §3.3);
   * text-multi one line per value. */
  assert_form_is (submit,
                  "<x xmlns='jabber:x:data' type='submit'>"
                  "<field var='t'><value>1</value></field>"
                  "<field var='f'><value>0</value></field>"
                  "<field var='one'><value>1</value></field>"
                  "<field var='zero'><value>0</value></field>"
                  "<field var='who'><value>juliet@capulet.lit</value></field>"
                  "<field var='invite'><value>juliet@capulet.lit</value>"
                  "<value>romeo@montague.lit</value>"
                  "<value>juliet@capulet.lit/balcony</value></field>"
                  "<field var='lines'><value>a</value><value>b</value>"
                  "<value>c</value><value>d</value></field>"
                  "</x>");
}

static void
test_cancel (void)
{
  g_autoptr(XmppDataForm) cancel = xmpp_data_form_new_cancel ();

  g_assert_cmpint (xmpp_data_form_get_kind (cancel), ==, XMPP_DATA_FORM_KIND_CANCEL);
  assert_form_is (cancel, "<x xmlns='jabber:x:data' type='cancel'/>");
}

/* Validation, rule by rule */

/* A form of the one field @field_xml, validated with @value set (unless
 * NULL): the error code, or -1 when it validates. */
static int
validate_with (const char *field_xml,
               const char *value)
{
  g_autofree char *xml = g_strdup_printf ("<x xmlns='jabber:x:data' type='form'>%s</x>", field_xml);
  g_autoptr(XmppDataForm) form = parse_form (xml);
  g_autoptr(XmppDataForm) submit = NULL;
  g_autoptr(GError) error = NULL;
  XmppDataField *field = field_at (xmpp_data_form_get_fields (form), 0);
  gboolean valid;

  if (value != NULL)
    xmpp_data_field_set_value (field, value);
  valid = xmpp_data_field_validate (field, &error);
  g_assert_true (valid == (error == NULL));
  if (error != NULL)
    {
      g_assert_true (error->domain == XMPP_DATA_FORM_ERROR);
      g_assert_cmpstr (error->message, !=, "");
      g_test_message ("%s", error->message);
    }

  /* The form agrees with its field, and refuses to submit. */
  submit = xmpp_data_form_new_submit (form, NULL);
  g_assert_true ((submit != NULL) == valid);
  return valid ? -1 : error->code;
}

#define VALID (-1)
#define REQUIRED XMPP_DATA_FORM_ERROR_REQUIRED
#define INVALID XMPP_DATA_FORM_ERROR_INVALID_VALUE

static void
test_validate_required (void)
{
  const char *req = "<field var='a' type='text-single' label='Name'><required/></field>";

  g_assert_cmpint (validate_with (req, NULL), ==, REQUIRED);
  g_assert_cmpint (validate_with (req, ""), ==, REQUIRED);
  g_assert_cmpint (validate_with (req, "x"), ==, VALID);
  g_assert_cmpint (validate_with ("<field var='a' type='jid-multi'><required/></field>", NULL), ==, REQUIRED);
  g_assert_cmpint (validate_with ("<field var='a' type='boolean'><required/></field>", "0"), ==, VALID);
  g_assert_cmpint (validate_with ("<field var='a' type='text-single'/>", NULL), ==, VALID);
  /* Nothing to enter in a hidden or fixed field: never refused. */
  g_assert_cmpint (validate_with ("<field var='a' type='hidden'><required/></field>", NULL), ==, VALID);
  g_assert_cmpint (validate_with ("<field type='fixed'><required/></field>", NULL), ==, VALID);
}

static void
test_validate_single_value (void)
{
  const char *kinds[] = { "text-single", "text-private", "list-single", "jid-single", "boolean" };

  for (guint i = 0; i < G_N_ELEMENTS (kinds); i++)
    {
      g_autofree char *xml = g_strdup_printf ("<field var='a' type='%s'>"
                                              "<option><value>1</value></option>"
                                              "<value>1</value><value>1</value></field>", kinds[i]);
      g_autofree char *one = g_strdup_printf ("<field var='a' type='%s'>"
                                              "<option><value>1</value></option>"
                                              "<value>1</value></field>", kinds[i]);

      g_assert_cmpint (validate_with (xml, NULL), ==, INVALID);
      if (strcmp (kinds[i], "jid-single") != 0)
        g_assert_cmpint (validate_with (one, NULL), ==, VALID);
    }
  g_assert_cmpint (validate_with ("<field var='a' type='text-multi'><value>1</value><value>2</value></field>",
                                  NULL), ==, VALID);
  /* Untyped in a form means text-single. */
  g_assert_cmpint (validate_with ("<field var='a'><value>1</value><value>2</value></field>", NULL), ==, INVALID);
}

static void
test_validate_text (void)
{
  g_assert_cmpint (validate_with ("<field var='a' type='text-single'/>", "one\ntwo"), ==, INVALID);
  g_assert_cmpint (validate_with ("<field var='a' type='text-private'/>", "one\rtwo"), ==, INVALID);
  g_assert_cmpint (validate_with ("<field var='a' type='text-single'/>", "one two"), ==, VALID);
  g_assert_cmpint (validate_with ("<field var='a' type='text-multi'/>", "one\ntwo"), ==, VALID);
}

static void
test_validate_lists (void)
{
  const char *single = "<field var='a' type='list-single'>"
                       "<option label='A'><value>a</value></option>"
                       "<option label='B'><value>b</value></option></field>";
  const char *open = "<field var='a' type='list-single'>"
                     "<validate xmlns='http://jabber.org/protocol/xdata-validate'><open/></validate>"
                     "<option><value>a</value></option></field>";
  const char *basic = "<field var='a' type='list-single'>"
                      "<validate xmlns='http://jabber.org/protocol/xdata-validate'"
                      " datatype='xs:string'><basic/></validate>"
                      "<option><value>a</value></option></field>";
  /* XEP-0122 §3.2: any method but basic opens a list. */
  const char *regex = "<field var='a' type='list-single'>"
                      "<validate xmlns='http://jabber.org/protocol/xdata-validate'>"
                      "<regex>[a-z]+</regex></validate>"
                      "<option><value>A1</value></option></field>";
  const char *multi = "<field var='a' type='list-multi'>"
                      "<option><value>a</value></option><option><value>b</value></option>"
                      "<value>a</value><value>c</value></field>";
  const char *range = "<field var='a' type='list-multi'>"
                      "<validate xmlns='http://jabber.org/protocol/xdata-validate'>"
                      "<basic/><list-range min='1' max='2'/></validate>"
                      "<option><value>a</value></option><option><value>b</value></option>"
                      "<option><value>c</value></option>%s</field>";
  g_autofree char *none = g_strdup_printf (range, "");
  g_autofree char *two = g_strdup_printf (range, "<value>a</value><value>c</value>");
  g_autofree char *three = g_strdup_printf (range, "<value>a</value><value>b</value><value>c</value>");

  g_assert_cmpint (validate_with (single, "b"), ==, VALID);
  g_assert_cmpint (validate_with (single, "B"), ==, INVALID);   /* the label is not the value */
  g_assert_cmpint (validate_with (single, "c"), ==, INVALID);
  g_assert_cmpint (validate_with (open, "mine"), ==, VALID);
  g_assert_cmpint (validate_with (basic, "mine"), ==, INVALID);
  g_assert_cmpint (validate_with (regex, "A1"), ==, VALID);     /* an option needs no match */
  g_assert_cmpint (validate_with (regex, "mine"), ==, VALID);
  g_assert_cmpint (validate_with (regex, "Mine"), ==, INVALID);
  g_assert_cmpint (validate_with (multi, NULL), ==, INVALID);
  g_assert_cmpint (validate_with (none, NULL), ==, INVALID);
  g_assert_cmpint (validate_with (two, NULL), ==, VALID);
  g_assert_cmpint (validate_with (three, NULL), ==, INVALID);
}

static void
test_validate_jids (void)
{
  const char *single = "<field var='a' type='jid-single'/>";

  g_assert_cmpint (validate_with (single, "juliet@capulet.lit/balcony"), ==, VALID);
  g_assert_cmpint (validate_with (single, "capulet.lit"), ==, VALID);
  g_assert_cmpint (validate_with (single, "juliet@"), ==, INVALID);
  g_assert_cmpint (validate_with (single, "@capulet.lit"), ==, INVALID);
  g_assert_cmpint (validate_with (single, "juliet@capulet.lit/"), ==, INVALID);
  g_assert_cmpint (validate_with ("<field var='a' type='jid-multi'>"
                                  "<value>juliet@capulet.lit</value><value>romeo@</value></field>",
                                  NULL), ==, INVALID);
  /* A datatype does not apply to JIDs (XEP-0122 §5.5). */
  g_assert_cmpint (validate_with ("<field var='a' type='jid-single'>"
                                  "<validate xmlns='http://jabber.org/protocol/xdata-validate'"
                                  " datatype='xs:integer'/></field>", "juliet@capulet.lit"), ==, VALID);
}

static void
test_validate_boolean (void)
{
  const char *field = "<field var='a' type='boolean'/>";
  const char *good[] = { "0", "1", "false", "true" };
  const char *bad[] = { "yes", "no", "TRUE", "False", "2", " 1" };

  for (guint i = 0; i < G_N_ELEMENTS (good); i++)
    g_assert_cmpint (validate_with (field, good[i]), ==, VALID);
  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    g_assert_cmpint (validate_with (field, bad[i]), ==, INVALID);
}

/* XEP-0122 datatypes with <basic/>: @datatype, @value, expected code. */
static void
test_validate_datatypes (void)
{
  static const struct {
    const char *datatype;
    const char *value;
    int         code;
  } cases[] = {
    { "xs:integer", "42", VALID },
    { "xs:integer", "-0042", VALID },
    { "xs:integer", "+7", VALID },
    { "xs:integer", "123456789012345678901234567890", VALID },
    { "xs:integer", "4.2", INVALID },
    { "xs:integer", "12a", INVALID },
    { "xs:integer", "-", INVALID },
    { "xs:int", "2147483647", VALID },
    { "xs:int", "2147483648", INVALID },
    { "xs:short", "-32769", INVALID },
    { "xs:byte", "127", VALID },
    { "xs:byte", "200", INVALID },
    { "xs:long", "9223372036854775808", INVALID },
    { "xs:decimal", "3.14", VALID },
    { "xs:decimal", "-.5", VALID },
    { "xs:decimal", "5.", VALID },
    { "xs:decimal", ".", INVALID },
    { "xs:decimal", "1e3", INVALID },
    { "xs:double", "1e3", VALID },
    { "xs:double", "-1.5E-3", VALID },
    { "xs:double", "INF", VALID },
    { "xs:double", "NaN", VALID },
    { "xs:double", "1e", INVALID },
    { "xs:double", "one", INVALID },
    { "xs:boolean", "true", VALID },
    { "xs:boolean", "yes", INVALID },
    { "xs:dateTime", "2003-10-06T11:22:00-07:00", VALID },
    { "xs:dateTime", "2003-10-06T11:22:00Z", VALID },
    { "xs:dateTime", "2003-10-06T11:22:00", VALID },
    { "xs:dateTime", "2003-10-06", INVALID },
    { "xs:dateTime", "2003-02-30T11:22:00Z", INVALID },
    { "xs:dateTime", "yesterday", INVALID },
    { "xs:date", "2003-10-06", VALID },
    { "xs:date", "2003-10-06Z", VALID },
    { "xs:date", "2003-13-06", INVALID },
    { "xs:date", "06/10/2003", INVALID },
    { "xs:time", "11:22:00", VALID },
    { "xs:time", "11:22:00.5+02:00", VALID },
    { "xs:time", "25:00:00", INVALID },
    { "xs:language", "en", VALID },
    { "xs:language", "en-GB", VALID },
    { "xs:language", "x-klingon", VALID },
    { "xs:language", "englishlanguage", INVALID },
    { "xs:language", "en_GB", INVALID },
    { "xs:string", "anything at all", VALID },
    /* XEP-0122 §5.1: an unknown datatype validates as xs:string. */
    { "x:shoe-size", "forty-two", VALID },
    { "xs:anyURI", "not checked", VALID },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *field =
        g_strdup_printf ("<field var='a' type='text-single'>"
                         "<validate xmlns='http://jabber.org/protocol/xdata-validate'"
                         " datatype='%s'><basic/></validate></field>", cases[i].datatype);

      g_test_message ("%s %s", cases[i].datatype, cases[i].value);
      g_assert_cmpint (validate_with (field, cases[i].value), ==, cases[i].code);
    }
}

static void
test_validate_range (void)
{
  static const struct {
    const char *datatype;
    const char *range;
    const char *value;
    int         code;
  } cases[] = {
    { "xs:integer", "min='1' max='10'", "1", VALID },
    { "xs:integer", "min='1' max='10'", "10", VALID },
    { "xs:integer", "min='1' max='10'", "0", INVALID },
    { "xs:integer", "min='1' max='10'", "11", INVALID },
    { "xs:integer", "min='1' max='10'", "x", INVALID },
    { "xs:integer", "min='-5'", "-6", INVALID },
    { "xs:integer", "min='-5'", "99999999999999999999999", VALID },
    { "xs:integer", "max='10'", "99999999999999999999999", INVALID },
    { "xs:long", "max='9223372036854775806'", "9223372036854775807", INVALID },
    { "xs:decimal", "min='0.5' max='1.5'", "1.25", VALID },
    { "xs:decimal", "min='0.5' max='1.5'", "1.75", INVALID },
    { "xs:double", "max='1e3'", "1001", INVALID },
    /* XEP-0122's range example; the zone counts. */
    { "xs:dateTime", "min='2003-10-05T00:00:00-07:00' max='2003-10-24T23:59:59-07:00'",
      "2003-10-06T11:22:00-07:00", VALID },
    { "xs:dateTime", "min='2003-10-05T00:00:00-07:00' max='2003-10-24T23:59:59-07:00'",
      "2003-10-25T06:00:00Z", VALID },
    { "xs:dateTime", "min='2003-10-05T00:00:00-07:00' max='2003-10-24T23:59:59-07:00'",
      "2003-10-25T07:00:00Z", INVALID },
    { "xs:date", "min='2003-10-05'", "2003-10-04", INVALID },
    { "xs:time", "min='09:00:00' max='17:00:00'", "12:30:00", VALID },
    { "xs:time", "min='09:00:00' max='17:00:00'", "08:59:59", INVALID },
    /* Bounds that cannot be read, and bounds on strings, are not held
     * against the user (XEP-0122 §5.6 forbids the latter). */
    { "xs:integer", "min='low' max='10'", "-100", VALID },
    { "xs:string", "min='b' max='c'", "a", VALID },
    { "xs:integer", "", "123", VALID },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *field =
        g_strdup_printf ("<field var='a' type='text-single'>"
                         "<validate xmlns='http://jabber.org/protocol/xdata-validate'"
                         " datatype='%s'><range %s/></validate></field>",
                         cases[i].datatype, cases[i].range);

      g_test_message ("%s %s %s", cases[i].datatype, cases[i].range, cases[i].value);
      g_assert_cmpint (validate_with (field, cases[i].value), ==, cases[i].code);
    }
}

static void
test_validate_regex (void)
{
  const char *ssn = "<field var='ssn' type='text-single'>"
                    "<validate xmlns='http://jabber.org/protocol/xdata-validate' datatype='xs:string'>"
                    "<regex>([0-9]{3})-([0-9]{2})-([0-9]{4})</regex></validate></field>";
  const char *broken = "<field var='a' type='text-single'>"
                       "<validate xmlns='http://jabber.org/protocol/xdata-validate'>"
                       "<regex>([0-9</regex></validate></field>";
  const char *typed = "<field var='a' type='text-single'>"
                      "<validate xmlns='http://jabber.org/protocol/xdata-validate' datatype='xs:integer'>"
                      "<regex>[0-9]{2}</regex></validate></field>";

  g_assert_cmpint (validate_with (ssn, "123-12-1234"), ==, VALID);
  /* The pattern constrains the whole value. */
  g_assert_cmpint (validate_with (ssn, "x123-12-1234"), ==, INVALID);
  g_assert_cmpint (validate_with (ssn, "123-12-12345"), ==, INVALID);
  g_assert_cmpint (validate_with (ssn, "123-12-1234\n"), ==, INVALID);
  /* An empty optional field is not checked. */
  g_assert_cmpint (validate_with (ssn, ""), ==, VALID);
  /* A pattern that does not compile cannot be held against the user. */
  g_assert_cmpint (validate_with (broken, "anything"), ==, VALID);
  /* The datatype still applies. */
  g_assert_cmpint (validate_with (typed, "12"), ==, VALID);
  g_assert_cmpint (validate_with (typed, "ab"), ==, INVALID);
}

/* Each error names the field as the user sees it. */
static void
test_validate_messages (void)
{
  g_autoptr(XmppDataField) field = xmpp_data_field_new (XMPP_DATA_FIELD_TEXT_SINGLE, "nick");
  g_autoptr(GError) error = NULL;

  xmpp_data_field_set_required (field, TRUE);
  g_assert_false (xmpp_data_field_validate (field, &error));
  g_assert_nonnull (strstr (error->message, "nick"));
  g_clear_error (&error);

  xmpp_data_field_set_label (field, "Nickname");
  g_assert_false (xmpp_data_field_validate (field, &error));
  g_assert_error (error, XMPP_DATA_FORM_ERROR, XMPP_DATA_FORM_ERROR_REQUIRED);
  g_assert_nonnull (strstr (error->message, "Nickname"));
}

/* Values as widgets see them */

typedef struct {
  guint values, value, boolean, text, label, other;
} Notifications;

static void
on_notify (GObject    *object,
           GParamSpec *pspec,
           gpointer    user_data)
{
  Notifications *n = user_data;

  if (strcmp (pspec->name, "values") == 0)
    n->values++;
  else if (strcmp (pspec->name, "value") == 0)
    n->value++;
  else if (strcmp (pspec->name, "boolean") == 0)
    n->boolean++;
  else if (strcmp (pspec->name, "text") == 0)
    n->text++;
  else if (strcmp (pspec->name, "label") == 0)
    n->label++;
  else
    n->other++;
}

static void
test_field_notify (void)
{
  g_autoptr(XmppDataField) field = xmpp_data_field_new (XMPP_DATA_FIELD_BOOLEAN, "flag");
  Notifications n = { 0 };
  g_autofree char *value = NULL;
  gboolean b = FALSE;

  g_signal_connect (field, "notify", G_CALLBACK (on_notify), &n);

  xmpp_data_field_set_boolean (field, TRUE);
  g_assert_cmpuint (n.values, ==, 1);
  g_assert_cmpuint (n.value, ==, 1);
  g_assert_cmpuint (n.boolean, ==, 1);
  g_assert_cmpuint (n.text, ==, 1);
  g_assert_cmpstr (xmpp_data_field_get_value (field), ==, "1");

  /* No change, no notification: bindings do not loop. */
  xmpp_data_field_set_value (field, "1");
  g_object_set (field, "boolean", TRUE, NULL);
  g_assert_cmpuint (n.values, ==, 1);

  g_object_set (field, "value", "false", NULL);
  g_object_get (field, "boolean", &b, "value", &value, NULL);
  g_assert_false (b);
  g_assert_cmpstr (value, ==, "false");
  g_assert_cmpuint (n.boolean, ==, 2);

  xmpp_data_field_set_label (field, "Flag");
  xmpp_data_field_set_label (field, "Flag");
  g_assert_cmpuint (n.label, ==, 1);
  g_assert_cmpuint (n.other, ==, 0);
}

static void
test_field_text (void)
{
  g_autoptr(XmppDataField) field = xmpp_data_field_new (XMPP_DATA_FIELD_TEXT_MULTI, "t");
  g_autofree char *text = NULL;
  g_autofree char *empty = NULL;

  g_object_set (field, "text", "one\r\ntwo\n\nfour", NULL);
  assert_values (field, "one", "two", "", "four", NULL);
  g_object_get (field, "text", &text, NULL);
  g_assert_cmpstr (text, ==, "one\ntwo\n\nfour");

  xmpp_data_field_set_text (field, "");
  g_assert_cmpuint (xmpp_data_field_get_n_values (field), ==, 0);
  empty = xmpp_data_field_dup_text (field);
  g_assert_cmpstr (empty, ==, "");
}

typedef struct {
  guint position, removed, added, calls;
} ItemsChanged;

static void
on_items_changed (GListModel *model,
                  guint       position,
                  guint       removed,
                  guint       added,
                  gpointer    user_data)
{
  ItemsChanged *c = user_data;

  c->position = position;
  c->removed = removed;
  c->added = added;
  c->calls++;
}

static void
test_form_model (void)
{
  g_autoptr(XmppDataForm) form = xmpp_data_form_new (XMPP_DATA_FORM_KIND_FORM, "urn:example");
  GListModel *fields = xmpp_data_form_get_fields (form);
  g_autoptr(XmppDataField) field = xmpp_data_field_new (XMPP_DATA_FIELD_JID_SINGLE, "who");
  ItemsChanged c = { 0 };

  g_assert_cmpuint (g_list_model_get_n_items (fields), ==, 1);
  g_signal_connect (fields, "items-changed", G_CALLBACK (on_items_changed), &c);

  xmpp_data_form_add_field (form, field);
  g_assert_cmpuint (c.calls, ==, 1);
  g_assert_cmpuint (c.position, ==, 1);
  g_assert_cmpuint (c.removed, ==, 0);
  g_assert_cmpuint (c.added, ==, 1);
  g_assert_true (xmpp_data_form_get_field (form, "who") == field);

  /* Setting an existing field changes no row; a new name adds one. */
  xmpp_data_form_set_value (form, "who", "a@b.c");
  g_assert_cmpuint (c.calls, ==, 1);
  xmpp_data_form_set_value (form, "new", "x");
  g_assert_cmpuint (c.calls, ==, 2);
  g_assert_cmpuint (c.position, ==, 2);
  g_assert_false (xmpp_data_field_get_has_type (xmpp_data_form_get_field (form, "new")));
  g_assert_cmpstr (xmpp_data_form_get_form_type (form), ==, "urn:example");
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/xmpp/data-form/parse/bot-form", test_parse_bot_form);
  g_test_add_func ("/xmpp/data-form/parse/bot-submit", test_parse_bot_submit);
  g_test_add_func ("/xmpp/data-form/parse/search-result", test_parse_search_result);
  g_test_add_func ("/xmpp/data-form/parse/captcha-register", test_parse_captcha_register);
  g_test_add_func ("/xmpp/data-form/parse/captcha-media", test_parse_captcha_media);
  g_test_add_func ("/xmpp/data-form/parse/mam", test_parse_mam);
  g_test_add_func ("/xmpp/data-form/parse/softwareinfo", test_parse_softwareinfo);
  g_test_add_func ("/xmpp/data-form/parse/lenient", test_parse_lenient);
  g_test_add_func ("/xmpp/data-form/parse/malformed", test_parse_malformed);
  g_test_add_func ("/xmpp/data-form/parse/accepts", test_parse_accepts);
  g_test_add_func ("/xmpp/data-form/round-trip/examples", test_round_trip);
  g_test_add_func ("/xmpp/data-form/round-trip/exact", test_round_trip_exact);
  g_test_add_func ("/xmpp/data-form/build/canonical", test_build_canonical);
  g_test_add_func ("/xmpp/data-form/build/mam-query", test_build_mam_query);
  g_test_add_func ("/xmpp/data-form/submit/bot", test_submit_bot);
  g_test_add_func ("/xmpp/data-form/submit/empty-fields", test_submit_empty_fields);
  g_test_add_func ("/xmpp/data-form/submit/normalises", test_submit_normalises);
  g_test_add_func ("/xmpp/data-form/submit/cancel", test_cancel);
  g_test_add_func ("/xmpp/data-form/validate/required", test_validate_required);
  g_test_add_func ("/xmpp/data-form/validate/single-value", test_validate_single_value);
  g_test_add_func ("/xmpp/data-form/validate/text", test_validate_text);
  g_test_add_func ("/xmpp/data-form/validate/lists", test_validate_lists);
  g_test_add_func ("/xmpp/data-form/validate/jids", test_validate_jids);
  g_test_add_func ("/xmpp/data-form/validate/boolean", test_validate_boolean);
  g_test_add_func ("/xmpp/data-form/validate/datatypes", test_validate_datatypes);
  g_test_add_func ("/xmpp/data-form/validate/range", test_validate_range);
  g_test_add_func ("/xmpp/data-form/validate/regex", test_validate_regex);
  g_test_add_func ("/xmpp/data-form/validate/messages", test_validate_messages);
  g_test_add_func ("/xmpp/data-form/field/notify", test_field_notify);
  g_test_add_func ("/xmpp/data-form/field/text", test_field_text);
  g_test_add_func ("/xmpp/data-form/form/model", test_form_model);

  return g_test_run ();
}
