# تبادل البيانات مع أنظمة الشركاء: DHIS2 و IATI و HXL (issue #7).

nav-exchange = التبادل
exchange-title = تبادل البيانات (DHIS2)
exchange-intro = استيراد وتصدير القيم الإجمالية بصيغ DHIS2 (dataValueSets بصيغة JSON أو CSV، و ADX XML) عبر جدول المطابقة بين رموزنا ورموز الشريك. الاستيراد كل شيء أو لا شيء: إذا وُجد تعارض لا يُكتب أي شيء.
exchange-import-title = استيراد ملف DHIS2
exchange-import-help = الصق محتوى الملف الوارد من الشريك (JSON أو CSV أو ADX). تمر كل قيمة عبر جدول المطابقة ثم عبر نفس عمليات التحقق المعتمدة في الاستيراد (الجزء ≤ المجموع، إ + ذ = المجموع، الجهات ≤ الوطني).
exchange-format = الصيغة
exchange-format-auto = الكشف التلقائي
exchange-file = محتوى الملف
exchange-organisation = الهيئة المصرِّحة (إذا لم يذكرها الملف)
exchange-import-what-maps = استيراد ما يطابق وتجاهل الباقي
exchange-import = استيراد
exchange-status-success = تم الاستيراد بنجاح.
exchange-status-warning = استيراد جزئي: تم تجاهل القيم التي لا مطابقة لها.
exchange-status-error = لم يُستورد أي شيء: صحح التعارضات أدناه.
exchange-counts = { $imported ->
    [zero] لم تُستورد أي قيمة
    [one] قيمة واحدة مستوردة
    [two] قيمتان مستوردتان
    [few] { $imported } قيم مستوردة
   *[other] { $imported } قيمة مستوردة
}، { $updated } محدَّثة، { $ignored } متجاهَلة.
exchange-conflicts = التعارضات
exchange-conflict-what = العنصر
exchange-conflict-code = الرمز المستلم
exchange-conflict-why = المشكل
exchange-at-value = (القيمة رقم { $index })
exchange-property-dataElement = عنصر البيانات (المؤشر)
exchange-property-dataelement = عنصر البيانات (المؤشر)
exchange-property-period = الفترة
exchange-property-orgUnit = الوحدة التنظيمية (المجال الترابي)
exchange-property-orgunit = الوحدة التنظيمية (المجال الترابي)
exchange-property-categoryOptionCombo = تركيبة الفئات (التفصيل)
exchange-property-attributeOptionCombo = الهيئة المصرِّحة
exchange-property-category = الفئة (البُعد)
exchange-property-categoryOption = خيار الفئة
exchange-property-value = القيمة
exchange-property-file = الملف
exchange-property-row = السطر
exchange-property-mapping = جدول المطابقة
exchange-property-idScheme = نظام المعرِّفات
exchange-export-title = تصدير القيم
exchange-dataset = مجموعة البيانات
exchange-all-mapped = كل مؤشرات الجدول
exchange-export = تحميل
exchange-mapping-title = جدول المطابقة
exchange-mapping-count = { $count ->
    [zero] الجدول فارغ.
    [one] سطر واحد في الجدول.
    [two] سطران في الجدول.
    [few] { $count } أسطر في الجدول.
   *[other] { $count } سطرًا في الجدول.
}
exchange-mapping-download = تحميل الجدول (CSV)
exchange-mapping-help = الأعمدة kind,code,dhis2_code,note. الأنواع: indicator و combo (sex=F) و dimension (sex) و option (sex=F) و territory و organisation و dataset و period. يحل الجدول الجديد محل القديم، كل شيء أو لا شيء.
exchange-mapping-file = الجدول الجديد (CSV)
exchange-mapping-replace = استبدال الجدول
exchange-mapping-saved = { $count ->
    [one] تم حفظ الجدول: سطر واحد.
    [two] تم حفظ الجدول: سطران.
    [few] تم حفظ الجدول: { $count } أسطر.
   *[other] تم حفظ الجدول: { $count } سطرًا.
}
exchange-row-problem = السطر { $line }، العمود { $column }: { $problem }
exchange-mapping-invalid = { $count ->
    [one] لم يُستبدل الجدول: مشكل واحد يجب تصحيحه.
    [two] لم يُستبدل الجدول: مشكلان يجب تصحيحهما.
    [few] لم يُستبدل الجدول: { $count } مشاكل يجب تصحيحها.
   *[other] لم يُستبدل الجدول: { $count } مشكلًا يجب تصحيحه.
}
values-download-xlsx = تحميل بصيغة XLSX
values-download-hxl = تحميل مع وسوم HXL (CSV)

# النشر: السر الإحصائي
audience-label = النشر
audience-internal = استعمال داخلي (كل الأرقام)
audience-partners = الشركاء (الأعداد الصغيرة محجوبة)
audience-public = العموم (الأعداد الصغيرة محجوبة)
field-audience = النشر
values-withheld-mark = ×
values-withheld-legend = × : رقم محجوب (السر الإحصائي): عدد أشخاص أقل من عتبة النشر، أو محجوب حتى لا يمكن استنتاج رقم من هذا النوع انطلاقا من المجاميع.
