## Template: team-invitation

# $inviter is the full name of the person who sent the invitation.
team-invitation-subject = { $inviter } invited you to join { $workspace } on { -brand-name }
team-invitation-preheader = { $days ->
    [one] Accept the invitation within one day to start working with your team.
   *[other] Accept the invitation within { $days } days to start working with your team.
}
team-invitation-heading = You're invited to join { $workspace }
team-invitation-intro = { $inviter } ({ $email }) has invited you to collaborate in the { $workspace } workspace on { -brand-name }.
team-invitation-members = { $count ->
    [one] You'll be the second person in this workspace.
   *[other] { $count } people are already working in this workspace.
}
team-invitation-message-label = A note from { $inviter }:

## Role of the invited person: $role is "admin", "member" or "guest".

team-invitation-role-label = Your role
team-invitation-role-name = { $role ->
    [admin] Admin
    [guest] Guest
   *[member] Member
}
team-invitation-role-description = { $role ->
    [admin] Manage members, billing and every project in the workspace.
    [guest] View and comment on the projects you're invited to.
   *[member] Create projects, manage tasks and collaborate with the whole team.
}

team-invitation-cta = Accept invitation
team-invitation-expiry = { $days ->
    [one] This invitation expires in one day.
   *[other] This invitation expires in { $days } days.
}
team-invitation-ignore = Not expecting this invitation? You can ignore this email. You won't be added to the workspace unless you accept.
team-invitation-footer-reason = This invitation was sent to { $email } at the request of { $inviter }.
