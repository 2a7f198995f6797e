## Modèle : verify-email

verify-email-subject = Confirmez votre adresse e-mail
verify-email-preheader = Votre code de vérification : { $code }.
verify-email-heading = Confirmez votre adresse e-mail
verify-email-intro = Merci de confirmer que { $email } est bien votre adresse e-mail afin que nous puissions finaliser la création de votre compte { -brand-name }.
verify-email-cta = Confirmer mon adresse e-mail
verify-email-code-intro = Ou saisissez ce code dans l’application :
verify-email-expiry = { $hours ->
    [one] Le lien et le code expirent dans { $hours } heure.
   *[other] Le lien et le code expirent dans { $hours } heures.
}
verify-email-ignore = Vous n’avez pas créé de compte { -brand-name } ? Vous pouvez ignorer cet e-mail en toute sécurité : aucun compte ne sera créé sans confirmation.
verify-email-footer-reason = Vous recevez cet e-mail, car quelqu’un a créé un compte { -brand-name } avec l’adresse { $email }.
