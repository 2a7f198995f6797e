## القالب: daily-digest

daily-digest-subject = ملخصك اليومي لمساحة العمل { $workspace }
daily-digest-heading = ما أنجزه فريقك بالأمس
daily-digest-greeting = صباح الخير يا { $name }! إليك نظرة على ما تحقق بالأمس.
daily-digest-summary = { $tasks ->
    [zero] لم تُنجز أي مهمة بالأمس
    [one] أُنجزت بالأمس مهمة واحدة
    [two] أُنجزت بالأمس مهمتان
    [few] أُنجزت بالأمس { $tasks } مهام
    [many] أُنجزت بالأمس { $tasks } مهمة
   *[other] أُنجزت بالأمس { $tasks } مهمة
} على يد { $people ->
    [zero] أي شخص
    [one] شخص واحد
    [two] شخصين
    [few] { $people } أشخاص
    [many] { $people } شخصًا
   *[other] { $people } شخص
}.

## قسم لكل شخص

daily-digest-person-tasks = { $count ->
    [zero] لا مهام منجزة
    [one] مهمة واحدة منجزة
    [two] مهمتان منجزتان
    [few] { $count } مهام منجزة
    [many] { $count } مهمة منجزة
   *[other] { $count } مهمة منجزة
}
daily-digest-person-comments = { $count ->
    [zero] لا تعليقات
    [one] تعليق واحد
    [two] تعليقان
    [few] { $count } تعليقات
    [many] { $count } تعليقًا
   *[other] { $count } تعليق
}
daily-digest-task-project = ضمن مشروع { $project }
daily-digest-cta = فتح { $workspace }

## يوم بلا مهام منجزة

daily-digest-empty-preheader = لم تُنجز أي مهمة بالأمس في { $workspace }.
daily-digest-empty-title = يوم هادئ
daily-digest-empty-body = لم يُكمل أحد أي مهمة بالأمس، ولا بأس في ذلك. فالتخطيط والمراجعات والعمل الذي يتطلب تركيزًا لا تظهر دائمًا على شكل مربعات مؤشَّر عليها. سنعود صباح الغد بتحديثات جديدة.
daily-digest-empty-cta = خطّط لعمل اليوم

daily-digest-footer-reason = تصلك هذه الرسالة اليومية لأنك عضو في مساحة العمل { $workspace }.
