## Modèle : daily-digest

daily-digest-subject = Votre résumé quotidien de { $workspace }
daily-digest-heading = Ce que votre équipe a accompli hier
daily-digest-greeting = Bonjour { $name } ! Voici un aperçu de la journée d’hier.
daily-digest-summary = { $people ->
    [one] Une personne a
   *[other] { $people } personnes ont
} terminé { $tasks ->
    [one] une tâche
   *[other] { $tasks } tâches
} hier.

## Un bloc par personne

daily-digest-person-tasks = { $count ->
    [one] { $count } tâche terminée
   *[other] { $count } tâches terminées
}
daily-digest-person-comments = { $count ->
    [0] aucun commentaire
    [one] 1 commentaire
   *[other] { $count } commentaires
}
daily-digest-task-project = dans { $project }
daily-digest-cta = Ouvrir { $workspace }

## Journée sans tâche terminée

daily-digest-empty-preheader = Aucune tâche n’a été terminée hier dans { $workspace }.
daily-digest-empty-title = Une journée calme
daily-digest-empty-body = Personne n’a terminé de tâche hier, et ce n’est pas grave : la planification, les relectures et le travail de fond ne se traduisent pas toujours par des cases cochées. Nous reviendrons demain matin avec de nouvelles mises à jour.
daily-digest-empty-cta = Planifier la journée

daily-digest-footer-reason = Vous recevez ce résumé quotidien, car vous êtes membre de { $workspace }.
