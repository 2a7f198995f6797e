## Vorlage: daily-digest

daily-digest-subject = Ihre tägliche Zusammenfassung für { $workspace }
daily-digest-heading = Das hat Ihr Team gestern geschafft
daily-digest-greeting = Guten Morgen, { $name }! Hier ist der Überblick über den gestrigen Tag.
daily-digest-summary = { $people ->
    [one] Eine Person hat
   *[other] { $people } Personen haben
} gestern { $tasks ->
    [one] eine Aufgabe
   *[other] { $tasks } Aufgaben
} erledigt.

## Ein Block pro Person

daily-digest-person-tasks = { $count ->
    [one] 1 Aufgabe erledigt
   *[other] { $count } Aufgaben erledigt
}
daily-digest-person-comments = { $count ->
    [0] keine Kommentare
    [one] 1 Kommentar
   *[other] { $count } Kommentare
}
daily-digest-task-project = in { $project }
daily-digest-cta = { $workspace } öffnen

## Tag ohne erledigte Aufgaben

daily-digest-empty-preheader = Gestern wurden in { $workspace } keine Aufgaben erledigt.
daily-digest-empty-title = Ein ruhiger Tag
daily-digest-empty-body = Gestern wurde keine Aufgabe abgeschlossen – und das ist völlig in Ordnung. Planung, Abstimmungen und konzentriertes Arbeiten zeigen sich nicht immer als abgehakte Kästchen. Morgen früh melden wir uns mit neuen Updates.
daily-digest-empty-cta = Heutige Arbeit planen

daily-digest-footer-reason = Sie erhalten diese tägliche Zusammenfassung, weil Sie Mitglied von { $workspace } sind.
