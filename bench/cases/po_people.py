"""Dari and Pashto for the households, record-correction and data-entry strings (issue 15):
`.venv/bin/python /work/team/po/append.py bench/cases/po_people.py .`"""

T = {
    "Enter at least the principal applicant.": (
        "دست کم متقاضی اصلی را وارد کنید.",
        "لږ تر لږه اصلي غوښتونکی ولیکئ.",
    ),
    "This request was entered already: it is no longer waiting.": (
        "این درخواست قبلاً وارد شده است: دیگر در انتظار نیست.",
        "دا غوښتنه مخکې ثبت شوې ده: نور په تمه نه ده.",
    ),
    "Added to the household: %(people)s": (
        "به خانواده اضافه شد: %(people)s",
        "کورنۍ ته ور زیات شو: %(people)s",
    ),
    "Removed from the household: %(people)s": (
        "از خانواده حذف شد: %(people)s",
        "له کورنۍ لرې شو: %(people)s",
    ),
    "Moved to %(case)s: %(people)s": (
        "به %(case)s منتقل شد: %(people)s",
        "%(case)s ته ولېږدول شو: %(people)s",
    ),
    "Moved here from %(case)s: %(people)s": (
        "از %(case)s به اینجا منتقل شد: %(people)s",
        "له %(case)s څخه دلته ولېږدول شو: %(people)s",
    ),
    "Split: %(people)s went to the new case %(case)s": (
        "جدا شد: %(people)s به قضیهٔ جدید %(case)s رفت",
        "بېل شو: %(people)s نوې قضیې %(case)s ته ولاړ",
    ),
    "Opened by splitting %(case)s: %(people)s": (
        "با جدا کردن %(case)s باز شد: %(people)s",
        "د %(case)s په بېلولو پرانیستل شوه: %(people)s",
    ),
    "%(people)s is now the principal": (
        "%(people)s اکنون متقاضی اصلی است",
        "%(people)s اوس اصلي غوښتونکی دی",
    ),
    "Record of %(people)s corrected (version %(version)s): %(fields)s": (
        "ریکارد %(people)s اصلاح شد (نسخهٔ %(version)s): %(fields)s",
        "د %(people)s ریکارډ سم شو (نسخه %(version)s): %(fields)s",
    ),
    "Request %(receipt)s entered by hand: %(people)s": (
        "درخواست %(receipt)s به دست وارد شد: %(people)s",
        "غوښتنه %(receipt)s په لاس ثبت شوه: %(people)s",
    ),
    "names": ("نام‌ها", "نومونه"),
    "date of birth": ("تاریخ تولد", "د زېږېدو نېټه"),
    "sex": ("جنسیت", "جنسیت"),
    "identifiers": ("شناسه‌ها", "پېژند نمبرونه"),
    "Person number to add": ("شمارهٔ شخصی که اضافه می‌شود", "د هغه کس شمېره چې ور زیاتېږي"),
    "As shown on the person's page, e.g. 1234.": (
        "همان‌طور که در صفحهٔ شخص آمده، مثلاً 1234.",
        "لکه د کس په پاڼه کې، د بېلګې په توګه 1234.",
    ),
    "Relationship to the principal": ("نسبت با متقاضی اصلی", "له اصلي غوښتونکي سره اړیکه"),
    "Move to case": ("انتقال به قضیه", "قضیې ته لېږد"),
    "The case they join, e.g. C-0000042.": (
        "قضیه‌ای که به آن می‌پیوندند، مثلاً C-0000042.",
        "هغه قضیه چې ورسره یوځای کېږي، لکه C-0000042.",
    ),
    "Why (optional)": ("چرا (اختیاری)", "ولې (اختیاري)"),
    "Give a person number such as 1234.": (
        "شمارهٔ شخص را بنویسید، مثلاً 1234.",
        "د کس شمېره ولیکئ، لکه 1234.",
    ),
    "Give the number of the person to add.": (
        "شمارهٔ شخصی را که اضافه می‌شود بنویسید.",
        "د هغه کس شمېره ولیکئ چې ور زیاتېږي.",
    ),
    "Give the case to move them to.": (
        "قضیه‌ای را که باید به آن منتقل شوند بنویسید.",
        "هغه قضیه ولیکئ چې باید ورته ولېږدول شي.",
    ),
    "Tick the members this applies to.": (
        "اعضایی را که این کار شامل‌شان می‌شود علامت بزنید.",
        "هغه غړي په نښه کړئ چې دا کار پرې پلي کېږي.",
    ),
    "Choose the member who becomes the principal.": (
        "عضوی را که متقاضی اصلی می‌شود انتخاب کنید.",
        "هغه غړی وټاکئ چې اصلي غوښتونکی کېږي.",
    ),
    "Person %(id)s is not a member of this household.": (
        "شخص %(id)s عضو این خانواده نیست.",
        "کس %(id)s د دې کورنۍ غړی نه دی.",
    ),
    "Choose at least one member.": ("دست کم یک عضو را انتخاب کنید.", "لږ تر لږه یو غړی وټاکئ."),
    "A case keeps at least one member: close this case, or merge it into the other, instead of moving everyone out.": (
        "هر قضیه دست کم یک عضو دارد: به جای بیرون بردن همه، این قضیه را ببندید یا در قضیهٔ دیگر ادغام کنید.",
        "هره قضیه لږ تر لږه یو غړی لري: د ټولو د ایستلو پر ځای دا قضیه وتړئ یا په بله کې یې یوځای کړئ.",
    ),
    "That person is already a member of this household.": (
        "این شخص از قبل عضو این خانواده است.",
        "دا کس د مخکې نه د دې کورنۍ غړی دی.",
    ),
    "Choose at least one person.": ("دست کم یک شخص را انتخاب کنید.", "لږ تر لږه یو کس وټاکئ."),
    "The principal must be a member of this household.": (
        "متقاضی اصلی باید عضو این خانواده باشد.",
        "اصلي غوښتونکی باید د دې کورنۍ غړی وي.",
    ),
    "This person is already the principal.": (
        "این شخص از قبل متقاضی اصلی است.",
        "دا کس د مخکې نه اصلي غوښتونکی دی.",
    ),
    "This case is closed: reopen it before changing its household.": (
        "این قضیه بسته است: پیش از تغییر خانواده، آن را دوباره باز کنید.",
        "دا قضیه تړل شوې ده: د کورنۍ له بدلولو مخکې یې بیا پرانیزئ.",
    ),
    "Choose the case to move them to.": (
        "قضیه‌ای را که به آن منتقل شوند انتخاب کنید.",
        "هغه قضیه وټاکئ چې ورته ولېږدول شي.",
    ),
    "Choose another case: they are already in this one.": (
        "قضیهٔ دیگری انتخاب کنید: آن‌ها از قبل در همین قضیه هستند.",
        "بله قضیه وټاکئ: دوی د مخکې نه په همدې قضیه کې دي.",
    ),
    "The other case is closed: reopen it first.": (
        "قضیهٔ دیگر بسته است: اول آن را دوباره باز کنید.",
        "بله قضیه تړل شوې ده: لومړی یې بیا پرانیزئ.",
    ),
    "The new case's principal must be one of the members it takes.": (
        "متقاضی اصلی قضیهٔ جدید باید یکی از اعضایی باشد که به آن می‌روند.",
        "د نوې قضیې اصلي غوښتونکی باید له هغو غړو څخه وي چې ورته ځي.",
    ),
    "Household changed": ("خانواده تغییر کرد", "کورنۍ بدله شوه"),
    "Household split": ("خانواده جدا شد", "کورنۍ بېله شوه"),
    "Person record corrected": ("ریکارد شخص اصلاح شد", "د کس ریکارډ سم شو"),
    "Data entered": ("معلومات وارد شد", "معلومات ثبت شول"),
    "Added by staff": ("توسط کارمند اضافه شد", "د کارکوونکي له خوا ور زیات شو"),
    "Removed by staff": ("توسط کارمند حذف شد", "د کارکوونکي له خوا لرې شو"),
    "Moved to another case": ("به قضیهٔ دیگر منتقل شد", "بلې قضیې ته ولېږدول شو"),
    "Moved from another case": ("از قضیهٔ دیگر منتقل شد", "له بلې قضیې راولېږدول شو"),
    "Marked the principal": ("متقاضی اصلی تعیین شد", "اصلي غوښتونکی وټاکل شو"),
    "Choose": ("انتخاب", "ټاکل"),
    "Other open cases": ("قضایای باز دیگر", "نورې پرانیستې قضیې"),
    "Choose person %(number)s": ("انتخاب شخص %(number)s", "د کس %(number)s ټاکل"),
    "principal": ("متقاضی اصلی", "اصلي غوښتونکی"),
    "corrected, version %(n)s": ("اصلاح‌شده، نسخهٔ %(n)s", "سم شوی، نسخه %(n)s"),
    "Correct": ("اصلاح", "سمول"),
    "Tick members above, then remove them, move them to another case, or split them into a new case. A case keeps at least one member.": (
        "اعضا را در بالا علامت بزنید، سپس آن‌ها را حذف کنید، به قضیهٔ دیگر منتقل کنید یا در قضیهٔ جدیدی جدا کنید. هر قضیه دست کم یک عضو دارد.",
        "پورته غړي په نښه کړئ، بیا یې لرې کړئ، بلې قضیې ته یې ولېږدوئ یا په نوې قضیه کې یې بېل کړئ. هره قضیه لږ تر لږه یو غړی لري.",
    ),
    "Move to that case": ("انتقال به آن قضیه", "هغې قضیې ته لېږد"),
    "Split into a new case": ("جدا کردن در قضیهٔ جدید", "په نوې قضیه کې بېلول"),
    "Mark as principal": ("تعیین به‌عنوان متقاضی اصلی", "د اصلي غوښتونکي په توګه ټاکل"),
    "Remove from household": ("حذف از خانواده", "له کورنۍ لرې کول"),
    "Add to household": ("افزودن به خانواده", "کورنۍ ته ور زیاتول"),
    "Data entry queue": ("صف ورود معلومات", "د معلوماتو د ثبت کتار"),
    "Data entry: %(receipt)s": ("ورود معلومات: %(receipt)s", "د معلوماتو ثبت: %(receipt)s"),
    "Back to the queue": ("بازگشت به صف", "کتار ته بېرته"),
    "The original, as received": ("اصل، همان‌طور که رسید", "اصلي متن، لکه څنګه چې راغلی"),
    "People and facts": ("اشخاص و واقعیت‌ها", "کسان او حقایق"),
    "Eligibility (as the original says)": (
        "واجد شرایط بودن (مطابق اصل)",
        "وړتیا (لکه څنګه چې اصلي متن وايي)",
    ),
    "Save and run matching and triage": (
        "ذخیره و اجرای تطبیق و ارزیابی",
        "ساتل او د سمون او ارزونې چلول",
    ),
    "Data entry": ("ورود معلومات", "د معلوماتو ثبت"),
    "Requests that could not be read: open one, read the original beside the form, and enter its people. Completing it runs matching, the case and triage as for any request.": (
        "درخواست‌هایی که خوانده نشدند: یکی را باز کنید، اصل را کنار فورم بخوانید و اشخاص آن را وارد کنید. با تکمیل آن، تطبیق، قضیه و ارزیابی مانند هر درخواست دیگر اجرا می‌شود.",
        "هغه غوښتنې چې ونه لوستل شوې: یوه پرانیزئ، اصلي متن د فورمې تر څنګ ولولئ او کسان یې ثبت کړئ. په بشپړولو سره سمون، قضیه او ارزونه لکه د هرې غوښتنې په څېر چلېږي.",
    ),
    "Their cases in the case list": ("قضایای آن‌ها در فهرست قضایا", "د دوی قضیې د قضیو په لېست کې"),
    "Enter": ("وارد کردن", "ثبتول"),
    "Nothing is waiting for data entry.": (
        "چیزی در انتظار ورود معلومات نیست.",
        "هېڅ شی د معلوماتو د ثبت په تمه نه دی.",
    ),
    "Entered: %(receipt)s is in %(case)s.": (
        "وارد شد: %(receipt)s در %(case)s است.",
        "ثبت شو: %(receipt)s په %(case)s کې دی.",
    ),
    "Household changed.": ("خانواده تغییر کرد.", "کورنۍ بدله شوه."),
    "After a record was corrected": ("پس از اصلاح یک ریکارد", "د یو ریکارډ له سمولو وروسته"),
    "Family name": ("تخلص", "تخلص"),
    "1988, 12/04/1988, 1988-04-12, or Solar Hijri 1367 or 1367/01/23.": (
        "1988، 12/04/1988، 1988-04-12، یا هجری شمسی 1367 یا 1367/01/23.",
        "1988، 12/04/1988، 1988-04-12، یا لمریز هجري 1367 یا 1367/01/23.",
    ),
    "Why is it corrected?": ("چرا اصلاح می‌شود؟", "ولې سمېږي؟"),
    "I compared the two: they are different people. Save anyway.": (
        "هر دو را مقایسه کردم: آن‌ها اشخاص متفاوت هستند. به هر حال ذخیره شود.",
        "دواړه مې پرتله کړل: دوی بېل کسان دي. بیا هم وساتئ.",
    ),
    "Identifier kind": ("نوع شناسه", "د پېژند ډول"),
    "Number": ("شماره", "شمېره"),
    "A date of birth cannot be in the future.": (
        "تاریخ تولد نمی‌تواند در آینده باشد.",
        "د زېږېدو نېټه په راتلونکي کې نشي کېدای.",
    ),
    "The date of birth could not be read: write it as 1988, 12/04/1988, 1988-04-12, or in Solar Hijri as 1367 or 1367/01/23.": (
        "تاریخ تولد خوانده نشد: آن را به شکل 1988، 12/04/1988، 1988-04-12 یا به هجری شمسی 1367 یا 1367/01/23 بنویسید.",
        "د زېږېدو نېټه ونه لوستل شوه: داسې یې ولیکئ 1988، 12/04/1988، 1988-04-12، یا په لمریز هجري 1367 یا 1367/01/23.",
    ),
    "Give at least one name of the person.": (
        "دست کم یک نام شخص را بنویسید.",
        "د کس لږ تر لږه یو نوم ولیکئ.",
    ),
    "Choose one of the listed values.": (
        "یکی از گزینه‌های فهرست را انتخاب کنید.",
        "د لېست له ارزښتونو څخه یو وټاکئ.",
    ),
    "Choose the kind of each identifier.": (
        "نوع هر شناسه را انتخاب کنید.",
        "د هر پېژند ډول وټاکئ.",
    ),
    "%(kind)s “%(value)s” does not pass its check: look at it again.": (
        "%(kind)s «%(value)s» از بررسی نگذشت: دوباره به آن نگاه کنید.",
        "%(kind)s «%(value)s» له ازموینې ونه وت: بیا یې وګورئ.",
    ),
    "Nothing was changed: the record already reads like this.": (
        "چیزی تغییر نکرد: ریکارد از قبل همین است.",
        "هېڅ بدلون رانغی: ریکارډ د مخکې نه همداسې دی.",
    ),
    "With these values the record is an exact duplicate of a record of person %(person)s. Open that person to compare; if they are different people, tick the box and save again (the pair goes to review, nothing is merged).": (
        "با این مقادیر، ریکارد دقیقاً تکرار ریکارد شخص %(person)s است. آن شخص را برای مقایسه باز کنید؛ اگر اشخاص متفاوتی هستند، خانه را علامت بزنید و دوباره ذخیره کنید (این جفت برای بررسی می‌رود، چیزی ادغام نمی‌شود).",
        "په دې ارزښتونو ریکارډ د کس %(person)s د ریکارډ دقیق تکرار دی. د پرتلې لپاره هغه کس پرانیزئ؛ که بېل کسان وي، خونه په نښه کړئ او بیا یې وساتئ (دا جوړه بیاکتنې ته ځي، هېڅ یوځای نه کېږي).",
    ),
    "Cases of this person": ("قضایای این شخص", "د دې کس قضیې"),
    "no longer a member": ("دیگر عضو نیست", "نور غړی نه دی"),
    "In no case.": ("در هیچ قضیه‌ای نیست.", "په هېڅ قضیه کې نه دی."),
    "Correct this record": ("اصلاح این ریکارد", "دا ریکارډ سمول"),
    "Correct record %(number)s": ("اصلاح ریکارد %(number)s", "د ریکارډ %(number)s سمول"),
    "The record stays as it was received; the correction is kept as a new version, with who made it and why, and matching runs again on it.": (
        "ریکارد همان‌طور که رسیده باقی می‌ماند؛ اصلاح به‌عنوان نسخهٔ جدید، با نام کسی که آن را انجام داد و دلیل آن، نگه داشته می‌شود و تطبیق دوباره روی آن اجرا می‌شود.",
        "ریکارډ لکه څنګه چې راغلی پاتې کېږي؛ سمون د نوې نسخې په توګه، د سمونکي او لامل سره، ساتل کېږي او سمون بیا پرې چلېږي.",
    ),
    "Back to person %(number)s": ("بازگشت به شخص %(number)s", "کس %(number)s ته بېرته"),
    "As received": ("همان‌طور که رسید", "لکه څنګه چې راغلی"),
    "Corrections": ("اصلاحات", "سمونونه"),
    "%(who)s on %(when)s": ("%(who)s در %(when)s", "%(who)s په %(when)s"),
    "Correction": ("اصلاح", "سمون"),
    "Open person %(number)s": ("باز کردن شخص %(number)s", "کس %(number)s پرانیستل"),
    "Save the correction": ("ذخیرهٔ اصلاح", "سمون ساتل"),
    "Record corrected: version %(n)s.": (
        "ریکارد اصلاح شد: نسخهٔ %(n)s.",
        "ریکارډ سم شو: نسخه %(n)s.",
    ),
    "It may be the same as another person: sent to review.": (
        "ممکن است همان شخص دیگری باشد: برای بررسی فرستاده شد.",
        "کېدای شي همغه بل کس وي: بیاکتنې ته ولېږل شو.",
    ),
}
T.update(
    {
        "This request is still being processed: try again in a few minutes.": (
            "این درخواست هنوز در حال پردازش است: چند دقیقه بعد دوباره امتحان کنید.",
            "دا غوښتنه لا تر اوسه پروسس کېږي: څو دقیقې وروسته بیا هڅه وکړئ.",
        ),
        "This request is not in a case yet: try again in a few minutes.": (
            "این درخواست هنوز در هیچ قضیه‌ای نیست: چند دقیقه بعد دوباره امتحان کنید.",
            "دا غوښتنه لا په هېڅ قضیه کې نه ده: څو دقیقې وروسته بیا هڅه وکړئ.",
        ),
        "Matching is not available: nothing was changed.": (
            "تطبیق در دسترس نیست: چیزی تغییر نکرد.",
            "سمون شتون نلري: هېڅ بدلون رانغی.",
        ),
    }
)
