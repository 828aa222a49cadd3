"""The default message texts, in English, Dari (fa-af) and Pashto (ps).

These are what a fresh desk starts with (a data migration copies them into MessageTemplate,
where staff edit them). They are written here, not in the .po files, because a message goes out
in the requester's language, whatever language the caseworker's screen is in.

Placeholders are `{{ name }}`; which names each purpose may use is in PURPOSES.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

LANGUAGES = ("en", "fa-af", "ps")
DEFAULT_LANGUAGE = "en"
RTL_LANGUAGES = frozenset({"fa-af", "ps"})


@dataclass(frozen=True)
class Purpose:
    code: str
    label: str | Promise
    variables: frozenset[str]


_BASE = frozenset({"receipt_number", "status_url"})
PURPOSES: dict[str, Purpose] = {
    p.code: p
    for p in (
        Purpose("receipt", _("Receipt"), _BASE),
        Purpose("status_changed", _("Status changed"), _BASE | {"status"}),
        Purpose("documents_needed", _("Documents needed"), _BASE | {"documents"}),
        Purpose("referral_made", _("Referral made"), _BASE),
        Purpose("appointment", _("Appointment"), _BASE | {"appointment_date", "appointment_place"}),
        Purpose("closed", _("Closed"), _BASE),
        Purpose("general_notice", _("General notice"), _BASE),
    )
}

# (subject, e-mail body, SMS body) per purpose and language.
DEFAULTS: dict[str, dict[str, tuple[str, str, str]]] = {
    "receipt": {
        "en": (
            "We received your request {{ receipt_number }}",
            "We received your request. Your receipt number is {{ receipt_number }}. Keep it: "
            "you need it to check the status of your request at {{ status_url }}.\n\n"
            "Please do not send the same request again; that slows everything down.",
            "Haven: we received your request. Receipt number {{ receipt_number }}. "
            "Status: {{ status_url }}. Please do not apply again.",
        ),
        "fa-af": (
            "درخواست شما {{ receipt_number }} دریافت شد",
            "درخواست شما دریافت شد. شمارهٔ رسید شما {{ receipt_number }} است. آن را نگه دارید: "
            "برای دیدن وضعیت درخواست خود در {{ status_url }} به آن نیاز دارید.\n\n"
            "لطفاً همین درخواست را دوباره نفرستید؛ این کار همه چیز را کُند می‌سازد.",
            "Haven: درخواست شما دریافت شد. شمارهٔ رسید {{ receipt_number }}. "
            "وضعیت: {{ status_url }}. لطفاً دوباره درخواست ندهید.",
        ),
        "ps": (
            "ستاسو غوښتنه {{ receipt_number }} ترلاسه شوه",
            "ستاسو غوښتنه ترلاسه شوه. ستاسو د رسید شمېره {{ receipt_number }} ده. دا وساتئ: "
            "د خپلې غوښتنې د حالت د لیدو لپاره په {{ status_url }} کې ورته اړتیا لرئ.\n\n"
            "مهرباني وکړئ همدا غوښتنه بیا مه لېږئ؛ دا کار هر څه ورو کوي.",
            "Haven: ستاسو غوښتنه ترلاسه شوه. د رسید شمېره {{ receipt_number }}. "
            "حالت: {{ status_url }}. مهرباني وکړئ بیا غوښتنه مه کوئ.",
        ),
    },
    "status_changed": {
        "en": (
            "Your request {{ receipt_number }}: {{ status }}",
            "The status of your request {{ receipt_number }} is now: {{ status }}.\n\n"
            "You can check it at any time at {{ status_url }}. You do not need to write to us "
            "or apply again.",
            "Haven: your request {{ receipt_number }} is now: {{ status }}. "
            "Details: {{ status_url }}",
        ),
        "fa-af": (
            "درخواست شما {{ receipt_number }}: {{ status }}",
            "وضعیت درخواست شما {{ receipt_number }} اکنون چنین است: {{ status }}.\n\n"
            "هر وقت بخواهید می‌توانید آن را در {{ status_url }} ببینید. نیازی نیست دوباره "
            "برای ما بنویسید یا درخواست بدهید.",
            "Haven: وضعیت درخواست {{ receipt_number }}: {{ status }}. معلومات: {{ status_url }}",
        ),
        "ps": (
            "ستاسو غوښتنه {{ receipt_number }}: {{ status }}",
            "ستاسو د غوښتنې {{ receipt_number }} حالت اوس دا دی: {{ status }}.\n\n"
            "تاسو یې هر وخت په {{ status_url }} کې لیدلی شئ. اړتیا نشته چې موږ ته بیا "
            "ولیکئ یا بیا غوښتنه وکړئ.",
            "Haven: د غوښتنې {{ receipt_number }} حالت: {{ status }}. معلومات: {{ status_url }}",
        ),
    },
    "documents_needed": {
        "en": (
            "Documents needed for your request {{ receipt_number }}",
            "To continue with your request {{ receipt_number }} we need these documents:\n"
            "{{ documents }}\n\n"
            "Please reply to this message with a clear photo or scan of each one, or bring "
            "them to the task force office. Your status page: {{ status_url }}",
            "Haven: for request {{ receipt_number }} we need: {{ documents }}. "
            "Reply to our e-mail or bring them to the office.",
        ),
        "fa-af": (
            "مدارک لازم برای درخواست شما {{ receipt_number }}",
            "برای ادامهٔ کار روی درخواست شما {{ receipt_number }} به این مدارک نیاز داریم:\n"
            "{{ documents }}\n\n"
            "لطفاً در جواب همین پیام، عکس یا اسکن واضح هر کدام را بفرستید، یا آن‌ها را به "
            "دفتر گروه کاری بیاورید. صفحهٔ وضعیت شما: {{ status_url }}",
            "Haven: برای درخواست {{ receipt_number }} این مدارک لازم است: {{ documents }}. "
            "به ایمیل ما جواب دهید یا به دفتر بیاورید.",
        ),
        "ps": (
            "ستاسو د غوښتنې {{ receipt_number }} لپاره اړین اسناد",
            "ستاسو د غوښتنې {{ receipt_number }} د پرمخ وړلو لپاره دې اسنادو ته اړتیا لرو:\n"
            "{{ documents }}\n\n"
            "مهرباني وکړئ د همدې پیغام په ځواب کې د هر یوه روښانه عکس یا سکن راولېږئ، یا "
            "یې د کاري ډلې دفتر ته راوړئ. ستاسو د حالت پاڼه: {{ status_url }}",
            "Haven: د غوښتنې {{ receipt_number }} لپاره دا اسناد اړین دي: {{ documents }}. "
            "زموږ برېښنالیک ته ځواب ورکړئ یا یې دفتر ته راوړئ.",
        ),
    },
    "referral_made": {
        "en": (
            "Your request {{ receipt_number }} has been referred to a partner",
            "We have referred your request {{ receipt_number }} to a partner organisation "
            "that can help with what you asked for. They will contact you.\n\n"
            "Your status page: {{ status_url }}",
            "Haven: request {{ receipt_number }} referred to a partner organisation. "
            "They will contact you. {{ status_url }}",
        ),
        "fa-af": (
            "درخواست شما {{ receipt_number }} به یک سازمان همکار راجع شد",
            "درخواست شما {{ receipt_number }} را به یک سازمان همکار راجع کردیم که می‌تواند "
            "در آنچه خواسته‌اید کمک کند. آن‌ها با شما تماس می‌گیرند.\n\n"
            "صفحهٔ وضعیت شما: {{ status_url }}",
            "Haven: درخواست {{ receipt_number }} به یک سازمان همکار راجع شد. آن‌ها با شما "
            "تماس می‌گیرند. {{ status_url }}",
        ),
        "ps": (
            "ستاسو غوښتنه {{ receipt_number }} یوې همکارې ادارې ته ولېږل شوه",
            "ستاسو غوښتنه {{ receipt_number }} مو یوې همکارې ادارې ته ولېږله چې ستاسو په "
            "غوښتل شوي کار کې مرسته کولی شي. هغوی به له تاسو سره اړیکه ونیسي.\n\n"
            "ستاسو د حالت پاڼه: {{ status_url }}",
            "Haven: غوښتنه {{ receipt_number }} یوې همکارې ادارې ته ولېږل شوه. هغوی به "
            "درسره اړیکه ونیسي. {{ status_url }}",
        ),
    },
    "appointment": {
        "en": (
            "Appointment for your request {{ receipt_number }}",
            "You have an appointment on {{ appointment_date }} at {{ appointment_place }} "
            "about your request {{ receipt_number }}.\n\nPlease bring your identity documents "
            "and this receipt number. If you cannot come, reply to this message.",
            "Haven: appointment {{ appointment_date }}, {{ appointment_place }}, request "
            "{{ receipt_number }}. Bring your ID documents.",
        ),
        "fa-af": (
            "وقت ملاقات برای درخواست شما {{ receipt_number }}",
            "شما در تاریخ {{ appointment_date }} در {{ appointment_place }} دربارهٔ درخواست "
            "{{ receipt_number }} وقت ملاقات دارید.\n\nلطفاً اسناد هویت خود و این شمارهٔ "
            "رسید را با خود بیاورید. اگر آمده نمی‌توانید، به همین پیام جواب دهید.",
            "Haven: وقت ملاقات {{ appointment_date }}، {{ appointment_place }}، درخواست "
            "{{ receipt_number }}. اسناد هویت خود را بیاورید.",
        ),
        "ps": (
            "ستاسو د غوښتنې {{ receipt_number }} لپاره د لیدنې وخت",
            "تاسو د {{ appointment_date }} په نېټه په {{ appointment_place }} کې د خپلې "
            "غوښتنې {{ receipt_number }} په اړه د لیدنې وخت لرئ.\n\nمهرباني وکړئ خپل د "
            "پېژندنې اسناد او دا د رسید شمېره له ځانه سره راوړئ. که نه شئ راتلای، همدې "
            "پیغام ته ځواب ورکړئ.",
            "Haven: د لیدنې وخت {{ appointment_date }}، {{ appointment_place }}، غوښتنه "
            "{{ receipt_number }}. خپل د پېژندنې اسناد راوړئ.",
        ),
    },
    "closed": {
        "en": (
            "Your request {{ receipt_number }} is closed",
            "Your request {{ receipt_number }} is now closed. The status page explains what "
            "this means: {{ status_url }}\n\nIf your situation has changed, you may send a new "
            "request and mention this receipt number.",
            "Haven: your request {{ receipt_number }} is closed. {{ status_url }}",
        ),
        "fa-af": (
            "درخواست شما {{ receipt_number }} بسته شد",
            "درخواست شما {{ receipt_number }} اکنون بسته شده است. صفحهٔ وضعیت توضیح می‌دهد "
            "که این به چه معناست: {{ status_url }}\n\nاگر وضعیت شما تغییر کرده است، "
            "می‌توانید درخواست تازه بفرستید و این شمارهٔ رسید را در آن یاد کنید.",
            "Haven: درخواست {{ receipt_number }} بسته شد. {{ status_url }}",
        ),
        "ps": (
            "ستاسو غوښتنه {{ receipt_number }} بنده شوه",
            "ستاسو غوښتنه {{ receipt_number }} اوس بنده شوې ده. د حالت پاڼه وايي چې دا څه "
            "معنا لري: {{ status_url }}\n\nکه ستاسو وضعیت بدل شوی وي، نوې غوښتنه لېږلی شئ "
            "او دا د رسید شمېره پکې یاده کړئ.",
            "Haven: غوښتنه {{ receipt_number }} بنده شوه. {{ status_url }}",
        ),
    },
    "general_notice": {
        "en": (
            "A message from the task force about your request {{ receipt_number }}",
            "This is a general notice to everyone who has asked the task force for help. "
            "Our office is working through every request in order. You do not need to apply "
            "again or send the same documents twice: that slows everything down.\n\n"
            "Check your status at {{ status_url }} with your receipt number "
            "{{ receipt_number }}.",
            "Haven: we are working through every request in order. Do not apply again. "
            "Status: {{ status_url }} (receipt {{ receipt_number }})",
        ),
        "fa-af": (
            "پیام گروه کاری دربارهٔ درخواست شما {{ receipt_number }}",
            "این یک اطلاعیهٔ عمومی برای همهٔ کسانی است که از گروه کاری کمک خواسته‌اند. "
            "دفتر ما همهٔ درخواست‌ها را به ترتیب بررسی می‌کند. نیازی نیست دوباره درخواست "
            "بدهید یا همان مدارک را دو بار بفرستید: این کار همه چیز را کُند می‌سازد.\n\n"
            "وضعیت خود را با شمارهٔ رسید {{ receipt_number }} در {{ status_url }} ببینید.",
            "Haven: ما همهٔ درخواست‌ها را به ترتیب بررسی می‌کنیم. دوباره درخواست ندهید. "
            "وضعیت: {{ status_url }} (رسید {{ receipt_number }})",
        ),
        "ps": (
            "ستاسو د غوښتنې {{ receipt_number }} په اړه د کاري ډلې پیغام",
            "دا ټولو هغو کسانو ته یوه عمومي خبرتیا ده چې له کاري ډلې یې مرسته غوښتې ده. "
            "زموږ دفتر ټولې غوښتنې په ترتیب سره ګوري. اړتیا نشته چې بیا غوښتنه وکړئ یا "
            "همغه اسناد دوه ځله ولېږئ: دا کار هر څه ورو کوي.\n\n"
            "خپل حالت د رسید په شمېره {{ receipt_number }} سره په {{ status_url }} کې وګورئ.",
            "Haven: موږ ټولې غوښتنې په ترتیب سره ګورو. بیا غوښتنه مه کوئ. "
            "حالت: {{ status_url }} (رسید {{ receipt_number }})",
        ),
    },
}

# The public status (intake.Request.Status) as the requester reads it.
STATUS_LABELS: dict[str, dict[str, str]] = {
    "received": {"en": "Received", "fa-af": "دریافت شد", "ps": "ترلاسه شوه"},
    "under_review": {"en": "Under review", "fa-af": "در حال بررسی", "ps": "د کتنې لاندې"},
    "referred": {
        "en": "Referred to a partner",
        "fa-af": "به سازمان همکار راجع شد",
        "ps": "همکارې ادارې ته ولېږل شوه",
    },
    "closed": {"en": "Closed", "fa-af": "بسته شد", "ps": "بنده شوه"},
}

# Documents a caseworker can ask for with one click, as the requester reads them.
DOCUMENT_LABELS: dict[str, dict[str, str]] = {
    "passport": {"en": "Passport", "fa-af": "پاسپورت", "ps": "پاسپورټ"},
    "tazkira": {"en": "Tazkira (national ID)", "fa-af": "تذکره", "ps": "تذکره"},
    "recommendation": {
        "en": "Letter of recommendation from your supervisor",
        "fa-af": "سفارش‌نامهٔ آمر شما",
        "ps": "ستاسو د آمر سپارښتنلیک",
    },
    "employment": {
        "en": "Proof of employment (contract or ID badge)",
        "fa-af": "سند کار (قرارداد یا کارت کاری)",
        "ps": "د کار سند (تړون یا د کار کارت)",
    },
    "marriage": {"en": "Marriage certificate", "fa-af": "نکاح‌خط", "ps": "نکاح خط"},
    "birth": {
        "en": "Birth certificates of your children",
        "fa-af": "سند تولد فرزندان شما",
        "ps": "د ماشومانو د زېږون سندونه",
    },
    "photo": {"en": "A recent photo", "fa-af": "یک عکس تازه", "ps": "یو تازه عکس"},
    "por": {
        "en": "Proof of Registration card (Pakistan)",
        "fa-af": "کارت ثبت (PoR)",
        "ps": "د ثبت کارت (PoR)",
    },
}

# Added under every e-mail: how to stop them (the link carries only a signed token).
UNSUBSCRIBE_FOOTER: dict[str, str] = {
    "en": "To stop receiving e-mail from us, open: {url}",
    "fa-af": "برای اینکه دیگر از ما ایمیل دریافت نکنید، این پیوند را باز کنید: {url}",
    "ps": "که نه غواړئ له موږ نور برېښنالیکونه ترلاسه کړئ، دا لینک پرانیزئ: {url}",
}

# How a list is joined in an SMS, per language (Dari and Pashto use the Arabic comma).
LIST_SEPARATOR = {"en": ", ", "fa-af": "، ", "ps": "، "}


def language_of(code: str) -> str:
    """A request's language as one of ours: 'fa', 'prs', 'fa-AF' read as Dari, 'pus' as
    Pashto; anything else as English."""
    value = (code or "").strip().lower().replace("_", "-")
    if value in {"fa-af", "fa", "prs", "dari", "fa-ir"}:
        return "fa-af"
    if value in {"ps", "pus", "pashto", "ps-af"}:
        return "ps"
    return DEFAULT_LANGUAGE


def localized(labels: dict[str, str], language: str) -> str:
    return labels.get(language) or labels[DEFAULT_LANGUAGE]
