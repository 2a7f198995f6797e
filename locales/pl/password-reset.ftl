## Szablon: password-reset (wiadomość o bezpieczeństwie z ręcznie napisaną wersją tekstową)

password-reset-subject = Zresetuj hasło do { -brand-name }
password-reset-preheader = { $minutes ->
    [one] Link do zresetowania hasła wygaśnie za minutę.
    [few] Link do zresetowania hasła wygaśnie za { $minutes } minuty.
    [many] Link do zresetowania hasła wygaśnie za { $minutes } minut.
   *[other] Link do zresetowania hasła wygaśnie za { $minutes } minuty.
}
password-reset-heading = Zresetuj hasło
password-reset-intro = Otrzymaliśmy prośbę o zresetowanie hasła do konta { -brand-name } powiązanego z adresem { $email }.
password-reset-cta = Zresetuj hasło
password-reset-text-link = Otwórz ten link, aby ustawić nowe hasło:
password-reset-expiry = { $minutes ->
    [one] Ze względów bezpieczeństwa link wygaśnie za minutę i można go użyć tylko raz.
    [few] Ze względów bezpieczeństwa link wygaśnie za { $minutes } minuty i można go użyć tylko raz.
    [many] Ze względów bezpieczeństwa link wygaśnie za { $minutes } minut i można go użyć tylko raz.
   *[other] Ze względów bezpieczeństwa link wygaśnie za { $minutes } minuty i można go użyć tylko raz.
}

## Szczegóły prośby

password-reset-details-title = Szczegóły prośby
password-reset-detail-date = Data prośby: { $date }
password-reset-detail-ip = Adres IP: { $ip }
password-reset-detail-device = Urządzenie: { $device }
password-reset-detail-location = Przybliżona lokalizacja: { $location }
password-reset-detail-unavailable = Nie udało się ustalić urządzenia ani lokalizacji, z których wysłano tę prośbę.

password-reset-not-you = Jeśli to nie Ty prosisz o zmianę hasła, zignoruj tę wiadomość – Twoje hasło pozostanie bez zmian. Jeśli podejrzewasz, że ktoś próbuje uzyskać dostęp do Twojego konta, napisz do nas na adres { $email }.
password-reset-footer-reason = Wysłaliśmy to powiadomienie o bezpieczeństwie na adres { $email }, ponieważ dla Twojego konta zgłoszono prośbę o zresetowanie hasła.
