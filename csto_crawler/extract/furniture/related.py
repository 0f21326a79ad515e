"""Related / other-news blocks: headings that open a list of links to other articles."""

from __future__ import annotations

#: Headings (whole line) of related-article blocks, in the languages we crawl.
HEADINGS: tuple[str, ...] = (
    # ru
    "Похожие статьи", "Похожие новости", "Похожие материалы", "Похожие публикации", "Похожие записи",
    "Другие новости", "Другие статьи", "Другие материалы", "Другие материалы рубрики",
    "Другие новости рубрики", "Другие новости раздела", "Еще новости", "Ещё новости", "Больше новостей",
    "Читайте также", "Читайте еще", "Читайте ещё", "Читать также", "Смотрите также", "См. также",
    "Новости по теме", "Материалы по теме", "Статьи по теме", "По теме", "Еще по теме", "Ещё по теме",
    "Последние новости", "Свежие новости", "Главные новости", "Лента новостей", "Новости партнеров",
    "Новости партнёров", "Популярное", "Популярные новости", "Самое читаемое", "Самое популярное",
    "Самые читаемые", "Выбор редакции", "Рекомендуем", "Рекомендуем прочитать", "Рекомендуем почитать",
    "Вам может быть интересно", "Вас может заинтересовать", "Возможно, вас заинтересует",
    "Интересное", "Новости других СМИ", "Связанные новости", "Связанные материалы", "Хроника",
    "Что почитать", "Что еще почитать", "Что ещё почитать", "Читайте по теме", "Ранее в рубрике",
    "Больше по теме", "Читай также",
    # kk
    "Ұқсас жаңалықтар", "Басқа жаңалықтар", "Тақырыпқа қатысты", "Тағы оқыңыз", "Оқи отырыңыз",
    "Соңғы жаңалықтар", "Көп оқылған", "Тақырыптас жаңалықтар",
    # ky
    "Окшош жаңылыктар", "Башка жаңылыктар", "Дагы окуңуз", "Тектеш жаңылыктар", "Акыркы жаңылыктар",
    "Көп окулгандар",
    # tg
    "Хабарҳои дигари ин бахш", "Хабарҳои дигар", "Хабарҳои марбут", "Дигар хабарҳо", "Инчунин хонед",
    "Хабарҳои охирин", "Мавзӯъҳои марбут",
    # be
    "Іншыя навіны", "Чытайце таксама", "Падобныя навіны", "Апошнія навіны",
    # hy
    "Նմանատիպ նորություններ", "Այլ նորություններ", "Կարդացեք նաև", "Վերջին նորություններ",
    # en
    "Related", "Related news", "Related articles", "Related posts", "Related stories", "Read also",
    "Read more", "See also", "More news", "Other news", "More stories", "You may also like",
    "Recommended", "Latest news", "Most read", "Most popular", "Also read", "More on this topic",
    "Related topics", "Related subjects", "Related coverage", "Read next", "More from this section",
    # de
    "Mehr zum Thema", "Das könnte Sie auch interessieren", "Das könnte dich auch interessieren",
    "Auch interessant", "Lesen Sie auch", "Lies auch", "Weitere Artikel", "Verwandte Artikel",
    "Weitere Nachrichten", "Meistgelesen", "Meistgelesene Artikel", "Empfehlungen der Redaktion",
    # vi
    "Chuyên mục liên quan", "Tin liên quan", "Tin cùng chuyên mục", "Bài viết liên quan", "Tin khác",
    "Đọc thêm", "Xem thêm", "Tin mới nhất", "Tin đọc nhiều", "Các tin khác",
    # ar
    "أخبار أخرى لهذا القسم", "مواضيع ذات صلة", "أخبار ذات صلة", "اقرأ أيضا", "اقرأ أيضاً",
    "المزيد من الأخبار", "أخبار متعلقة", "آخر الأخبار", "الأكثر قراءة", "مقالات ذات صلة",
    # fa
    "اخبار مرتبط", "مطالب مرتبط", "بیشتر بخوانید", "اخبار دیگر", "مطالب مشابه", "بخوانید",
    "آخرین اخبار", "پربازدیدترین",
)

#: Headings that may carry the linked title on the same line ("Читайте также: …").
INLINE_HEADINGS: tuple[str, ...] = (
    "Читайте также", "Читайте еще", "Читайте ещё", "Читай также", "Смотрите также", "См. также", "По теме",
    "Тағы оқыңыз", "Дагы окуңуз", "Инчунин хонед", "Чытайце таксама", "Կարդացեք նաև",
    "Read also", "Also read", "See also", "Read more", "Xem thêm", "Đọc thêm", "Tin liên quan",
    "Lesen Sie auch", "Lies auch", "Mehr zum Thema", "Auch interessant",
    "اقرأ أيضا", "اقرأ أيضاً", "بیشتر بخوانید", "بخوانید",
)

#: Headings that only ever close a page (lists of other/latest news): once the article is
#: behind them, everything from them to the end is furniture.
TAIL_ONLY: tuple[str, ...] = (
    "Похожие статьи", "Похожие новости", "Похожие материалы", "Похожие публикации", "Похожие записи",
    "Другие новости", "Другие статьи", "Другие материалы", "Другие материалы рубрики",
    "Другие новости рубрики", "Другие новости раздела", "Еще новости", "Ещё новости",
    "Последние новости", "Свежие новости", "Главные новости", "Лента новостей", "Популярное",
    "Самое читаемое", "Самое популярное", "Новости партнеров", "Новости партнёров",
    "Ұқсас жаңалықтар", "Басқа жаңалықтар", "Соңғы жаңалықтар", "Окшош жаңылыктар",
    "Башка жаңылыктар", "Акыркы жаңылыктар", "Хабарҳои дигари ин бахш", "Хабарҳои дигар",
    "Хабарҳои охирин", "Іншыя навіны", "Апошнія навіны", "Այլ նորություններ", "Նմանատիպ նորություններ",
    "Related news", "Related articles", "Related posts", "More news", "Other news", "Latest news",
    "Most read", "You may also like", "Weitere Nachrichten", "Meistgelesen",
    "Chuyên mục liên quan", "Tin cùng chuyên mục", "Tin khác",
    "Các tin khác", "Tin mới nhất", "أخبار أخرى لهذا القسم", "المزيد من الأخبار", "آخر الأخبار",
    "الأكثر قراءة", "اخبار دیگر", "آخرین اخبار", "پربازدیدترین",
)

#: class/id words of related-article containers in page templates.
DOM_TOKENS: tuple[str, ...] = (
    r"related\w*", r"similar\w*", r"more-?news", r"other-?news", r"read-?also", r"readalso",
    r"see-?also", r"recommend\w*", r"popular\w*", r"most-?read\w*", r"latest\w*",
    r"last-?news", r"news-?feed", r"newsfeed", r"lenta", r"yarpp\w*", r"jp-relatedposts",
    r"crp_related", r"td-related\w*", r"jeg_related\w*", r"relposts", r"inline-?related",
    r"more-?articles", r"next-?prev\w*", r"post-?navigation", r"nav-?links", r"pager",
    r"pagination", r"top-?news", r"hot-?news", r"trending\w*", r"partner\w*", r"smi2\w*",
    r"lentainform\w*", r"mediametrics", r"infox\w*",
)
