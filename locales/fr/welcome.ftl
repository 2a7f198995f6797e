## Modèle : welcome (envoyé juste après l’inscription)

welcome-subject = Bienvenue sur { -brand-name }, { $name } !
welcome-preheader = Votre espace de travail { $workspace } est prêt. Voici comment bien démarrer.
welcome-heading = Bienvenue à bord, { $name } !
welcome-intro = Votre espace de travail { $workspace } est configuré. Voici trois étapes rapides pour lancer votre équipe.

welcome-steps-title = Démarrez en trois étapes
welcome-step-project-title = Créez votre premier projet
welcome-step-project-body = Choisissez un sujet sur lequel votre équipe travaille en ce moment, ajoutez quelques tâches et fixez des échéances.
welcome-step-invite-title = Invitez vos collègues
welcome-step-invite-body = Les projets avancent mieux à plusieurs. Invitez vos collègues pour attribuer des tâches, partager des fichiers et tenir tout le monde informé.
welcome-step-connect-title = Connectez vos outils
welcome-step-connect-body = Centralisez les mises à jour de Slack, GitHub et Google Agenda pour réunir tout votre travail au même endroit.

welcome-signoff = Bonne organisation !
welcome-cta = Accéder au tableau de bord
welcome-help = Des questions ? Notre centre d’aide propose un guide pour chaque fonctionnalité, et notre équipe reste à votre disposition à l’adresse { $email }.
welcome-footer-reason = Vous recevez cet e-mail, car un compte { -brand-name } a été créé avec l’adresse { $email }.
