## Template: daily-digest

daily-digest-subject = Your daily digest for { $workspace }
daily-digest-heading = What your team got done yesterday
# $name is the recipient's first name.
daily-digest-greeting = Good morning, { $name }! Here's a look at yesterday's progress.
# $people is the number of people, $tasks the number of completed tasks (both ≥ 1).
daily-digest-summary = { $people ->
    [one] One person
   *[other] { $people } people
} completed { $tasks ->
    [one] one task
   *[other] { $tasks } tasks
} yesterday.

## One block per person

daily-digest-person-tasks = { $count ->
    [one] 1 task completed
   *[other] { $count } tasks completed
}
daily-digest-person-comments = { $count ->
    [0] no comments
    [one] 1 comment
   *[other] { $count } comments
}
# Shown under a task title; $project is the project name.
daily-digest-task-project = in { $project }
daily-digest-cta = Open { $workspace }

## Day without completed tasks

daily-digest-empty-preheader = No tasks were completed in { $workspace } yesterday.
daily-digest-empty-title = A quiet day
daily-digest-empty-body = Nobody completed a task yesterday, and that's okay. Planning, reviews and deep work don't always show up as ticked boxes. We'll be back tomorrow morning with fresh updates.
daily-digest-empty-cta = Plan today's work

daily-digest-footer-reason = You're receiving this daily digest because you're a member of { $workspace }.
