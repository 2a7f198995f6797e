## Teksty wspólne: układ, nagłówek, stopka i podpis.

# Nazwa produktu w tekście. Nie tłumaczyć.
-brand-name = Northwind

common-header-logo = { -brand-name }
    .alt = Logo { -brand-name }

common-greeting = Cześć { $name },

common-signoff = Pozdrawiamy
common-signature = Zespół { -brand-name }

common-button-fallback = Jeśli przycisk nie działa, skopiuj ten link i wklej go w przeglądarce:

## Stopka

common-footer-help-center = Centrum pomocy
common-footer-privacy = Polityka prywatności
common-footer-terms = Regulamin
common-footer-preferences = Ustawienia powiadomień
common-footer-unsubscribe = Wypisz się
common-footer-copyright = © { $company }. Wszelkie prawa zastrzeżone.
