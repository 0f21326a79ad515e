"""Prompts and widgets: share bars, print links, rating and comment prompts, subscriptions,
cookie notices, navigation words. All are whole-line patterns (phrases alone on their line)."""

from __future__ import annotations

_SOCIAL = (
    r"facebook|fb|twitter|x|вконтакте|вк|vk|одноклассники|ok|telegram|телеграм|whatsapp|viber|"
    r"linkedin|pinterest|reddit|email|e-mail|почта|мой\s+мир|livejournal|lj|zalo|instagram|"
    r"youtube|tiktok|threads|skype|messenger|копировать\s+ссылку|copy\s+link"
)

#: Whole lines that are prompts, widget labels or navigation.
LINES: tuple[str, ...] = (
    # a single character alone: a close button ("X", "×"), a bullet, an arrow
    r"\S",
    # share bars
    r"(?:поделиться|поделитесь|поделиться\s+в\s+соц(?:иальных)?\.?\s*сетях|share|share\s+this|"
    r"share\s+on\s+\w+|chia\s+sẻ|شارك|مشاركة|اشتراک(?:\s+گذاری)?|бөлісу|бөлүшүү|мубодила|"
    r"падзяліцца|կիսվել|tweet|like|нравится|мне\s+нравится|thích)\s*[:!]?",
    rf"(?:(?:{_SOCIAL})\s*[,|·•/]?\s*){{2,}}",
    # print / font / pdf
    r"(?:печать|распечатать|версия\s+для\s+печати|print|print\s+version|in\s+bài(?:\s+viết)?|"
    r"طباعة|چاپ|басып\s+шығару|чоп|размер\s+шрифта\s*:?|font\s+size\s*:?|a\s*[-−]?\s*a\s*\+?|pdf|"
    r"скачать\s+pdf|сохранить|save|bookmark|в\s+закладки|нашли\s+ошибку\?.{0,80}|"
    r"если\s+вы\s+заметили\s+ошибку.{0,100}|выделите\s+(?:её|ее|его)\s+и\s+нажмите\s+ctrl\s*\+\s*enter\.?|"
    r"fehler\s+gefunden\s*\?.{0,80}|found\s+an?\s+(?:error|mistake|typo)\s*\?.{0,80})",
    # rating prompts
    r"(?:đánh\s+giá\s+(?:tốt|bài\s+viết)|đánh\s+giá|"
    r"оцените,?\s+(?:пожалуйста,?\s+)?(?:эту\s+)?(?:статью|материал|новость)(?:[.!]\s*.{0,60})?|"
    r"понравилась\s+статья\??|понравился\s+материал\??|рейтинг\s*:?.{0,20}|rate\s+this(?:\s+article)?|"
    r"was\s+this\s+(?:article\s+)?helpful\??|war\s+dieser\s+artikel\s+hilfreich\??|"
    r"полезна\s+ли\s+статья\??|قيم\s+المقال|امتیاز\s+دهید)",
    # appeals for money: "Hat Ihnen dieser Artikel gefallen? Dann unterstützen Sie uns …",
    # "Unabhängiger Journalismus braucht deine Unterstützung.", "Поддержите редакцию"
    r"(?=.{0,240}$)(?:hat\s+ihnen\s+(?:dieser|der)\s+(?:artikel|beitrag)\s+gefallen\s*\?\s*)?"
    r"(?:dann\s+)?unterstützen\s+sie\s+uns\b.*",
    r"(?:unabhängiger|guter|kritischer)\s+journalismus\s+(?:braucht|kostet)\b.{0,120}",
    r"(?=.{0,240}$)(?:please\s+)?(?:support|donate\s+to)\s+(?:our|independent)\s+journalism\b.*",
    r"(?=.{0,240}$)поддержите\s+(?:нас|редакцию|издание|независимую\s+журналистику)\b.*",
    # comment prompts and forms
    r"(?:bình\s+luận\s+của\s+bạn\s*:?|gửi\s+bình\s+luận|viết\s+bình\s+luận|"
    r"(?:оставить|добавить|написать|оставьте|ваш)\s+коммент\w*\s*:?|комментариев\s+(?:пока\s+)?нет\.?|"
    r"нет\s+комментариев\.?|(?:войдите|авторизуйтесь),?\s+чтобы\s+(?:оставить|написать)\s+комментари\w*\.?|"
    r"для\s+(?:добавления|отправки)\s+комментари\w+.{0,60}|"
    r"leave\s+a\s+(?:comment|reply)|add\s+(?:a\s+)?comment|post\s+a\s+comment|no\s+comments(?:\s+yet)?\.?|"
    r"отправить|send|submit|gửi|ارسال|إرسال|أضف\s+تعليق(?:اً|ا)?|ارسال\s+نظر|پاسخ|ответить|reply|"
    r"имя\s*\*?|e-?mail\s*\*?|ваше\s+имя\s*\*?|name\s*\*?|website|сайт|код\s+безопасности\s*:?|"
    r"(?:информация\s*[:：]?\s*)?посетители,?\s+находящиеся\s+в\s+группе\s+гости.{0,120}|"
    r"(?:чтобы|для\s+того\s+чтобы)\s+оставить\s+комментарий.{0,80}|"
    r"пікір\s+қалдыру|пикир\s+калтыруу|шарҳ\s+гузоштан|фикри\s+худро\s+нависед)",
    # subscription and messenger prompts
    r"(?:подпис(?:ывайтесь|аться|ка)|subscribe|đăng\s+ký|اشترك|عضویت|жазылыңыз|жазылуу|обуна).{0,110}",
    r"(?:(?:наш|мы\s+в)\s+)?(?:телеграм|telegram)[-\s]?канал\w*.{0,60}",
    # paywall teasers: "Чтобы читать статью дальше, оформите подписку", "Уже есть подписка? Войти"
    r"(?:(?:чтобы|для\s+того\s+чтобы)\s+(?:читать|прочитать|продолжить).{0,60})?(?:оформите|оформить)\s+подписку.{0,120}",
    r"уже\s+(?:есть\s+подписка|подписаны)\s*\??.{0,40}",
    # a short line that asks to subscribe to a channel/feed wherever the verb stands
    # ("Самые свежие новости в нашем Telegram-канале. Подписывайтесь!")
    r"(?=.{0,200}$)(?=.*(?:telegram|телеграм|канал|дзен|вконтакте|whatsapp|instagram|соцсет|рассылк|\bmax\b))"
    r".*\b(?:подписывайтесь|подпишитесь)\b.*",
    # a channel/bot plug put the other way round: "Наш канал в Telegram. Присоединяйтесь!"
    r"(?:наш|мы\s+в)\s+(?:канал|чат|бот|паблик)\w*\s+в\s+(?:telegram|телеграм\w*|viber|whatsapp|дзен\w*|max|vk|вконтакте)\b.{0,60}",
    # a tip line prompt: "Есть о чем рассказать? Пишите в наш телеграм-бот"
    r"есть\s+о\s+ч[её]м\s+рассказать\s*\?.{0,120}",
    r"(?:следите\s+за\s+новостями|читайте\s+нас|присоединяйтесь\s+к\s+нам|follow\s+us|theo\s+dõi).{0,110}",
    # the signature line of an embedded tweet: "— Name (@handle) February 23, 2024"
    r"[—–-]\s*[^\n()]{1,60}\(@\w{1,30}\)\s*.{0,40}",
    # the signature line of an embedded Facebook post: "Posted by Page on Tuesday, March 12, 2024"
    r"posted\s+by\s+.{1,60}\s+on\s+.{0,30}\d{4}",
    # cookie notices
    r"(?:мы\s+используем\s+(?:файлы\s+)?cookie|этот\s+сайт\s+использует\s+(?:файлы\s+)?cookie|"
    r"we\s+use\s+cookies|this\s+(?:web)?site\s+uses\s+cookies|сайт\s+использует\s+cookie).{0,240}",
    # the consent placeholder of an embed (a video, a chart, a post from another platform)
    r"ich\s+bin\s+damit\s+einverstanden,?\s+dass\s+mir\s+.{0,60}?(?:inhalte?|content)\b.{0,300}",
    r"personenbezogene\s+daten\s+(?:können|werden)\s+(?:dabei\s+)?an\s+drittplattformen.{0,200}",
    r"an\s+dieser\s+stelle\s+(?:findest\s+du|finden\s+sie)\s+(?:einen\s+)?externen?\s+inhalt.{0,300}",
    r"(?:empfohlener\s+redaktioneller\s+inhalt|externer\s+inhalt|externe\s+inhalte\s+(?:anzeigen|laden))\s*[.:]?",
    r"i\s+(?:agree|consent)\s+to\s+(?:external|third[-\s]party)\s+content\s+being\s+(?:displayed|shown|loaded).{0,300}",
    r"(?:принять|согласен|accept|ok|хорошо|понятно|закрыть|close|đóng|إغلاق|بستن)",
    # navigation words
    r"(?:главная|на\s+главную|home|trang\s+chủ|الرئيسية|خانه|صفحه\s+اصلی|басты\s+бет|башкы\s+бет|"
    r"саҳифаи\s+асосӣ|назад|вернуться\s+назад|go\s+back|back|назад\s+к\s+(?:списку|разделу|новостям)|"
    r"вернуться\s+к\s+(?:списку|разделу|новостям)|back\s+to\s+(?:the\s+)?(?:section|all\s+news|list)|"
    r"все\s+новости|all\s+news|архив|archive|поиск|search|меню|menu|вход|войти|регистрация|login|"
    r"log\s*in|sign\s+in|далее|next|previous|предыдущая(?:\s+(?:новость|статья))?|"
    r"следующая(?:\s+(?:новость|статья))?|ещё|еще|more|показать\s+(?:ещё|еще)|load\s+more|"
    r"читать\s+(?:далее|полностью)|подробнее|матни\s+пурра|толығырақ|кененирээк|chi\s+tiết)\s*[»›→.…]*",
    # previous / next article navigation on one line: "< Предыдущая Следующая >", "« Previous | Next »"
    r"[<«‹←]?\s*(?:предыдущая|предыдущий|previous|prev|vorheriger?)(?:\s+(?:новость|статья|запись|материал|"
    r"post|article|story|artikel|beitrag))?\s*[>»›→|/·•]?\s*(?:следующая|следующий|next|nächster?)"
    r"(?:\s+(?:новость|статья|запись|материал|post|article|story|artikel|beitrag))?\s*[>»›→]?",
    # a separator drawn with punctuation: "___", "* * *", "———"
    r"(?:[_=~*•·—–-]\s*){2,}",
    # a feed label: "RSS: Site name: Section"
    r"rss\s*[:：].{0,100}",
    # newsletter sign-up prompts
    r"(?=.{0,300}$)(?:.*?(?:\bto|\bplease|&|[.!?:|])\s+)?sign\s+up\s+(?:for|to)\s+(?:our|the)\s+"
    r"(?:free\s+|daily\s+|weekly\s+)*(?:\w+\s+){0,2}newsletters?\b.*",
    r"(?=.{0,300}$)(?:jetzt\s+)?(?:(?:unseren|den|zum)\s+)?(?:\w+[-\s])?newsletter\s+(?:abonnieren|bestellen)\b.*",
    # category line: "Эта статья в категориях: здоровье.", "Category: Politics", "Kategorie: Politik"
    r"(?:эта\s+статья\s+в\s+категори\w+|рубрик[аи]|категори[яи]|categor(?:y|ies)|filed\s+under|"
    r"kategorien?|rubriken?|ressort)\s*[:：].{0,120}",
    # tags line
    r"(?:теги|метки|tags?|ключевые\s+слова|тэги|тегтер|барчаспҳо|từ\s+khóa|الكلمات\s+الدلالية|"
    r"برچسب(?:\s*ها)?|кілт\s+сөздер)\s*[:：].{0,200}",
    r"(?:теги|метки|tags?|ключевые\s+слова|từ\s+khóa|برچسب\s*ها)",
    # advertising labels
    r"(?:реклама|advertisement|ads?|sponsored|quảng\s+cáo|إعلان|تبلیغات|жарнама|жарнак|anzeige|werbung)",
    r"(?:разместить\s+рекламу|реклама\s+на\s+сайте|advertise\s+with\s+us|werben\s+sie\s+bei\s+uns)",
)

#: class/id words of widgets and chrome.
DOM_TOKENS: tuple[str, ...] = (
    r"share\w*", r"sharing", r"social\w*", r"soc", r"ya-share2?\w*", r"addtoany", r"a2a\w*",
    r"likely", r"pluso", r"uptolike", r"print\w*", r"font-?size", r"breadcrumbs?\w*", r"crumbs?",
    r"breadcrumb", r"tags?", r"tag-?cloud", r"tagcloud", r"post-?tags", r"entry-?tags", r"keywords",
    r"subscri\w*", r"newsletter", r"paywall\w*", r"follow\w*", r"telegram\w*", r"banner\w*", r"ad", r"ads",
    r"adv\w*", r"advert\w*", r"reklama", r"promo\w*", r"sponsor\w*", r"widget\w*", r"sidebar\w*",
    r"aside", r"menu\w*", r"navbar", r"nav", r"navigation", r"topbar", r"top-?line", r"header",
    r"masthead", r"site-?header", r"footer\w*", r"site-?footer", r"copyright", r"search\w*",
    r"login", r"auth", r"modal", r"popup", r"overlay", r"error-?report", r"orphus", r"mistake",
    r"berrors", r"author-?box", r"about-?author", r"monkey-qc", r"monkey-section-\w+", r"monkey-content-duoicanbiet",
    r"qc", r"rek", r"rbn", r"under-?article", r"after-?article", r"bottom-?block",
    r"polls?", r"opros\w*", r"voting", r"date-?today", r"today", r"current-?date", r"weather", r"currency", r"exchange-?rates?",
)

#: class/id words of blocks dropped even when they hold a lot of text.
DOM_STRONG_TOKENS: tuple[str, ...] = (
    r"comments?\w*", r"comment-?(?:form|list|respond)", r"respond", r"disqus\w*", r"discussion",
    r"cookies?\w*", r"gdpr", r"consent", r"cmnt\w*", r"reviews?", r"mc-?comments", r"hypercomments",
    r"fb-comments", r"vk_comments", r"binh-?luan", r"comment-?box",
)
