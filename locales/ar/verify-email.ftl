## القالب: verify-email

verify-email-subject = أكّد عنوان بريدك الإلكتروني
verify-email-preheader = رمز التحقق الخاص بك هو { $code }.
verify-email-heading = أكّد عنوان بريدك الإلكتروني
verify-email-intro = يُرجى تأكيد أن { $email } هو عنوان بريدك الإلكتروني حتى نتمكن من إكمال إعداد حسابك في { -brand-name }.
verify-email-cta = تأكيد البريد الإلكتروني
verify-email-code-intro = أو أدخل هذا الرمز في التطبيق:
verify-email-expiry = { $hours ->
    [zero] تنتهي صلاحية الرابط والرمز خلال أقل من ساعة.
    [one] تنتهي صلاحية الرابط والرمز خلال ساعة واحدة.
    [two] تنتهي صلاحية الرابط والرمز خلال ساعتين.
    [few] تنتهي صلاحية الرابط والرمز خلال { $hours } ساعات.
    [many] تنتهي صلاحية الرابط والرمز خلال { $hours } ساعة.
   *[other] تنتهي صلاحية الرابط والرمز خلال { $hours } ساعة.
}
verify-email-ignore = لم تسجّل في { -brand-name }؟ يمكنك تجاهل هذه الرسالة بأمان، فلن يُنشأ أي حساب دون تأكيد.
verify-email-footer-reason = تصلك هذه الرسالة لأن شخصًا ما سجّل في { -brand-name } باستخدام { $email }.
