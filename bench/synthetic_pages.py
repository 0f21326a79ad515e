"""The pages of the synthetic site (``bench.synthetic``): Russian news text and the markup of a
WordPress news theme around it (menus, mega-menus, counters, related and latest lists, footer,
scripts), for articles, listing pages, the RSS feed and the sitemap.

Everything is a pure function of its arguments and of the ``random.Random`` it is given, so the
same seed gives the same bytes. ``bench.synthetic`` decides what the site holds and writes it.
"""

from __future__ import annotations

import html
import itertools
import json
import random
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from email.utils import format_datetime
from functools import cache

__all__ = ["NEWEST", "SECTIONS", "SyntheticArticle", "article_page", "article_paragraphs",
           "article_title", "feed_xml", "listing_page", "sitemap_xml"]

#: The crawl day the pages' chrome shows (the newest article's publication time).
NEWEST = datetime(2026, 11, 20, 10, 0, tzinfo=timezone(timedelta(hours=5)))

_MONTHS = ("января", "февраля", "марта", "апреля", "мая", "июня", "июля", "августа",
           "сентября", "октября", "ноября", "декабря")
_WEEKDAYS = ("Понедельник", "Вторник", "Среда", "Четверг", "Пятница", "Суббота", "Воскресенье")
SECTIONS = (("politika", "Политика"), ("ekonomika", "Экономика"), ("obshchestvo", "Общество"),
             ("bezopasnost", "Безопасность"), ("region", "Регион"), ("mir", "В мире"),
             ("kultura", "Культура"), ("sport", "Спорт"))
_CITIES = ("Москве", "Минске", "Астане", "Бишкеке", "Душанбе", "Ереване", "Алматы", "Оше",
           "Худжанде", "Гомеле", "Караганде", "Новосибирске")
_PEOPLE = ("министр иностранных дел", "председатель правительства", "глава администрации",
           "представитель министерства обороны", "заместитель министра экономики",
           "руководитель пограничной службы", "депутат парламента", "посол",
           "глава комитета по безопасности", "пресс-секретарь президента")
_ACTIONS = ("провёл рабочую встречу с коллегами", "обсудил вопросы двустороннего сотрудничества",
            "выступил на пленарном заседании", "представил доклад о ходе реализации программы",
            "подписал протокол о намерениях", "ответил на вопросы журналистов",
            "посетил приграничные районы", "принял участие в международной конференции",
            "провёл совещание с руководителями ведомств", "дал поручение подготовить предложения")
_TOPICS = ("по развитию транспортной инфраструктуры", "в сфере энергетики и водных ресурсов",
           "по противодействию киберпреступности", "в области здравоохранения",
           "по вопросам миграции и занятости", "в сфере образования и науки",
           "по укреплению границы", "по борьбе с незаконным оборотом наркотиков",
           "в области сельского хозяйства", "по цифровизации государственных услуг")
_DETAILS = ("Участники отметили, что работа ведётся по графику и без отставаний.",
            "По словам организаторов, в мероприятии приняли участие более двухсот человек.",
            "Стороны договорились вернуться к обсуждению после консультаций с экспертами.",
            "Документ вступит в силу после завершения внутригосударственных процедур.",
            "Финансирование проекта предусмотрено в бюджете следующего года.",
            "Ранее аналогичные меры были приняты в соседних регионах.",
            "Эксперты считают, что решение позволит снизить издержки бизнеса.",
            "Итоги работы планируется подвести до конца текущего года.",
            "Жители района смогут оценить изменения уже весной.",
            "Подробности будут опубликованы на официальном сайте ведомства.",
            "В ведомстве подчеркнули, что все обязательства будут выполнены в срок.",
            "Следующая встреча в таком формате запланирована на первое полугодие.")
_CSTO_SENTENCES = (
    "Отдельно обсуждалось взаимодействие в рамках Организации Договора о коллективной безопасности (ОДКБ).",
    "Стороны отметили роль ОДКБ в обеспечении стабильности в Центральной Азии.",
    "Генеральный секретарь ОДКБ подчеркнул важность совместной подготовки контингентов.",
    "В учениях Коллективных сил оперативного реагирования ОДКБ примут участие подразделения всех государств-членов.",
    "Вопрос будет вынесен на заседание Совета министров иностранных дел ОДКБ.",
    "Целевая межгосударственная программа ОДКБ по укреплению таджикско-афганской границы реализуется поэтапно.",
    "Представители Объединённого штаба ОДКБ проинформировали участников о ходе подготовки к учениям.",
    "Парламентская ассамблея ОДКБ рассмотрит проект модельного закона на осенней сессии.",
)
_CSTO_TITLES = ("ОДКБ обсудила {topic}", "Совет ОДКБ рассмотрел меры {topic}",
                "В {city} прошли консультации ОДКБ", "Генсек ОДКБ посетил {city_nom}",
                "Учения ОДКБ пройдут в {city}", "ОДКБ и партнёры договорились о сотрудничестве {topic}")
_TITLES = ("В {city} обсудили меры {topic}", "Правительство утвердило план {topic}",
           "{person_cap} провёл встречу в {city}", "В {city} подвели итоги работы {topic}",
           "Новые решения {topic} представили в {city}", "Эксперты в {city} оценили программу {topic}")
_CITY_NOM = {"Москве": "Москву", "Минске": "Минск", "Астане": "Астану", "Бишкеке": "Бишкек",
             "Душанбе": "Душанбе", "Ереване": "Ереван", "Алматы": "Алматы", "Оше": "Ош",
             "Худжанде": "Худжанд", "Гомеле": "Гомель", "Караганде": "Караганду",
             "Новосибирске": "Новосибирск"}


@dataclass(frozen=True)
class SyntheticArticle:
    """One generated article (its page is ``path`` under the site's ``web_dir``)."""

    url: str
    title: str
    published_at: str  #: ISO 8601 with offset
    relevant: bool
    text: str  #: the expected article text (paragraphs joined by blank lines)
    path: str  #: the page file, relative to ``web_dir``

    @property
    def first_sentence(self) -> str:
        """A phrase only the article body holds (what ``mirror.edit_article`` can change)."""
        return self.text.split("\n\n", 1)[0].split(". ", 1)[0]


# --- text ---------------------------------------------------------------------------------
# News texts share little wording: two unrelated real articles hold almost no common run of
# three words (dev-real: a random pair's Jaccard similarity of word 3-grams is 0.0001, 0.0004
# among its Russian pages), so the story index finds no candidate for them. Texts built only
# from the fixed sentences below shared a fifth of their 3-grams with any other (Jaccard 0.22:
# a third of all articles were each one's LSH candidates) and paid the index's worst case on
# every article. Most sentences are therefore drawn from a synthetic lexicon (the real function
# words, then pseudo-words of Cyrillic syllables, Zipf-distributed like a language's words);
# one in five is a fixed news sentence with its dates, places and officials.
_FUNCTION_WORDS = ("в", "и", "на", "с", "по", "что", "для", "о", "из", "к", "не", "как", "а", "за",
                   "от", "это", "также", "при", "до", "его", "их", "после", "был", "была", "были",
                   "будет", "который", "которые", "этом", "году", "более", "уже", "всех", "между",
                   "однако", "только")
_CONSONANTS, _VOWELS = "бвгдзклмнпрстхчш", "аеиоуя"
_ENDINGS = ("", "а", "ы", "ой", "ый", "ая", "ов", "ам", "ах", "ами", "ение", "ость", "ского", "ной",
            "ить", "ает")
#: Pseudo-words in the lexicon, and the share of sentences that are fixed news sentences.
_LEXICON_SIZE, _TEMPLATE_SHARE = 20_000, 0.2


@cache
def _lexicon() -> tuple[tuple[str, ...], list[float]]:
    """The words (most frequent first) and their cumulative Zipf weights; the same every run."""
    rng = random.Random(2024)
    words, seen = list(_FUNCTION_WORDS), set(_FUNCTION_WORDS)
    while len(words) < len(_FUNCTION_WORDS) + _LEXICON_SIZE:
        syllables = rng.randint(1, 3)
        word = "".join(rng.choice(_CONSONANTS) + rng.choice(_VOWELS) for _ in range(syllables)) + rng.choice(_ENDINGS)
        if len(word) > 2 and word not in seen:
            seen.add(word)
            words.append(word)
    return tuple(words), list(itertools.accumulate(1 / rank for rank in range(1, len(words) + 1)))


def _news_sentence(rng: random.Random) -> str:
    city = rng.choice(_CITIES)
    person = rng.choice(_PEOPLE)
    day = rng.randint(1, 28)
    month = rng.choice(_MONTHS)
    shape = rng.randrange(4)
    if shape == 0:
        return f"{day} {month} в {city} {person} {rng.choice(_ACTIONS)} {rng.choice(_TOPICS)}."
    if shape == 1:
        return f"Как сообщает пресс-служба ведомства, {person} {rng.choice(_ACTIONS)} {rng.choice(_TOPICS)}."
    if shape == 2:
        share = rng.randint(3, 48)
        return (f"За девять месяцев показатели {rng.choice(_TOPICS).removeprefix('по ').removeprefix('в ')} "
                f"выросли на {share} процентов по сравнению с прошлым годом.")
    return rng.choice(_DETAILS)


def _sentence(rng: random.Random) -> str:
    if rng.random() < _TEMPLATE_SHARE:
        return _news_sentence(rng)
    words, weights = _lexicon()
    chosen = rng.choices(words, cum_weights=weights, k=rng.randint(11, 24))
    if len(chosen) > 12 and rng.random() < 0.5:
        chosen[rng.randint(3, len(chosen) - 4)] += ","
    return " ".join(chosen).capitalize() + "."


def article_paragraphs(rng: random.Random, relevant: bool) -> list[str]:
    paragraphs = []
    for _ in range(rng.randint(5, 11)):
        sentences = [_sentence(rng) for _ in range(rng.randint(2, 4))]
        paragraphs.append(" ".join(sentences))
    if relevant:
        for _ in range(rng.randint(1, 3)):
            where = rng.randrange(len(paragraphs))
            paragraphs[where] += " " + rng.choice(_CSTO_SENTENCES)
    return paragraphs


def article_title(rng: random.Random, relevant: bool, number: int) -> str:
    pattern = rng.choice(_CSTO_TITLES if relevant else _TITLES)
    city = rng.choice(_CITIES)
    title = pattern.format(topic=rng.choice(_TOPICS), city=city, city_nom=_CITY_NOM[city],
                           person_cap=rng.choice(_PEOPLE).capitalize())
    return f"{title} ({number})" if number % 7 == 0 else title


# --- chrome -------------------------------------------------------------------------------
def _ru_date(moment: datetime) -> str:
    return f"{_WEEKDAYS[moment.weekday()]}, {moment.day} {_MONTHS[moment.month - 1]}, {moment.year}"


def _menu(prefix: str) -> str:
    items = "".join(f'<li><a href="/category/{slug}/">{name}</a></li>' for slug, name in SECTIONS)
    return f'<ul id="menu-{prefix}" class="sf-menu">{items}</ul>'


def _mega_menu(rng: random.Random, index: int, titles: list[tuple[str, str]]) -> str:
    slug, name = SECTIONS[index % len(SECTIONS)]
    links = "".join(f'<li class="td-mega-item"><a href="{url}">{html.escape(title)}</a></li>'
                    for url, title in rng.sample(titles, min(8, len(titles))))
    return (f'<div class="td-mega-menu td-mega-menu-{slug}"><div class="td-mega-grid">'
            f'<h4 class="td-mega-title"><a href="/category/{slug}/">{name}</a></h4>'
            f'<ul class="td-mega-list">{links}</ul></div></div>')


def _news_list(css: str, heading: str, items: list[tuple[str, str]], rng: random.Random) -> str:
    rows = "".join(
        f'<li class="{css}__item"><a href="{url}"><img src="/wp-content/uploads/thumbs/{rng.randint(1, 997)}.jpg" '
        f'alt=""><span class="{css}__title">{html.escape(title)}</span></a>'
        f'<span class="{css}__time">{rng.randint(0, 23):02d}:{rng.randint(0, 59):02d}</span></li>'
        for url, title in items)
    return (f'<aside class="td_block_template_1 widget {css}"><h4 class="block-title"><span>{heading}'
            f'</span></h4><ul class="{css}__list">{rows}</ul></aside>')


def _footer_columns(rng: random.Random, index: int) -> str:
    columns = []
    for k in range(4):
        slug, name = SECTIONS[(index + k) % len(SECTIONS)]
        links = "".join(f'<li><a href="/category/{slug}/page/{m + 2}/">{name}: архив, страница {m + 2}</a></li>'
                        for m in range(6))
        columns.append(f'<div class="td-footer-col"><h4>{name}</h4><ul>{links}</ul></div>')
    return f'<div class="td-footer-links td-footer-links-{index}">{"".join(columns)}</div>'


def _state_script(rng: random.Random, index: int, titles: list[tuple[str, str]]) -> str:
    state = {"page": index, "ads": [{"slot": f"sidebar-{k}", "size": [300, 250], "refresh": rng.randint(30, 90)}
                                    for k in range(4)],
             "trending": [{"id": rng.randint(10_000, 99_999), "title": t, "url": u}
                          for u, t in rng.sample(titles, min(10, len(titles)))]}
    return f'<script>window.__TD_STATE_{index}__ = {json.dumps(state, ensure_ascii=False)};</script>'


def _padding(rng: random.Random, target: int, titles: list[tuple[str, str]]) -> tuple[str, str]:
    """Extra chrome (mega-menus in the header; lists, footer columns, state after the content)
    until about ``target`` bytes."""
    top, bottom = [], []
    size, index = 0, 0
    while size < target:
        which = index % 4  # the filler block that comes next
        if which == 0:
            block = _mega_menu(rng, index, titles)
            top.append(block)
        elif which == 1:
            block = _news_list("td-popular", "Самое читаемое", rng.sample(titles, min(10, len(titles))), rng)
            bottom.append(block)
        elif which == 2:
            block = _footer_columns(rng, index)
            bottom.append(block)
        else:
            block = _state_script(rng, index, titles)
            bottom.append(block)
        size += len(block.encode("utf-8"))
        index += 1
    return "".join(top), "".join(bottom)


def _head(title: str, url: str, site_name: str, published: datetime | None, og_type: str) -> str:
    meta = ""
    if published is not None:
        iso = published.isoformat()
        meta = (f'<meta property="article:published_time" content="{iso}">\n'
                f'<meta name="author" content="Редакция">\n'
                '<script type="application/ld+json">'
                + json.dumps({"@context": "https://schema.org", "@type": "NewsArticle", "headline": title,
                              "datePublished": iso, "author": {"@type": "Person", "name": "Редакция"},
                              "mainEntityOfPage": url}, ensure_ascii=False)
                + "</script>\n")
    return (f'<!doctype html>\n<html lang="ru-RU">\n<head>\n<meta charset="UTF-8">\n'
            f'<title>{html.escape(title)} - {site_name}</title>\n'
            f'<link rel="canonical" href="{url}">\n'
            f'<meta property="og:type" content="{og_type}">\n<meta property="og:title" content="{html.escape(title)}">\n'
            f'<meta property="og:url" content="{url}">\n<meta property="og:site_name" content="{site_name}">\n'
            f'{meta}<link rel="stylesheet" href="/wp-content/themes/Newspaper/style.css?ver=12.6">\n'
            '<style>.td-header-top-menu{background:#222}.td-post-content p{font-size:17px}</style>\n'
            '<script>var tdBlocksArray = []; var td_ajax_url="/wp-admin/admin-ajax.php";</script>\n</head>\n')


def _frame(head: str, body_class: str, today: datetime, top_padding: str, main: str,
           sidebar: str, bottom_padding: str, site_name: str) -> str:
    return (
        f'{head}<body class="{body_class}">\n<div class="td-header-wrap">\n'
        f'<div class="td-header-top-menu"><div class="td_data_time"><!--volatile-->{_ru_date(today)}<!--/volatile--></div>'
        '<ul class="top-header-menu"><li><a href="/o-nas/">О нас</a></li><li><a href="/reklama/">Реклама</a></li>'
        '<li><a href="/kontakty/">Контакты</a></li></ul></div>\n'
        f'<div class="td-header-menu-wrap">{_menu("main")}{top_padding}</div>\n</div>\n'
        '<div class="td-main-content-wrap td-container-wrap"><div class="td-container"><div class="td-pb-row">\n'
        f'<div class="td-pb-span8 td-main-content">\n{main}\n</div>\n'
        f'<div class="td-pb-span4 td-main-sidebar">{sidebar}'
        '<div class="td-a-rec td-a-rec-id-sidebar"><a href="/reklama/"><img src="/wp-content/uploads/banner-300x250.jpg" alt="Реклама"></a></div></div>\n'
        '</div></div></div>\n'
        f'<div class="td-footer-wrapper">{bottom_padding}<div class="td-footer-info"><div class="footer-text-wrap">'
        f'{site_name} — информационное агентство. При полном или частичном использовании материалов '
        f'гиперссылка на {site_name} обязательна.</div></div>'
        f'<div class="td-sub-footer-container"><div class="td-sub-footer-copy">&copy; 2026 {site_name}. Все права защищены.</div></div></div>\n'
        '<div id="cookie-notice" class="cookie-notice" role="dialog"><span>Мы используем файлы cookie, чтобы сайт '
        'работал лучше. Продолжая пользоваться сайтом, вы соглашаетесь с этим.</span><a href="#" class="cn-button">Принять</a></div>\n'
        '<script src="/wp-content/themes/Newspaper/js/tagdiv_theme.min.js?ver=12.6"></script>\n</body>\n</html>\n'
    )


def article_page(article: SyntheticArticle, paragraphs: list[str], published: datetime, number: int,
                  section: tuple[str, str], related: list[tuple[str, str]], latest: list[tuple[str, str]],
                  titles: list[tuple[str, str]], target: int, rng: random.Random, site_name: str) -> str:
    title = html.escape(article.title)
    body = "\n".join(f"  <p>{html.escape(p)}</p>" for p in paragraphs)
    related_html = "".join(
        f'<div class="td_module_wrap td-animation-stack"><div class="td-module-thumb"><a href="{url}">'
        f'<img class="entry-thumb" src="/wp-content/uploads/rel-{k}.jpg" alt=""></a></div>'
        f'<h3 class="entry-title td-module-title"><a href="{url}">{html.escape(t)}</a></h3>'
        f'<ul class="td-module-meta-info"><li class="td-post-category">{section[1]}</li>'
        f'<li class="td-post-date"><time class="entry-date">{rng.randint(1, 23)} часов назад</time></li></ul></div>'
        for k, (url, t) in enumerate(related))
    main = (
        f'<div class="td-crumb-container"><div class="entry-crumbs"><span><a href="/">Главная</a></span> '
        f'<i class="td-icon-right td-bread-sep"></i> <span><a href="/category/{section[0]}/">{section[1]}</a></span> '
        f'<i class="td-icon-right td-bread-sep"></i> <span class="td-bred-no-url-last">{title}</span></div></div>\n'
        f'<article id="post-{number}" class="post-{number} post type-post status-publish format-standard category-{section[0]}">\n'
        f' <div class="td-post-header"><ul class="td-category"><li class="entry-category"><a href="/category/{section[0]}/">{section[1]}</a></li></ul>\n'
        f'  <header class="td-post-title"><h1 class="entry-title">{title}</h1>\n'
        f'   <div class="td-module-meta-info"><div class="td-post-author-name">Редакция</div>'
        f'<span class="td-post-date"><time class="entry-date updated td-module-date" datetime="{published.isoformat()}">'
        f'{published:%d.%m.%Y}</time></span><div class="td-post-views"><i class="td-icon-views"></i>'
        f'<span class="td-nr-views-{number}"><!--volatile-->{rng.randint(40, 9000)}<!--/volatile--></span></div>'
        f'<div class="td-post-comments"><a href="#respond"><i class="td-icon-comments"></i><!--volatile-->{rng.randint(0, 40)}<!--/volatile--></a></div></div>\n'
        '  </header>\n </div>\n'
        ' <div class="td-post-sharing-top"><div class="td-post-sharing"><span class="td-social-share-text">Поделиться</span>'
        '<a class="td-social-sharing-button td-social-facebook" href="#">Facebook</a><a class="td-social-sharing-button td-social-telegram" href="#">Telegram</a>'
        '<a class="td-social-sharing-button td-social-whatsapp" href="#">WhatsApp</a></div></div>\n'
        f' <div class="td-post-content tagdiv-type">\n  <div class="td-post-featured-image"><img width="696" height="392" class="entry-thumb" '
        f'src="/wp-content/uploads/{published:%Y/%m}/post-{number}-696x392.jpg" alt=""></div>\n{body}\n </div>\n'
        f' <footer><div class="td-post-source-tags"><ul class="td-tags"><li><span>Теги</span></li>'
        f'<li><a href="/tag/{section[0]}/">{section[1]}</a></li>'
        + ('<li><a href="/tag/odkb/">ОДКБ</a></li>' if article.relevant else "")
        + '</ul></div>\n <div class="td-post-sharing-bottom"><div class="td-post-sharing"><span class="td-social-share-text">Поделиться</span>'
        '<a href="#">Facebook</a><a href="#">Telegram</a></div></div></footer>\n'
        f' <div class="td_block_wrap td_block_related_posts"><h4 class="td-related-title">Похожие статьи</h4>'
        f'<div class="td_block_inner"><!--volatile-->{related_html}<!--/volatile--></div></div>\n'
        ' <div class="comments" id="comments"><div id="respond" class="comment-respond"><h3 class="comment-reply-title">Оставить комментарий</h3>'
        '<form action="/wp-comments-post.php" method="post" class="comment-form"><p class="comment-notes">Ваш адрес email не будет опубликован.</p>'
        '<textarea name="comment"></textarea><input name="author" placeholder="Имя:*"><input type="submit" value="Отправить комментарий"></form></div></div>\n'
        '</article>'
    )
    sidebar = "<!--volatile-->" + _news_list("widget_recent_entries", "Последние новости", latest, rng) + "<!--/volatile-->"
    head = _head(article.title, article.url, site_name, published, "article")
    shell = _frame(head, f"post-template-default single single-post postid-{number}", NEWEST, "", main, sidebar, "", site_name)
    top, bottom = _padding(rng, target - len(shell.encode("utf-8")), titles)
    return _frame(head, f"post-template-default single single-post postid-{number}", NEWEST, top, main, sidebar, bottom, site_name)


def listing_page(url: str, page: int, cards: list[tuple[SyntheticArticle, datetime, str]],
                  titles: list[tuple[str, str]], rng: random.Random, site_name: str, target: int) -> str:
    rows = "".join(
        f'<div class="td_module_wrap td_module_10"><div class="td-module-thumb"><a href="{a.url}"><img src="/thumbs/{k}.jpg" alt=""></a></div>'
        f'<div class="item-details"><h3 class="entry-title td-module-title"><a href="{a.url}">{html.escape(a.title)}</a></h3>'
        f'<div class="td-module-meta-info"><time class="entry-date" datetime="{when.isoformat()}">{when:%d.%m.%Y %H:%M}</time></div>'
        f'<div class="td-excerpt">{html.escape(excerpt)}</div></div></div>'
        for k, (a, when, excerpt) in enumerate(cards))
    main = (f'<div class="td-crumb-container"><div class="entry-crumbs"><span><a href="/">Главная</a></span> '
            f'<span class="td-bred-no-url-last">Новости</span></div></div>\n<h1 class="td-page-title">Новости — страница {page}</h1>\n'
            f'<div class="td-ss-main-content">{rows}</div>\n'
            f'<div class="page-nav td-pb-padding-side"><a href="/news/page/{page + 1}/" class="next">Следующая</a></div>')
    head = _head(f"Новости — страница {page}", url, site_name, None, "website")
    top, bottom = _padding(rng, max(0, target - 20_000), titles)
    return _frame(head, "archive category", NEWEST, top, main, "", bottom, site_name)


def feed_xml(host: str, site_name: str, items: list[tuple[SyntheticArticle, datetime, str]]) -> str:
    entries = "".join(
        f"<item><title>{html.escape(a.title)}</title><link>{a.url}</link><guid>{a.url}</guid>"
        f"<pubDate>{format_datetime(when)}</pubDate><description>{html.escape(excerpt)}</description></item>\n"
        for a, when, excerpt in items)
    return ('<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0"><channel>\n'
            f"<title>{site_name}</title><link>https://{host}/</link><description>Новости</description>\n"
            f"<language>ru</language>\n{entries}</channel></rss>\n")


def sitemap_xml(items: list[tuple[SyntheticArticle, datetime]]) -> str:
    urls = "".join(f"<url><loc>{a.url}</loc><lastmod>{when.isoformat()}</lastmod></url>\n" for a, when in items)
    return ('<?xml version="1.0" encoding="UTF-8"?>\n'
            f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n{urls}</urlset>\n')


