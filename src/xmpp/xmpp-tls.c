/* xmpp-tls.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "xmpp-tls.h"
#include "xmpp-error.h"

#include <glib/gi18n-lib.h>
#include <gnutls/crypto.h>
#include <gnutls/gnutls.h>
#include <gnutls/x509.h>
#include <string.h>

/* Certificate details */

static char *
datum_to_string (gnutls_datum_t *d)
{
  char *s = g_strndup ((const char *) d->data, d->size);

  gnutls_free (d->data);
  return s;
}

static GStrv
read_dns_names (gnutls_x509_crt_t crt)
{
  GStrvBuilder *names = g_strv_builder_new ();
  GStrv result;

  for (unsigned seq = 0; ; seq++)
    {
      char buf[1024];
      size_t size = sizeof buf - 1;
      int type = gnutls_x509_crt_get_subject_alt_name (crt, seq, buf, &size, NULL);

      if (type == GNUTLS_E_REQUESTED_DATA_NOT_AVAILABLE)
        break;
      if (type == GNUTLS_SAN_DNSNAME && size < sizeof buf)
        {
          buf[size] = '\0';
          if (g_utf8_validate (buf, -1, NULL))
            g_strv_builder_add (names, buf);
        }
    }
  result = g_strv_builder_end (names);
  g_strv_builder_unref (names);
  return result;
}

static void
read_details (XmppCertificateInfo *info,
              const GByteArray    *der)
{
  gnutls_x509_crt_t crt;
  gnutls_datum_t datum = { der->data, der->len };
  gnutls_datum_t out;

  if (gnutls_x509_crt_init (&crt) < 0)
    return;
  if (gnutls_x509_crt_import (crt, &datum, GNUTLS_X509_FMT_DER) == 0)
    {
      if (gnutls_x509_crt_get_dn3 (crt, &out, 0) == 0)
        info->subject = datum_to_string (&out);
      if (gnutls_x509_crt_get_issuer_dn3 (crt, &out, 0) == 0)
        info->issuer = datum_to_string (&out);
      info->not_before = g_date_time_new_from_unix_utc (gnutls_x509_crt_get_activation_time (crt));
      info->not_after = g_date_time_new_from_unix_utc (gnutls_x509_crt_get_expiration_time (crt));
      info->names = read_dns_names (crt);
    }
  gnutls_x509_crt_deinit (crt);
}

XmppCertificateInfo *
xmpp_certificate_info_new (GTlsCertificate      *certificate,
                           GTlsCertificateFlags  errors)
{
  XmppCertificateInfo *info = g_new0 (XmppCertificateInfo, 1);
  g_autoptr(GByteArray) der = NULL;
  unsigned char digest[32];
  gnutls_datum_t datum;

  g_object_get (certificate, "certificate", &der, NULL);
  info->errors = errors;
  datum.data = der->data;
  datum.size = der->len;
  if (gnutls_hash_fast (GNUTLS_DIG_SHA256, datum.data, datum.size, digest) == 0)
    {
      GString *hex = g_string_sized_new (64);
      for (guint i = 0; i < sizeof digest; i++)
        g_string_append_printf (hex, "%02x", digest[i]);
      info->sha256 = g_string_free (hex, FALSE);
    }
  else
    info->sha256 = g_strdup ("");
  read_details (info, der);
  if (info->names == NULL)
    info->names = g_new0 (char *, 1);
  return info;
}

XmppCertificateInfo *
xmpp_certificate_info_copy (const XmppCertificateInfo *info)
{
  XmppCertificateInfo *copy = g_new0 (XmppCertificateInfo, 1);

  copy->sha256 = g_strdup (info->sha256);
  copy->subject = g_strdup (info->subject);
  copy->issuer = g_strdup (info->issuer);
  copy->not_before = info->not_before ? g_date_time_ref (info->not_before) : NULL;
  copy->not_after = info->not_after ? g_date_time_ref (info->not_after) : NULL;
  copy->names = g_strdupv (info->names);
  copy->errors = info->errors;
  return copy;
}

void
xmpp_certificate_info_free (XmppCertificateInfo *info)
{
  if (info == NULL)
    return;
  g_free (info->sha256);
  g_free (info->subject);
  g_free (info->issuer);
  g_clear_pointer (&info->not_before, g_date_time_unref);
  g_clear_pointer (&info->not_after, g_date_time_unref);
  g_strfreev (info->names);
  g_free (info);
}

char *
xmpp_certificate_info_format_fingerprint (const char *sha256)
{
  GString *out = g_string_new (NULL);

  for (const char *p = sha256; p[0] && p[1]; p += 2)
    {
      if (out->len > 0)
        g_string_append_c (out, ':');
      g_string_append_c (out, g_ascii_toupper (p[0]));
      g_string_append_c (out, g_ascii_toupper (p[1]));
    }
  return g_string_free (out, FALSE);
}

char *
xmpp_certificate_normalize_fingerprint (const char *typed)
{
  GString *out = g_string_new (NULL);

  for (const char *p = typed; *p; p++)
    {
      if (g_ascii_isxdigit (*p))
        g_string_append_c (out, g_ascii_tolower (*p));
      else if (*p != ':' && *p != ' ')
        break;
    }
  if (out->len != 64)
    {
      g_string_free (out, TRUE);
      return NULL;
    }
  return g_string_free (out, FALSE);
}

static void
append_errors (GString              *out,
               GTlsCertificateFlags  errors)
{
  static const struct { GTlsCertificateFlags flag; const char *text; } reasons[] = {
    { G_TLS_CERTIFICATE_UNKNOWN_CA, N_("it is not signed by a known certificate authority") },
    { G_TLS_CERTIFICATE_BAD_IDENTITY, N_("it is not for this server’s domain") },
    { G_TLS_CERTIFICATE_NOT_ACTIVATED, N_("it is not valid yet") },
    { G_TLS_CERTIFICATE_EXPIRED, N_("it has expired") },
    { G_TLS_CERTIFICATE_REVOKED, N_("it has been revoked") },
    { G_TLS_CERTIFICATE_INSECURE, N_("it uses an insecure algorithm") },
    { G_TLS_CERTIFICATE_GENERIC_ERROR, N_("it could not be checked") },
  };
  gboolean first = TRUE;

  for (guint i = 0; i < G_N_ELEMENTS (reasons); i++)
    if (errors & reasons[i].flag)
      {
        if (!first)
          g_string_append (out, _(", "));
        g_string_append (out, _(reasons[i].text));
        first = FALSE;
      }
  if (first)
    g_string_append (out, _("it could not be checked"));
}

char *
xmpp_certificate_info_describe (const XmppCertificateInfo *info)
{
  GString *out = g_string_new (NULL);
  g_autofree char *fingerprint = xmpp_certificate_info_format_fingerprint (info->sha256);
  g_autofree char *from = info->not_before ? g_date_time_format_iso8601 (info->not_before) : NULL;
  g_autofree char *until = info->not_after ? g_date_time_format_iso8601 (info->not_after) : NULL;
  g_autofree char *names = g_strjoinv (", ", info->names);

  if (info->errors != 0)
    {
      g_string_append (out, _("Problems: "));
      append_errors (out, info->errors);
      g_string_append_c (out, '\n');
    }
  g_string_append_printf (out, _("SHA-256 fingerprint: %s\n"), fingerprint);
  g_string_append_printf (out, _("Subject: %s\n"), info->subject ? info->subject : "");
  g_string_append_printf (out, _("Issuer: %s\n"), info->issuer ? info->issuer : "");
  g_string_append_printf (out, _("Valid from %s until %s\n"), from ? from : "?", until ? until : "?");
  g_string_append_printf (out, _("Names: %s\n"), names);
  return g_string_free (out, FALSE);
}

/* The handshake */

typedef struct {
  GStrv                pins;
  XmppCertificateInfo *presented;   /* set when the certificate did not verify */
} TlsState;

static void
tls_state_free (TlsState *state)
{
  g_strfreev (state->pins);
  xmpp_certificate_info_free (state->presented);
  g_free (state);
}

/* Called only when the certificate did not verify: a pin the user made
 * for this account is the one way left to accept it. */
static gboolean
on_accept_certificate (GTlsConnection       *tls,
                       GTlsCertificate      *certificate,
                       GTlsCertificateFlags  errors,
                       TlsState             *state)
{
  xmpp_certificate_info_free (state->presented);
  state->presented = xmpp_certificate_info_new (certificate, errors);
  return state->pins != NULL && g_strv_contains ((const char * const *) state->pins,
                                                 state->presented->sha256);
}

GIOStream *
xmpp_tls_client_new (GIOStream           *base,
                     const char          *domain,
                     GTlsDatabase        *database,
                     const char * const  *pins,
                     gboolean             alpn,
                     GError             **error)
{
  g_autoptr(GSocketConnectable) identity = g_network_address_new (domain, 0);
  GIOStream *tls = g_tls_client_connection_new (base, identity, error);
  TlsState *state;

  if (tls == NULL)
    return NULL;
  if (database != NULL)
    g_tls_connection_set_database (G_TLS_CONNECTION (tls), database);
  if (alpn)
    {
      const char *protocols[] = { "xmpp-client", NULL };
      g_tls_connection_set_advertised_protocols (G_TLS_CONNECTION (tls), protocols);
    }
  state = g_new0 (TlsState, 1);
  state->pins = g_strdupv ((char **) pins);
  g_object_set_data_full (G_OBJECT (tls), "xmpp-tls-state", state, (GDestroyNotify) tls_state_free);
  g_signal_connect (tls, "accept-certificate", G_CALLBACK (on_accept_certificate), state);
  return tls;
}

GError *
xmpp_tls_explain_failure (GIOStream            *tls,
                          const GError         *handshake_error,
                          XmppCertificateInfo **info)
{
  TlsState *state = g_object_get_data (G_OBJECT (tls), "xmpp-tls-state");
  g_autoptr(GString) why = g_string_new (NULL);

  if (info != NULL)
    *info = NULL;
  if (state == NULL || state->presented == NULL ||
      !g_error_matches (handshake_error, G_TLS_ERROR, G_TLS_ERROR_BAD_CERTIFICATE))
    return g_error_new (XMPP_TLS_ERROR, XMPP_TLS_ERROR_HANDSHAKE,
                        _("The secure connection to the server failed (%s)."),
                        handshake_error->message);

  if (info != NULL)
    *info = xmpp_certificate_info_copy (state->presented);
  append_errors (why, state->presented->errors);
  if (state->pins != NULL && state->pins[0] != NULL)
    return g_error_new (XMPP_TLS_ERROR, XMPP_TLS_ERROR_PIN_MISMATCH,
                        _("The server’s certificate has changed since you accepted it, and it "
                          "cannot be verified: %s."), why->str);
  return g_error_new (XMPP_TLS_ERROR, XMPP_TLS_ERROR_UNTRUSTED,
                      _("The server’s certificate cannot be verified: %s."), why->str);
}

const char *
xmpp_tls_protocol_name (GTlsProtocolVersion version)
{
  switch (version)
    {
    case G_TLS_PROTOCOL_VERSION_TLS_1_0: return "TLS 1.0";
    case G_TLS_PROTOCOL_VERSION_TLS_1_1: return "TLS 1.1";
    case G_TLS_PROTOCOL_VERSION_TLS_1_2: return "TLS 1.2";
    case G_TLS_PROTOCOL_VERSION_TLS_1_3: return "TLS 1.3";
    case G_TLS_PROTOCOL_VERSION_SSL_3_0: return "SSL 3.0";
    case G_TLS_PROTOCOL_VERSION_DTLS_1_0: return "DTLS 1.0";
    case G_TLS_PROTOCOL_VERSION_DTLS_1_2: return "DTLS 1.2";
    case G_TLS_PROTOCOL_VERSION_UNKNOWN:
    default: return "unknown";
    }
}
