//! `serve --demo`: two couples with a few days of conversation, some of it read.

use chrono::{Duration, Utc};
use platform::DemoLogin;
use platform::app::{AppContext, BoxError};
use platform::on_pool;

use crate::model::{CoupleId, MessageId, MessageType, UserId};
use crate::store;
use crate::store::messages::NewMessage;

pub const DEMO_PASSWORD: &str = "demo1234!";

/// (email, name) of each couple's two members.
const COUPLES: [[(&str, &str); 2]; 2] = [
    [
        ("minjun@demo.ondol.dev", "김민준"),
        ("seoyeon@demo.ondol.dev", "이서연"),
    ],
    [
        ("jihoon@demo.ondol.dev", "박지훈"),
        ("haeun@demo.ondol.dev", "최하은"),
    ],
];

const LINES: [&str; 12] = [
    "좋은 아침! 잘 잤어?",
    "응 푹 잤어 ㅎㅎ 너는?",
    "나도! 오늘 점심 뭐 먹을까",
    "파스타 어때?",
    "좋아 12시 반에 회사 앞에서 봐",
    "오늘 회의 너무 길었다…",
    "고생했어 ㅠㅠ 저녁은 맛있는 거 먹자",
    "주말에 영화 보러 갈래?",
    "좋아! 뭐 볼지 찾아볼게",
    "사진 보내줄게 잠깐만",
    "도착하면 연락해",
    "잘 자 내일 봐",
];

async fn count_users(ctx: &AppContext) -> Result<i64, sqlx::Error> {
    on_pool!(ctx.db.reader(), |p| sqlx::query_scalar(
        "SELECT COUNT(*) FROM users"
    )
    .fetch_one(p)
    .await)
}

pub async fn seed(ctx: &AppContext) -> Result<Vec<DemoLogin>, BoxError> {
    let logins = COUPLES
        .iter()
        .flatten()
        .map(|(email, _)| DemoLogin {
            login: (*email).into(),
            password: DEMO_PASSWORD.into(),
            role: "USER".into(),
        })
        .collect();
    if count_users(ctx).await? > 0 {
        // Not empty: never touch real data.
        return Ok(logins);
    }
    let hash = ctx.passwords.hash(DEMO_PASSWORD).await?;
    let now = Utc::now();
    for (n, pair) in COUPLES.iter().enumerate() {
        let started = now - Duration::days(3);
        let mut members = [UserId::new(); 2];
        for (i, (email, name)) in pair.iter().enumerate() {
            let user =
                store::users::insert(&ctx.db, UserId::new(), email, &hash, name, started).await?;
            members[i] = user.id;
        }
        let couple = CoupleId::new();
        let mut tx = ctx.db.begin().await?;
        store::couples::create(&mut tx, couple, members, started).await?;
        for m in members {
            store::users::enter_couple(&mut tx, m, couple).await?;
        }
        // Three days of messages, alternating senders, every few hours; everything
        // but the last two is read.
        let total = 24;
        for i in 0..total {
            let at = started + Duration::minutes(150 * i as i64 + 17 * n as i64);
            let Some((seq, created_at)) = store::couples::next_slot(&mut tx, couple, at).await?
            else {
                return Err("demo couple closed unexpectedly".into());
            };
            let sticker = i % 9 == 8;
            let content = if sticker {
                "sticker-heart-01".to_owned()
            } else {
                LINES[(i + n) % LINES.len()].to_owned()
            };
            let message = NewMessage {
                id: MessageId::next(),
                couple,
                sender: members[i % 2],
                kind: if sticker {
                    MessageType::Sticker
                } else {
                    MessageType::Text
                },
                content: Some(&content),
                image_url: None,
                temp_id: None,
                seq,
                created_at,
            };
            let sender = (pair[i % 2].1.to_owned(), None);
            store::messages::insert(&mut tx, &message, sender).await?;
            if i + 2 < total {
                let reader = members[(i + 1) % 2];
                store::messages::mark_read(
                    &mut tx,
                    couple,
                    reader,
                    &[message.id],
                    created_at + Duration::minutes(5),
                )
                .await?;
            }
        }
        tx.commit().await?;
    }
    tracing::info!(couples = COUPLES.len(), "demo data loaded");
    Ok(logins)
}
