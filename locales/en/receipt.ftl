## Template: receipt

# $number is the invoice number, e.g. "NW-2026-004817".
receipt-subject = Your { -brand-name } receipt { $number }
# $amount is a formatted amount with currency, $date a formatted date.
receipt-preheader = We received your payment of { $amount } on { $date }. Thank you!
receipt-status-paid = Paid
receipt-heading = Thanks for your payment
receipt-intro = We received your payment of { $amount } for the { $workspace } workspace. Here is your receipt. You can also download the invoice as a PDF for your records.

## Invoice details

receipt-invoice-number = Invoice number
receipt-invoice-date = Invoice date
receipt-billing-period = Billing period
receipt-payment-method = Payment method
# $brand is the card network, e.g. "Visa"; $last4 the last four digits.
receipt-payment-card = { $brand } ending in { $last4 }
receipt-billed-to = Billed to
receipt-billed-by = Billed by
receipt-vat-id = VAT ID: { $id }

## Line items table

receipt-col-description = Description
receipt-col-quantity = Qty
receipt-col-unit-price = Unit price
receipt-col-amount = Amount
receipt-subtotal = Subtotal
# $rate is a formatted number without the percent sign, e.g. "19".
receipt-vat = VAT ({ $rate }%)
receipt-total-paid = Total paid
receipt-paid-on = Paid on { $date }

receipt-download-pdf = Download PDF invoice
receipt-manage-billing = Manage billing and invoices
receipt-questions = Questions about this invoice? Reply to this email or write to { $email }, and we'll get back to you within one business day.
receipt-footer-reason = You're receiving this email because you're a billing contact for the { $workspace } workspace.
