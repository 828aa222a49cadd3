"""Dari and Pashto for the flags e-mail parsing sets (importing/mail.py) and the office-list
texts of the original, data-entry and case pages. Applied with /work/team/po/append.py."""

T = {
    "Someone in the message is not named": (
        "در پیام از کسی بدون نام یاد شده است",
        "په پیغام کې د یو چا نوم نه دی راغلی",
    ),
    "The text is very long: only its beginning was read": (
        "متن بسیار طولانی است: تنها آغاز آن خوانده شد",
        "متن ډېر اوږد دی: یوازې پیل یې ولوستل شو",
    ),
    "The text is in an unknown character set: read with replacements": (
        "متن با مجموعهٔ نویسه‌های ناشناخته نوشته شده است: با نویسه‌های جایگزین خوانده شد",
        "متن په نامعلومو توریو لیکل شوی: د بدیلو توریو سره ولوستل شو",
    ),
    "The people were read from a forwarded message": (
        "افراد از یک پیام ارسال‌شده (فوروارد) خوانده شدند",
        "کسان له یو لېږل شوي (فارورډ) پیغام څخه ولوستل شول",
    ),
    "A list of families that could not be taken apart: enter each": (
        "فهرستی از خانواده‌ها که از هم جدا نشد: هر خانواده را جداگانه وارد کنید",
        "د کورنیو لړلیک چې سره جلا نه شو: هره کورنۍ جلا داخله کړئ",
    ),
    "This family's part of the list could not be read": (
        "بخش این خانواده در فهرست خوانده نشد",
        "په لړلیک کې د دې کورنۍ برخه ونه لوستل شوه",
    ),
    "A reply to a list of families: which family it is about is for staff to say": (
        "پاسخی به فهرست خانواده‌ها: اینکه دربارهٔ کدام خانواده است را کارمندان تعیین می‌کنند",
        "د کورنیو لړلیک ته ځواب: دا چې د کومې کورنۍ په اړه دی، کارکوونکي یې ټاکي",
    ),
    "A list of %(count)s families: split it into one request each": (
        "فهرست %(count)s خانواده: آن را به یک درخواست برای هر خانواده تقسیم کنید",
        "د %(count)s کورنیو لړلیک: هرې کورنۍ ته یې جلا غوښتنه جوړه کړئ",
    ),
    "A list of %(count)s families: one request for each": (
        "فهرست %(count)s خانواده: برای هر خانواده یک درخواست",
        "د %(count)s کورنیو لړلیک: هرې کورنۍ ته یوه غوښتنه",
    ),
    "A list of %(count)s families: too many to split unseen; import it as a spreadsheet or enter it by hand": (
        "فهرست %(count)s خانواده: برای تقسیم خودکار بیش از حد زیاد است؛ آن را به صورت صفحه‌گسترده وارد کنید یا دستی ثبت کنید",
        "د %(count)s کورنیو لړلیک: د خپلکاره وېشلو لپاره ډېر زیات دی؛ د سپرېډشیټ په توګه یې راوړئ یا یې په لاس داخل کړئ",
    ),
    "A list of %(count)s families in a message too large to copy to each: split it by hand": (
        "فهرست %(count)s خانواده در پیامی که برای کاپی به هر درخواست بیش از حد بزرگ است: آن را دستی تقسیم کنید",
        "د %(count)s کورنیو لړلیک په داسې پیغام کې چې هرې غوښتنې ته د کاپي لپاره ډېر لوی دی: په لاس یې ووېشئ",
    ),
    "%(count)s people in one message: a list of families, not one household": (
        "%(count)s نفر در یک پیام: این فهرستی از خانواده‌ها است، نه یک خانوار",
        "په یوه پیغام کې %(count)s کسان: دا د کورنیو لړلیک دی، نه یوه کورنۍ",
    ),
    "Office list: %(stated)s families stated, %(found)s found": (
        "فهرست اداره: %(stated)s خانواده ذکر شده، %(found)s خانواده یافت شد",
        "د دفتر لړلیک: %(stated)s کورنۍ ویل شوې، %(found)s وموندل شوې",
    ),
    "Why": ("چرا", "ولې"),
    "The whole message": ("کل پیام", "ټول پیغام"),
    "Family %(position)s of %(of)s in this message": (
        "خانوادهٔ %(position)s از %(of)s در این پیام",
        "کورنۍ %(position)s له %(of)s څخه، په دې پیغام کې",
    ),
    "An office's list of families: each family is a request of its own, and each keeps the whole message.": (
        "فهرست خانواده‌ها از یک اداره: هر خانواده درخواست جداگانهٔ خود را دارد و هر کدام کل پیام را نگه می‌دارد.",
        "د یو دفتر د کورنیو لړلیک: هره کورنۍ خپله جلا غوښتنه ده، او هره یوه ټول پیغام ساتي.",
    ),
    "Family %(position)s of %(of)s in this message: enter this family only. Its lines:": (
        "خانوادهٔ %(position)s از %(of)s در این پیام: تنها همین خانواده را وارد کنید. سطرهای آن:",
        "کورنۍ %(position)s له %(of)s څخه، په دې پیغام کې: یوازې همدا کورنۍ داخله کړئ. د هغې کرښې:",
    ),
}

PLURALS = {
    (
        "%(count)s family member mentioned but not named",
        "%(count)s family members mentioned but not named",
    ): (
        (
            "%(count)s عضو خانواده ذکر شده ولی نامش نیامده است",
            "%(count)s عضو خانواده ذکر شده‌اند ولی نامشان نیامده است",
        ),
        (
            "د کورنۍ %(count)s غړی یاد شوی خو نوم یې نه دی راغلی",
            "د کورنۍ %(count)s غړي یاد شوي خو نومونه یې نه دي راغلي",
        ),
    ),
}
