"""A throw-away spider for the mirror tests (run with ``scrapy runspider``): it records what
its callbacks see, so the test can check they only ever see original URLs."""

import scrapy


class ProbeSpider(scrapy.Spider):
    name = "probe"
    allowed_domains = ["example.org"]

    async def start(self):
        yield scrapy.Request("https://example.org/start?x=1&y=%D0%B0")

    def parse(self, response):
        yield {
            "url": response.url,
            "status": response.status,
            "redirect_urls": response.meta.get("redirect_urls", []),
            "text": response.text,
        }
        for href in response.css("a::attr(href)").getall():
            yield response.follow(href, callback=self.parse)
