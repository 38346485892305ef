//! The shop's mails (seed §6): welcome and order confirmation, in Korean or
//! English, each as text and HTML. Everything a user typed is escaped in the HTML.

use platform::external::mail::Mail;
use platform::text::html_escape;
use platform::texts::Language;
use platform::validate::Email;

use crate::model::Order;
use crate::money::Money;

const SHOP: &str = "ondol shop";

/// The HTML frame every mail shares: one column, inline styles (mail readers
/// drop style sheets).
fn frame(lang: Language, title: &str, body: &str) -> String {
    format!(
        r#"<!doctype html>
<html lang="{code}"><head><meta charset="utf-8"><title>{title}</title></head>
<body style="margin:0;padding:24px;background:#f4f1ec;font-family:-apple-system,'Segoe UI','Apple SD Gothic Neo','Noto Sans KR',sans-serif;color:#2b2622">
<div style="max-width:560px;margin:0 auto;background:#fff;border-radius:12px;padding:32px">
<p style="margin:0 0 24px;font-weight:700;color:#b4532a;letter-spacing:.04em">{SHOP}</p>
<h1 style="margin:0 0 16px;font-size:22px">{title}</h1>
{body}
</div></body></html>"#,
        code = lang.code,
        title = html_escape(title),
    )
}

pub fn welcome(lang: Language, to: &Email, name: &str) -> Mail {
    let subject = lang.pick("ondol shop에 오신 것을 환영합니다", "Welcome to ondol shop");
    let (hello, line) = match lang.code {
        "ko" => (
            format!("{name}님, 가입을 환영합니다."),
            "이제 상품을 둘러보고 주문할 수 있습니다.",
        ),
        _ => (
            format!("Welcome, {name}."),
            "You can now browse the catalogue and place orders.",
        ),
    };
    let text = format!("{hello}\n\n{line}\n\n-- {SHOP}\n");
    let html = frame(
        lang,
        subject,
        &format!("<p>{}</p><p>{}</p>", html_escape(&hello), html_escape(line)),
    );
    Mail::new(to, subject, text, html)
}

/// Seed §6: "Order Confirmation - {order_number}" with the number, total and
/// status; the lines too.
pub fn order_confirmation(to: &Email, order: &Order) -> Mail {
    let lang = order.row.language();
    let r = &order.row;
    let subject = format!(
        "{} - {}",
        lang.pick("주문 확인", "Order Confirmation"),
        r.order_number
    );
    let money = |minor| {
        let m = Money {
            minor,
            currency: r.currency,
        };
        format!("{} {}", m.amount(), m.currency)
    };
    let labels = [
        lang.pick("주문 번호", "Order Number"),
        lang.pick("합계", "Total"),
        lang.pick("상태", "Status"),
    ];
    let status = lang.pick("결제 완료", "paid");
    let total = money(r.total_minor);
    let lines: Vec<(String, String)> = order
        .items
        .iter()
        .map(|i| {
            (
                format!("{} × {}", i.product_name, i.quantity),
                money(i.unit_price_minor * i.quantity),
            )
        })
        .collect();

    let mut text = format!(
        "{}\n\n{}: {}\n{}: {}\n{}: {}\n\n",
        lang.pick("주문이 확인되었습니다.", "Your order is confirmed."),
        labels[0],
        r.order_number,
        labels[1],
        total,
        labels[2],
        status
    );
    for (what, amount) in &lines {
        text.push_str(&format!("- {what}: {amount}\n"));
    }
    text.push_str(&format!("\n-- {SHOP}\n"));

    let row = |k: &str, v: &str| {
        format!(
            r#"<tr><td style="padding:6px 0;color:#7a6f66">{}</td><td style="padding:6px 0;text-align:right">{}</td></tr>"#,
            html_escape(k),
            html_escape(v)
        )
    };
    let mut body = format!(
        r#"<p>{}</p><table style="width:100%;border-collapse:collapse">{}{}{}</table>
<h2 style="font-size:16px;margin:24px 0 8px">{}</h2><table style="width:100%;border-collapse:collapse">"#,
        html_escape(lang.pick("주문이 확인되었습니다.", "Your order is confirmed.")),
        row(labels[0], &r.order_number),
        row(labels[1], &total),
        row(labels[2], status),
        html_escape(lang.pick("주문 상품", "Items")),
    );
    for (what, amount) in &lines {
        body.push_str(&row(what, amount));
    }
    body.push_str("</table>");
    let html = frame(lang, &subject, &body);
    Mail::new(to, subject, text, html)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_name_cannot_become_markup() {
        let to = Email::parse("kim@example.com").unwrap();
        let m = welcome(platform::texts::EN, &to, "<script>x</script>");
        assert!(m.html.contains("&lt;script&gt;"), "{}", m.html);
        assert!(!m.html.contains("<script>"));
        assert!(m.text.contains("<script>x</script>"), "text stays as typed");
        let ko = welcome(platform::texts::KO, &to, "김민준");
        assert!(ko.subject.contains("환영"));
        assert!(ko.html.contains(r#"lang="ko""#));
    }
}
