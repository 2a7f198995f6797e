## Vorlage: verify-email

verify-email-subject = Bestätigen Sie Ihre E-Mail-Adresse
verify-email-preheader = Ihr Bestätigungscode lautet { $code }.
verify-email-heading = Bestätigen Sie Ihre E-Mail-Adresse
verify-email-intro = Bitte bestätigen Sie, dass { $email } Ihre E-Mail-Adresse ist, damit wir die Einrichtung Ihres { -brand-name }-Kontos abschließen können.
verify-email-cta = E-Mail-Adresse bestätigen
verify-email-code-intro = Oder geben Sie diesen Code in der App ein:
verify-email-expiry = { $hours ->
    [one] Link und Code sind eine Stunde lang gültig.
   *[other] Link und Code sind { $hours } Stunden lang gültig.
}
verify-email-ignore = Sie haben sich nicht bei { -brand-name } registriert? Dann können Sie diese E-Mail einfach ignorieren. Ohne Bestätigung wird kein Konto angelegt.
verify-email-footer-reason = Sie erhalten diese E-Mail, weil sich jemand mit { $email } bei { -brand-name } registriert hat.
