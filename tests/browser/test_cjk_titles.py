"""CJK titles render as glyphs, not as boxes: the fonts scripts/setup_tests.py brings reach Chromium."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from smartplex import demo
from tests.browser.conftest import shoot
from tests.browser.test_dashboard import TIMEOUT, _member, _sign_in, library  # noqa: F401 - library is a fixture

TITLE = "千と千尋の神隠し"

# Draws each character, and a code point no font has (U+0378, unassigned), in the element's own font
# stack on a canvas, and returns each drawing's alpha channel. A character without a font draws the
# same "missing glyph" box as U+0378.
GLYPH_BITMAPS = """(el, text) => {
  const canvas = document.createElement("canvas");
  canvas.width = canvas.height = 64;
  const ctx = canvas.getContext("2d", {willReadFrequently: true});
  ctx.font = `48px ${getComputedStyle(el).fontFamily}`;
  const draw = (ch) => {
    ctx.clearRect(0, 0, 64, 64);
    ctx.fillText(ch, 4, 52);
    return ctx.getImageData(0, 0, 64, 64).data.filter((_, i) => i % 4 === 3).join(",");
  };
  return {missing: draw("\\u0378"), glyphs: [...text].map((ch) => [ch, draw(ch)])};
}"""


def test_cjk_title_renders_as_glyphs(page: Page, app_url: str, library) -> None:  # noqa: F811
    sim, _server, hook = library
    email, _name = _member(sim)
    account = sim.accounts[1]
    rating_key = next(rk for rk, item in sim.items.items() if item.title == TITLE)
    _sign_in(page, app_url, email, demo.MEMBER_PASSWORD)
    assert sim.fire_webhook(hook, "media.scrobble", account.id, rating_key).status_code == 200
    title = page.locator("#recent-history").get_by_text(TITLE).first
    expect(title).to_be_visible(timeout=TIMEOUT)
    title.scroll_into_view_if_needed()
    shoot(page, "cjk-title", full_page=False)

    drawn = title.evaluate(GLYPH_BITMAPS, TITLE)
    boxes = [ch for ch, bitmap in drawn["glyphs"] if bitmap == drawn["missing"]]
    assert not boxes, f"drawn as missing-glyph boxes: {''.join(boxes)} (CJK fonts not installed?)"
    distinct = {bitmap for _ch, bitmap in drawn["glyphs"]}
    assert len(distinct) == len(set(TITLE)), "different characters drew the same shape"
