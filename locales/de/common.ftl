## Gemeinsame Texte: Layout, Kopfzeile, Fußzeile und Grußformel.

# Produktname im Fließtext. Wird nicht übersetzt.
-brand-name = Northwind

common-header-logo = { -brand-name }
    .alt = { -brand-name }-Logo

common-greeting = Hallo { $name },

common-signoff = Viele Grüße
common-signature = Ihr { -brand-name }-Team

common-button-fallback = Falls die Schaltfläche nicht funktioniert, kopieren Sie diesen Link in die Adresszeile Ihres Browsers:

## Fußzeile

common-footer-help-center = Hilfe-Center
common-footer-privacy = Datenschutzerklärung
common-footer-terms = Nutzungsbedingungen
common-footer-preferences = Benachrichtigungseinstellungen
common-footer-unsubscribe = Abmelden
common-footer-copyright = © { $company }. Alle Rechte vorbehalten.
