## Vorlage: receipt (in Deutschland mit body.de.mjml)

receipt-subject = Ihre Rechnung { $number } von { -brand-name }
receipt-preheader = Wir haben Ihre Zahlung über { $amount } am { $date } erhalten. Vielen Dank!
receipt-status-paid = Bezahlt
receipt-heading = Vielen Dank für Ihre Zahlung
receipt-intro = Wir haben Ihre Zahlung über { $amount } für den Workspace { $workspace } erhalten. Unten finden Sie die Einzelheiten; die Rechnung können Sie außerdem als PDF für Ihre Unterlagen herunterladen.

## Rechnungsangaben

receipt-invoice-number = Rechnungsnummer
receipt-invoice-date = Rechnungsdatum
receipt-billing-period = Leistungszeitraum
receipt-payment-method = Zahlungsart
receipt-payment-card = { $brand } mit Endziffern { $last4 }
receipt-billed-to = Rechnungsempfänger
receipt-billed-by = Rechnungssteller
receipt-vat-id = USt-IdNr.: { $id }

## Positionen

receipt-col-description = Leistung
receipt-col-quantity = Menge
receipt-col-unit-price = Einzelpreis
receipt-col-amount = Betrag
receipt-subtotal = Nettobetrag
receipt-vat = Umsatzsteuer { $rate } %
receipt-total-paid = Gesamtbetrag (bezahlt)
receipt-paid-on = Bezahlt am { $date }

receipt-download-pdf = Rechnung als PDF herunterladen
receipt-manage-billing = Zahlungen und Rechnungen verwalten
receipt-questions = Fragen zu dieser Rechnung? Antworten Sie einfach auf diese E-Mail oder schreiben Sie an { $email } – wir melden uns innerhalb eines Werktags.
receipt-footer-reason = Sie erhalten diese E-Mail, weil Sie als Rechnungskontakt für den Workspace { $workspace } hinterlegt sind.
