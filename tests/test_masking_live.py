"""Masking on the pixels and in the data: text fields, frames and open shadow roots; ID and
card numbers told from order numbers by their check digits."""

from __future__ import annotations

import io

import pytest
from PIL import Image
from playwright.sync_api import Page

from cancelscout.analysis import pii
from cancelscout.analysis.pii import id_number_ok, luhn_ok, redact_text
from cancelscout.browser import snapshots

MASK_RGB = (0x20, 0x20, 0x20)
VALID_ID = "11010519491231002X"  # the check digit of GB 11643's own example
ORDER_LIKE_ID = "110105194912310021"  # same shape, wrong check digit: an order number
PAGE = f"""<style>body{{font:16px sans-serif}} input,textarea,select{{width:260px;margin:6px;
font:16px sans-serif}}</style>
<input id="phone" value="13812345678"><input id="name" value="张三">
<textarea id="note">联系邮箱 buyer@example.cn</textarea>
<select id="card"><option>6222021234567894</option></select>
<select id="renew"><option selected>自动续费：开启中</option></select>
<input id="ok" type="checkbox" checked>
<p id="order">订单号 {ORDER_LIKE_ID}</p>
<div id="host"></div>
<iframe id="frame" style="width:320px;height:80px;border:0"
  srcdoc='<input id="inner" value="13987654321" style="width:260px;font:16px sans-serif">'>
</iframe>
<script>
  document.getElementById('host').attachShadow({{mode: 'open'}}).innerHTML =
    '<input id="deep" value="13700001111" style="width:260px;font:16px sans-serif">';
</script>"""

BOX_JS = """sel => { const r = (sel.startsWith('#deep')
    ? document.getElementById('host').shadowRoot.querySelector(sel)
    : document.querySelector(sel)).getBoundingClientRect();
  return [r.x, r.y, r.width, r.height]; }"""


def _boxes(page: Page) -> dict[str, tuple[int, int, int, int]]:
    boxes = {}
    for sel in ("#phone", "#name", "#note", "#card", "#renew", "#deep"):
        x, y, w, h = page.evaluate(BOX_JS, sel)
        boxes[sel] = (int(x) + 2, int(y) + 2, int(x + w) - 2, int(y + h) - 2)
    fx, fy, _, _ = page.evaluate(BOX_JS, "#frame")
    ix, iy, iw, ih = (
        page.frame_locator("#frame")
        .locator("#inner")
        .evaluate(
            "e => { const r = e.getBoundingClientRect(); return [r.x, r.y, r.width, r.height]; }"
        )
    )
    boxes["#inner"] = (
        int(fx + ix) + 2,
        int(fy + iy) + 2,
        int(fx + ix + iw) - 2,
        int(fy + iy + ih) - 2,
    )
    return boxes


def _colours(png: bytes, box: tuple[int, int, int, int]) -> set[tuple[int, ...]]:
    with Image.open(io.BytesIO(png)) as image:
        region = image.convert("RGB").crop(box)
        return {region.getpixel((x, y)) for x in range(region.width) for y in range(region.height)}


@pytest.fixture
def form_page(page: Page) -> Page:
    page.set_viewport_size({"width": 900, "height": 500})
    page.set_content(PAGE)
    page.frame_locator("#frame").locator("#inner").wait_for()
    return page


def test_screenshot_masks_text_fields_in_frames_and_shadow_roots(form_page: Page) -> None:
    boxes = _boxes(form_page)
    masked = snapshots.screenshot(form_page, [], redact=True)
    plain = snapshots.screenshot(form_page, [], redact=False)
    for sel in ("#phone", "#name", "#note", "#card", "#deep", "#inner"):
        assert _colours(masked, boxes[sel]) == {MASK_RGB}, sel  # opaque: nothing to read
        assert len(_colours(plain, boxes[sel])) > 2, sel  # the same box shows text unmasked
    # A <select> showing a state, not personal data, stays readable: it is evidence.
    assert len(_colours(masked, boxes["#renew"])) > 2
    # The page is left as it was: values back, no marks.
    assert form_page.input_value("#phone") == "13812345678"
    assert form_page.locator("[data-cancelscout-redact]").count() == 0


def test_page_marking_masks_a_real_id_and_keeps_an_order_number_shaped_like_one(
    form_page: Page,
) -> None:
    form_page.evaluate(
        "v => { const p = document.createElement('p'); p.textContent = v;"
        " document.body.prepend(p); }",
        f"身份证 {VALID_ID}",
    )
    form_page.evaluate(pii.MARK_JS, [pii.KINDS, pii.MARK_ATTR, True])
    texts = form_page.locator(f"span[{pii.MARK_ATTR}]").all_inner_texts()
    form_page.evaluate(pii.UNMARK_JS, pii.MARK_ATTR)
    assert VALID_ID in texts
    assert ORDER_LIKE_ID not in texts
    assert form_page.locator("#order").inner_text() == f"订单号 {ORDER_LIKE_ID}"


@pytest.mark.parametrize(
    ("number", "valid"),
    [
        (VALID_ID, True),
        (VALID_ID.lower(), True),
        (ORDER_LIKE_ID, False),
        ("110105194902300021", False),  # 30 February
    ],
)
def test_id_number_ok_checks_digit_and_birth_date(number: str, valid: bool) -> None:
    assert id_number_ok(number) is valid


def test_redact_text_masks_real_numbers_and_keeps_order_numbers() -> None:
    seen: dict[str, set[str]] = {}
    text = (
        f"身份证 {VALID_ID}，订单号 {ORDER_LIKE_ID}，卡号 6222021234567894，流水 6222021234567895"
    )
    out = redact_text(text, seen)
    assert out == (
        f"身份证 [已遮盖:身份证号]，订单号 {ORDER_LIKE_ID}，"
        "卡号 [已遮盖:银行卡号]，流水 6222021234567895"
    )
    assert seen == {"id_card": {VALID_ID}, "bank_card": {"6222021234567894"}}
    assert luhn_ok("6222 0212 3456 7894") and not luhn_ok("6222021234567895")
