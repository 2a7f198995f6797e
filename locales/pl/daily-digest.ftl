## Szablon: daily-digest

daily-digest-subject = Dzienne podsumowanie: { $workspace }
daily-digest-heading = Co wczoraj udało się zrobić Twojemu zespołowi
daily-digest-greeting = Dzień dobry, { $name }! Oto podsumowanie wczorajszych postępów.
daily-digest-summary = { $people ->
    [one] Jedna osoba ukończyła
    [few] { $people } osoby ukończyły
    [many] { $people } osób ukończyło
   *[other] { $people } osoby ukończyły
} wczoraj { $tasks ->
    [one] jedno zadanie
    [few] { $tasks } zadania
    [many] { $tasks } zadań
   *[other] { $tasks } zadania
}.

## Jeden blok na osobę

daily-digest-person-tasks = { $count ->
    [one] 1 ukończone zadanie
    [few] { $count } ukończone zadania
    [many] { $count } ukończonych zadań
   *[other] { $count } ukończonego zadania
}
daily-digest-person-comments = { $count ->
    [0] brak komentarzy
    [one] 1 komentarz
    [few] { $count } komentarze
    [many] { $count } komentarzy
   *[other] { $count } komentarza
}
daily-digest-task-project = w projekcie { $project }
daily-digest-cta = Otwórz { $workspace }

## Dzień bez ukończonych zadań

daily-digest-empty-preheader = Wczoraj w obszarze roboczym { $workspace } nie ukończono żadnego zadania.
daily-digest-empty-title = Spokojny dzień
daily-digest-empty-body = Wczoraj nikt nie ukończył żadnego zadania – i nic się nie stało. Planowanie, przeglądy i praca wymagająca skupienia nie zawsze kończą się odhaczonym polem. Wrócimy jutro rano z nowymi informacjami.
daily-digest-empty-cta = Zaplanuj dzisiejszą pracę

daily-digest-footer-reason = Otrzymujesz to dzienne podsumowanie, ponieważ należysz do obszaru roboczego { $workspace }.
