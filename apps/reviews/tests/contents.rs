//! Search, popular lists, a content's detail and the genres, over the bundled
//! catalogue.

mod common;

use common::*;
use serde_json::{Value, json};

fn titles(r: &TestResponse) -> Vec<String> {
    r.body["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|c| c["title"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn search_matches_either_title_in_any_case() {
    let s = server().await;
    let r = s
        .get(&format!("/contents?query={}", urlencode("기생충")), None)
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(titles(&r), ["Parasite"]);
    let c = &r.body["items"][0];
    assert_eq!(c["type"], "movie");
    assert_eq!(c["original_title"], "기생충");
    assert_eq!(c["year"], 2019);
    assert_eq!(c["average_rating"], Value::Null);
    assert_eq!(c["review_count"], 0);
    assert!(
        c["genres"]
            .as_array()
            .unwrap()
            .iter()
            .any(|g| g["name"] == "Thriller")
    );
    let r = s.get("/contents?query=LORD%20OF%20THE&size=10", None).await;
    assert_eq!(r.body["total"], 3, "{}", r.body);
    assert!(titles(&r).iter().all(|t| t.contains("Lord of the Rings")));
    let r = s.get("/contents?query=%25", None).await;
    assert_eq!(r.body["total"], 0, "a % is a character, not a wildcard");
}

#[tokio::test]
async fn filters_by_type_genre_and_year_combine() {
    let s = server().await;
    let tv = s.get("/contents?type=tv&size=100", None).await;
    assert_eq!(tv.status, 200);
    let n_tv = tv.body["total"].as_i64().unwrap();
    assert!(n_tv >= 30, "{n_tv}");
    assert!(
        tv.body["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|c| c["type"] == "tv")
    );
    let by_name = s.get("/contents?genre=horror&size=100", None).await;
    let by_id = s.get("/contents?genre=27&size=100", None).await;
    assert_eq!(by_name.body, by_id.body);
    assert!(by_name.body["total"].as_i64().unwrap() > 5);
    for c in by_name.body["items"].as_array().unwrap() {
        assert!(
            c["genres"]
                .as_array()
                .unwrap()
                .iter()
                .any(|g| g["id"] == 27),
            "{c}"
        );
    }
    let r = s
        .get("/contents?year=2003&genre=Crime&type=movie", None)
        .await;
    assert!(
        titles(&r).contains(&"Memories of Murder".to_owned()),
        "{}",
        r.body
    );
    for c in r.body["items"].as_array().unwrap() {
        assert_eq!(c["year"], 2003);
    }
    let none = s.get("/contents?genre=no-such-genre", None).await;
    assert_eq!(none.status, 200);
    assert_eq!(
        none.body,
        json!({"items": [], "page": 1, "size": 20, "total": 0})
    );
}

#[tokio::test]
async fn pages_have_items_page_size_and_total() {
    let s = server().await;
    let all = s.get("/contents", None).await;
    let total = all.body["total"].as_i64().unwrap();
    assert!((300..=1000).contains(&total), "{total}");
    assert_eq!(all.body["page"], 1);
    assert_eq!(all.body["size"], 20);
    assert_eq!(all.body["items"].as_array().unwrap().len(), 20);
    let p2 = s.get("/contents?page=2&size=100", None).await;
    assert_eq!(p2.body["items"].as_array().unwrap().len(), 100);
    let past = s.get("/contents?page=1000", None).await;
    assert_eq!(past.body["items"], json!([]));
    assert_eq!(past.body["total"], total);
    for (query, bad) in [
        ("page=0", "page"),
        ("page=-1", "page"),
        ("size=0", "size"),
        ("size=101", "size"),
        ("size=100000000", "size"),
        ("page=abc", "page"),
        ("type=anime", "type"),
        ("year=12", "year"),
        ("year=twenty", "year"),
    ] {
        let r = s.get(&format!("/contents?{query}"), None).await;
        assert_error(&r, 422, "VALIDATION_ERROR", "/contents");
        assert_eq!(field(&r), bad, "{query}: {}", r.body);
    }
}

#[tokio::test]
async fn popular_puts_reviewed_contents_first_and_detail_has_the_aggregates() {
    let s = server().await;
    let a = signup(&s, "a").await;
    let b = signup(&s, "b").await;
    let burning = content_id(&s, "Burning").await;
    review(&s, &a, burning, 4.5).await;
    review(&s, &b, burning, 3.0).await;
    let popular = s.get("/contents/popular?size=5", None).await;
    assert_eq!(popular.status, 200);
    assert_eq!(popular.body["items"][0]["id"], burning);
    let d = s.get(&format!("/contents/{burning}"), None).await;
    assert_eq!(d.status, 200);
    assert_eq!(d.body["average_rating"], 3.75);
    assert_eq!(d.body["review_count"], 2);
    assert_eq!(d.body["original_title"], "버닝");
    let r = s.get("/contents/999999", None).await;
    assert_error(&r, 404, "NOT_FOUND", "/contents/999999");
    let r = s.get("/contents/popular?size=0", None).await;
    assert_error(&r, 422, "VALIDATION_ERROR", "/contents/popular");
}

#[tokio::test]
async fn genres_are_tmdbs_by_name() {
    let s = server().await;
    let r = s.get("/genres", None).await;
    assert_eq!(r.status, 200);
    let list = r.body.as_array().unwrap();
    assert!(list.contains(&json!({"id": 18, "name": "Drama"})));
    assert!(list.contains(&json!({"id": 10765, "name": "Sci-Fi & Fantasy"})));
    let names: Vec<&str> = list.iter().map(|g| g["name"].as_str().unwrap()).collect();
    let mut sorted = names.clone();
    sorted.sort_unstable();
    assert_eq!(names, sorted);
}
