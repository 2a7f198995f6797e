## Szablon: receipt

receipt-subject = Potwierdzenie płatności { -brand-name } – faktura { $number }
receipt-preheader = Dnia { $date } otrzymaliśmy Twoją płatność w wysokości { $amount }. Dziękujemy!
receipt-status-paid = Opłacono
receipt-heading = Dziękujemy za płatność
receipt-intro = Otrzymaliśmy Twoją płatność w wysokości { $amount } za obszar roboczy { $workspace }. Poniżej znajdziesz potwierdzenie, a fakturę w formacie PDF możesz pobrać do swojej dokumentacji.

## Dane faktury

receipt-invoice-number = Numer faktury
receipt-invoice-date = Data wystawienia
receipt-billing-period = Okres rozliczeniowy
receipt-payment-method = Metoda płatności
receipt-payment-card = { $brand } z końcówką { $last4 }
receipt-billed-to = Nabywca
receipt-billed-by = Sprzedawca
receipt-vat-id = Nr VAT: { $id }

## Tabela pozycji

receipt-col-description = Opis
receipt-col-quantity = Ilość
receipt-col-unit-price = Cena jedn.
receipt-col-amount = Kwota
receipt-subtotal = Suma netto
receipt-vat = VAT ({ $rate }%)
receipt-total-paid = Zapłacono łącznie
receipt-paid-on = Data płatności: { $date }

receipt-download-pdf = Pobierz fakturę PDF
receipt-manage-billing = Zarządzaj płatnościami i fakturami
receipt-questions = Masz pytania dotyczące tej faktury? Odpowiedz na tę wiadomość lub napisz na adres { $email } – odezwiemy się w ciągu jednego dnia roboczego.
receipt-footer-reason = Otrzymujesz tę wiadomość, ponieważ jesteś kontaktem rozliczeniowym obszaru roboczego { $workspace }.
