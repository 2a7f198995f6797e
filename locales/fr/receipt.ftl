## Modèle : receipt

receipt-subject = Votre reçu { -brand-name } { $number }
receipt-preheader = Nous avons bien reçu votre paiement de { $amount } le { $date }. Merci !
receipt-status-paid = Payé
receipt-heading = Merci pour votre paiement
receipt-intro = Nous avons bien reçu votre paiement de { $amount } pour l’espace de travail { $workspace }. Voici votre reçu ; vous pouvez aussi télécharger la facture au format PDF pour vos archives.

## Informations de facturation

receipt-invoice-number = Numéro de facture
receipt-invoice-date = Date de facture
receipt-billing-period = Période de facturation
receipt-payment-method = Moyen de paiement
receipt-payment-card = { $brand } se terminant par { $last4 }
receipt-billed-to = Facturé à
receipt-billed-by = Émetteur
receipt-vat-id = N° de TVA : { $id }

## Tableau des lignes

receipt-col-description = Description
receipt-col-quantity = Qté
receipt-col-unit-price = Prix unitaire
receipt-col-amount = Montant
receipt-subtotal = Sous-total HT
receipt-vat = TVA ({ $rate } %)
receipt-total-paid = Total payé
receipt-paid-on = Payé le { $date }

receipt-download-pdf = Télécharger la facture (PDF)
receipt-manage-billing = Gérer la facturation et les factures
receipt-questions = Une question sur cette facture ? Répondez simplement à cet e-mail ou écrivez-nous à { $email } : nous vous répondrons sous un jour ouvré.
receipt-footer-reason = Vous recevez cet e-mail, car vous êtes le contact de facturation de l’espace de travail { $workspace }.
