"""The choice between the generic readings (``choose``): the rules that swap the main reading
for the second one, and the cases where the main reading must stay."""

from lxml import html

from csto_crawler.extract.candidates import headline
from csto_crawler.extract.choose import Candidate, choose

ARTICLE = (
    "The regional council approved the new water treatment plant after a long public debate.",
    "Construction is expected to begin in the spring and to last for about two years in total.",
    "Residents who spoke at the hearing said they welcomed the plan but worried about the cost.",
)
TEASERS = (
    "Mayor opens new bridge",
    "12 March 2024 10:15",
    "Storm warning for the coast",
    "12 March 2024 09:40",
    "Local team wins the cup",
    "11 March 2024 18:02",
    "Contacts | About us | Advertising",
)
FOOTER = (
    "Copyright 1999-2024 The Example Herald. All rights reserved, reproduction is prohibited.",
    "Registered as a mass medium by the national press authority under number 12345.",
)


def test_no_shared_paragraph_the_reading_with_the_headline_wins():
    title = "Council approves new water treatment plant"
    main = Candidate("trafilatura", FOOTER, headline=title)
    second = Candidate("justext", ARTICLE, headline=title)
    assert choose([main, second]) == ("justext", list(ARTICLE))


def test_no_shared_paragraph_the_main_reading_stays_when_it_holds_the_headline():
    title = "Council approves new water treatment plant"
    other = ("Another story about the railway timetable changes that start in the summer months.",)
    main = Candidate("trafilatura", ARTICLE, headline=title)
    second = Candidate("justext", other, headline=title)
    assert choose([main, second]) == ("trafilatura", list(ARTICLE))


def test_a_list_like_main_reading_gives_way_to_prose():
    main = Candidate("trafilatura", TEASERS + ARTICLE[:1])
    second = Candidate("justext", ARTICLE)
    assert choose([main, second]) == ("justext", list(ARTICLE))


def test_a_prose_main_reading_is_not_swapped():
    main = Candidate("trafilatura", ARTICLE)
    second = Candidate("justext", ARTICLE[:2] + FOOTER)
    name, paras = choose([main, second])
    assert name == "trafilatura" and paras == list(ARTICLE)


def test_headline_is_the_h1_else_the_title_before_its_separator():
    page = html.fromstring("<html><head><title>Plant approved | Herald</title></head>"
                           "<body><h1>Logo</h1><h1>Council approves the plant</h1></body></html>")
    assert headline(page) == "Council approves the plant"
    page = html.fromstring("<html><head><title>Plant approved | Herald</title></head><body></body></html>")
    assert headline(page) == "Plant approved"


def test_an_edge_run_of_dated_teasers_goes():
    dated = (
        "2024-03-12 10:15:02 Mayor opens the new bridge over the river to traffic.",
        "2024-03-12 09:40:11 Storm warning issued for the whole coast until Friday.",
        "2024-03-11 18:02:45 Local team wins the regional cup after extra time.",
    )
    main = Candidate("trafilatura", dated + ARTICLE)
    second = Candidate("justext", ARTICLE)
    assert choose([main, second]) == ("trafilatura", list(ARTICLE))


def test_no_shared_paragraph_prose_beats_a_list_even_when_the_list_holds_more_headline():
    # a "related news" list on the same subject repeats the headline's words; the article
    # paraphrases them (the shape of a regional portal page in dev-real)
    title = "Mayor opens new bridge over the storm-damaged coast road"
    main = Candidate("trafilatura", TEASERS, headline=title)
    second = Candidate("justext", ARTICLE, headline=title)
    assert choose([main, second]) == ("justext", list(ARTICLE))


def test_no_shared_paragraph_and_no_headline_the_reading_with_far_more_body_text_wins():
    poll = ("Prices will rise a lot 79%", "Prices will not change 4%")
    lead = (ARTICLE[0],)
    title = "Daily Bulletin"  # the site's name: no help
    assert choose([Candidate("trafilatura", lead + poll, headline=title),
                   Candidate("justext", ARTICLE[1:] * 3, headline=title)])[0] == "justext"
    # comparable amounts of body text: the main reading stays
    assert choose([Candidate("trafilatura", ARTICLE[:2], headline=title),
                   Candidate("justext", FOOTER, headline=title)])[0] == "trafilatura"


def test_headline_words_match_in_other_inflections():
    title = "Паллиативное отделение открылось в горбольнице"
    main = Candidate("trafilatura", ("Погода на выходные: дожди и ветер по всей области, сообщили синоптики.",),
                     headline=title)
    second = Candidate("justext", ("В горбольнице открылось отделение паллиативной терапии для пациентов.",),
                       headline=title)
    assert choose([main, second])[0] == "justext"


IMPRINT = (
    "Editor-in-chief: John Example",
    "Newsroom address: 1 Example Street, Springfield, tel. +1 555 0100",
    "Advertising: ads@example.org, tel. +1 555 0101",
)
COMMENTS = ("Anna 12 March 2024 10:15", "Boris 12 March 2024 11:02", "Topics (2119)", "People (445)")


def test_an_agreed_imprint_cut_off_from_the_article_by_furniture_goes():
    # both readers took the imprint; only the main one took the comment stamps between
    main = Candidate("trafilatura", ARTICLE + COMMENTS + IMPRINT)
    second = Candidate("justext", ARTICLE + IMPRINT)
    assert choose([main, second]) == ("trafilatura", list(ARTICLE))


def test_an_agreed_prose_paragraph_after_an_unagreed_one_stays():
    aside = ("Officials said the figures would be published next week, together with the full budget.",)
    main = Candidate("trafilatura", ARTICLE[:2] + aside + ARTICLE[2:])
    second = Candidate("justext", ARTICLE)
    assert choose([main, second])[1] == list(ARTICLE[:2] + aside + ARTICLE[2:])


def test_a_read_also_link_beside_the_lead_is_not_a_teaser_list():
    lead = ("Scientists found that a daily handful of grapes protects the eyes from age-related macular "
            "degeneration, according to a study published this week by a university in New York.")
    read_also = "Read also: five ways to improve your eyesight"
    main = Candidate("trafilatura", (lead, read_also) + ARTICLE,
                     link_density={read_also: 1.0, lead: 0.0})
    second = Candidate("justext", ARTICLE, link_density={read_also: 1.0, lead: 0.0})
    assert lead in choose([main, second])[1]


LEAD = (
    "GREEN FALLS – When the council first proposed the plant, residents packed the school hall to object.",
    "Many of them had lived beside the river for decades and feared the smell and the traffic of trucks.",
)
BOX = (
    "More coverage:",
    "Water prices to rise again next year The regional utility blames the cost of new pipes",
    "Bridge repairs delayed until autumn Works on the old bridge will not start before September",
    "Council elections set for May Candidates have until March to register with the commission",
)


def test_a_lead_before_an_inline_box_of_teasers_stays_and_the_box_goes():
    densities = {" ".join(p.split()): (1.0 if p in BOX[1:] else 0.0) for p in LEAD + BOX + ARTICLE}
    main = Candidate("trafilatura", LEAD + BOX + ARTICLE, link_density=densities)
    second = Candidate("justext", ARTICLE, link_density=densities)
    assert choose([main, second]) == ("trafilatura", list(LEAD + ARTICLE))


def test_a_lone_teaser_summary_before_the_article_does_not_stay():
    summary = "The regional utility says the cost of new pipes leaves it no choice but to raise prices again."
    head = ("Water prices to rise again next year", summary, BOX[2])
    densities = {" ".join(p.split()): (1.0 if p in (head[0], head[2]) else 0.0) for p in head + ARTICLE}
    main = Candidate("trafilatura", head + ARTICLE, link_density=densities)
    second = Candidate("justext", ARTICLE, link_density=densities)
    assert choose([main, second]) == ("trafilatura", list(ARTICLE))


MORE = (
    "The council will publish the tender documents next month and expects several bids from abroad.",
    "Opponents have said they will ask the regional court to review the decision before construction starts.",
)


def test_a_reading_wholly_inside_a_much_longer_declared_body_gives_way_to_it():
    main = Candidate("trafilatura", ARTICLE[:2])
    second = Candidate("justext", ARTICLE[:2])
    declared = Candidate("declared", ARTICLE + MORE)
    assert choose([main, second, declared]) == ("declared", list(ARTICLE + MORE))


def test_a_declared_body_in_one_paragraph_is_cut_where_the_readings_paragraphs_begin():
    main = Candidate("trafilatura", ARTICLE)
    declared = Candidate("declared", (" ".join(ARTICLE + MORE),))
    name, paras = choose([main, declared])
    assert name == "declared"
    assert paras == [ARTICLE[0], ARTICLE[1], " ".join(ARTICLE[2:] + MORE)]


def test_a_declared_body_that_does_not_hold_the_reading_or_adds_little_is_not_taken():
    other = ("A different text about the regional budget and the new schools that open in autumn this year.",) * 4
    assert choose([Candidate("trafilatura", ARTICLE), Candidate("declared", other)])[0] == "trafilatura"
    assert choose([Candidate("trafilatura", ARTICLE), Candidate("declared", ARTICLE + ("Officials agreed.",))])[0] == "trafilatura"


def test_site_rules_give_way_to_the_declared_body_only_when_near_empty():
    long_site = Candidate("site", ARTICLE + MORE[:1])
    assert choose([long_site, Candidate("declared", ARTICLE + MORE * 3)])[0] == "site"
    short_site = Candidate("site", ("Read the statement.",))
    assert choose([short_site, Candidate("declared", ARTICLE + MORE)])[0] == "declared"


def test_han_and_kana_characters_are_words_of_their_own():
    from csto_crawler.extract.choose import near_empty, word_count
    flash = "集体安全条约组织成员国外长理事会会议在明斯克举行。"
    assert word_count(flash) == 24
    article = "\n".join([flash] * 2 + ["与会各方表示，将继续在专家层面进行磋商，并加强在打击恐怖主义和毒品走私方面的合作。"])
    assert not near_empty(article)
    # agreement by character 3-grams: one reading holding a paragraph of the other with its
    # last clause cut still agrees with it
    main = Candidate("trafilatura", (flash, "与会各方表示，将继续在专家层面进行磋商。"))
    second = Candidate("justext", ("与会各方表示，将继续在专家层面进行磋商，并加强合作。",))
    from csto_crawler.extract.choose import agreement
    assert agreement(main, second) == [False, True]


def test_a_short_site_reading_gives_way_only_to_a_declared_body_twice_as_long():
    site = Candidate("site", ARTICLE[:2])  # 31 words: near-empty
    assert choose([site, Candidate("declared", ARTICLE)])[0] == "site"
    assert choose([site, Candidate("declared", ARTICLE + MORE + MORE)])[0] == "declared"
