"""Dari and Pashto for the e-mail import screen (appended with /work/team/po/append.py)."""

T = {
    # Flags of the mail reader, shown on the dry run.
    "Someone in the message is not named": (
        "کسی در پیام نام برده نشده است",
        "په پیغام کې د یو چا نوم نه دی اخیستل شوی",
    ),
    "The text is very long: only its beginning was read": (
        "متن بسیار طولانی است: تنها آغاز آن خوانده شد",
        "متن ډېر اوږد دی: یوازې پیل یې ولوستل شو",
    ),
    "The text is in an unknown character set: read with replacements": (
        "متن با مجموعه نویسه‌های ناشناخته است: با جایگزینی خوانده شد",
        "متن په نامعلومو تورو لیکل شوی: د بدیلونو سره ولوستل شو",
    ),
    "The people were read from a forwarded message": (
        "اشخاص از پیام ارسال‌شده (فارورد) خوانده شدند",
        "کسان له لېږل شوي (فارورډ) پیغام څخه ولوستل شول",
    ),
    "%(count)s family members mentioned but not named": (
        "%(count)s عضو خانواده یاد شده ولی نام برده نشده‌اند",
        "د کورنۍ %(count)s غړي یاد شوي خو نومونه یې نه دي اخیستل شوي",
    ),
    "A list of %(count)s families: split it into one request each": (
        "فهرست %(count)s خانواده: آن را به یک درخواست برای هر خانواده جدا کنید",
        "د %(count)s کورنیو لړلیک: هره کورنۍ په جلا غوښتنه ووېشئ",
    ),
    "%(count)s people in one message: a list of families, not one household": (
        "%(count)s نفر در یک پیام: فهرست چند خانواده، نه یک خانوار",
        "په یو پیغام کې %(count)s کسان: د کورنیو لړلیک، نه یوه کورنۍ",
    ),
    # Reading the upload.
    "The zip file is damaged and cannot be opened.": (
        "فایل zip خراب است و باز نمی‌شود.",
        "د zip دوسیه خرابه ده او نه پرانیستل کېږي.",
    ),
    "The zip file unpacks to more than the import limit allows.": (
        "فایل zip پس از باز شدن بزرگ‌تر از حد مجاز وارد کردن است.",
        "د zip دوسیه له خلاصېدو وروسته د واردولو له حد څخه لویه ده.",
    ),
    "The zip file holds no messages: no Maildir (cur/ and new/ folders), .eml or .mbox.": (
        "فایل zip هیچ پیامی ندارد: نه Maildir (پوشه‌های cur/ و new/)، نه .eml و نه .mbox.",
        "د zip دوسیه هېڅ پیغام نه لري: نه Maildir (د cur/ او new/ پوښۍ)، نه .eml او نه .mbox.",
    ),
    "The archive unpacks to more than the import limit allows.": (
        "آرشیف پس از باز شدن بزرگ‌تر از حد مجاز وارد کردن است.",
        "آرشیف له خلاصېدو وروسته د واردولو له حد څخه لوی دی.",
    ),
    "The message is %(mb)s MB, over the limit of %(limit)s MB.": (
        "پیام %(mb)s MB است، بیشتر از حد %(limit)s MB.",
        "پیغام %(mb)s MB دی، د %(limit)s MB له حد څخه زیات.",
    ),
    "This file in the archive is damaged (%(error)s).": (
        "این فایل در آرشیف خراب است (%(error)s).",
        "دا دوسیه په آرشیف کې خرابه ده (%(error)s).",
    ),
    "The archive %(name)s is damaged and could not be read to its end.": (
        "آرشیف %(name)s خراب است و تا آخر خوانده نشد.",
        "آرشیف %(name)s خراب دی او تر پایه ونه لوستل شو.",
    ),
    # What each message becomes.
    "Will be imported": ("وارد می‌شود", "واردېږي"),
    "Will be imported, for data entry": (
        "وارد می‌شود، برای ورود دستی معلومات",
        "واردېږي، د معلوماتو د لاسي ثبت لپاره",
    ),
    "Already imported: skipped": ("قبلاً وارد شده: کنار گذاشته شد", "مخکې وارد شوی: پرېښودل شو"),
    "Repeated in this upload: skipped": (
        "در این بارگذاری تکرار شده: کنار گذاشته شد",
        "په دې پورته کولو کې تکرار شوی: پرېښودل شو",
    ),
    "Empty message: nothing in it": ("پیام خالی: چیزی در آن نیست", "تش پیغام: هېڅ پکې نشته"),
    "Message too large": ("پیام بیش از حد بزرگ است", "پیغام ډېر لوی دی"),
    "Damaged in the archive": ("در آرشیف خراب است", "په آرشیف کې خراب دی"),
    "Could not be stored": ("ذخیره نشد", "خوندي نه شو"),
    "Family members mentioned but not named": (
        "اعضای خانواده یاد شده ولی نام برده نشده‌اند",
        "د کورنۍ غړي یاد شوي خو نومونه یې نه دي اخیستل شوي",
    ),
    "A list of families: to split into one request each": (
        "فهرست چند خانواده: باید به یک درخواست برای هر خانواده جدا شود",
        "د کورنیو لړلیک: باید هره کورنۍ په جلا غوښتنه ووېشل شي",
    ),
    "Too many people for one household": (
        "تعداد اشخاص برای یک خانوار بیش از حد است",
        "د یوې کورنۍ لپاره ډېر کسان",
    ),
    "The sender writes for several families: a sponsor, not evidence": (
        "فرستنده برای چند خانواده می‌نویسد: حامی است، نه شاهد هویت",
        "لېږونکی د څو کورنیو لپاره لیکي: ملاتړی دی، نه د هویت شاهد",
    ),
    # The upload form.
    "E-mail: an mbox file, .eml files, or a zip or tar of a Maildir": (
        "ایمیل: یک فایل mbox، فایل‌های .eml، یا zip یا tar یک Maildir",
        "برېښنالیک: د mbox دوسیه، د .eml دوسیې، یا د Maildir zip یا tar",
    ),
    "You can choose several .eml files at once.": (
        "می‌توانید چند فایل .eml را یک‌جا انتخاب کنید.",
        "تاسو کولای شئ څو .eml دوسیې یو ځای وټاکئ.",
    ),
    "The upload is larger than the limit of %(limit)s MB, so it was not read or stored. Upload the mailbox in parts, or ask an administrator to import it with the haven import-mail command, which has no size limit.": (
        "بارگذاری بزرگ‌تر از حد %(limit)s MB است، پس خوانده یا ذخیره نشد. صندوق پستی را در چند بخش بارگذاری کنید، یا از مدیر سیستم بخواهید آن را با دستور haven import-mail وارد کند که حد اندازه ندارد.",
        "پورته شوې دوسیه د %(limit)s MB له حد څخه لویه ده، نو نه ولوستل شوه او نه خوندي شوه. برېښنالیکي صندوق په څو برخو کې پورته کړئ، یا له مدیر څخه وغواړئ چې د haven import-mail په امر یې وارد کړي چې د اندازې حد نه لري.",
    ),
    "“%(name)s” is not e-mail: upload an mbox file, .eml files, or a zip or tar of a Maildir.": (
        "«%(name)s» ایمیل نیست: یک فایل mbox، فایل‌های .eml، یا zip یا tar یک Maildir بارگذاری کنید.",
        "«%(name)s» برېښنالیک نه دی: د mbox دوسیه، د .eml دوسیې، یا د Maildir zip یا tar پورته کړئ.",
    ),
    "%(name)s and %(n)s more": ("%(name)s و %(n)s فایل دیگر", "%(name)s او %(n)s نورې دوسیې"),
    "Import e-mail": ("وارد کردن ایمیل", "برېښنالیک واردول"),
    "Import a spreadsheet instead": (
        "به جای آن، صفحه‌گسترده وارد کنید",
        "پر ځای یې سپریډشیټ وارد کړئ",
    ),
    "Upload a mailbox": ("بارگذاری صندوق پستی", "برېښنالیکي صندوق پورته کړئ"),
    "Nothing is imported yet: you will see a dry run first, message by message. A message imported before (the same Message-ID) is never imported twice.": (
        "هنوز چیزی وارد نشده است: نخست آزمایش بدون ثبت را پیام به پیام می‌بینید. پیامی که قبلاً وارد شده (همان Message-ID) هرگز دوبار وارد نمی‌شود.",
        "لا هېڅ نه دي وارد شوي: لومړی به بې ثبته ازموینه پیغام په پیغام وګورئ. هغه پیغام چې مخکې وارد شوی (هماغه Message-ID) هېڅکله دوه ځلې نه واردېږي.",
    ),
    "Up to %(limit_mb)s MB in all. A Maildir is read from its cur and new folders.": (
        "حداکثر %(limit_mb)s MB در مجموع. Maildir از پوشه‌های cur و new آن خوانده می‌شود.",
        "ټول ټال تر %(limit_mb)s MB پورې. Maildir د هغه له cur او new پوښیو لوستل کېږي.",
    ),
    "Upload and check (dry run)": (
        "بارگذاری و بررسی (آزمایش بدون ثبت)",
        "پورته کول او کتنه (بې ثبته ازموینه)",
    ),
    "Recent e-mail imports": ("ورودهای اخیر ایمیل", "وروستي وارد شوي برېښنالیکونه"),
    "Messages": ("پیام‌ها", "پیغامونه"),
    "No e-mail imports yet.": (
        "هنوز هیچ ایمیلی وارد نشده است.",
        "تر اوسه هېڅ برېښنالیک نه دی وارد شوی.",
    ),
    "Importing e-mail (an mbox, .eml files or a Maildir)? Use the e-mail import.": (
        "ایمیل وارد می‌کنید (mbox، فایل‌های .eml یا Maildir)؟ از وارد کردن ایمیل استفاده کنید.",
        "برېښنالیک واردوئ (mbox، د .eml دوسیې یا Maildir)؟ د برېښنالیک واردول وکاروئ.",
    ),
    # Progress and the import's page.
    "Checking the messages (dry run): nothing is written yet.": (
        "بررسی پیام‌ها (آزمایش بدون ثبت): هنوز چیزی ثبت نشده است.",
        "د پیغامونو کتنه (بې ثبته ازموینه): لا هېڅ نه دي ثبت شوي.",
    ),
    "%(n)s messages checked": ("%(n)s پیام بررسی شد", "%(n)s پیغامونه وکتل شول"),
    "%(n)s of %(total)s messages": ("%(n)s از %(total)s پیام", "له %(total)s پیغامونو څخه %(n)s"),
    "All e-mail imports": ("همه ورودهای ایمیل", "ټول وارد شوي برېښنالیکونه"),
    "Messages in the upload": ("پیام‌های این بارگذاری", "په پورته شوې دوسیه کې پیغامونه"),
    "Imported so far": ("تا اکنون وارد شده", "تر اوسه وارد شوي"),
    "%(rows)s messages: %(imported)s imported (%(de)s for data entry), %(rejected)s refused, %(skipped)s skipped as already imported.": (
        "%(rows)s پیام: %(imported)s وارد شد (%(de)s برای ورود دستی معلومات)، %(rejected)s رد شد، %(skipped)s چون قبلاً وارد شده بود کنار گذاشته شد.",
        "%(rows)s پیغامونه: %(imported)s وارد شول (%(de)s د معلوماتو د لاسي ثبت لپاره)، %(rejected)s رد شول، %(skipped)s پرېښودل شول ځکه چې مخکې وارد شوي وو.",
    ),
    "Every message in the upload is accounted for.": (
        "حساب همه پیام‌های این بارگذاری روشن است.",
        "د پورته شوې دوسیې د ټولو پیغامونو حساب څرګند دی.",
    ),
    "The messages imported before it stopped are kept. Resuming carries on from where it stopped, and imports nothing twice.": (
        "پیام‌هایی که پیش از توقف وارد شده‌اند نگه داشته می‌شوند. ادامه دادن از همان جایی که متوقف شد پیش می‌رود و هیچ چیزی را دوبار وارد نمی‌کند.",
        "هغه پیغامونه چې له درېدو مخکې وارد شوي ساتل کېږي. بیا پیل له هماغه ځایه دوام کوي چې ودرېد، او هېڅ شی دوه ځلې نه واردوي.",
    ),
    "People found: %(people)s. Replies that join an earlier request or message: %(joins)s. Senders treated as sponsors: %(sponsors)s.": (
        "اشخاص یافته‌شده: %(people)s. پاسخ‌هایی که به درخواست یا پیام قبلی می‌پیوندند: %(joins)s. فرستندگانی که حامی شمرده شدند: %(sponsors)s.",
        "موندل شوي کسان: %(people)s. هغه ځوابونه چې له مخکینۍ غوښتنې یا پیغام سره یوځای کېږي: %(joins)s. هغه لېږونکي چې ملاتړي وګڼل شول: %(sponsors)s.",
    ),
    "Flags": ("نشانه‌ها", "نښې"),
    "Message by message": ("پیام به پیام", "پیغام په پیغام"),
    "The first %(shown)s messages are shown; the counts above cover them all.": (
        "%(shown)s پیام نخست نشان داده شده است؛ شمارش‌های بالا همه را در بر می‌گیرد.",
        "لومړني %(shown)s پیغامونه ښودل شوي؛ پورته شمېرې ټول رانغاړي.",
    ),
    "People found": ("اشخاص یافته‌شده", "موندل شوي کسان"),
    "What happens": ("چه می‌شود", "څه کېږي"),
    "nobody named": ("هیچ کس نام برده نشده", "د هېچا نوم نه دی اخیستل شوی"),
    "same as message %(n)s": ("همانند پیام %(n)s", "د %(n)s پیغام په څېر"),
    "Joins request %(receipt)s (a reply)": (
        "به درخواست %(receipt)s می‌پیوندد (یک پاسخ)",
        "له %(receipt)s غوښتنې سره یوځای کېږي (یو ځواب)",
    ),
    "Joins message %(n)s of this upload (a reply)": (
        "به پیام %(n)s این بارگذاری می‌پیوندد (یک پاسخ)",
        "د دې پورته کولو له %(n)s پیغام سره یوځای کېږي (یو ځواب)",
    ),
    "Refused messages": ("پیام‌های رد شده", "رد شوي پیغامونه"),
}

PLURALS = {
    ("Import %(n)s message", "Import %(n)s messages"): (
        ("وارد کردن %(n)s پیام", "وارد کردن %(n)s پیام"),
        ("د %(n)s پیغام واردول", "د %(n)s پیغامونو واردول"),
    ),
    (
        "%(n)s message: %(to_import)s to import (%(de)s will need data entry).",
        "%(n)s messages: %(to_import)s to import (%(de)s will need data entry).",
    ): (
        (
            "%(n)s پیام: %(to_import)s برای وارد کردن (%(de)s نیاز به ورود دستی معلومات دارد).",
            "%(n)s پیام: %(to_import)s برای وارد کردن (%(de)s نیاز به ورود دستی معلومات دارند).",
        ),
        (
            "%(n)s پیغام: %(to_import)s د واردولو لپاره (%(de)s د معلوماتو لاسي ثبت ته اړتیا لري).",
            "%(n)s پیغامونه: %(to_import)s د واردولو لپاره (%(de)s د معلوماتو لاسي ثبت ته اړتیا لري).",
        ),
    ),
}


def _ltr_marks(text: str) -> str:
    """A left-to-right mark where a file extension or folder name meets Dari or Pashto text:
    without it the bidi algorithm shows ".eml" as "eml." and "cur/" as "/cur"."""
    for token in (".eml", ".mbox"):
        text = text.replace(token, "\u200e" + token)
    for token in ("cur/", "new/"):
        text = text.replace(token, token + "\u200e")
    return text


T = {en: (_ltr_marks(fa), _ltr_marks(ps)) for en, (fa, ps) in T.items()}
