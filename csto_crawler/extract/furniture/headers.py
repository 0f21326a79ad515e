"""Page-head furniture: breadcrumbs, rubric labels, byline/meta lines printed above the article.

Crawl-day header dates ("Воскресенье, 24 Ноября 2024") and date/time meta lines are
recognised by ``csto_crawler.extract.dates.is_date_line`` (they need the month and weekday
tables), not by a pattern here.
"""

from __future__ import annotations

_HOME = (
    r"главная|home|trang\s+chủ|الرئيسية|خانه|صفحه\s+اصلی|басты\s+бет|башкы\s+бет|асосӣ|"
    r"саҳифаи\s+асосӣ|галоўная|գլխավոր|новости|news"
)
_SEP = r"\s*(?:/|»|›|>|→|\||·|•|\\)\s*"

#: Whole lines that are furniture before the first body paragraph.
HEAD: tuple[str, ...] = (
    # breadcrumbs: "Главная / Новости / Политика", "Trang chủ » Thế giới"
    rf"(?:{_HOME}){_SEP}.{{1,160}}",
    # (a part holds no separator nor quotation mark, and gives nothing back: linear, where parts
    # that could hold separators made a line of a dozen " > " failing at its end take a minute,
    # and a lead quoting «ОДКБ» and «СНГ» was taken for a breadcrumb)
    r"(?:\s*+(?:»|›|→|>))?\s*+[^\n.!?«»‹›→>]{1,40}+(?:\s*+(?:»|›|→|>)\s*+[^\n.!?«»‹›→>]{1,40}+){2,}",
    # rubric labels
    r"(?:chuyên\s+mục|рубрика|категория|раздел|категории|рубрики|category|section|бөлім|бөлүм|"
    r"бахш|رده|بخش|القسم|التصنيف)(?:\s*[:：]\s*[^\n.!?]{1,50})?",
    # byline/meta lines: "Автор: Админ", "Опубликовано: 19.06.2023"
    r"(?:автор|авторы|author|by|tác\s+giả|الكاتب|نویسنده|автор(?:ы)?\s+материала)\s*[:：\-–—]\s*[^\n.!?]{1,60}",
    r"(?:опубликовано|дата\s+публикации|обновлено|изменено|published|updated|posted(?:\s+on)?|"
    r"cập\s+nhật|ngày\s+đăng|نشر\s+في|تاريخ\s+النشر|تاریخ\s+انتشار|жарияланды|жарыяланды|нашр\s+шуд)"
    r"\s*[:：]?\s*.{0,60}",
    r"(?:фото|видео|photo|video)\s*[:：]?\s*(?:\d+|галерея|gallery)",
    r"время\s+чтения\s*[:：]?\s*.{0,20}|\d+\s*(?:мин(?:ут[ы]?)?|min)\.?\s*(?:чтения|read)",
)
