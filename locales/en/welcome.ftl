## Template: welcome (sent right after sign-up)

# $name is the user's first name.
welcome-subject = Welcome to { -brand-name }, { $name }!
welcome-preheader = Your workspace { $workspace } is ready. Here's how to get started.
welcome-heading = Welcome aboard, { $name }!
welcome-intro = Your workspace { $workspace } is all set up. Here are three quick steps to get your team up and running.

welcome-steps-title = Get started in three steps
welcome-step-project-title = Create your first project
welcome-step-project-body = Pick something your team is working on right now, add a few tasks and set due dates.
welcome-step-invite-title = Invite your teammates
welcome-step-invite-body = Projects run better together. Invite colleagues to assign tasks, share files and keep everyone in the loop.
welcome-step-connect-title = Connect your tools
welcome-step-connect-body = Bring in updates from Slack, GitHub and Google Calendar, so all your work lives in one place.

welcome-signoff = Happy planning,
welcome-cta = Go to your dashboard
# $email is the support address.
welcome-help = Questions? Our Help Center has a guide for every feature, and our team is happy to help at { $email }.
welcome-footer-reason = You're receiving this email because you signed up for { -brand-name } with { $email }.
