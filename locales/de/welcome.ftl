## Vorlage: welcome (direkt nach der Registrierung)

welcome-subject = Willkommen bei { -brand-name }, { $name }!
welcome-preheader = Ihr Workspace { $workspace } ist startklar. So legen Sie los.
welcome-heading = Schön, dass Sie da sind, { $name }!
welcome-intro = Ihr Workspace { $workspace } ist eingerichtet. Mit diesen drei Schritten bringen Sie Ihr Team in wenigen Minuten an den Start.

welcome-steps-title = In drei Schritten startklar
welcome-step-project-title = Erstes Projekt anlegen
welcome-step-project-body = Wählen Sie ein Vorhaben, an dem Ihr Team gerade arbeitet, fügen Sie ein paar Aufgaben hinzu und legen Sie Fälligkeiten fest.
welcome-step-invite-title = Teammitglieder einladen
welcome-step-invite-body = Gemeinsam läuft es besser: Laden Sie Kolleginnen und Kollegen ein, um Aufgaben zu verteilen, Dateien zu teilen und alle auf dem Laufenden zu halten.
welcome-step-connect-title = Tools verbinden
welcome-step-connect-body = Holen Sie Updates aus Slack, GitHub und Google Kalender dazu, damit Ihre gesamte Arbeit an einem Ort zusammenläuft.

welcome-signoff = Viel Erfolg beim Planen!
welcome-cta = Zum Dashboard
welcome-help = Fragen? Im Hilfe-Center finden Sie Anleitungen zu allen Funktionen, und unser Team hilft Ihnen unter { $email } gern weiter.
welcome-footer-reason = Sie erhalten diese E-Mail, weil Sie sich mit { $email } bei { -brand-name } registriert haben.
