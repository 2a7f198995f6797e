## Vorlage: team-invitation

team-invitation-subject = { $inviter } hat Sie zu { $workspace } auf { -brand-name } eingeladen
team-invitation-preheader = { $days ->
    [one] Nehmen Sie die Einladung innerhalb eines Tages an und legen Sie mit Ihrem Team los.
   *[other] Nehmen Sie die Einladung innerhalb von { $days } Tagen an und legen Sie mit Ihrem Team los.
}
team-invitation-heading = Ihre Einladung zu { $workspace }
team-invitation-intro = { $inviter } ({ $email }) hat Sie eingeladen, im Workspace { $workspace } auf { -brand-name } mitzuarbeiten.
team-invitation-members = { $count ->
    [one] Sie sind die zweite Person in diesem Workspace.
   *[other] In diesem Workspace arbeiten bereits { $count } Personen.
}
team-invitation-message-label = Nachricht von { $inviter }:

## Rolle der eingeladenen Person

team-invitation-role-label = Ihre Rolle
team-invitation-role-name = { $role ->
    [admin] Admin
    [guest] Gast
   *[member] Mitglied
}
team-invitation-role-description = { $role ->
    [admin] Sie verwalten Mitglieder, Abrechnung und alle Projekte im Workspace.
    [guest] Sie können die Projekte, für die Sie freigeschaltet werden, ansehen und kommentieren.
   *[member] Sie können Projekte anlegen, Aufgaben verwalten und mit dem ganzen Team zusammenarbeiten.
}

team-invitation-cta = Einladung annehmen
team-invitation-expiry = { $days ->
    [one] Diese Einladung läuft in einem Tag ab.
   *[other] Diese Einladung läuft in { $days } Tagen ab.
}
team-invitation-ignore = Sie haben keine Einladung erwartet? Dann ignorieren Sie diese E-Mail einfach. Ohne Ihre Zustimmung werden Sie dem Workspace nicht hinzugefügt.
team-invitation-footer-reason = Diese Einladung wurde im Auftrag von { $inviter } an { $email } gesendet.
