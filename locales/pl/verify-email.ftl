## Szablon: verify-email

verify-email-subject = Potwierdź swój adres e-mail
verify-email-preheader = Twój kod weryfikacyjny: { $code }.
verify-email-heading = Potwierdź swój adres e-mail
verify-email-intro = Potwierdź, że { $email } to Twój adres e-mail, abyśmy mogli dokończyć zakładanie Twojego konta w { -brand-name }.
verify-email-cta = Potwierdź adres e-mail
verify-email-code-intro = Możesz też wpisać ten kod w aplikacji:
verify-email-expiry = { $hours ->
    [one] Link i kod wygasają za godzinę.
    [few] Link i kod wygasają za { $hours } godziny.
    [many] Link i kod wygasają za { $hours } godzin.
   *[other] Link i kod wygasają za { $hours } godziny.
}
verify-email-ignore = Nie zakładasz konta w { -brand-name }? Możesz bezpiecznie zignorować tę wiadomość. Bez potwierdzenia konto nie zostanie utworzone.
verify-email-footer-reason = Otrzymujesz tę wiadomość, ponieważ ktoś użył adresu { $email } do rejestracji w { -brand-name }.
