## Szablon: team-invitation

team-invitation-subject = { $inviter } zaprasza Cię do obszaru roboczego { $workspace } w { -brand-name }
team-invitation-preheader = { $days ->
    [one] Przyjmij zaproszenie w ciągu jednego dnia i zacznij pracę ze swoim zespołem.
    [few] Przyjmij zaproszenie w ciągu { $days } dni i zacznij pracę ze swoim zespołem.
    [many] Przyjmij zaproszenie w ciągu { $days } dni i zacznij pracę ze swoim zespołem.
   *[other] Przyjmij zaproszenie w ciągu { $days } dnia i zacznij pracę ze swoim zespołem.
}
team-invitation-heading = Dołącz do obszaru roboczego { $workspace }
team-invitation-intro = { $inviter } ({ $email }) zaprasza Cię do współpracy w obszarze roboczym { $workspace } w { -brand-name }.
team-invitation-members = { $count ->
    [one] Będziesz drugą osobą w tym obszarze roboczym.
    [few] W tym obszarze roboczym pracują już { $count } osoby.
    [many] W tym obszarze roboczym pracuje już { $count } osób.
   *[other] W tym obszarze roboczym pracuje już { $count } osoby.
}
team-invitation-message-label = { $inviter } pisze:

## Rola zapraszanej osoby

team-invitation-role-label = Twoja rola
team-invitation-role-name = { $role ->
    [admin] Administrator
    [guest] Gość
   *[member] Członek zespołu
}
team-invitation-role-description = { $role ->
    [admin] Zarządzasz członkami, płatnościami i wszystkimi projektami w obszarze roboczym.
    [guest] Możesz przeglądać i komentować projekty, które zostaną Ci udostępnione.
   *[member] Możesz tworzyć projekty, zarządzać zadaniami i współpracować z całym zespołem.
}

team-invitation-cta = Przyjmij zaproszenie
team-invitation-expiry = { $days ->
    [one] To zaproszenie wygaśnie za jeden dzień.
    [few] To zaproszenie wygaśnie za { $days } dni.
    [many] To zaproszenie wygaśnie za { $days } dni.
   *[other] To zaproszenie wygaśnie za { $days } dnia.
}
team-invitation-ignore = Nie spodziewasz się tego zaproszenia? Możesz zignorować tę wiadomość. Bez Twojej akceptacji nikt nie doda Cię do obszaru roboczego.
team-invitation-footer-reason = To zaproszenie zostało wysłane na adres { $email }. Zapraszająca osoba: { $inviter }.
