## Modèle : team-invitation

team-invitation-subject = { $inviter } vous invite à rejoindre { $workspace } sur { -brand-name }
team-invitation-preheader = { $days ->
    [one] Acceptez l’invitation sous { $days } jour pour commencer à travailler avec votre équipe.
   *[other] Acceptez l’invitation sous { $days } jours pour commencer à travailler avec votre équipe.
}
team-invitation-heading = Rejoignez { $workspace }
team-invitation-intro = { $inviter } ({ $email }) vous invite à collaborer dans l’espace de travail { $workspace } sur { -brand-name }.
team-invitation-members = { $count ->
    [one] Vous serez la deuxième personne de cet espace de travail.
   *[other] { $count } personnes travaillent déjà dans cet espace de travail.
}
team-invitation-message-label = Un mot de { $inviter } :

## Rôle de la personne invitée

team-invitation-role-label = Votre rôle
team-invitation-role-name = { $role ->
    [admin] Admin
    [guest] Invité
   *[member] Membre
}
team-invitation-role-description = { $role ->
    [admin] Gérez les membres, la facturation et tous les projets de l’espace de travail.
    [guest] Consultez et commentez les projets qui sont partagés avec vous.
   *[member] Créez des projets, gérez les tâches et collaborez avec toute l’équipe.
}

team-invitation-cta = Accepter l’invitation
team-invitation-expiry = { $days ->
    [one] Cette invitation expire dans { $days } jour.
   *[other] Cette invitation expire dans { $days } jours.
}
team-invitation-ignore = Vous ne vous attendiez pas à cette invitation ? Vous pouvez ignorer cet e-mail : vous ne rejoindrez l’espace de travail que si vous acceptez l’invitation.
team-invitation-footer-reason = Cette invitation a été envoyée à { $email } à la demande de { $inviter }.
