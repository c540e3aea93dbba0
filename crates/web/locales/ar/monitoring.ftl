# لوحات القيادة حسب عقدة الإطار والجدول المتقاطع (issue #3).
monitoring-status-achieved = منجز
monitoring-status-in_progress = قيد الإنجاز
monitoring-status-not_started = لم يبدأ
monitoring-band-achieved = الهدف محقق
monitoring-band-on_track = في الطريق الصحيح
monitoring-band-behind = متأخر
monitoring-actions-achieved = { $count ->
    [zero] لا إجراء منجز
    [one] إجراء واحد منجز
    [two] إجراءان منجزان
    [few] { $count } إجراءات منجزة
    [many] { $count } إجراءً منجزًا
   *[other] { $count } إجراء منجز
}
monitoring-actions-in_progress = { $count ->
    [zero] لا إجراء قيد الإنجاز
    [one] إجراء واحد قيد الإنجاز
    [two] إجراءان قيد الإنجاز
    [few] { $count } إجراءات قيد الإنجاز
    [many] { $count } إجراءً قيد الإنجاز
   *[other] { $count } إجراء قيد الإنجاز
}
monitoring-actions-not_started = { $count ->
    [zero] لا إجراء لم يبدأ
    [one] إجراء واحد لم يبدأ
    [two] إجراءان لم يبدآ
    [few] { $count } إجراءات لم تبدأ
    [many] { $count } إجراءً لم يبدأ
   *[other] { $count } إجراء لم يبدأ
}
monitoring-actions-unmeasured = { $count ->
    [one] إجراء واحد بلا مؤشر
    [two] إجراءان بلا مؤشر
    [few] { $count } إجراءات بلا مؤشر
   *[other] { $count } إجراء بلا مؤشر
}
monitoring-columns = الأعمدة (جدول متقاطع)
monitoring-no-columns = بدون
monitoring-pivot-csv = تنزيل الجدول المتقاطع (CSV)
monitoring-pivot-xlsx = تنزيل الجدول المتقاطع (XLSX)

# ملاحظات تحت جدول القيم
note-records-people = { $people } شخصا محسوبين من الملفات (كل واحد مرة واحدة عبر جميع الهيئات)
note-reported-twice = { $line }: صرحت به { $count } هيئات ({ $organisations }) وجُمع؛ تحققوا من عدم الحساب المزدوج
note-total-computed = المجموع محسوب من الأسطر المعروضة (لم يُصرَّح بأي مجموع)
note-lines-sum = مجموع الأسطر { $parts }، والمجموع الكلي { $total }: { $rest } غير مفصلة
note-withheld = { $count } رقم(أرقام) محجوب(ة): أقل من { $threshold } أشخاص، أو لحماية رقم من هذا النوع
note-knowledge-gain = ارتفاع المعارف حسب اختبارات { $groups } مجموعة تكوين، { $participants } مشاركا: متوسط نقطة الدخول { $entry } %، والخروج { $exit } % ({ $gain } نقطة)
note-scores-per-group = نقاط الاختبارات حسب المجموعة: لا تُفصَّل حسب الأشخاص
note-scores-reported = { $count } قيمة مصرح بها لهذا المؤشر لا تضاف إلى نقاط الاختبارات

# قواعد التحقق
rule-unique_cell = هذه القيمة تخالف قاعدة التحقق «خانة فريدة» (unique_cell): { $cells } مصرح بها سابقا في السطر { $line }.
rule-part_le_total = هذه القيمة تخالف قاعدة التحقق «الجزء ≤ المجموع» (part_le_total): { $cells } تساوي { $value }، أكثر من المجموع { $total } (السطر { $line }).
rule-parts_sum_total = هذه القيمة تخالف قاعدة التحقق «مجموع الأجزاء = المجموع» (parts_sum_total): { $cells } = { $sum }، والمجموع { $total } (السطر { $line }).
rule-territories_le_total = هذه القيمة تخالف قاعدة التحقق «المجالات الترابية ≤ المجموع» (territories_le_total): مجموع الجهات { $sum }، أكثر من المجموع الوطني { $total } (السطر { $line }).
rule-range = هذه القيمة تخالف قاعدة التحقق «المجال» (range): { $value } خارج { $bounds }.
rule-required = هذه القيمة مطلوبة بموجب قاعدة التحقق «إلزامي» (required): { $cells } للمؤشر { $indicator }.
rule-percent_recomputed = هذه القيمة تخالف قاعدة التحقق «النسبة المعاد حسابها» (percent_recomputed): { $numerator } / { $denominator } = { $computed } %، وليس { $value } %.
note-crosswalk = فئات عمرية دقيقة جُمعت في فئات { $set } عبر جدول المطابقة: { $values }
note-crosswalk-unmapped = { $values } تمتد على فئتين من { $set }: غير مفصلة وخارج الأسطر
note-overlapping = { $values } متداخلة (قد يُحسب الشخص في أكثر من فئة): لا تُجمع الأسطر في مجموع
