## القالب: welcome (يُرسل فور التسجيل)

welcome-subject = مرحبًا بك في { -brand-name } يا { $name }!
welcome-preheader = مساحة العمل { $workspace } جاهزة. إليك طريقة البدء.
welcome-heading = أهلًا بك معنا يا { $name }!
welcome-intro = تم إعداد مساحة العمل { $workspace } بنجاح. إليك ثلاث خطوات سريعة لتنطلق مع فريقك.

welcome-steps-title = ابدأ في ثلاث خطوات
welcome-step-project-title = أنشئ مشروعك الأول
welcome-step-project-body = اختر عملًا يعمل عليه فريقك حاليًا، وأضف إليه بعض المهام، وحدّد مواعيد التسليم.
welcome-step-invite-title = ادعُ زملاءك
welcome-step-invite-body = تنجح المشاريع أكثر بالعمل الجماعي. ادعُ زملاءك لتوزيع المهام ومشاركة الملفات وإبقاء الجميع على اطلاع.
welcome-step-connect-title = اربط أدواتك
welcome-step-connect-body = اجمع التحديثات من Slack وGitHub وتقويم Google لتكون جميع أعمالك في مكان واحد.

welcome-signoff = نتمنى لك تخطيطًا موفقًا،
welcome-cta = الانتقال إلى لوحة التحكم
welcome-help = لديك أسئلة؟ يضم مركز المساعدة دليلًا لكل ميزة، ويسعد فريقنا بمساعدتك عبر { $email }.
welcome-footer-reason = تصلك هذه الرسالة لأنك سجّلت في { -brand-name } باستخدام { $email }.
