"""View, reader, comment and share counters: volatile numbers that must never reach the text."""

from __future__ import annotations

_N = r"\d[\d\s.,]*\s*[kкKК]?"

#: Counter words (views, readers, comments, likes) in the languages we crawl.
_COUNTER_WORDS = (
    r"просмотр(?:ов|а|ы)?", r"прочтени[йея]", r"показ(?:ов|а)?", r"комментари(?:ев|я|й|и)",
    r"коммент\.?", r"прочитали", r"читател(?:ей|я|и)",
    r"рет\s+қаралды", r"қаралым", r"пікір(?:лер)?", r"көрүү(?:лөр)?", r"көрүлдү", r"жолу\s+окулду",
    r"маротиба\s+хонда\s+шуд", r"хонда\s+шуд", r"назар(?:ҳо)?", r"тамашо",
    r"праглядаў", r"дիտում(?:ներ)?",
    r"views?", r"reads?", r"comments?", r"shares?", r"likes?",
    r"bạn\s+đọc", r"lượt\s+xem", r"lượt\s+đọc", r"bình\s+luận", r"lượt\s+thích",
    r"مشاهدات", r"مشاهدة", r"مشاهده", r"تعليق(?:ات)?", r"قراءة", r"بازدید", r"نظر(?:ات)?",
)
_WORDS = "|".join(_COUNTER_WORDS)

#: Whole lines that are counters.
LINES: tuple[str, ...] = (
    # "1975", "  44 ", "1 234" — a bare number is never article text
    r"\d{1,3}(?:[\s.,]\d{3})*|\d{1,7}",
    # "564 مشاهدات", "26 bạn đọc", "1975 просмотров"
    rf"{_N}\s*(?:{_WORDS})",
    # "Просмотров: 1975", "Views 12", "Комментарии (3)"
    rf"(?:{_WORDS})\s*[:：]?\s*\(?\s*{_N}\)?",
    # icon counters: "👁 1975", "💬 3"
    r"[\U0001F441\U0001F4AC\u2764\u2665\u2605\u2606\u25CF]\s*\d[\d\s]*",
    # a rating widget: "Durchschnittliche Bewertung: 0,0", "Средняя оценка: 4.5", "Rating: 4/5"
    r"(?:durchschnittliche\s+bewertung|bewertung|средняя\s+оценка|оценка|average\s+rating|rating)\s*[:：]\s*"
    r"\d(?:[.,]\d+)?(?:\s*(?:/|из|von|of|out\s+of)\s*\d+)?\s*(?:\(\s*\d+\s*\w*\s*\))?",
    # reading time: "Lesedauer: 4 Minuten", "Время чтения: 3 минуты", "5 min read"
    r"(?:lesedauer|lesezeit|время\s+чтения|reading\s+time|read\s+time)\s*[:：]?\s*(?:ca\.\s*|~\s*)?"
    r"\d{1,3}\s*(?:min\w*|мин\w*)\.?",
    r"\d{1,3}\s*(?:min|minutes?|мин\.?|минут\w*)\s+(?:read|чтения|lesezeit)",
    # "Комментарии", "Bình luận" alone (a comment section heading)
    r"(?:комментарии|комментарии\s*\(\d+\)|comments|bình\s+luận|تعليقات|نظرات)",
)

#: class/id words of counter widgets.
DOM_TOKENS: tuple[str, ...] = (
    r"views?", r"view-?count\w*", r"hits", r"counter\w*", r"stat(?:s|istics)?", r"post-?views",
    r"pageviews", r"read-?count", r"likes?", r"rating\w*", r"rate\w*", r"vote\w*", r"reactions?",
    r"liveinternet", r"metrika", r"top100", r"mail-?counter",
)
