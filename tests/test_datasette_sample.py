"""The sample archive the Datasette and browser tests read, and checks that it is what they
expect (so a change in the archive core that alters it shows up here first).

``fill_through_archive(path)`` writes a realistic archive through ``Archive`` only: Russian,
Arabic, English and Vietnamese articles from several sites over four runs, an article edited
twice (three versions), the same text under two sites' URLs, a page gone after two misses, a
blocked page, an error, a 304, an irrelevant page, and an article whose stored text and title
carry an injected ``<script>``/``onerror`` (stored page text is untrusted). Times come from a
fixed clock, so every fill gives the same database.

``build_sample_archive(path)`` is what the tests call: it is the one place to swap the
Archive-made data for a real crawl of the loopback sample web.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from pipelines.archive import Archive

__all__ = ["build_sample_archive", "fill_through_archive", "SAMPLE", "INJECTED_MARKER"]

#: What the injected script would set if it ever ran (on ``<html>``) and the page title it
#: would write; the tests assert both are absent.
INJECTED_MARKER = "data-pwned"
INJECTED_SCRIPT = (
    "<script>document.documentElement.setAttribute('data-pwned','yes');"
    "document.title='pwned'</script>"
)
INJECTED_TITLE = "Заявление МИД <img src=x onerror=\"document.title='pwned'\"> о сессии ОДКБ"

AKORDA_URL = "https://www.akorda.kz/ru/glava-gosudarstva-prinyal-uchastie-v-sessii-odkb-123456"
AKORDA_V1 = (
    "Глава государства Касым-Жомарт Токаев принял участие в заседании Совета коллективной "
    "безопасности ОДКБ в Минске.\n\n"
    "В заседании приняли участие президенты государств – членов Организации.\n\n"
    "Казахстан готов противостоять новым вызовам и угрозам вместе с союзниками."
)
AKORDA_V2 = AKORDA_V1.replace("готов противостоять", "полностью готов противостоять")
AKORDA_V3 = AKORDA_V2.replace("новым вызовам", "современным вызовам") + (
    "\n\nПо итогам сессии подписан пакет документов о коллективных силах оперативного "
    "реагирования."
)
KHOVAR_AR_URL = "https://khovar.tj/ara/2021/08/37240"
KHOVAR_RU_URL = "https://khovar.tj/rus/2021/08/dushanbe-sessiya-soveta-kollektivnoj-bezopasnosti/"
ASIAPLUS_COPY_URL = "https://asiaplustj.info/ru/news/tajikistan/politics/20210823/sessiya-odkb"
KHOVAR_RU_TEXT = (
    "ДУШАНБЕ, 23.08.2021 /НИАТ «Ховар»/. Лидеры государств – членов ОДКБ обсудили в "
    "онлайн-формате ситуацию в Афганистане.\n\n"
    "Председательствующий в Организации Таджикистан предложил усилить охрану границы."
)
MID_EN_URL = "https://www.mid.ru/en/foreign_policy/news/1889699/"
BAONGA_URL = "https://baonga.com/cac-ngoai-truong-csto-thao-luan-cac-van-de-an-ninh.html"
MFA_BY_URL = "https://mfa.gov.by/press/news_mfa/a2a9bb0f04c698bb.html"
GONE_URL = "https://www.akorda.kz/ru/udalennaya-novost-odkb-654321"
BLOCKED_URL = "https://www.mid.ru/ru/foreign_policy/news/1900000/"
ERROR_URL = "https://mfa.gov.by/press/news_mfa/ffffffffffffffff.html"

#: Facts about the sample the tests check against (kept next to the data that makes them).
SAMPLE = {
    "edited_url": AKORDA_URL,
    "edited_versions": 3,
    "edit_added_word": "полностью",
    "duplicate_urls": {KHOVAR_RU_URL, ASIAPLUS_COPY_URL},
    "russian_word": "Минске",
    "russian_hit": AKORDA_URL,
    "arabic_word": "أفغانستان",
    "arabic_hit": KHOVAR_AR_URL,
    "injected_url": MFA_BY_URL,
    "gone_url": GONE_URL,
    "blocked_url": BLOCKED_URL,
    "error_url": ERROR_URL,
    "sites": {"akorda", "khovar", "asiaplus", "mid_ru", "baonga", "mfa_by"},
    "languages": {"ru", "ar", "en", "vi"},
    "runs": 10,
}


class _Clock:
    """Deterministic: one minute per call from 2026-03-01."""

    def __init__(self) -> None:
        self.moment = datetime(2026, 3, 1, 6, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        self.moment += timedelta(minutes=1)
        return self.moment


class _Run:
    """One crawl of one spider: stores through ``Archive`` and counts outcomes the way the
    store pipeline does (``csto/store/<outcome>`` in the run's stats)."""

    def __init__(self, archive: Archive, spider: str) -> None:
        self.archive, self.spider = archive, spider
        self.run_id = archive.start_run(spider)
        self.counts: dict[str, int] = {}

    def _count(self, outcome: str) -> None:
        self.counts[outcome] = self.counts.get(outcome, 0) + 1

    def article(self, **item) -> None:
        self._count(self.archive.store_article(dict(item, site=self.spider), self.run_id).outcome)

    def fetch(self, url: str, outcome: str, **facts) -> None:
        self.archive.record_fetch(url=url, site=self.spider, outcome=outcome,
                                  run_id=self.run_id, **facts)
        self._count(outcome)

    def finish(self) -> None:
        stats = {f"csto/store/{k}": v for k, v in sorted(self.counts.items())}
        stats["item_scraped_count"] = sum(v for k, v in self.counts.items()
                                          if k in ("new", "changed", "unchanged", "duplicate"))
        self.archive.finish_run(self.run_id, "finished", stats)


MID_EN = {
    "url": MID_EN_URL, "language": "en",
    "title": "Foreign Minister Sergey Lavrov's remarks at the CSTO Foreign Ministers Council",
    "text": "The CSTO Foreign Ministers Council met in Minsk.\n\n"
            "The ministers discussed collective security in Central Asia.",
    "published_at": "2023-06-20T18:05:00+03:00", "author": "MFA Press Service",
}
AKORDA_TITLE = "Глава государства принял участие в сессии Совета коллективной безопасности ОДКБ"
KHOVAR_RU_TITLE = "Сессия Совета коллективной безопасности ОДКБ прошла в онлайн-формате"


def fill_through_archive(path: Path) -> Path:
    """Write the sample archive at ``path`` through ``Archive`` (see the module docstring)."""
    with Archive(path, clock=_Clock()) as archive:
        for slug, name, home, kind, languages in (
            ("akorda", "Akorda (President of Kazakhstan)", "https://www.akorda.kz/ru",
             "official", ("ru", "kk", "en")),
            ("khovar", "Khovar (NIAT Tajikistan)", "https://khovar.tj/", "news",
             ("tg", "ru", "ar", "fa", "en")),
            ("asiaplus", "Asia-Plus", "https://asiaplustj.info/ru", "news", ("ru", "tg", "en")),
            ("mid_ru", "MFA of Russia", "https://mid.ru/ru/", "official", ("ru", "en")),
            ("baonga", "Báo Nga", "https://baonga.com/", "news", ("vi",)),
            ("mfa_by", "MFA of Belarus", "https://mfa.gov.by/", "official", ("ru", "en", "be")),
        ):
            archive.upsert_site(slug, name=name, home_url=home, kind=kind, languages=languages)

        run = _Run(archive, "akorda")
        run.article(url=AKORDA_URL, language="ru", title=AKORDA_TITLE, text=AKORDA_V1,
                    published_at="2023-11-23T12:00:00+05:00", http_status=200)
        run.article(url=GONE_URL, language="ru", title="Состоялись консультации по линии ОДКБ",
                    text="В Астане прошли консультации секретарей советов безопасности стран ОДКБ.",
                    published_at="2022-05-16T10:30:00+06:00")
        run.fetch("https://www.akorda.kz/ru/sport-news-111", "irrelevant", http_status=200,
                  detail="no CSTO term in title or text")
        run.finish()

        run = _Run(archive, "khovar")
        run.article(url=KHOVAR_AR_URL, language="ar",
                    title="عقدت جلسة عادية لمجلس الأمن الجماعي لمنظمة معاهدة الأمن الجماعي",
                    text="تبادل أعضاء مجلس الأمن الجماعي وجهات النظر حول الوضع في أفغانستان.\n\n"
                         "وأكد رئيس جمهورية طاجيكستان على أهمية تعزيز الحدود.",
                    published_at="2021-08-23T15:22:00+05:00")
        run.article(url=KHOVAR_RU_URL, language="ru", title=KHOVAR_RU_TITLE, text=KHOVAR_RU_TEXT,
                    published_at="2021-08-23T14:00:00+05:00")
        run.finish()

        run = _Run(archive, "asiaplus")  # republishes Khovar's text word for word
        run.article(url=ASIAPLUS_COPY_URL, language="ru", title=KHOVAR_RU_TITLE,
                    text=KHOVAR_RU_TEXT, published_at="2021-08-23T16:40:00+05:00",
                    source_credit="Ховар")
        run.finish()

        run = _Run(archive, "mid_ru")
        run.article(**MID_EN)
        run.article(url=BLOCKED_URL, language="ru",
                    title="О заседании Совета министров иностранных дел ОДКБ",
                    text="Министры иностранных дел государств – членов ОДКБ провели заседание.",
                    published_at="2024-11-27T12:00:00+03:00")
        run.finish()

        run = _Run(archive, "baonga")
        run.article(url=BAONGA_URL, language="vi",
                    title="Các Ngoại trưởng CSTO thảo luận các vấn đề an ninh",
                    text="Hội đồng Bộ trưởng Ngoại giao Tổ chức Hiệp ước An ninh Tập thể (CSTO) "
                         "đã họp tại Minsk.\n\nCác bên thảo luận tình hình an ninh khu vực.",
                    published_at="2023-06-21T07:19:00+07:00", source_credit="vov.vn")
        run.finish()

        run = _Run(archive, "mfa_by")  # a page whose text carried a script
        run.article(url=MFA_BY_URL, language="ru", title=INJECTED_TITLE,
                    text="Министерство иностранных дел сообщает о подготовке к сессии ОДКБ.\n\n"
                         f"Текст страницы содержал {INJECTED_SCRIPT} внутри абзаца.\n\n"
                         "Белорусская сторона поддерживает работу Организации.")
        run.finish()

        run = _Run(archive, "akorda")  # the article was edited; another page vanished
        run.article(url=AKORDA_URL, language="ru", title=AKORDA_TITLE, text=AKORDA_V2,
                    published_at="2023-11-23T12:00:00+05:00",
                    modified_at="2023-11-24T09:00:00+05:00")
        run.fetch(GONE_URL, "gone", http_status=404)
        run.fetch("https://www.akorda.kz/ru/sport-news-111", "not_modified", http_status=304)
        run.finish()

        run = _Run(archive, "akorda")  # edited once more; the vanished page is gone for good
        run.article(url=AKORDA_URL, language="ru", title=AKORDA_TITLE, text=AKORDA_V3,
                    published_at="2023-11-23T12:00:00+05:00",
                    modified_at="2023-11-25T10:00:00+05:00")
        run.fetch(GONE_URL, "gone", http_status=410)
        run.finish()

        run = _Run(archive, "mid_ru")  # the site now answers with a bot challenge
        run.fetch(BLOCKED_URL, "blocked", http_status=403,
                  detail="bot challenge: Data processing... Please, wait.")
        run.article(**MID_EN)  # the English edition still answers: unchanged
        run.finish()

        run = _Run(archive, "mfa_by")
        run.fetch(ERROR_URL, "error", http_status=500, detail="HTTP 500 Internal Server Error")
        run.finish()
    return path


def build_sample_archive(path: Path) -> Path:
    """The archive the Datasette tests read (the one place to swap in a real crawl), its
    documents placed in stories as the store pipeline does."""
    from pipelines.stories import StoryIndex

    fill_through_archive(path)
    with Archive(path, clock=_Clock()) as archive:
        StoryIndex(archive.db, now=archive.now).assign_pending()
    return path


def test_sample_archive_has_what_the_datasette_tests_rely_on(tmp_path):
    with Archive(build_sample_archive(tmp_path / "archive.db")) as archive:
        db = archive.db
        edited = archive.document(SAMPLE["edited_url"])
        assert edited["versions"] == SAMPLE["edited_versions"]
        assert archive.document(SAMPLE["gone_url"])["status"] == "gone"
        assert archive.document(SAMPLE["blocked_url"])["status"] == "blocked"
        assert {r["site"] for r in db.query("select distinct site from documents")} == SAMPLE["sites"]
        assert {r["language"] for r in db.query("select distinct language from documents")} \
            == SAMPLE["languages"]
        dup = [r["url"] for r in db.query(
            "select d.url from documents d join versions v on v.id = d.current_version_id "
            "where v.duplicate_of is not null")]
        assert set(dup) <= SAMPLE["duplicate_urls"] and dup
        assert db["runs"].count == SAMPLE["runs"]
        outcomes = {r["outcome"] for r in db.query("select distinct outcome from fetches")}
        assert {"new", "changed", "duplicate", "gone", "blocked", "error", "not_modified",
                "irrelevant"} <= outcomes
