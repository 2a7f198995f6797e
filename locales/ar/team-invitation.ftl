## القالب: team-invitation

team-invitation-subject = دعوة من { $inviter } للانضمام إلى { $workspace } على { -brand-name }
team-invitation-preheader = { $days ->
    [zero] اقبل الدعوة اليوم لتبدأ العمل مع فريقك.
    [one] اقبل الدعوة خلال يوم واحد لتبدأ العمل مع فريقك.
    [two] اقبل الدعوة خلال يومين لتبدأ العمل مع فريقك.
    [few] اقبل الدعوة خلال { $days } أيام لتبدأ العمل مع فريقك.
    [many] اقبل الدعوة خلال { $days } يومًا لتبدأ العمل مع فريقك.
   *[other] اقبل الدعوة خلال { $days } يوم لتبدأ العمل مع فريقك.
}
team-invitation-heading = دعوة للانضمام إلى { $workspace }
team-invitation-intro = تلقّيت دعوة من { $inviter } ({ $email }) للتعاون في مساحة العمل { $workspace } على { -brand-name }.
team-invitation-members = { $count ->
    [zero] ستكون أول من ينضم إلى مساحة العمل هذه.
    [one] ستكون الشخص الثاني في مساحة العمل هذه.
    [two] يعمل شخصان بالفعل في مساحة العمل هذه.
    [few] يعمل { $count } أشخاص بالفعل في مساحة العمل هذه.
    [many] يعمل { $count } شخصًا بالفعل في مساحة العمل هذه.
   *[other] يعمل { $count } شخص بالفعل في مساحة العمل هذه.
}
team-invitation-message-label = رسالة من { $inviter }:

## دور الشخص المدعو

team-invitation-role-label = دورك
team-invitation-role-name = { $role ->
    [admin] مسؤول
    [guest] ضيف
   *[member] عضو
}
team-invitation-role-description = { $role ->
    [admin] إدارة الأعضاء والفوترة وجميع المشاريع في مساحة العمل.
    [guest] عرض المشاريع التي تُشارَك معك والتعليق عليها.
   *[member] إنشاء المشاريع وإدارة المهام والتعاون مع الفريق بأكمله.
}

team-invitation-cta = قبول الدعوة
team-invitation-expiry = { $days ->
    [zero] تنتهي صلاحية هذه الدعوة اليوم.
    [one] تنتهي صلاحية هذه الدعوة خلال يوم واحد.
    [two] تنتهي صلاحية هذه الدعوة خلال يومين.
    [few] تنتهي صلاحية هذه الدعوة خلال { $days } أيام.
    [many] تنتهي صلاحية هذه الدعوة خلال { $days } يومًا.
   *[other] تنتهي صلاحية هذه الدعوة خلال { $days } يوم.
}
team-invitation-ignore = لم تكن تتوقع هذه الدعوة؟ يمكنك تجاهل هذه الرسالة، فلن تُضاف إلى مساحة العمل ما لم تقبل الدعوة.
team-invitation-footer-reason = أُرسلت هذه الدعوة إلى { $email } بناءً على طلب { $inviter }.
