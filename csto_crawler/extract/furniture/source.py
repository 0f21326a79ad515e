"""Source credits: "Nguồn: vov.vn", "Источник: ТАСС", a bare "Akorda.kz" signature.

A credit is pulled into ``source_credit`` (not silently dropped). Photo credits
("Фото: …", "источник фото: …") are part of the article and stay in the text.
"""

from __future__ import annotations

#: Labels that introduce the credited source of the whole article.
LABELS: tuple[str, ...] = (
    "Источник", "Источник информации", "По материалам", "Источник новости", "Quelle",
    "Nguồn", "Theo", "Source", "Sources", "Via",
    "Дереккөз", "Ақпарат көзі", "Булак", "Маалымат булагы", "Манбаъ", "Манба", "Сарчашма",
    "Крыніца", "Աղբյուր", "المصدر", "منبع", "مأخذ",
)

#: A bare domain alone on the last line: the site's or the source's signature.
SIGNATURE = (
    r"^(?P<credit>(?:www\.)?[a-z0-9][a-z0-9-]{1,40}(?:\.[a-z0-9-]{2,40})*\."
    r"(?:kz|ru|by|kg|tj|am|uz|vn|com|org|net|info|news|su|рф|қаз|az|ge|ir|ae|eg))$"
)
