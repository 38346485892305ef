//! Contents from TMDB: the real client against a local HTTP server answering in
//! TMDB's v3 JSON shapes (search, popular, details, genre lists, its error body,
//! a 429 and a timeout).

mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use common::*;
use serde_json::{Value, json};

const KEY: &str = "tmdb-test-key";

#[derive(Default)]
struct Tmdb {
    searches: AtomicUsize,
    details: AtomicUsize,
    /// 500 for everything while set.
    down: std::sync::atomic::AtomicBool,
}

type Params = Query<std::collections::HashMap<String, String>>;

fn error(status: StatusCode, code: i64, message: &str) -> Response {
    (
        status,
        Json(json!({"status_code": code, "status_message": message, "success": false})),
    )
        .into_response()
}

/// TMDB's check of the key and its language parameter.
fn refused(t: &Tmdb, q: &Params) -> Option<Response> {
    if t.down.load(Ordering::SeqCst) {
        return Some(error(
            StatusCode::INTERNAL_SERVER_ERROR,
            11,
            "Internal error",
        ));
    }
    if q.get("api_key").map(String::as_str) != Some(KEY) {
        return Some(error(
            StatusCode::UNAUTHORIZED,
            7,
            "Invalid API key: You must be granted a valid key.",
        ));
    }
    assert_eq!(q.get("language").map(String::as_str), Some("ko-KR"));
    None
}

fn parasite() -> Value {
    json!({"adult": false, "backdrop_path": "/b.jpg", "id": 496243, "media_type": "movie",
           "title": "기생충", "original_title": "기생충", "original_language": "ko",
           "overview": "전원백수로 살 길 막막하지만 사이는 좋은 기택 가족.",
           "poster_path": "/7IiTTgloJzvGI1TAYymCfbfl3vT.jpg", "genre_ids": [35, 53, 18],
           "popularity": 33.8, "release_date": "2019-05-30", "video": false,
           "vote_average": 8.5, "vote_count": 18000})
}

fn squid_game() -> Value {
    json!({"backdrop_path": "/s.jpg", "id": 93405, "media_type": "tv", "name": "오징어 게임",
           "original_name": "오징어 게임", "original_language": "ko", "overview": "456억 원의 상금이 걸린 서바이벌.",
           "poster_path": "/dDlEmu3EZ0Pgg93K2SVNLCjCSvE.jpg", "genre_ids": [10759, 9648, 18],
           "popularity": 120.4, "first_air_date": "2021-09-17", "origin_country": ["KR"],
           "vote_average": 7.8, "vote_count": 14000})
}

async fn search(State(t): State<Arc<Tmdb>>, q: Params) -> Response {
    if let Some(r) = refused(&t, &q) {
        return r;
    }
    t.searches.fetch_add(1, Ordering::SeqCst);
    let results = match q.get("query").map(String::as_str) {
        Some("slow") => {
            tokio::time::sleep(Duration::from_secs(5)).await;
            vec![]
        }
        Some("busy") => {
            return error(
                StatusCode::TOO_MANY_REQUESTS,
                25,
                "Your request count (41) is over the allowed limit of 40.",
            );
        }
        Some("기생충") => vec![
            parasite(),
            json!({"id": 21684, "media_type": "person", "name": "봉준호", "known_for": []}),
        ],
        Some("오징어") => vec![squid_game()],
        _ => vec![],
    };
    let n = results.len();
    Json(json!({"page": 1, "results": results, "total_pages": 1, "total_results": n}))
        .into_response()
}

async fn popular(State(t): State<Arc<Tmdb>>, Path(media): Path<String>, q: Params) -> Response {
    if let Some(r) = refused(&t, &q) {
        return r;
    }
    let mut item = if media == "movie" {
        parasite()
    } else {
        squid_game()
    };
    item.as_object_mut().unwrap().remove("media_type");
    Json(json!({"page": 1, "results": [item], "total_pages": 500, "total_results": 10000}))
        .into_response()
}

async fn details(
    State(t): State<Arc<Tmdb>>,
    Path((media, id)): Path<(String, i64)>,
    q: Params,
) -> Response {
    if let Some(r) = refused(&t, &q) {
        return r;
    }
    let n = t.details.fetch_add(1, Ordering::SeqCst);
    if media == "movie" && id == 496243 {
        return Json(json!({"adult": false, "id": 496243, "title": "기생충",
            "original_title": "기생충", "overview": format!("개정 {n}"),
            "poster_path": "/7IiTTgloJzvGI1TAYymCfbfl3vT.jpg", "release_date": "2019-05-30",
            "genres": [{"id": 35, "name": "코미디"}, {"id": 18, "name": "드라마"}],
            "popularity": 40.0, "runtime": 132, "status": "Released"}))
        .into_response();
    }
    error(
        StatusCode::NOT_FOUND,
        34,
        "The resource you requested could not be found.",
    )
}

async fn genres(State(t): State<Arc<Tmdb>>, Path(media): Path<String>, q: Params) -> Response {
    if let Some(r) = refused(&t, &q) {
        return r;
    }
    let list = if media == "movie" {
        json!([{"id": 28, "name": "액션"}, {"id": 18, "name": "드라마"}])
    } else {
        json!([{"id": 10759, "name": "Action & Adventure"}, {"id": 10768, "name": "War & Politics"}])
    };
    Json(json!({"genres": list})).into_response()
}

/// A local TMDB; its base URL.
async fn local_tmdb(state: Arc<Tmdb>) -> String {
    let app = Router::new()
        .route("/3/search/{kind}", get(search))
        .route("/3/genre/{media}/list", get(genres))
        .route("/3/{media}/popular", get(popular))
        .route("/3/{media}/{id}", get(details))
        .with_state(state);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await });
    format!("http://{addr}/3")
}

async fn with_tmdb(extra: &[(&str, &str)]) -> (TestServer, Arc<Tmdb>) {
    let state = Arc::new(Tmdb::default());
    let base = local_tmdb(state.clone()).await;
    let mut overrides = vec![
        ("ONDOL_REVIEWS_TMDB_API_KEY", KEY),
        ("ONDOL_REVIEWS_TMDB_API_BASE", base.as_str()),
        ("ONDOL_REVIEWS_TMDB_TIMEOUT_MS", "500"),
    ];
    overrides.extend_from_slice(extra);
    (server_with(&overrides).await, state)
}

#[tokio::test]
async fn a_search_fetches_stores_and_answers_from_tmdb() {
    let (s, tmdb) = with_tmdb(&[]).await;
    // No bundled titles with TMDB configured.
    let all = s.get("/contents", None).await;
    assert_eq!(all.body["total"], 0, "{}", all.body);
    let path = format!("/contents?query={}", urlencode("기생충"));
    let r = s.get(&path, None).await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(
        r.body["total"], 1,
        "the person is not a content: {}",
        r.body
    );
    let c = &r.body["items"][0];
    assert_eq!(c["title"], "기생충");
    assert_eq!(c["type"], "movie");
    assert_eq!(c["year"], 2019);
    assert_eq!(
        c["poster_url"],
        "https://image.tmdb.org/t/p/w500/7IiTTgloJzvGI1TAYymCfbfl3vT.jpg"
    );
    assert!(c["overview"].as_str().unwrap().contains("기택"));
    let genres: Vec<i64> = c["genres"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g["id"].as_i64().unwrap())
        .collect();
    assert_eq!(genres.len(), 3, "{genres:?}");
    // The same search again comes from the cache, and the content is stored.
    let again = s.get(&path, None).await;
    assert_eq!(again.body["items"][0]["id"], c["id"]);
    assert_eq!(tmdb.searches.load(Ordering::SeqCst), 1);
    let tv = s
        .get(
            &format!("/contents?query={}&type=tv", urlencode("오징어")),
            None,
        )
        .await;
    assert_eq!(tv.body["items"][0]["title"], "오징어 게임");
    assert_eq!(tv.body["items"][0]["type"], "tv");
    assert_eq!(tv.body["items"][0]["year"], 2021);
    // A stored content can be reviewed like a bundled one.
    let u = signup(&s, "민지").await;
    review(&s, &u, c["id"].as_i64().unwrap(), 5.0).await;
}

#[tokio::test]
async fn a_slow_busy_or_refusing_tmdb_degrades_to_stored_contents() {
    let (s, tmdb) = with_tmdb(&[]).await;
    s.get(&format!("/contents?query={}", urlencode("기생충")), None)
        .await;
    let started = Instant::now();
    let r = s.get("/contents?query=slow", None).await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "{:?}",
        started.elapsed()
    );
    let r = s.get("/contents?query=busy", None).await;
    assert_eq!(r.status, 200, "{}", r.body);
    tmdb.down.store(true, Ordering::SeqCst);
    let r = s
        .get(&format!("/contents?query={}", urlencode("기")), None)
        .await;
    assert_eq!(r.status, 200);
    assert_eq!(
        r.body["items"][0]["title"], "기생충",
        "stored before TMDB went down"
    );
    let r = s.get("/contents/popular", None).await;
    assert_eq!(r.status, 200);
    let r = s.get("/genres", None).await;
    assert_eq!(r.status, 200);
    assert!(r.body.as_array().unwrap().iter().any(|g| g["id"] == 18));
}

#[tokio::test]
async fn a_wrong_key_is_a_logged_failure_not_an_error() {
    let state = Arc::new(Tmdb::default());
    let base = local_tmdb(state.clone()).await;
    let s = server_with(&[
        ("ONDOL_REVIEWS_TMDB_API_KEY", "wrong"),
        ("ONDOL_REVIEWS_TMDB_API_BASE", base.as_str()),
    ])
    .await;
    let r = s
        .get(&format!("/contents?query={}", urlencode("기생충")), None)
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.body["total"], 0);
}

#[tokio::test]
async fn details_are_fetched_again_after_the_ttl() {
    let (s, tmdb) = with_tmdb(&[
        ("ONDOL_REVIEWS_CONTENT_TTL_HOURS", "0"),
        ("ONDOL_REVIEWS_TMDB_CACHE_SECONDS", "0"),
    ])
    .await;
    let r = s
        .get(&format!("/contents?query={}", urlencode("기생충")), None)
        .await;
    let id = r.body["items"][0]["id"].as_i64().unwrap();
    let first = s.get(&format!("/contents/{id}"), None).await;
    assert_eq!(first.status, 200);
    assert_eq!(first.body["overview"], "개정 0");
    let ids: Vec<i64> = first.body["genres"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|g| g["id"].as_i64())
        .collect();
    assert_eq!(ids, [35, 18], "the details' genres replace the search's");
    let second = s.get(&format!("/contents/{id}"), None).await;
    assert_eq!(second.body["overview"], "개정 1");
    assert_eq!(tmdb.details.load(Ordering::SeqCst), 2);
    tmdb.down.store(true, Ordering::SeqCst);
    let stored = s.get(&format!("/contents/{id}"), None).await;
    assert_eq!(stored.status, 200);
    assert_eq!(
        stored.body["overview"], "개정 1",
        "TMDB down: the stored content"
    );
}

#[tokio::test]
async fn details_within_the_ttl_come_from_the_database() {
    let (s, tmdb) = with_tmdb(&[]).await;
    let r = s
        .get(&format!("/contents?query={}", urlencode("기생충")), None)
        .await;
    let id = r.body["items"][0]["id"].as_i64().unwrap();
    for _ in 0..3 {
        assert_eq!(s.get(&format!("/contents/{id}"), None).await.status, 200);
    }
    assert_eq!(tmdb.details.load(Ordering::SeqCst), 0);
}

#[tokio::test]
async fn popular_and_genres_come_from_tmdb() {
    let (s, _) = with_tmdb(&[]).await;
    let r = s.get("/contents/popular", None).await;
    assert_eq!(r.status, 200);
    let titles: Vec<&str> = r.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["title"].as_str().unwrap())
        .collect();
    assert_eq!(titles, ["오징어 게임", "기생충"], "by TMDB's popularity");
    let g = s.get("/genres", None).await;
    let list = g.body.as_array().unwrap();
    assert!(
        list.contains(&json!({"id": 18, "name": "드라마"})),
        "{}",
        g.body
    );
    assert!(list.contains(&json!({"id": 28, "name": "액션"})));
}
