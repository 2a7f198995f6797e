## Vorlage: password-reset (Sicherheits-E-Mail mit eigenem Textteil)

password-reset-subject = Passwort für Ihr { -brand-name }-Konto zurücksetzen
password-reset-preheader = { $minutes ->
    [one] Ihr Link zum Zurücksetzen ist eine Minute lang gültig.
   *[other] Ihr Link zum Zurücksetzen ist { $minutes } Minuten lang gültig.
}
password-reset-heading = Passwort zurücksetzen
password-reset-intro = Wir haben eine Anfrage erhalten, das Passwort für das { -brand-name }-Konto { $email } zurückzusetzen.
password-reset-cta = Passwort zurücksetzen
password-reset-text-link = Öffnen Sie diesen Link, um ein neues Passwort festzulegen:
password-reset-expiry = { $minutes ->
    [one] Aus Sicherheitsgründen ist dieser Link nur eine Minute lang gültig und kann nur einmal verwendet werden.
   *[other] Aus Sicherheitsgründen ist dieser Link nur { $minutes } Minuten lang gültig und kann nur einmal verwendet werden.
}

## Details zur Anfrage

password-reset-details-title = Details zur Anfrage
password-reset-detail-date = Angefordert am: { $date }
password-reset-detail-ip = IP-Adresse: { $ip }
password-reset-detail-device = Gerät: { $device }
password-reset-detail-location = Ungefährer Standort: { $location }
password-reset-detail-unavailable = Gerät und Standort dieser Anfrage konnten nicht ermittelt werden.

password-reset-not-you = Falls Sie das Zurücksetzen nicht angefordert haben, können Sie diese E-Mail ignorieren – Ihr Passwort bleibt unverändert. Wenn Sie vermuten, dass sich jemand Zugriff auf Ihr Konto verschaffen will, wenden Sie sich bitte an { $email }.
password-reset-footer-reason = Wir haben diesen Sicherheitshinweis an { $email } gesendet, weil für Ihr Konto das Zurücksetzen des Passworts angefordert wurde.
