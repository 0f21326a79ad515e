"""Media-registration and legal footers (Roskomnadzor and the like), usage and age notices."""

from __future__ import annotations

#: Lines (searched) that are legal footers when they sit in the tail of the text.
TAIL: tuple[str, ...] = (
    r"зарегистрирован\w*\s+(?:в\s+)?(?:федеральной\s+службе\s+по\s+надзору|роскомнадзор)",
    r"федеральн\w+\s+служб\w+\s+по\s+надзору\s+в\s+сфере\s+связи",
    r"роскомнадзор\w*",
    r"\bэл\.?\s*№\s*фс\s*\d",
    r"\bпи\s*№\s*(?:фс|ту)\s*\d",
    r"\bфс\s*77\s*[-–]\s*\d",
    r"свидетельств\w+\s+о\s+(?:регистрации|постановке\s+на\s+учет)\s+(?:сми|средства?\s+массовой\s+информации)",
    r"регистрационный\s+номер\s+(?:средства\s+массовой\s+информации|сми)",
    r"(?:при|для)\s+(?:использовании|перепечатке|цитировании|копировании)\s+(?:материалов|информации).{0,80}"
    r"(?:ссылка|гиперссылка)",
    r"(?:ссылка|гиперссылка)\s+на\s+(?:источник|сайт|издание).{0,40}обязательна",
    r"(?:перепечатка|копирование|использование)\s+материалов.{0,80}(?:запрещен|разрешен|допускается|только)",
    # reproduction-rights notices: the site's material may not be reproduced without permission
    r"не\s+подлежит\s+(?:дальнейшему\s+)?(?:воспроизведению|распространению|копированию)",
    r"(?:воспроизведение|распространение|копирование|использование)\s+(?:материалов|информации|контента)"
    r".{0,80}(?:без|иначе\s+как\s+с)\s+(?:\w+\s+){0,2}(?:разрешения|согласия)",
    r"(?:material|content|information|articles?)\b.{0,60}\b(?:may|must)\s+not\s+be\s+"
    r"(?:reproduced|republished|redistributed|copied|reprinted)",
    r"(?:nachdruck|vervielfältigung|weiterverbreitung|weiterverwendung)\b.{0,80}\b(?:nur\s+mit|ohne)\s+"
    r"(?:\w+\s+){0,2}(?:genehmigung|zustimmung|erlaubnis)",
    r"мнение\s+(?:редакции|авторов)\s+может\s+не\s+совпадать",
    r"(?:редакция|администрация(?:\s+сайта)?)\s+не\s+нес[её]т\s+ответственности",
    r"(?:учредитель|главный\s+редактор|издатель)\s*[:—–-]",
    r"настоящий\s+ресурс\s+содержит\s+материалы\s+\d+\+",
    r"^\s*\d{1,2}\s*\+\s*$",
    r"материалы\s+с\s+пометкой.{0,40}(?:реклама|на\s+правах\s+рекламы)",
    r"(?:күәлік|куәлігі).{0,60}(?:тіркелген|берілген)",
    r"бұқаралық\s+ақпарат\s+құралы\s+ретінде\s+тіркел",
    r"массалык\s+маалымат\s+каражаты\s+катары\s+катталган",
    r"шаҳодатнома(?:и)?\s+(?:қайд|бақайдгирӣ)",
    r"when\s+using\s+(?:the\s+)?(?:site\s+)?materials.{0,60}(?:reference|link)",
    r"(?:registered|registration)\s+(?:as\s+a\s+)?(?:mass\s+)?media.{0,60}(?:certificate|no\.?|№)",
    r"giấy\s+phép\s+(?:số|hoạt\s+động|xuất\s+bản)",
    r"(?:tổng\s+biên\s+tập|phó\s+tổng\s+biên\s+tập)\s*:",
    r"ghi\s+rõ\s+nguồn.{0,60}(?:phát\s+hành|khi)",
    r"يمنع\s+(?:نسخ|النقل)|لا\s+يجوز\s+(?:نسخ|إعادة\s+نشر)",
    r"استفاده\s+از\s+(?:مطالب|اخبار).{0,60}(?:منبع|بلامانع|آزاد)",
)

#: class/id words of legal and copyright footers.
DOM_TOKENS: tuple[str, ...] = (
    r"legal\w*", r"disclaimer", r"copyrights?", r"age-?limit", r"age-?mark", r"smi-?reg\w*",
    r"registration", r"license", r"rkn",
)
