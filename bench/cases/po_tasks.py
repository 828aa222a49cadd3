"""Dari and Pashto for the tasks, checklist, alerts and restricted-notes strings (issue 15):
`.venv/bin/python /work/team/po/append.py bench/cases/po_tasks.py .`"""

T = {
    "Open": ("باز", "پرانیستی"),
    "Cancelled": ("لغو شد", "لغوه شوه"),
    "by hand": ("به دست کارمند", "د کارکوونکي په لاس"),
    "the evidence arrived": ("سند رسید", "سند ورسېد"),
    "no longer needed": ("دیگر لازم نیست", "نور اړین نه دی"),
    "Task overdue": ("کار از موعد گذشته", "کار له موعد تېر شوی"),
    "Case over its pathway's target": (
        "قضیه از هدف زمانی مسیر خود گذشته",
        "قضیه د خپلې لارې له وخت موخې تېره شوې",
    ),
    "Task added": ("کار اضافه شد", "کار زیات شو"),
    "Task done": ("کار انجام شد", "کار ترسره شو"),
    "Task cancelled": ("کار لغو شد", "کار لغوه شو"),
    "Restricted: caseworkers and supervisors only": (
        "محدود: تنها مددکاران و سرپرستان",
        "محدود: یوازې د قضیو کارکوونکي او سرپرستان",
    ),
    "Intake officers will not see it.": (
        "کارمندان پذیرش آن را نمی‌بینند.",
        "د منلو کارکوونکي به یې ونه ګوري.",
    ),
    "Task": ("کار", "کار"),
    "Due": ("موعد", "موعد"),
    "Evidence it is about": ("سندی که به آن مربوط است", "هغه سند چې پورې اړه لري"),
    "The case's assignee": ("مسئول قضیه", "د قضیې مسوول"),
    "That person is not known: choose from the list.": (
        "این شخص شناخته نشد: از فهرست انتخاب کنید.",
        "دا کس ونه پېژندل شو: له لېست څخه یې وټاکئ.",
    ),
    "E-mail me a daily digest of new alerts": (
        "خلاصهٔ روزانهٔ هشدارهای جدید را برایم ایمیل کنید",
        "د نویو خبرتیاوو ورځنی لنډیز ماته برېښنالیک کړئ",
    ),
    "One e-mail a day at most, with case references only.": (
        "حداکثر یک ایمیل در روز، تنها با شماره‌های قضایا.",
        "په ورځ کې تر ټولو ډېر یو برېښنالیک، یوازې د قضیو له شمېرو سره.",
    ),
    "%(user)s (%(role)s) has no access to work on %(case)s, so the task cannot be given to them. Choose a caseworker or a supervisor.": (
        "%(user)s (%(role)s) اجازهٔ کار روی %(case)s را ندارد، پس این کار به او سپرده نمی‌شود. یک مددکار یا سرپرست را انتخاب کنید.",
        "%(user)s (%(role)s) په %(case)s د کار اجازه نه لري، نو دا کار ورته نه سپارل کېږي. د قضیو یو کارکوونکی یا سرپرست وټاکئ.",
    ),
    "Say what is to be done: the title is empty.": (
        "بنویسید چه کاری باید انجام شود: عنوان خالی است.",
        "ولیکئ چې کوم کار باید وشي: سرلیک تش دی.",
    ),
    "Keep the title under %(n)d characters; details go in a note.": (
        "عنوان را کمتر از %(n)d حرف نگه دارید؛ جزئیات را در یادداشت بنویسید.",
        "سرلیک له %(n)d تورو لنډ وساتئ؛ جزییات په یادښت کې ولیکئ.",
    ),
    "The due date %(date)s is in the past: choose today or a later day.": (
        "موعد %(date)s گذشته است: امروز یا روزی بعد از آن را انتخاب کنید.",
        "موعد %(date)s تېر شوی: نن یا وروسته ورځ وټاکئ.",
    ),
    "%(case)s is closed: reopen it first.": (
        "%(case)s بسته است: اول آن را دوباره باز کنید.",
        "%(case)s تړل شوې ده: لومړی یې بیا پرانیزئ.",
    ),
    "A task is closed as done or as cancelled.": (
        "یک کار یا انجام‌شده بسته می‌شود یا لغوشده.",
        "یو کار یا د ترسره شوي په توګه تړل کېږي یا د لغوه شوي.",
    ),
    "A restricted note (caseworkers and supervisors only)": (
        "یک یادداشت محدود (تنها مددکاران و سرپرستان)",
        "یو محدود یادښت (یوازې د قضیو کارکوونکي او سرپرستان)",
    ),
    "%(title)s": ("%(title)s", "%(title)s"),
    "Still needed: %(items)s": ("هنوز لازم است: %(items)s", "لا اړین دي: %(items)s"),
    "Arrived: %(items)s": ("رسید: %(items)s", "ورسېدل: %(items)s"),
    "No longer needed: %(items)s": ("دیگر لازم نیست: %(items)s", "نور اړین نه دي: %(items)s"),
    "%(title)s (due %(due)s)": ("%(title)s (موعد %(due)s)", "%(title)s (موعد %(due)s)"),
    "Tasks": ("کارها", "کارونه"),
    "still needed": ("هنوز لازم است", "لا اړین دی"),
    "the case's assignee": ("مسئول قضیه", "د قضیې مسوول"),
    "due %(due)s": ("موعد %(due)s", "موعد %(due)s"),
    "Cancel task": ("لغو کار", "کار لغوه کړئ"),
    "No open tasks.": ("هیچ کار باز نیست.", "هېڅ پرانیستی کار نشته."),
    "Add task": ("افزودن کار", "کار زیات کړئ"),
    "Alerts": ("هشدارها", "خبرتیاوې"),
    "A task past its due date, or a case open longer than its pathway's target, raises one alert to the assignee and the case's supervisors.": (
        "کاری که از موعدش گذشته، یا قضیه‌ای که بیشتر از هدف زمانی مسیرش باز مانده، یک هشدار برای مسئول و سرپرستان قضیه می‌فرستد.",
        "هغه کار چې له موعد تېر شي، یا هغه قضیه چې د خپلې لارې له وخت موخې ډېره پرانیستې پاتې شي، مسوول او د قضیې سرپرستانو ته یوه خبرتیا لېږي.",
    ),
    "Mark all as read": ("همه را خوانده‌شده علامت بزنید", "ټول لوستل شوي په نښه کړئ"),
    "Raised": ("زمان هشدار", "د خبرتیا وخت"),
    "new": ("جدید", "نوی"),
    "A task was due on %(due)s and is not done.": (
        "موعد یک کار %(due)s بود و هنوز انجام نشده است.",
        "د یو کار موعد %(due)s و او لا نه دی ترسره شوی.",
    ),
    "Open longer than its pathway's target of %(days)s days.": (
        "بیشتر از هدف %(days)s روزهٔ مسیرش باز مانده است.",
        "د خپلې لارې د %(days)s ورځو له موخې ډېره پرانیستې پاتې ده.",
    ),
    "No alerts.": ("هیچ هشداری نیست.", "هېڅ خبرتیا نشته."),
    "Your account has no e-mail address: ask an administrator to add one.": (
        "حساب شما آدرس ایمیل ندارد: از مدیر سیستم بخواهید آن را اضافه کند.",
        "ستاسو حساب برېښنالیک پته نه لري: له مدیر وغواړئ چې ورزیاته یې کړي.",
    ),
    "Restricted": ("محدود", "محدود"),
    "Task added.": ("کار اضافه شد.", "کار زیات شو."),
    "Task done.": ("کار انجام شد.", "کار ترسره شو."),
    "Task cancelled.": ("کار لغو شد.", "کار لغوه شو."),
    "You will get a daily e-mail of new alerts.": (
        "هر روز یک ایمیل از هشدارهای جدید دریافت می‌کنید.",
        "هره ورځ به د نویو خبرتیاوو یو برېښنالیک ترلاسه کوئ.",
    ),
    "You will not get alert e-mails.": (
        "ایمیل هشدار دریافت نمی‌کنید.",
        "د خبرتیا برېښنالیکونه به ترلاسه نه کړئ.",
    ),
}

PLURALS = {
    ("%(n)d alert marked as read.", "%(n)d alerts marked as read."): (
        ("%(n)d هشدار خوانده‌شده علامت خورد.", "%(n)d هشدار خوانده‌شده علامت خوردند."),
        ("%(n)d خبرتیا لوستل شوې په نښه شوه.", "%(n)d خبرتیاوې لوستل شوې په نښه شوې."),
    ),
    ("%(n)s closed task", "%(n)s closed tasks"): (
        ("%(n)s کار بسته‌شده", "%(n)s کار بسته‌شده"),
        ("%(n)s تړل شوی کار", "%(n)s تړل شوي کارونه"),
    ),
}
