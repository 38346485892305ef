//! The shop's own messages in Korean and English (`Accept-Language`; codes are the
//! same in both). The platform words its own errors itself.

use platform::texts::Language;
use platform::validate::Messages;

/// A message in both languages.
#[derive(Debug, Clone, Copy)]
pub struct Msg {
    pub ko: &'static str,
    pub en: &'static str,
}

impl Msg {
    pub fn in_(&self, lang: Language) -> &'static str {
        lang.pick(self.ko, self.en)
    }
}

static KO: Messages = Messages {
    summary: "입력값이 올바르지 않습니다",
    required: "필수 항목입니다",
    too_long: |max| format!("{max}자 이하로 입력하세요"),
};

static EN: Messages = Messages {
    summary: "invalid input",
    required: "required",
    too_long: |max| format!("at most {max} characters"),
};

/// Field-problem wording for `lang`.
pub fn field_messages(lang: Language) -> &'static Messages {
    if lang.code == "ko" { &KO } else { &EN }
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
