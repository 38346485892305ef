//! The app's own messages in Korean and English (`Accept-Language`; codes are the
//! same in both). The platform words its own errors itself.

use platform::texts::{Language, Msg};
use platform::validate::Messages;

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
    ko: "8자 이상 72바이트 이하여야 합니다",
    en: "at least 8 characters and at most 72 bytes",
};
pub const NICKNAME_LENGTH: Msg = Msg {
    ko: "1~30자여야 합니다",
    en: "1 to 30 characters",
};
pub const IMAGE_URL: Msg = Msg {
    ko: "http(s) 주소여야 합니다",
    en: "an http(s) URL",
};
pub const PAGE_RANGE: Msg = Msg {
    ko: "1 이상이어야 합니다",
    en: "from 1",
};
pub const SIZE_RANGE: Msg = Msg {
    ko: "1~100 사이여야 합니다",
    en: "from 1 to 100",
};
pub const YEAR_RANGE: Msg = Msg {
    ko: "1800~2200 사이여야 합니다",
    en: "from 1800 to 2200",
};
pub const RATING_RANGE: Msg = Msg {
    ko: "0.5~5.0 사이여야 합니다",
    en: "from 0.5 to 5.0",
};
pub const RATING_STEP: Msg = Msg {
    ko: "0.5 단위여야 합니다",
    en: "in steps of 0.5",
};
pub const NOTHING_TO_CHANGE: Msg = Msg {
    ko: "변경할 항목이 없습니다",
    en: "nothing to change",
};
pub const USER_NOT_FOUND: Msg = Msg {
    ko: "사용자를 찾을 수 없습니다",
    en: "no such user",
};
pub const CONTENT_NOT_FOUND: Msg = Msg {
    ko: "콘텐츠를 찾을 수 없습니다",
    en: "no such content",
};
pub const REVIEW_NOT_FOUND: Msg = Msg {
    ko: "리뷰를 찾을 수 없습니다",
    en: "no such review",
};
pub const ALREADY_REVIEWED: Msg = Msg {
    ko: "이미 이 콘텐츠에 리뷰를 작성했습니다",
    en: "you have already reviewed this content",
};
pub const NOT_THE_AUTHOR: Msg = Msg {
    ko: "작성자만 수정하거나 삭제할 수 있습니다",
    en: "only the author can change or delete a review",
};
pub const OWN_REVIEW: Msg = Msg {
    ko: "자신의 리뷰에는 좋아요를 누를 수 없습니다",
    en: "you cannot like your own review",
};
pub const LIKED_TITLE: Msg = Msg {
    ko: "새 좋아요",
    en: "New like",
};
