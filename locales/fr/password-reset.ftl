## Modèle : password-reset (e-mail de sécurité, avec une version texte rédigée à la main)

password-reset-subject = Réinitialisez votre mot de passe { -brand-name }
password-reset-preheader = { $minutes ->
    [one] Votre lien de réinitialisation expire dans { $minutes } minute.
   *[other] Votre lien de réinitialisation expire dans { $minutes } minutes.
}
password-reset-heading = Réinitialisez votre mot de passe
password-reset-intro = Nous avons reçu une demande de réinitialisation du mot de passe du compte { -brand-name } { $email }.
password-reset-cta = Réinitialiser le mot de passe
password-reset-text-link = Ouvrez ce lien pour choisir un nouveau mot de passe :
password-reset-expiry = { $minutes ->
    [one] Pour votre sécurité, ce lien expire dans { $minutes } minute et ne peut être utilisé qu’une seule fois.
   *[other] Pour votre sécurité, ce lien expire dans { $minutes } minutes et ne peut être utilisé qu’une seule fois.
}

## Détails de la demande

password-reset-details-title = Détails de la demande
password-reset-detail-date = Date de la demande : { $date }
password-reset-detail-ip = Adresse IP : { $ip }
password-reset-detail-device = Appareil : { $device }
password-reset-detail-location = Localisation approximative : { $location }
password-reset-detail-unavailable = Nous n’avons pas pu identifier l’appareil ni la localisation de cette demande.

password-reset-not-you = Si vous n’êtes pas à l’origine de cette demande, ignorez simplement cet e-mail : votre mot de passe restera inchangé. Si vous pensez que quelqu’un tente d’accéder à votre compte, contactez-nous à l’adresse { $email }.
password-reset-footer-reason = Nous avons envoyé cet avis de sécurité à { $email }, car une réinitialisation du mot de passe a été demandée pour votre compte.
