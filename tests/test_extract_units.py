"""Unit tests of the extraction parts: text cleaner rules, dates, language, the API contract,
the clean pipeline and the ``csto extract`` command."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone

import pytest
from helpers import FIXTURES, load_sidecar
from helpers_extract import page_of
from scrapy.utils.test import get_crawler

from csto_crawler.cli import main
from csto_crawler.extract import Extraction, SiteRules, clean_text, extract
from csto_crawler.extract.dates import is_date_line, parse_date, parse_iso
from csto_crawler.extract.language import choose, detect, normalize_code
from csto_crawler.items import ArticleItem, FetchRecord
from pipelines.clean import CleanPipeline
from pipelines.outcomes import SkipItem

BODY = [
    "Министры иностранных дел государств ОДКБ провели заседание в Минске и приняли два совместных заявления.",
    "Участники обсудили ситуацию в Афганистане и договорились продолжить консультации в формате экспертов.",
    "Следующее заседание Совета министров иностранных дел пройдёт в ноябре, также в столице Белоруссии.",
]


# --- text cleaner ---------------------------------------------------------------------------
def test_inline_read_also_box_goes_and_the_body_after_it_stays():
    text = "\n".join([BODY[0], "Читайте также", "Лавров: ОДКБ не станет вмешиваться", BODY[1], BODY[2]])
    assert clean_text(text).text == "\n\n".join(BODY)


def test_read_also_with_its_title_on_one_line_goes():
    text = "\n".join([BODY[0], "Читайте также: Пашинян объяснил отказ от поездки в Минск", BODY[1]])
    assert clean_text(text).text == "\n\n".join(BODY[:2])


def test_closing_news_list_is_cut_to_the_end_even_with_full_sentence_teasers():
    teasers = ["В Бишкеке открылся новый мост через реку, его строили три года и открыли в срок."] * 2
    text = "\n".join([*BODY, "Другие новости", *teasers])
    assert clean_text(text).text == "\n\n".join(BODY)


def test_a_legal_footer_goes_only_from_the_tail():
    quoted = ("Суд напомнил, что издание зарегистрировано в Федеральной службе по надзору в сфере связи, "
              "и потребовало исправить ошибку в выходных данных.")
    footer = "Сетевое издание зарегистрировано в Федеральной службе по надзору в сфере связи. Эл № ФС77-12345."
    result = clean_text("\n".join([BODY[0], quoted, BODY[1], footer]))
    assert result.text == "\n\n".join([BODY[0], quoted, BODY[1]])


@pytest.mark.parametrize("notice", [
    "Вся информация, размещенная на данном веб-сайте, предназначена только для персонального пользования "
    "и не подлежит дальнейшему воспроизведению и/или распространению в какой-либо форме, иначе как с "
    "письменного разрешения редакции.",
    "Воспроизведение материалов сайта без письменного разрешения редакции запрещено.",
    "The material on this site may not be reproduced, distributed or republished without prior written permission.",
    "Nachdruck und Weiterverbreitung nur mit schriftlicher Genehmigung der Redaktion.",
    "© Rundschau Verlag 2025. Alle Rechte vorbehalten.",
])
def test_a_reproduction_rights_notice_goes_from_the_tail_and_stays_inside(notice):
    footer = "Сетевое издание зарегистрировано в Федеральной службе по надзору в сфере связи. Эл № ФС77-12345."
    assert clean_text("\n".join([*BODY, footer, notice])).text == "\n\n".join(BODY)
    # the same words inside the article are the article's
    assert clean_text("\n".join([BODY[0], notice, BODY[1]])).text == "\n\n".join([BODY[0], notice, BODY[1]])


def test_an_article_closing_on_reproduction_or_permission_keeps_its_last_paragraph():
    closing = [
        "Суд установил, что фотографии использовались без разрешения автора, и обязал издание выплатить компенсацию.",
        "The agency said the photos were used without written permission and asked the paper to remove them.",
        "Der Verlag erklärte, die Bilder seien ohne Zustimmung des Fotografen gedruckt worden.",
    ]
    for line in closing:
        assert clean_text("\n".join([*BODY, line])).text == "\n\n".join([*BODY, line])


@pytest.mark.parametrize("furniture_line", [
    "Lesedauer: 4 Minuten", "Время чтения: 3 минуты", "5 min read", "Reading time: 7 min",
    "Fehler gefunden? Jetzt melden.", "Found a typo? Let us know.",
    "Оцените, пожалуйста, статью. Нам важно Ваше мнение.", "War dieser Artikel hilfreich?",
    "Hat Ihnen dieser Artikel gefallen? Dann unterstützen Sie uns bitte mit einer Spende.",
    "Unabhängiger Journalismus braucht deine Unterstützung.",
    "Please support independent journalism: donate today.", "Поддержите редакцию: каждый рубль важен.",
    "Empfohlener redaktioneller Inhalt",
    "Ich bin damit einverstanden, dass mir der externe Inhalt angezeigt wird. Damit können personenbezogene "
    "Daten an Drittplattformen übermittelt werden.",
    "Anzeige", "Разместить рекламу", "Advertise with us",
    "Читай также: ТОП-5 способов улучшить зрение",
    "< Предыдущая Следующая >", "« Previous article | Next article »", "___", "* * *", "———",
    "RSS: ФедералПресс: Федеральный выпуск", "Эта статья в категориях: здоровье.", "Kategorie: Politik",
    "Sign up to our free daily newsletter for the latest news.", "Jetzt Newsletter abonnieren",
    "Durchschnittliche Bewertung: 0,0", "Средняя оценка: 4.5 (12 голосов)",
    "Lesen Sie auch: Bundestag stimmt über Haushalt ab",
])
def test_widget_prompt_and_label_lines_go_wherever_they_stand(furniture_line):
    assert clean_text("\n".join([BODY[0], furniture_line, BODY[1]])).text == "\n\n".join(BODY[:2])
    assert clean_text("\n".join([*BODY, furniture_line])).text == "\n\n".join(BODY)


def test_the_same_words_in_an_article_sentence_stay():
    sentences = [
        "Die Lesedauer der Akten betrug nach Angaben des Gerichts mehr als vier Wochen, sagte der Sprecher.",
        "Министр призвал граждан поддержать редакцию районной газеты, которая может закрыться из-за долгов.",
        "Die Regierung will unabhängigen Journalismus stärker fördern, kündigte die Ministerin am Montag an.",
        "The readers were asked to support our journalism fund, the paper said in a statement on Monday.",
        "Администрация сайта не несет ответственности, заявил суд, но обязал удалить комментарии пользователей.",
        "Следующая встреча министров пройдет в Астане, предыдущая состоялась в Минске в прошлом году.",
        "Readers who sign up for our newsletter will get the full report, the editor wrote in the memo.",
        "Die Kategorie der Straftaten wurde im neuen Gesetz erweitert, sagte die Justizministerin am Dienstag.",
    ]
    for line in sentences:
        text = "\n".join([BODY[0], line, BODY[1]])
        assert clean_text(text).text == "\n\n".join([BODY[0], line, BODY[1]]), line


def test_a_related_heading_in_german_opens_a_block_that_goes():
    text = "\n".join([*BODY, "Mehr zum Thema", "Bundestag stimmt über Haushalt ab", "Regierung plant neue Steuer"])
    assert clean_text(text).text == "\n\n".join(BODY)


def test_a_german_source_label_at_the_end_is_the_credit():
    result = clean_text("\n".join([*BODY, "Quelle: dpa"]))
    assert result.text == "\n\n".join(BODY) and result.source_credit == "dpa"


def test_a_comment_disclaimer_at_the_end_goes():
    line = "Администрация сайта не несет ответственности за содержание сообщений, публикуемых в комментариях."
    assert clean_text("\n".join([*BODY, line])).text == "\n\n".join(BODY)


def test_photo_credits_captions_and_datelines_stay():
    lines = ["ДУШАНБЕ, 27.07.2020 /НИАТ «Ховар»/. " + BODY[0], "Фото: пресс-служба МИД", "источник фото: ТАСС",
             "Министры перед началом заседания. (Ảnh: CSTO).", BODY[1]]
    assert clean_text("\n".join(lines)).text == "\n\n".join(lines)


def test_source_credit_is_pulled_out_not_dropped_silently():
    result = clean_text("\n".join([*BODY, "Источник: ТАСС", "Просмотров: 1975", "Поделиться"]))
    assert result.text == "\n\n".join(BODY)
    assert result.source_credit == "ТАСС"
    assert {"Источник: ТАСС", "Просмотров: 1975", "Поделиться"} <= set(result.removed)


@pytest.mark.parametrize("line", [
    "564 مشاهدات", "26 bạn đọc", "Просмотров: 1975", "1 234", "Đánh giá tốt", "Bình luận của bạn:", "X",
    "Версия для печати", "Теги: ОДКБ, Минск", "Подписывайтесь на наш Telegram-канал", "Создано на платформе Alison CMS © 2011-2024.",
    "Дизайн и разработка сайта от компании Licon.", "Воскресенье, 24 Ноября 2024", "- 6 часов назад", "Thứ tư 21/06/2023 07:19 GMT + 7",
    "Мы используем файлы cookie для улучшения работы сайта.", "Share this:", "اشتراک گذاری",
])
def test_furniture_lines_go_anywhere(line):
    result = clean_text("\n".join([BODY[0], line, BODY[1]]))
    assert result.text == "\n\n".join(BODY[:2]), line


def test_head_furniture_and_repeated_title_go():
    title = "В Минске прошло заседание СМИД ОДКБ"
    text = "\n".join(["Главная / Новости / Политика", "Рубрика: Политика", title, "Автор: Админ", *BODY])
    assert clean_text(text, title=title).text == "\n\n".join(BODY)


def test_markdown_left_by_scrapers_is_unwrapped_and_persian_zwnj_kept():
    text = "**Сергей Лавров** подписал [Заявление](https://x.example) по Афганистану и другие документы в Минске.\n- пункт списка\nنماینده‌ای اعزام نکرد و این خبر را تأیید کرد."
    result = clean_text(text)
    assert result.text.split("\n\n") == [
        "Сергей Лавров подписал Заявление по Афганистану и другие документы в Минске.",
        "пункт списка",
        "نماینده‌ای اعزام نکرد و این خبر را تأیید کرد.",
    ]


def test_split_lines_matches_the_substitutions_it_skips():
    # split_lines tries each markdown pattern only where it can match; what it returns must be
    # what running every substitution on every line returned (a link's text with spaces at
    # its edges leaves the line to be stripped; digits of any script may start a list item)
    import re

    from csto_crawler.extract import textclean as tc

    def reference(text):
        text = tc.unicodedata.normalize("NFC", text.replace("\r\n", "\n").replace("\r", "\n"))
        text = tc._ZERO_WIDTH.sub("", text).replace("\xa0", " ")
        out = []
        for raw in text.split("\n"):
            line = re.sub(r"[^\S\n]+", " ", raw).strip()
            if not line:
                continue
            line = tc._MD_LINK.sub(r"\1", line)
            line = tc._MD_BOLD.sub(r"\2", line)
            line = tc._MD_HEADING.sub("", line)
            line = tc._BULLET.sub("", line).strip()
            if line:
                out.append(line)
        return out

    lines = ["[ ОДКБ ](https://x.example) заявила", "Текст [ссылка ](u)", "## [ Заголовок](u)",
             "# - пункт", "٣) пункт", "3) 4 пункта", "12. Пункт", "** жирный**", "__подчёркнутый__ текст",
             "•\u2003пункт", "#\tзаголовок", "[](u)", "  \u3000  ", "- ", "\u0663. пункт", "a]( b"]
    text = "\n".join(lines)
    assert tc.split_lines(text) == reference(text)


def test_site_furniture_patterns_apply():
    rules = SiteRules(furniture=(r"Матни пурра",))
    assert clean_text("\n".join([BODY[0], "Матни пурра", BODY[1]]), rules=rules).text == "\n\n".join(BODY[:2])


# --- dates -----------------------------------------------------------------------------------
@pytest.mark.parametrize(("text", "formats", "tz", "expected"), [
    ("Thứ tư 21/06/2023 07:19 GMT + 7", ("%d/%m/%Y %H:%M %z",), None, "2023-06-21T07:19:00+07:00"),
    ("أغسطس 23, 2021 15:22, 564 مشاهدات", ("%B %d, %Y %H:%M",), "Asia/Dushanbe", "2021-08-23T15:22:00+05:00"),
    ("19-06-2023, 21:34.", ("%d-%m-%Y, %H:%M",), "Europe/Moscow", "2023-06-19T21:34:00+03:00"),
    ("19-06-2023, 21:34.", (), None, "2023-06-19"),  # no known zone: calendar date only, no invented offset
    ("Июль 27, 2020 13:45", (), "Asia/Dushanbe", "2020-07-27T13:45:00+05:00"),
    ("23 ноября 2023 года, 15:20", ("%d %B %Y %H:%M",), "Asia/Almaty", "2023-11-23T15:20:00+06:00"),
    ("19 мая 2021 г.", (), "Europe/Minsk", "2021-05-19T00:00:00+03:00"),  # date only, zone known
    ("19 мая 2021 г.", (), None, "2021-05-19"),  # date only, zone unknown: no invented offset
    ("28 қараша 2024, 17:20", (), "Asia/Almaty", "2024-11-28T17:20:00+05:00"),
    ("June 5, 2023 3:15 pm", (), "UTC", "2023-06-05T15:15:00+00:00"),
    ("Thứ năm, 28/11/2024 20:10 (GMT+7)", (), None, "2024-11-28T20:10:00+07:00"),
    ("без даты", (), "UTC", None),
    ("31.02.2023", (), "UTC", None),
    # Chinese, Japanese and Korean dates
    ("2024年06月20日 14:32 来源：新华网", (), "Asia/Shanghai", "2024-06-20T14:32:00+08:00"),
    ("发布时间：2024年6月20日 14:32:05", (), None, "2024-06-20"),
    ("2023年12月1日", (), "Asia/Tokyo", "2023-12-01T00:00:00+09:00"),
    ("2024년 6월 20일", (), None, "2024-06-20"),
    ("2024年13月20日", (), "UTC", None),
])
def test_parse_date(text, formats, tz, expected):
    assert parse_date(text, formats=formats, tz=tz) == expected


def test_relative_dates_need_the_fetch_time():
    fetched = datetime(2025, 2, 12, 10, 30, tzinfo=timezone(timedelta(hours=5)))
    assert parse_date("6 часов назад") is None
    assert parse_date("6 часов назад", fetched_at=fetched) == "2025-02-12T04:30:00+05:00"
    assert parse_date("вчера в 14:30", fetched_at=fetched) == "2025-02-11T14:30:00+05:00"
    assert parse_date("3 hours ago", fetched_at=fetched.astimezone(UTC)) == "2025-02-12T02:30:00+00:00"


def test_parse_iso():
    assert parse_iso("2023-06-19T21:34:00Z") == "2023-06-19T21:34:00+00:00"
    assert parse_iso("2023-06-19T21:34:00") == "2023-06-19"
    assert parse_iso("2023-06-19 21:34:00", timezone(timedelta(hours=3))) == "2023-06-19T21:34:00+03:00"


@pytest.mark.parametrize(("line", "expected"), [
    ("Воскресенье, 24 Ноября 2024", True), ("25.10.2024   1975", True), ("Сегодня, 14:30", True),
    ("ДУШАНБЕ, 27.07.2020 /НИАТ «Ховар»/.", False), ("Министры встретились 19 июня 2023 года", False), ("Akorda.kz", False),
    ("2024年06月20日 14:32", True), ("2024년 6월 20일", True), ("会议于2024年6月20日在明斯克举行", False),
])
def test_is_date_line(line, expected):
    assert is_date_line(line) is expected


# --- language ----------------------------------------------------------------------------------
@pytest.mark.parametrize(("text", "code"), [
    ("Президент принял участие в сессии Совета коллективной безопасности. " * 5, "ru"),
    ("Мемлекет басшысы Ұжымдық қауіпсіздік туралы шарт ұйымының отырысына қатысты. " * 4, "kk"),
    ("Мамлекет башчысы Жамааттык коопсуздук келишим уюмунун жыйынына катышты. Бүгүн өлкөнүн " * 4, "ky"),
    ("Президенти Ҷумҳурии Тоҷикистон дар ҷаласаи Шӯрои амнияти дастаҷамъӣ иштирок кард. " * 4, "tg"),
    ("Міністр замежных спраў Беларусі правёў сустрэчу з калегамі з краін АДКБ у Мінску. " * 4, "be"),
    ("Հայաստանի արտաքին գործերի նախարարը մասնակցել է ՀԱՊԿ նիստին։ " * 5, "hy"),
    ("عقدت جلسة عادية لمجلس الأمن الجماعي لمنظمة معاهدة الأمن الجماعي " * 5, "ar"),
    ("نشست شورای امنیت جمعی سازمان پیمان امنیت جمعی در دوشنبه برگزار شد " * 5, "fa"),
    ("Các ngoại trưởng CSTO thảo luận các vấn đề an ninh tại thủ đô Minsk " * 5, "vi"),
    ("The CSTO foreign ministers met in Minsk to discuss regional security. " * 5, "en"),
])
def test_detect(text, code):
    assert detect(text)[0] == code


def test_declared_language_is_checked_against_the_text():
    kazakh = "Мемлекет басшысы Ұжымдық қауіпсіздік туралы шарт ұйымының отырысына қатысты. " * 4
    assert choose("ru-RU", "Президент принял участие в сессии Совета безопасности. " * 5) == ("ru", False)
    assert choose("ru", kazakh) == ("kk", True)
    assert choose("kz", kazakh) == ("kk", False)
    assert choose("uz", "Prezident Toshkentda xalqaro forum ishtirokchilari bilan uchrashdi. " * 5) == ("uz", False)
    assert choose("ru", "Коротко") == ("ru", False)
    assert normalize_code("tj") == "tg" and normalize_code("") is None


# --- the API -----------------------------------------------------------------------------------
DLE = FIXTURES / "generic" / "ru_dle_2023-06-19_smid-odkb-minsk.json"


def test_extraction_fields_and_sources():
    data = load_sidecar(DLE)
    result = extract(page_of(DLE).read_bytes(), data["url"])
    assert isinstance(result, Extraction)
    assert result.canonical_url == data["url"]
    assert result.sources == {"canonical_url": "metadata", "title": "metadata", "published_at": "metadata",
                              "modified_at": "metadata", "author": "metadata", "text": "generic", "language": "metadata"}
    fields = result.item_fields()
    assert set(fields) <= {f for f in ArticleItem.__dataclass_fields__}


def test_a_naive_visible_date_without_a_zone_keeps_only_the_calendar_date():
    data = load_sidecar(DLE)
    page = page_of(DLE).read_text(encoding="utf-8")
    start = page.index('<script type="application/ld+json">')
    page = page[:start] + page[page.index("</script>", start) + len("</script>"):]
    result = extract(page, data["url"])
    assert result.published_at == "2023-06-19" and result.sources["published_at"] == "generic"
    zoned = extract(page, data["url"], SiteRules(timezone="Asia/Bishkek"))
    assert zoned.published_at == "2023-06-19T21:34:00+06:00"


def test_header_today_date_is_never_the_article_date():
    page = ("<html><body><header><div class='header-date'>Воскресенье, 24 Ноября 2024</div></header>"
            f"<article><h1>Заголовок статьи об ОДКБ</h1>{''.join(f'<p>{p}</p>' for p in BODY * 2)}</article></body></html>")
    assert extract(page, "https://x.example/a").published_at is None


def test_a_missing_content_selector_falls_back_to_the_generic_layers():
    sidecar = FIXTURES / "akorda" / "ru_article_2023-11-23.json"
    page = page_of(sidecar).read_text(encoding="utf-8").replace('class="content-text"', 'class="article-body"')
    url = load_sidecar(sidecar)["url"]
    from csto_crawler.sites import rules_for_url

    result = extract(page, url, rules_for_url(url))
    assert result.sources["text"] == "generic"
    assert result.text.endswith("с учетом национальных интересов всех государств-членов.")


def test_bytes_in_a_legacy_encoding_are_decoded():
    sidecar = FIXTURES / "generic" / "ru_oldtable_old-table-cp1251.json"
    raw = page_of(sidecar).read_bytes()
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")
    result = extract(raw, load_sidecar(sidecar)["url"])
    assert result.title == "Миротворцы ОДКБ вернулись из Казахстана"
    assert extract(raw, load_sidecar(sidecar)["url"], encoding="cp1251").text == result.text


def test_empty_and_non_html_input():
    assert extract(b"", "https://x.example/").text is None
    assert extract("   ", "https://x.example/").title is None


# --- the clean pipeline ------------------------------------------------------------------------
def _pipeline():
    crawler = get_crawler()
    crawler.stats.open_spider()
    return CleanPipeline.from_crawler(crawler), crawler.stats


def test_clean_pipeline_cleans_fills_the_credit_and_is_idempotent():
    pipeline, stats = _pipeline()
    item = ArticleItem(url="https://x.example/a", site="x", title="Заголовок",
                       text="\n".join(["Заголовок", *BODY, "Nguồn: vov.vn", "26 bạn đọc"]))
    pipeline.process_item(item)
    assert item.text == "\n\n".join(BODY) and item.source_credit == "vov.vn"
    before = item.text
    pipeline.process_item(item)
    assert item.text == before
    assert stats.get_value("csto/clean/items") == 2 and stats.get_value("csto/clean/changed") == 1
    assert stats.get_value("csto/clean/source_credit") == 1


def test_clean_pipeline_keeps_an_existing_credit_and_skips_empty_text():
    pipeline, stats = _pipeline()
    item = ArticleItem(url="https://x.example/a", site="x", title="T", text="\n".join([*BODY, "Источник: ТАСС"]), source_credit="РИА")
    pipeline.process_item(item)
    assert item.source_credit == "РИА"
    with pytest.raises(SkipItem) as caught:
        pipeline.process_item(ArticleItem(url="https://x.example/b", site="x", title="T", text="Поделиться\nПросмотров: 12"))
    assert caught.value.outcome == "error" and stats.get_value("csto/clean/empty") == 1


def test_clean_pipeline_trusts_text_the_extraction_made_and_still_refuses_empty(monkeypatch):
    import pipelines.clean as clean_module

    pipeline, stats = _pipeline()
    calls = []
    monkeypatch.setattr(clean_module, "clean_text", lambda *a, **k: calls.append(a) or clean_text(*a, **k))
    extracted = ArticleItem(url="https://x.example/a", site="x", title="T", text="\n\n".join(BODY),
                            extraction={"text": "site"})
    assert pipeline.process_item(extracted).text == "\n\n".join(BODY)
    assert calls == [] and stats.get_value("csto/clean/already_clean") == 1
    with pytest.raises(SkipItem):
        pipeline.process_item(ArticleItem(url="https://x.example/b", site="x", title="T", text=" ",
                                          extraction={"text": "generic"}))
    from_api = ArticleItem(url="https://x.example/c", site="x", title="T",
                           text="\n".join([*BODY, "Просмотров: 12"]), extraction={"text": "api"})
    assert pipeline.process_item(from_api).text == "\n\n".join(BODY) and len(calls) == 1


def test_clean_pipeline_passes_other_items_untouched():
    pipeline, _ = _pipeline()
    record = FetchRecord(url="https://x.example/a", site="x", outcome="not_modified")
    assert pipeline.process_item(record) is record


def test_extracted_fixture_text_is_unchanged_by_the_pipeline():
    pipeline, stats = _pipeline()
    for sidecar in [DLE, FIXTURES / "akorda" / "ru_article_2023-11-23.json"]:
        data = load_sidecar(sidecar)
        result = extract(page_of(sidecar).read_bytes(), data["url"])
        item = ArticleItem(url=data["url"], site="x", title=result.title, text=result.text)
        pipeline.process_item(item)
        assert item.text == result.text
    assert not stats.get_value("csto/clean/changed")


# --- csto extract ------------------------------------------------------------------------------
def test_csto_extract_prints_text_and_json(capsys):
    sidecar = FIXTURES / "khovar" / "ar_article_2021-08-23.json"
    url = load_sidecar(sidecar)["url"]
    assert main(["extract", str(page_of(sidecar)), "--url", url]) == 0
    text = capsys.readouterr().out
    assert text.startswith("عقد اليوم") and "أخبار أخرى لهذا القسم" not in text
    assert main(["extract", str(page_of(sidecar)), "--url", url, "--json"]) == 0
    fields = json.loads(capsys.readouterr().out)
    assert fields["site"] == "khovar" and fields["published_at"] == "2021-08-23T15:22:00+05:00"
    assert fields["extraction"]["text"] == "site"
    assert main(["extract", str(page_of(sidecar)), "--json"]) == 0
    generic = json.loads(capsys.readouterr().out)
    assert generic["site"] is None and generic["extraction"]["text"] == "generic"


def test_csto_extract_fails_clearly_on_a_missing_file(capsys, tmp_path):
    assert main(["extract", str(tmp_path / "missing.html")]) == 2
    assert "cannot read" in capsys.readouterr().err
    assert main(["extract", str(tmp_path)]) == 2


@pytest.mark.parametrize(("url", "expected"), [
    ("https://www.example.ru/news/1", "2023-06-19T21:34:00+03:00"),
    ("https://news.example.kg/1", "2023-06-19T21:34:00+06:00"),
    ("https://example.kz/1", "2023-06-19T21:34:00+06:00"),  # Almaty was UTC+6 until 2024-03-01
    ("https://example.com/1", "2023-06-19"),  # no country, no zone: the calendar date only
])
def test_zone_less_time_takes_the_zone_of_the_hosts_country(url, expected):
    page = ("<html><head><title>t</title></head><body><article><h1>Заголовок статьи</h1>"
            "<p class='date'>19-06-2023, 21:34</p>"
            + "".join(f"<p>Абзац номер {i} текста статьи об ОДКБ и безопасности в регионе.</p>"
                      for i in range(8))
            + "</article></body></html>")
    assert extract(page, url).published_at == expected


# --- link-heavy sentences between article paragraphs ---------------------------------------
_EN = [
    "Foreign ministers of the six member states met in Minsk on Thursday and adopted two joint statements.",
    "The ministers discussed the situation on the Tajik-Afghan border and agreed to hold expert consultations.",
    "The next meeting of the council will take place in Astana in the spring, the Belarusian ministry said.",
    "Officials said the organisation would also review its peacekeeping mandate before the end of the year.",
]


def _text_blocks(middle: list[str]) -> str:
    blocks = [*_EN[:2], *middle, *_EN[2:]]
    return ("<html><head><title>Ministers meet in Minsk</title></head><body><nav><a href=/>Home</a>"
            "<a href=/world>World</a></nav><main><article><h1>Ministers meet in Minsk</h1>"
            + "".join(f'<div data-component="text-block"><p>{b}</p></div>' for b in blocks)
            + "</article></main><footer><p>Copyright 2024 Example News</p></footer></body></html>")


def test_a_sentence_that_is_mostly_a_link_between_article_paragraphs_is_article_text():
    linked = ('It also <a href="https://odkb.example/topics/exercises">co-ordinates military plans and carries '
              'out joint military exercises</a>.')
    text = extract(_text_blocks([linked]), "https://news.example.org/world/1").text
    assert text.split("\n\n") == [*_EN[:2], "It also co-ordinates military plans and carries out joint military "
                                  "exercises.", *_EN[2:]]


@pytest.mark.parametrize("middle", [
    ['<a href="/news/other">Armenia says it will not take part in the summit this year</a>'],  # all link
    ['Read more: <a href="/news/other">Armenia will not take part in the summit this year, minister says</a>.'],
    ['<a href="/a">Kazakhstan</a> <a href="/b">Kyrgyzstan</a> <a href="/c">Tajikistan</a>'],  # not a sentence
])
def test_teasers_and_link_lists_between_paragraphs_are_not_put_back(middle):
    text = extract(_text_blocks(middle), "https://news.example.org/world/1").text
    assert text.split("\n\n") == _EN


# --- photo captions -------------------------------------------------------------------------
def _page_with(figures: str, paragraphs: list[str]) -> str:
    half = (len(paragraphs) + 1) // 2
    before, after = ("".join(f"<p>{p}</p>" for p in part) for part in (paragraphs[:half], paragraphs[half:]))
    return (f"<html><head><title>Заседание СМИД ОДКБ</title></head><body><article><h1>Заседание СМИД ОДКБ</h1>"
            f"{before}{figures}{after}</article></body></html>")


def test_a_photo_caption_is_not_article_text():
    caption = "Министры перед началом заседания в Минске, 27 ноября. Фото: пресс-служба МИД"
    html = _page_with(f"<figure><img src=a.jpg><figcaption>{caption}</figcaption></figure>"
                      f"<div class='photo-caption'>Делегации у здания МИД Беларуси.</div>", BODY * 2)
    text = extract(html, "https://example.org/news/1").text
    assert BODY[0] in text and BODY[2] in text
    assert "Фото" not in text and "Делегации" not in text


def test_a_gallery_told_in_its_captions_keeps_them():
    captions = [f"{sentence} Кадр {n}." for n, sentence in enumerate(BODY * 3)]
    figures = "".join(f"<figure><img src={n}.jpg><figcaption>{c}</figcaption></figure>" for n, c in enumerate(captions))
    text = extract(_page_with(figures, BODY[:1]), "https://example.org/gallery/1").text
    assert all(caption in text for caption in captions)


@pytest.mark.parametrize("line", [
    "In einem Interview sagte er: „Ich werde nicht Netanyahus Boxsack sein, wie es Smotrich ist.“",
    "Il a déclaré que la réunion des ministres aurait lieu à Minsk en novembre prochain. »",
    "集体安全条约组织成员国外长理事会会议在明斯克举行，各方就阿富汗局势交换了意见并通过了两项联合声明。",
    "इस बैठक में सामूहिक सुरक्षा संधि संगठन के सदस्य देशों के विदेश मंत्रियों ने भाग लिया।",
])
def test_a_finished_sentence_reads_as_body_in_any_script_and_quoting(line):
    from csto_crawler.extract.textclean import looks_like_body
    assert looks_like_body(line)


# --- degrade, never collapse ---------------------------------------------------------------
ARTICLE_RU = [
    "Министры иностранных дел государств ОДКБ провели заседание в Минске и приняли два совместных заявления.",
    "Участники обсудили ситуацию в Афганистане и договорились продолжить консультации в формате экспертов.",
    "Отдельно стороны рассмотрели подготовку к учениям Коллективных сил оперативного реагирования.",
    "Генеральный секретарь организации доложил о выполнении решений прошлой сессии Совета.",
    "Делегации также согласовали проект плана консультаций по вопросам внешней политики на будущий год.",
    "Следующее заседание Совета министров иностранных дел пройдёт в ноябре, также в столице Белоруссии.",
]


def test_a_page_wrapped_in_one_form_keeps_its_article_and_loses_its_menus():
    body = "".join(f"<p>{p}</p>" for p in ARTICLE_RU)
    html = ("<html><head><title>СМИД ОДКБ</title></head><body><form id='aspnetForm' method='post' action='./news.aspx'>"
            "<nav><a href='/'>Главная</a> <a href='/news'>Новости</a></nav>"
            f"<div class='content'><h1>Заседание СМИД ОДКБ в Минске</h1>{body}</div>"
            "<aside><p>Другие новости: в Бишкеке открылся новый мост через реку Чу.</p></aside>"
            "</form></body></html>")
    text = extract(html, "https://example.org/news.aspx?id=1").text
    assert text == "\n\n".join(ARTICLE_RU)


def test_an_article_a_furniture_rule_took_is_read_from_the_whole_page():
    body = "".join(f"<p>{p}</p>" for p in ARTICLE_RU)
    html = (f"<html><head><title>СМИД ОДКБ</title></head><body><h1>Заседание СМИД ОДКБ в Минске</h1>"
            f"<div class='widget'>{body}</div></body></html>")
    result = extract(html, "https://example.org/news/1")
    assert result.text == "\n\n".join(ARTICLE_RU)
    assert result.sources["text"] == "generic"


def test_a_page_that_only_declares_its_article_in_json_ld_is_read_from_there():
    ld = json.dumps({"@context": "https://schema.org", "@type": "NewsArticle", "headline": "Заседание СМИД ОДКБ",
                     "articleBody": "\n".join(ARTICLE_RU)}, ensure_ascii=False)
    html = (f"<html><head><title>СМИД ОДКБ</title><script type='application/ld+json'>{ld}</script></head>"
            "<body><div id='app'>Загрузка…</div></body></html>")
    result = extract(html, "https://example.org/news/2")
    assert result.text == "\n\n".join(ARTICLE_RU)
    assert result.sources["text"] == "metadata"


def test_a_short_flash_is_not_replaced_by_a_longer_reading_that_does_not_hold_it():
    from csto_crawler.extract.choose import rescues
    flash = "Генсек ОДКБ прибыл в Душанбе с рабочим визитом."
    assert not rescues(flash, "\n".join(ARTICLE_RU))
    assert rescues(flash, "\n".join([flash, *ARTICLE_RU]))
    assert rescues("", "\n".join(ARTICLE_RU))
    assert not rescues("", "\n".join(["Главная", "Новости", "Контакты"] * 20))


def test_a_long_paragraph_that_reads_like_a_copyright_line_in_passing_is_not_a_footer():
    # "1994-1999." is the copyright pattern's "1999-2024." of a footer
    aside = "Президент ЮАР в 1994-1999. Нобелевская премия мира 1993 года, визит в Москву и встреча с ветеранами."
    paragraph = " ".join([*ARTICLE_RU, *[aside] * 6])
    assert clean_text("\n".join([ARTICLE_RU[0], paragraph])).text == "\n\n".join([ARTICLE_RU[0], paragraph])


def test_utility_classes_with_a_print_or_hover_variant_are_not_furniture_words():
    body = "".join(f"<p class='leading-serif mx-6 desktop:mx-0'>{p}</p>" for p in ARTICLE_RU[2:4])
    html = ("<html><head><title>СМИД ОДКБ</title></head><body><main><article><h1>Заседание СМИД ОДКБ в Минске</h1>"
            + "".join(f"<p>{p}</p>" for p in ARTICLE_RU[:2])
            + f"<div class='my-6 print:article-dropcap-print hover:[.floated_&]:mt-0'>{body}</div>"
            + "".join(f"<p>{p}</p>" for p in ARTICLE_RU[4:])
            + "</article></main></body></html>")
    assert extract(html, "https://example.org/news/3").text == "\n\n".join(ARTICLE_RU)



def test_language_class_counts_equal_one_findall_per_class_on_any_text():
    import random

    from csto_crawler.extract.language import _CLASSES, _class_counts

    rng = random.Random(7)
    letters = "".join(chr(c) for c in range(0x20, 0x2000)) + "ҳҲҷҶӣӢӯӮәӘұҰһҺіІғҒқҚңҢөӨүҮўЎپچژگیکۀăâđêôơưạảấ"
    for _ in range(200):
        sample = "".join(rng.choice(letters) for _ in range(rng.randint(0, 3000)))
        counts = _class_counts(sample)
        assert {name: counts[name] for name in _CLASSES} == {name: len(regex.findall(sample))
                                                              for name, regex in _CLASSES.items()}


@pytest.mark.parametrize("page", [
    '<html><head><title></title><title> A  b </title><link rel="canonical"><link rel="canonical" href=" /x ">'
    '</head><body><title>T2</title><link rel="canonical" href="/later"></body></html>',
    '<html><head><link rel="canonical" href=""><meta property="og:url" content="https://o/g"></head><body>x</body></html>',
    '<html><body><title>Only body</title><script type="application/ld+json">{"@type":"NewsArticle","headline":"H"}'
    '</script><script type="application/ld+json"></script><meta name="author" content="A"></body></html>',
    '<html><head><script type="APPLICATION/ld+json">{"headline":"no"}</script><link rel="Canonical" href="/c">'
    '<script type="application/ld+json">[{"@type":"Article"}]</script></head><body>x</body></html>',
    *sorted(p.read_text(encoding="utf-8", errors="replace") for p in (FIXTURES / "generic").glob("*.html"))[:20],
])
def test_declared_elements_are_what_the_xpaths_select(page):
    from csto_crawler.extract.document import parse
    from csto_crawler.extract.metadata import _declared

    tree = parse(page)
    found = _declared(tree)
    assert found.metas == tree.xpath("//meta")
    assert found.ld_json == tree.xpath('//script[@type="application/ld+json"]/text()')
    assert [found.head_title] == (tree.xpath("//head/title/text()") or [None])[:1]
    assert [found.title] == (tree.xpath("//title/text()") or [None])[:1]
    assert [found.canonical] == (tree.xpath('//link[@rel="canonical"]/@href') or [None])[:1]


@pytest.mark.parametrize("declared", ["windows-1251", "koi8-r", "utf-8", None])
def test_a_decoded_page_parses_to_its_text_whatever_charset_it_declares(declared):
    """``parse`` hands libxml2 UTF-8 bytes (faster than a ``str``): the page was decoded
    already, so a ``<meta charset>`` in it must not re-decode them; a lone surrogate in a
    ``str`` given by a caller does not stop the parse."""
    from csto_crawler.extract.document import decode, parse

    meta = f'<meta charset="{declared}">' if declared else ""
    text = "Заседание Совета ОДКБ — «Ёлки» №5 €"
    page = f"<html><head>{meta}<title>ОДКБ</title></head><body><p>{text}</p></body></html>"
    assert parse(page).findtext(".//p") == text
    if declared:
        assert parse(decode(page.encode(declared, "replace"))).findtext(".//p").startswith("Заседание Совета ОДКБ")
    assert parse(page.replace("№5", "\ud800")).findtext(".//p") == text.replace("№5", "?")
