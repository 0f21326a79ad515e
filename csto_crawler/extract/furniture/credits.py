"""CMS, design and hosting credits, and copyright lines of page footers."""

from __future__ import annotations

#: Whole lines that are credits wherever they occur.
LINES: tuple[str, ...] = (
    r"(?:создано|сделано|работает)\s+на\s+(?:платформе|движке|базе)\s+.{2,160}",
    r"(?:дизайн|разработка|создание|продвижение|поддержка)(?:\s+(?:и|&)\s+(?:разработка|поддержка|продвижение))?"
    r"\s+(?:сайта|портала)\b.{0,160}",
    r"(?:сайт|портал)\s+(?:разработан|создан|сделан)\b.{0,160}",
    r"(?:веб-?студия|web-?студия|web\s+studio)\b.{0,120}",
    r"(?:proudly\s+)?powered\s+by\s+.{2,80}",
    r"(?:site\s+)?(?:design(?:ed)?|developed|made)\s+(?:and\s+development\s+)?by\s+.{2,80}",
    r"(?:thiết\s+kế\s+(?:web|website|bởi)|phát\s+triển\s+bởi).{0,100}",
    r"(?:تصميم\s+وتطوير|طراحی\s+و\s+(?:توسعه|پیاده\s*سازی)|طراحی\s+سایت).{0,100}",
    r"(?:сайтты\s+әзірлеген|сайтты\s+иштеп\s+чыккан|таҳияи\s+сомона).{0,100}",
)

#: Lines (searched) that are footer credits or copyright when they sit in the tail.
TAIL: tuple[str, ...] = (
    r"(?:©|\(c\)|copyright)\s*(?:\d{4}|[\w«\"])",
    r"\d{4}\s*[-–]\s*\d{4}\s*[©.]",
    r"создано\s+на\s+платформе",
    r"дизайн\s+и\s+разработка",
    r"все\s+права\s+(?:защищены|сохранены)",
    r"авторские\s+права\s+защищены",
    r"all\s+rights\s+reserved",
    r"alle\s+rechte\s+vorbehalten",
    r"барлық\s+құқықтар\s+қорғалған",
    r"бардык\s+укуктар\s+корголгон",
    r"ҳамаи\s+ҳуқуқҳо\s+ҳифз",
    r"усе\s+правы\s+абаронены",
    r"բոլոր\s+իրավունքները\s+պաշտպանված",
    r"bản\s+quyền\s+thuộc",
    r"جميع\s+الحقوق\s+محفوظة",
    r"(?:تمامی|کلیه)\s+حقوق.{0,60}محفوظ",
)
