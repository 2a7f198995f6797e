## القالب: receipt

receipt-subject = إيصال { -brand-name } للفاتورة رقم { $number }
receipt-preheader = استلمنا دفعتك البالغة { $amount } بتاريخ { $date }. شكرًا لك!
receipt-status-paid = مدفوعة
receipt-heading = شكرًا على دفعتك
receipt-intro = استلمنا دفعتك البالغة { $amount } لمساحة العمل { $workspace }. تجد الإيصال أدناه، ويمكنك أيضًا تنزيل الفاتورة بصيغة PDF للاحتفاظ بها في سجلاتك.

## بيانات الفاتورة

receipt-invoice-number = رقم الفاتورة
receipt-invoice-date = تاريخ الفاتورة
receipt-billing-period = فترة الفوترة
receipt-payment-method = طريقة الدفع
receipt-payment-card = بطاقة { $brand } المنتهية بالأرقام { $last4 }
receipt-billed-to = فاتورة إلى
receipt-billed-by = صادرة عن
receipt-vat-id = الرقم الضريبي: { $id }

## جدول البنود

receipt-col-description = الوصف
receipt-col-quantity = الكمية
receipt-col-unit-price = سعر الوحدة
receipt-col-amount = المبلغ
receipt-subtotal = المجموع الفرعي
receipt-vat = ضريبة القيمة المضافة ({ $rate }٪)
receipt-total-paid = إجمالي المبلغ المدفوع
receipt-paid-on = تاريخ الدفع: { $date }

receipt-download-pdf = تنزيل الفاتورة بصيغة PDF
receipt-manage-billing = إدارة الفوترة والفواتير
receipt-questions = هل لديك أسئلة حول هذه الفاتورة؟ ردّ على هذه الرسالة أو راسلنا على { $email }، وسنعود إليك خلال يوم عمل واحد.
receipt-footer-reason = تصلك هذه الرسالة لأنك جهة الاتصال المسؤولة عن الفوترة في مساحة العمل { $workspace }.
