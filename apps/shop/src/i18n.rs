//! The shop's own messages in Korean and English (`Accept-Language`; codes are the
//! same in both). The platform words its own errors itself.

use platform::texts::Language;
use platform::validate::Messages;

pub use platform::texts::Msg;

/// Field-problem wording for `lang`.
pub fn field_messages(lang: Language) -> &'static Messages {
    platform::validate::messages(lang)
}

pub const EMAIL_INVALID: Msg = Msg {
    ko: "올바른 이메일 형식이 아닙니다",
    en: "not a valid e-mail address",
};
pub const EMAIL_TAKEN: Msg = Msg {
    ko: "이미 가입된 이메일입니다",
    en: "this e-mail address is already registered",
};
pub const PASSWORD_RULE: Msg = Msg {
    ko: "8자 이상, 영문·숫자·특수문자(@$!%*#?&)를 하나씩 포함해야 합니다",
    en: "at least 8 characters with a letter, a digit and one of @$!%*#?&",
};
pub const NAME_LENGTH: Msg = Msg {
    ko: "2~200자여야 합니다",
    en: "2 to 200 characters",
};
pub const ROLE_CHOICE: Msg = Msg {
    ko: "buyer 또는 seller만 가입할 수 있습니다",
    en: "only buyer or seller can be registered",
};
pub const PARENT_UNKNOWN: Msg = Msg {
    ko: "상위 카테고리가 없습니다",
    en: "no such parent category",
};
pub const CATEGORY_TAKEN: Msg = Msg {
    ko: "같은 이름의 카테고리가 이미 있습니다",
    en: "a category of this name already exists there",
};
pub const PRICE_FORMAT: Msg = Msg {
    ko: "0 이상, 소수점 둘째 자리까지의 숫자여야 합니다",
    en: "a number of at least 0 with at most two decimal places",
};
pub const PRICE_TOO_LARGE: Msg = Msg {
    ko: "금액이 너무 큽니다",
    en: "the amount is too large",
};
pub const WHOLE_WON: Msg = Msg {
    ko: "KRW 금액은 원 단위(소수점 없음)여야 합니다",
    en: "KRW amounts are whole won, without decimals",
};
pub const CURRENCY_CHOICE: Msg = Msg {
    ko: "USD, KRW, EUR 중 하나여야 합니다",
    en: "one of USD, KRW, EUR",
};
pub const STOCK_RANGE: Msg = Msg {
    ko: "0 이상 1,000,000,000 이하여야 합니다",
    en: "from 0 to 1,000,000,000",
};
pub const CATEGORY_UNKNOWN: Msg = Msg {
    ko: "없는 카테고리입니다",
    en: "no such category",
};
pub const IMAGE_NOT_OURS: Msg = Msg {
    ko: "이 서버에 업로드된 이미지 URL만 쓸 수 있습니다",
    en: "only image URLs uploaded to this server",
};
pub const TOO_MANY_IMAGES: Msg = Msg {
    ko: "이미지는 10개까지입니다",
    en: "at most 10 images",
};
pub const PRODUCT_NOT_FOUND: Msg = Msg {
    ko: "상품을 찾을 수 없습니다",
    en: "product not found",
};
pub const NOT_YOUR_PRODUCT: Msg = Msg {
    ko: "본인이 등록한 상품만 바꿀 수 있습니다",
    en: "only the seller who listed the product may change it",
};
pub const SELLERS_ONLY: Msg = Msg {
    ko: "판매자만 상품을 등록할 수 있습니다",
    en: "only sellers can list products",
};
pub const LIMIT_RANGE: Msg = Msg {
    ko: "1 이상 100 이하여야 합니다",
    en: "from 1 to 100",
};
pub const PAGE_RANGE: Msg = Msg {
    ko: "1 이상이어야 합니다",
    en: "at least 1",
};
pub const PRICE_RANGE: Msg = Msg {
    ko: "min_price가 max_price보다 클 수 없습니다",
    en: "min_price cannot be above max_price",
};
pub const IMAGE_TYPES_ONLY: Msg = Msg {
    ko: "이미지(image/png, image/jpeg, image/webp, image/gif)만 올릴 수 있습니다",
    en: "images only: image/png, image/jpeg, image/webp, image/gif",
};
pub const BUYERS_ONLY: Msg = Msg {
    ko: "구매자만 주문할 수 있습니다",
    en: "only buyers can place orders",
};
pub const ITEMS_COUNT: Msg = Msg {
    ko: "주문 항목은 1~50개여야 합니다",
    en: "from 1 to 50 items",
};
pub const QUANTITY_RANGE: Msg = Msg {
    ko: "수량은 1 이상 1,000 이하여야 합니다",
    en: "a quantity from 1 to 1,000",
};
pub const PRODUCT_TWICE: Msg = Msg {
    ko: "같은 상품은 한 번만 담을 수 있습니다(수량으로 조정하세요)",
    en: "each product once; change its quantity instead",
};
pub const PRODUCT_UNAVAILABLE: Msg = Msg {
    ko: "판매 중인 상품이 아닙니다",
    en: "no such product on sale",
};
pub const ONE_CURRENCY: Msg = Msg {
    ko: "한 주문의 상품은 모두 같은 통화여야 합니다",
    en: "every item of an order must be in one currency",
};
pub const COUNTRY_CODE: Msg = Msg {
    ko: "두 글자 국가 코드(ISO 3166-1, 예: KR)여야 합니다",
    en: "a two-letter country code (ISO 3166-1, e.g. KR)",
};
pub const OUT_OF_STOCK: Msg = Msg {
    ko: "재고가 부족합니다",
    en: "not enough stock",
};
pub const ORDER_CHANGED: Msg = Msg {
    ko: "주문하는 동안 상품 정보가 바뀌었습니다. 다시 시도하세요",
    en: "a product changed while ordering; try again",
};
pub const ORDER_NOT_FOUND: Msg = Msg {
    ko: "주문을 찾을 수 없습니다",
    en: "order not found",
};
pub const NOT_YOUR_ORDER: Msg = Msg {
    ko: "주문한 구매자만 취소할 수 있습니다",
    en: "only the buyer who placed the order may cancel it",
};
pub const CANCEL_PENDING_ONLY: Msg = Msg {
    ko: "결제 대기 중인 주문만 취소할 수 있습니다",
    en: "only a pending order can be cancelled",
};
pub const SELLERS_OF_EVERY_ITEM: Msg = Msg {
    ko: "주문의 모든 상품을 판매한 판매자만 배송 상태를 바꿀 수 있습니다",
    en: "only the seller of every item may update its delivery",
};
pub const FULFIL_CHOICE: Msg = Msg {
    ko: "shipped 또는 delivered여야 합니다",
    en: "shipped or delivered",
};
pub const FULFIL_ORDER: Msg = Msg {
    ko: "결제된 주문만 발송하고, 발송된 주문만 배송 완료할 수 있습니다",
    en: "only a paid order can be shipped, and only a shipped one delivered",
};
pub const SELLER_LIST_ONLY: Msg = Msg {
    ko: "판매자만 볼 수 있습니다",
    en: "sellers only",
};
pub const BUYER_PAYS: Msg = Msg {
    ko: "주문한 구매자만 결제할 수 있습니다",
    en: "only the buyer who placed the order may pay for it",
};
pub const NOTHING_TO_PAY: Msg = Msg {
    ko: "결제 대기 중인 주문이 아닙니다",
    en: "this order is not waiting for a payment",
};
pub const BAD_SIGNATURE: Msg = Msg {
    ko: "웹훅 서명이 올바르지 않습니다",
    en: "the webhook signature is invalid",
};
pub const BAD_EVENT: Msg = Msg {
    ko: "웹훅 이벤트 형식이 올바르지 않습니다",
    en: "the webhook event is malformed",
};
