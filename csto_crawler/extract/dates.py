"""Dates as pages print them, turned into ISO 8601 with an offset.

Rules (documented here because they decide what the archive claims):

* A date that carries its offset (``2023-06-21T07:19:00+07:00``, ``… GMT + 7``) keeps it.
* A date printed without an offset gets the site's declared zone (``SiteRules.timezone``)
  or, failing that, a zone the page itself states elsewhere (e.g. the offset of another
  timestamp in its metadata). With no known zone we never invent an offset: only the calendar
  date is kept (``2023-06-19``), as it is when the page prints no time at all.
* Text with no recognisable date gives null (logged at DEBUG with the reason).
* Relative dates ("6 часов назад", "вчера в 14:30", "3 hours ago") are anchored to the fetch
  time passed in (``fetched_at``); without it they stay null. The clock is never read.
* Localized month and weekday names of the languages we crawl are understood; site formats
  (``strptime`` directives) are matched anywhere in the text, so a date line that also carries
  a view counter still parses.
"""

from __future__ import annotations

import logging
import re
from datetime import UTC, date, datetime, timedelta, timezone, tzinfo
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

__all__ = ["parse_date", "parse_iso", "is_date_line", "zone_of", "MONTHS", "WEEKDAYS"]

logger = logging.getLogger(__name__)

_EN_MONTHS = (
    "january", "february", "march", "april", "may", "june",
    "july", "august", "september", "october", "november", "december",
)

# month number -> names (any case/form) in the languages we crawl
_MONTH_NAMES: dict[int, tuple[str, ...]] = {
    1: ("january", "jan", "январь", "января", "янв", "қаңтар", "қаңтардағы", "үчтүн айы", "январ",
        "студзеня", "студзень", "հունվարի", "հունվար", "يناير", "كانون الثاني", "ژانویه", "janvier"),
    2: ("february", "feb", "февраль", "февраля", "фев", "ақпан", "бирдин айы", "феврал", "лютага",
        "люты", "փետրվարի", "փետրվար", "فبراير", "شباط", "فوریه"),
    3: ("march", "mar", "март", "марта", "мар", "наурыз", "жалган куран", "сакавіка", "сакавік",
        "մարտի", "մարտ", "مارس", "آذار"),
    4: ("april", "apr", "апрель", "апреля", "апр", "сәуір", "чын куран", "апрел", "красавіка",
        "красавік", "ապրիլի", "ապրիլ", "أبريل", "ابريل", "نيسان", "آوریل"),
    5: ("may", "май", "мая", "мамыр", "бугу", "мая", "травеня", "травень", "մայիսի", "մայիս",
        "مايو", "أيار", "مه", "می"),
    6: ("june", "jun", "июнь", "июня", "июн", "маусым", "кулжа", "чэрвеня", "чэрвень", "հունիսի",
        "հունիս", "يونيو", "يونيه", "حزيران", "ژوئن"),
    7: ("july", "jul", "июль", "июля", "июл", "шілде", "теке", "ліпеня", "ліпень", "հուլիսի",
        "հուլիս", "يوليو", "يوليه", "تموز", "ژوئیه", "جولای"),
    8: ("august", "aug", "август", "августа", "авг", "тамыз", "баш оона", "жніўня", "жнівень",
        "օգոստոսի", "օգոստոս", "أغسطس", "اغسطس", "آب", "اوت", "آگوست"),
    9: ("september", "sep", "sept", "сентябрь", "сентября", "сен", "сент", "қыркүйек", "аяк оона",
        "сентябр", "верасня", "верасень", "սեպտեմբերի", "սեպտեմբեր", "سبتمبر", "أيلول", "سپتامبر"),
    10: ("october", "oct", "октябрь", "октября", "окт", "қазан", "тогуздун айы", "октябр",
         "кастрычніка", "кастрычнік", "հոկտեմբերի", "հոկտեմբեր", "أكتوبر", "اكتوبر", "تشرين الأول",
         "اکتبر"),
    11: ("november", "nov", "ноябрь", "ноября", "ноя", "нояб", "қараша", "жетинин айы", "ноябр",
         "лістапада", "лістапад", "նոյեմբերի", "նոյեմբեր", "نوفمبر", "تشرين الثاني", "نوامبر"),
    12: ("december", "dec", "декабрь", "декабря", "дек", "желтоқсан", "бештин айы", "декабр",
         "снежня", "снежань", "դեկտեմբերի", "դեկտեմբեր", "ديسمبر", "كانون الأول", "دسامبر"),
}
#: Every month name we understand -> month number.
MONTHS: dict[str, int] = {name: num for num, names in _MONTH_NAMES.items() for name in names}

#: Weekday names (any case) in the languages we crawl, including Vietnamese "Thứ hai"….
WEEKDAYS: tuple[str, ...] = (
    "понедельник", "вторник", "среда", "четверг", "пятница", "суббота", "воскресенье",
    "пн", "вт", "ср", "чт", "пт", "сб", "вс",
    "дүйсенбі", "сейсенбі", "сәрсенбі", "бейсенбі", "жұма", "сенбі", "жексенбі",
    "дүйшөмбү", "шейшемби", "шаршемби", "бейшемби", "жума", "ишемби", "жекшемби",
    "душанбе", "сешанбе", "чоршанбе", "панҷшанбе", "ҷумъа", "шанбе", "якшанбе",
    "панядзелак", "аўторак", "серада", "чацвер", "пятніца", "субота", "нядзеля",
    "երկուշաբթի", "երեքշաբթի", "չորեքշաբթի", "հինգշաբթի", "ուրբաթ", "շաբաթ", "կիրակի",
    "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday",
    "mon", "tue", "wed", "thu", "fri", "sat", "sun",
    "thứ hai", "thứ ba", "thứ tư", "thứ năm", "thứ sáu", "thứ bảy", "chủ nhật", "thứ 2", "thứ 3",
    "thứ 4", "thứ 5", "thứ 6", "thứ 7",
    "الاثنين", "الإثنين", "الثلاثاء", "الأربعاء", "الخميس", "الجمعة", "السبت", "الأحد",
    "دوشنبه", "سه‌شنبه", "سه شنبه", "چهارشنبه", "پنجشنبه", "پنج‌شنبه", "جمعه", "شنبه", "یکشنبه",
)

# words that may surround a printed date without being content
_DATE_NOISE = (
    "г", "гг", "года", "год", "году", "ж", "жыл", "жылы", "жылғы", "жылдын", "сол", "соли", "в", "во",
    "at", "on", "lúc", "ngày", "năm", "saat", "соат", "сағат", "саат", "ч", "час", "мин", "h", "gmt",
    "utc", "msk", "мск", "ast", "время", "time", "дата", "date", "published", "updated", "обновлено",
    "опубликовано", "изменено", "الساعة", "ساعت", "تاريخ", "تاریخ",
)
_COUNTER_NOISE = re.compile(
    r"\d[\d\s]*\s*(?:просмотр\w*|прочтени\w*|комментари\w*|views?|reads?|comments?|bạn\s+đọc|"
    r"lượt\s+xem|مشاهدات|مشاهدة|بازدید|рет\s+қаралды|көрүү\w*|маротиба|تعليق\w*)",
    re.IGNORECASE,
)


def _alternation(words) -> str:
    return "|".join(re.escape(w).replace(r"\ ", r"\s+") for w in sorted(set(words), key=len, reverse=True))


_MONTH_RE = re.compile(rf"(?<![^\W\d_])(?:{_alternation(MONTHS)})(?![^\W\d_])\.?", re.IGNORECASE)
_WEEKDAY_RE = re.compile(rf"(?<![^\W\d_])(?:{_alternation(WEEKDAYS)})(?![^\W\d_])\.?,?", re.IGNORECASE)
_NOISE_RE = re.compile(rf"(?<![^\W\d_])(?:{_alternation(_DATE_NOISE)})(?![^\W\d_])\.?", re.IGNORECASE)
_VI_MONTH_RE = re.compile(r"tháng\s*(\d{1,2})", re.IGNORECASE)
_GMT_RE = re.compile(r"(?:gmt|utc)\s*([+-])\s*(\d{1,2})(?:[:.]?(\d{2}))?", re.IGNORECASE)
_ARABIC_DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹", "01234567890123456789")

# generic shapes, tried in order on normalized text (English month names, ASCII digits)
_T = r"(?:\D{1,6}?(?P<H>\d{1,2})[:.](?P<M>\d{2})(?::(?P<S>\d{2}))?(?:\s*(?P<ampm>[ap]\.?m\.?))?)?"
_Z = r"(?:[\s(]*(?P<tz>z|[+-]\d{2}:?\d{2})(?![\d:]))?"
_MON = r"(?P<mon>" + "|".join(_EN_MONTHS) + r")"
_GENERIC = tuple(
    re.compile(p, re.IGNORECASE)
    for p in (
        rf"(?P<y>\d{{4}})-(?P<m>\d{{1,2}})-(?P<d>\d{{1,2}})(?:[t\s]+(?P<H>\d{{1,2}}):(?P<M>\d{{2}})(?::(?P<S>\d{{2}}))?(?:\.\d+)?)?{_Z}",
        rf"(?P<H>\d{{1,2}}):(?P<M>\d{{2}})\s*[,|/–-]?\s*(?P<d>\d{{1,2}})[./-](?P<m>\d{{1,2}})[./-](?P<y>\d{{4}}){_Z}",
        rf"(?<!\d)(?P<d>\d{{1,2}})[./-](?P<m>\d{{1,2}})[./-](?P<y>\d{{4}}){_T}{_Z}",
        rf"(?P<H>\d{{1,2}}):(?P<M>\d{{2}})\s*[,|/–-]?\s*(?P<d>\d{{1,2}})\s+{_MON}\s+(?P<y>\d{{4}}){_Z}",
        rf"(?<!\d)(?P<d>\d{{1,2}})\s*{_MON}\s*,?\s*(?P<y>\d{{4}}){_T}{_Z}",
        rf"{_MON}\s+(?P<d>\d{{1,2}})\s*,?\s*(?P<y>\d{{4}}){_T}{_Z}",
        rf"(?P<y>\d{{4}})\s+(?P<d>\d{{1,2}})\s+{_MON}{_T}{_Z}",
        rf"(?P<y>\d{{4}})\s+{_MON}\s+(?P<d>\d{{1,2}}){_T}{_Z}",
        # a two-digit year only with a time after it ("19/06/24 15:20"), so a bare "1/2/24"
        # in running text is no date
        rf"(?<![\d./])(?P<d>\d{{1,2}})[./](?P<m>\d{{1,2}})[./](?P<y2>\d{{2}})(?![\d./])\s*[,|]?\s*"
        rf"(?P<H>\d{{1,2}}):(?P<M>\d{{2}}){_Z}",
    )
)

_RELATIVE_UNITS = {
    "minutes": ("минут", "минуту", "минуты", "мин", "minute", "minutes", "min", "mins", "phút", "دقيقة",
                "دقائق", "دقیقه", "минут", "мүнөт", "дақиқа"),
    "hours": ("час", "часа", "часов", "hour", "hours", "hr", "hrs", "giờ", "ساعة", "ساعات", "ساعت",
              "сағат", "саат", "соат"),
    "days": ("день", "дня", "дней", "day", "days", "ngày", "يوم", "أيام", "روز", "күн", "рӯз"),
}
_UNIT_OF = {w: unit for unit, words in _RELATIVE_UNITS.items() for w in words}
_AGO = r"(?:назад|ago|trước|пеш|бұрын|мурун|قبل|پیش)"
_RELATIVE_RE = re.compile(
    rf"(?:(?P<n>\d{{1,3}})|(?P<one>одну|один|an?|one))\s*(?P<unit>{_alternation(_UNIT_OF)})\s*{_AGO}"
    rf"|(?:منذ|قبل)\s*(?P<n2>\d{{1,3}})\s*(?P<unit2>{_alternation(_UNIT_OF)})",
    re.IGNORECASE,
)
_DAYWORD_RE = re.compile(
    r"(?P<word>сегодня|вчера|позавчера|today|yesterday|hôm\s+nay|hôm\s+qua|бүгін|кеше|бүгүн|кечээ|"
    r"имрӯз|дирӯз|اليوم|أمس|امروز|دیروز)(?:\D{1,6}(?P<H>\d{1,2})[:.](?P<M>\d{2}))?",
    re.IGNORECASE,
)
_DAYWORD_OFFSET = {
    "сегодня": 0, "today": 0, "hôm nay": 0, "бүгін": 0, "бүгүн": 0, "имрӯз": 0, "اليوم": 0, "امروز": 0,
    "вчера": 1, "yesterday": 1, "hôm qua": 1, "кеше": 1, "кечээ": 1, "дирӯз": 1, "أمس": 1, "دیروز": 1,
    "позавчера": 2,
}


@lru_cache(maxsize=64)
def zone_of(name: str | None) -> tzinfo | None:
    """The ``tzinfo`` of an IANA zone name, or of a fixed offset like ``+05:00``; None if unknown."""
    if not name:
        return None
    match = re.fullmatch(r"([+-])(\d{2}):?(\d{2})", name.strip())
    if match:
        sign = -1 if match.group(1) == "-" else 1
        return timezone(sign * timedelta(hours=int(match.group(2)), minutes=int(match.group(3))))
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        logger.debug("unknown time zone %r", name)
        return None


#: A Chinese, Japanese or Korean date: "2024年06月20日", "2024년 6월 20일" (read as 2024-06-20).
_CJK_DATE_RE = re.compile(r"(?<!\d)(\d{4})\s*[年년]\s*(\d{1,2})\s*[月월]\s*(\d{1,2})\s*[日일]?")


def _cjk_dates_as_iso(text: str) -> str:
    return _CJK_DATE_RE.sub(r" \1-\2-\3 ", text)


def _normalize(text: str) -> str:
    """Lower case, ASCII digits, weekdays dropped, month names in English, ``GMT+7`` as ``+07:00``,
    CJK dates as ``Y-M-D``."""
    text = text.translate(_ARABIC_DIGITS).replace("\u200f", " ").replace("\u200e", " ").replace("\xa0", " ")
    text = _cjk_dates_as_iso(text)
    text = _GMT_RE.sub(lambda m: f" {m.group(1)}{int(m.group(2)):02d}:{m.group(3) or '00'}", text)
    text = _WEEKDAY_RE.sub(" ", text)
    text = _VI_MONTH_RE.sub(lambda m: " " + _EN_MONTHS[int(m.group(1)) - 1] + " " if 1 <= int(m.group(1)) <= 12 else m.group(0), text)
    text = _MONTH_RE.sub(lambda m: " " + _EN_MONTHS[MONTHS[_key(m.group(0))] - 1] + " ", text)
    text = re.sub(r"(?<=\d)\s*(?:г\.|года|гг\.|ж\.|жылғы|жылы|соли|сол)(?![^\W\d_])", " ", text, flags=re.IGNORECASE)
    return re.sub(r"\s+", " ", text).strip().lower()


def _key(name: str) -> str:
    return re.sub(r"\s+", " ", name.lower().rstrip("."))


def _offset(value: str | None) -> tzinfo | None:
    if not value:
        return None
    if value.lower() == "z":
        return UTC
    return zone_of(value if ":" in value else f"{value[:3]}:{value[3:]}")


def _date_only(day: date, tz: tzinfo | None) -> str:
    """A date printed without a time: local midnight with the site's offset when its zone is
    known (so ``published_at`` keeps its ISO-with-offset form and sorts with timed dates), else
    the bare calendar date (an offset is never invented)."""
    if tz is None:
        return day.isoformat()
    return datetime(day.year, day.month, day.day, tzinfo=tz).isoformat()


def _build(parts: dict, tz: tzinfo | None) -> str | None:
    """ISO string from matched parts; None when the date is impossible or has no zone."""
    try:
        month = parts.get("m")
        month = int(month) if month else _EN_MONTHS.index(parts["mon"].lower()) + 1
        year, day = int(parts["y"]), int(parts["d"])
        if parts.get("H") is None:
            return _date_only(date(year, month, day), _offset(parts.get("tz")) or tz)
        hour, minute, second = int(parts["H"]), int(parts["M"]), int(parts.get("S") or 0)
        ampm = (parts.get("ampm") or "").replace(".", "").lower()
        if ampm == "pm" and hour < 12:
            hour += 12
        elif ampm == "am" and hour == 12:
            hour = 0
        naive = datetime(year, month, day, hour, minute, second)
    except (ValueError, KeyError, TypeError) as err:
        logger.debug("impossible date %r: %s", parts, err)
        return None
    zone = _offset(parts.get("tz")) or tz
    if zone is None:
        logger.debug("date %s has no known time zone: only its calendar date is kept", naive.isoformat())
        return naive.date().isoformat()
    return naive.replace(tzinfo=zone).isoformat()


_DIRECTIVES = {
    "%d": r"(?P<d>\d{1,2})", "%-d": r"(?P<d>\d{1,2})", "%m": r"(?P<m>\d{1,2})", "%-m": r"(?P<m>\d{1,2})",
    "%Y": r"(?P<y>\d{4})", "%y": r"(?P<y2>\d{2})", "%H": r"(?P<H>\d{1,2})", "%-H": r"(?P<H>\d{1,2})",
    "%I": r"(?P<H>\d{1,2})", "%M": r"(?P<M>\d{2})", "%S": r"(?P<S>\d{2})", "%p": r"(?P<ampm>[ap]\.?m\.?)",
    "%B": _MON, "%b": _MON, "%z": r"(?P<tz>z|[+-]\d{2}:?\d{2})", "%Z": r"(?:[a-z]{2,5})",
    "%A": r"", "%a": r"", "%%": "%",
}


@lru_cache(maxsize=128)
def _format_regex(fmt: str) -> re.Pattern[str]:
    """A search pattern for a ``strptime`` format (weekday directives match nothing: weekdays are
    dropped by normalization)."""
    out, i = [], 0
    while i < len(fmt):
        two, three = fmt[i:i + 2], fmt[i:i + 3]
        if three in _DIRECTIVES:
            out.append(_DIRECTIVES[three])
            i += 3
        elif two in _DIRECTIVES:
            out.append(_DIRECTIVES[two])
            i += 2
        elif fmt[i].isspace():
            out.append(r"[\s,;|]*")
            i += 1
        else:
            out.append(re.escape(fmt[i].lower()))
            i += 1
    pattern = "".join(out)
    return re.compile(pattern, re.IGNORECASE)


def parse_iso(value: str, tz: tzinfo | None = None) -> str | None:
    """Parse a machine date (``datetime`` attribute, JSON-LD, Open Graph)."""
    value = value.strip()
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00").replace(" ", "T", 1))
    except ValueError:
        return parse_date(value, tz=tz)
    if parsed.tzinfo is None:
        if len(value) <= 10:
            return _date_only(parsed.date(), tz)
        if tz is None:
            logger.debug("machine date %r has no offset and no zone is known: date only", value)
            return parsed.date().isoformat()
        parsed = parsed.replace(tzinfo=tz)
    return parsed.isoformat()


def _relative(text: str, fetched_at: datetime | None) -> str | None:
    rel = _RELATIVE_RE.search(text)
    day = None if rel else _DAYWORD_RE.search(text)
    if not rel and not day:
        return None
    if fetched_at is None:
        logger.debug("relative date %r without a fetch time: left null", text)
        return None
    anchor = fetched_at if fetched_at.tzinfo else fetched_at.replace(tzinfo=UTC)
    if rel:
        n = rel.group("n") or rel.group("n2")
        count = int(n) if n else 1
        unit = _UNIT_OF[_key(rel.group("unit") or rel.group("unit2"))]
        moment = (anchor - timedelta(**{unit: count})).replace(second=0, microsecond=0)
        return moment.isoformat()
    offset = _DAYWORD_OFFSET.get(_key(day.group("word")), 0)
    target = (anchor - timedelta(days=offset)).date()
    if day.group("H") is None:
        return target.isoformat()
    moment = datetime(target.year, target.month, target.day, int(day.group("H")), int(day.group("M")),
                      tzinfo=anchor.tzinfo)
    return moment.isoformat()


def parse_date(
    text: str | None,
    *,
    formats: tuple[str, ...] = (),
    tz: tzinfo | str | None = None,
    fetched_at: datetime | None = None,
) -> str | None:
    """The date a human-readable text states, as ISO 8601 (see the module rules); None if none."""
    if not text or not text.strip():
        return None
    if isinstance(tz, str):
        tz = zone_of(tz)
    norm = _normalize(text[:300])
    for fmt in formats:
        match = _format_regex(fmt).search(norm)
        if match:
            parts = match.groupdict()
            if parts.get("y2") and not parts.get("y"):
                parts["y"] = "20" + parts["y2"]
            result = _build(parts, tz)
            if result:
                return result
    for pattern in _GENERIC:
        match = pattern.search(norm)
        if match:
            parts = match.groupdict()
            if parts.get("m") and int(parts["m"]) > 12 and int(parts["d"]) <= 12:
                parts["m"], parts["d"] = parts["d"], parts["m"]
            if parts.get("y2") and not parts.get("y"):
                parts["y"] = "20" + parts["y2"]
            return _build(parts, tz)
    relative = _relative(text, fetched_at)
    if relative:
        return relative
    logger.debug("no date found in %r", text[:80])
    return None


_DATE_LINE_STRIP = re.compile(r"[\d\s.,:;/|()\[\]\-–—+•·@]+")


def is_date_line(line: str) -> bool:
    """Whether a line states only a date/time (weekday, month names, a view counter may go with
    it): "Воскресенье, 24 Ноября 2024", "19-06-2023, 21:34.", "أغسطس 23, 2021 15:22, 564 مشاهدات"."""
    if len(line) > 90:
        return False
    text = _cjk_dates_as_iso(line.translate(_ARABIC_DIGITS)).strip(" -–—•·*")
    if not any(ch.isalpha() for ch in text):
        # no letter: no month, weekday, relative or counter word can be there (the word
        # patterns below are slow alternations, and counters come by the hundred thousand)
        return not _DATE_LINE_STRIP.sub("", text) and _numeric_date(line)
    for pattern in (_RELATIVE_RE, _DAYWORD_RE):
        match = pattern.search(text)
        if match and not _DATE_LINE_STRIP.sub("", _NOISE_RE.sub(" ", text[: match.start()] + text[match.end():])):
            return True
    if not any(ch.isdigit() for ch in text):
        return False
    text = _COUNTER_NOISE.sub(" ", text)
    text = _GMT_RE.sub(" ", text)
    named = bool(_MONTH_RE.search(text) or _WEEKDAY_RE.search(text))
    text = _WEEKDAY_RE.sub(" ", text)
    text = _VI_MONTH_RE.sub(" ", text)
    text = _MONTH_RE.sub(" ", text)
    text = _NOISE_RE.sub(" ", text)
    if _DATE_LINE_STRIP.sub("", text):
        return False
    return named or _numeric_date(line)


def _numeric_date(line: str) -> bool:
    """Whether a line's digits can be a date: three groups or a clock time."""
    return len(re.findall(r"\d+", line.translate(_ARABIC_DIGITS))) >= 3 or bool(re.search(r"\d{1,2}:\d{2}", line))
