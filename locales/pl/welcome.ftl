## Szablon: welcome (wysyłany zaraz po rejestracji)

welcome-subject = Witaj w { -brand-name }, { $name }!
welcome-preheader = Twój obszar roboczy { $workspace } jest gotowy. Zobacz, jak zacząć.
welcome-heading = Witamy na pokładzie, { $name }!
welcome-intro = Twój obszar roboczy { $workspace } jest już skonfigurowany. Oto trzy proste kroki, dzięki którym Twój zespół szybko zacznie działać.

welcome-steps-title = Zacznij w trzech krokach
welcome-step-project-title = Utwórz pierwszy projekt
welcome-step-project-body = Wybierz coś, nad czym Twój zespół właśnie pracuje, dodaj kilka zadań i ustaw terminy.
welcome-step-invite-title = Zaproś współpracowników
welcome-step-invite-body = Razem projekty idą sprawniej. Zaproś osoby z zespołu, aby przydzielać zadania, udostępniać pliki i informować wszystkich na bieżąco.
welcome-step-connect-title = Połącz swoje narzędzia
welcome-step-connect-body = Zbieraj aktualizacje ze Slacka, GitHuba i Kalendarza Google, aby cała praca była w jednym miejscu.

welcome-signoff = Owocnego planowania!
welcome-cta = Przejdź do pulpitu
welcome-help = Masz pytania? W Centrum pomocy znajdziesz poradnik do każdej funkcji, a nasz zespół chętnie pomoże pod adresem { $email }.
welcome-footer-reason = Otrzymujesz tę wiadomość, ponieważ adres { $email } został użyty do rejestracji w { -brand-name }.
