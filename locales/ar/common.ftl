## نصوص مشتركة: التخطيط والترويسة والتذييل والتوقيع.

# اسم المنتج داخل النص. لا يُترجم.
-brand-name = Northwind

common-header-logo = { -brand-name }
    .alt = شعار { -brand-name }

common-greeting = مرحبًا { $name }،

common-signoff = مع أطيب التحيات،
common-signature = فريق { -brand-name }

common-button-fallback = إذا لم يعمل الزر، انسخ الرابط التالي والصقه في متصفحك:

## التذييل

common-footer-help-center = مركز المساعدة
common-footer-privacy = سياسة الخصوصية
common-footer-terms = شروط الخدمة
common-footer-preferences = إعدادات الإشعارات
common-footer-unsubscribe = إلغاء الاشتراك
common-footer-copyright = © { $company }. جميع الحقوق محفوظة.
