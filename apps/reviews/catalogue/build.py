#!/usr/bin/env python3
"""Builds contents.tsv, the catalogue bundled with the reviews app.

Films: the most voted titles of the `movies` table of the npm package
`vega-datasets` 3.2.1 (BSD-3-Clause, see NOTICE.md), with its known defects
repaired (two-digit centuries, mis-decoded accents). Korean films, TV shows and
films after 2010, which that table lacks, are listed below by hand.

    npm pack vega-datasets@3.2.1 && tar xzf vega-datasets-3.2.1.tgz
    python3 build.py package/data/movies.json > contents.tsv

Columns: type, title, original_title, year, TMDB genre ids, popularity (the
table's IMDB vote count in thousands; empty for the hand-written rows).
"""

import datetime
import json
import sys

FILMS_FROM_TABLE = 280

# The table's "Major Genre" and "Creative Type" as TMDB genre ids.
MAJOR = {
    "Action": [28], "Adventure": [12], "Black Comedy": [35], "Comedy": [35],
    "Concert/Performance": [10402], "Documentary": [99], "Drama": [18],
    "Horror": [27], "Musical": [10402], "Romantic Comedy": [10749, 35],
    "Thriller/Suspense": [53], "Western": [37],
}
CREATIVE = {
    "Science Fiction": [878], "Fantasy": [14], "Super Hero": [28, 878],
    "Historical Fiction": [36], "Kids Fiction": [10751], "Dramatization": [18],
}
# Titles the table spells wrongly.
TITLES = {
    "LÈon": "Léon",
    "Le Fabuleux destin d'AmÈlie Poulain": "Le Fabuleux Destin d'Amélie Poulain",
    "Dead Poets' Society": "Dead Poets Society",
    "ET: The Extra-Terrestrial": "E.T. the Extra-Terrestrial",
    "Jurassic Park 3": "Jurassic Park III",
    "Goldeneye": "GoldenEye",
}
# Years the table gets wrong beyond its two-digit centuries.
YEARS = {"Good Will Hunting": 1997}

G = {
    "action": 28, "adventure": 12, "animation": 16, "comedy": 35, "crime": 80,
    "drama": 18, "family": 10751, "fantasy": 14, "history": 36, "horror": 27,
    "mystery": 9648, "romance": 10749, "scifi": 878, "thriller": 53, "war": 10752,
    "western": 37, "music": 10402,
    "tv-action": 10759, "tv-scifi": 10765, "tv-war": 10768,
}

# (type, title, original title or None, year, genres)
BY_HAND = [
    ("movie", "Parasite", "기생충", 2019, "comedy thriller drama"),
    ("movie", "Oldboy", "올드보이", 2003, "drama thriller mystery"),
    ("movie", "Memories of Murder", "살인의 추억", 2003, "crime drama thriller"),
    ("movie", "The Host", "괴물", 2006, "horror drama scifi"),
    ("movie", "Train to Busan", "부산행", 2016, "horror thriller action"),
    ("movie", "The Handmaiden", "아가씨", 2016, "thriller drama romance"),
    ("movie", "Burning", "버닝", 2018, "mystery drama"),
    ("movie", "Mother", "마더", 2009, "crime drama mystery"),
    ("movie", "The Wailing", "곡성", 2016, "horror mystery"),
    ("movie", "A Taxi Driver", "택시운전사", 2017, "history drama action"),
    ("movie", "Decision to Leave", "헤어질 결심", 2022, "crime mystery romance"),
    ("movie", "Snowpiercer", "설국열차", 2013, "action scifi drama"),
    ("movie", "Joint Security Area", "공동경비구역 JSA", 2000, "drama thriller war"),
    ("movie", "The Chaser", "추격자", 2008, "crime thriller"),
    ("movie", "I Saw the Devil", "악마를 보았다", 2010, "thriller horror crime"),
    ("movie", "Along with the Gods: The Two Worlds", "신과함께-죄와 벌", 2017, "fantasy drama"),
    ("movie", "Extreme Job", "극한직업", 2019, "comedy action crime"),
    ("movie", "Ode to My Father", "국제시장", 2014, "drama history"),
    ("movie", "The Admiral: Roaring Currents", "명량", 2014, "action history war"),
    ("movie", "Veteran", "베테랑", 2015, "action crime comedy"),
    ("movie", "Sympathy for Mr. Vengeance", "복수는 나의 것", 2002, "crime thriller drama"),
    ("movie", "A Tale of Two Sisters", "장화, 홍련", 2003, "horror mystery"),
    ("movie", "Poetry", "시", 2010, "drama"),
    ("movie", "Peppermint Candy", "박하사탕", 1999, "drama"),
    ("movie", "12.12: The Day", "서울의 봄", 2023, "history drama thriller"),
    ("movie", "Exhuma", "파묘", 2024, "horror mystery"),
    ("movie", "The Man from Nowhere", "아저씨", 2010, "action thriller crime"),
    ("movie", "Miracle in Cell No. 7", "7번방의 선물", 2013, "comedy drama"),
    ("movie", "Sunny", "써니", 2011, "comedy drama"),
    ("movie", "Okja", "옥자", 2017, "adventure drama scifi"),
    ("movie", "The Good, the Bad, the Weird", "좋은 놈, 나쁜 놈, 이상한 놈", 2008, "western action adventure"),
    ("movie", "Inside Men", "내부자들", 2015, "crime drama thriller"),
    ("movie", "The Thieves", "도둑들", 2012, "action crime"),
    ("movie", "Masquerade", "광해, 왕이 된 남자", 2012, "drama history"),
    ("movie", "Broker", "브로커", 2022, "drama"),
    ("movie", "Lady Vengeance", "친절한 금자씨", 2005, "crime drama thriller"),
    ("movie", "Silmido", "실미도", 2003, "action drama war"),
    ("movie", "Tae Guk Gi: The Brotherhood of War", "태극기 휘날리며", 2004, "action drama war"),
    ("movie", "The King and the Clown", "왕의 남자", 2005, "drama history"),
    ("movie", "Assassination", "암살", 2015, "action drama history"),
    ("movie", "The Outlaws", "범죄도시", 2017, "action crime"),
    ("movie", "The Roundup", "범죄도시2", 2022, "action crime"),
    ("movie", "Space Sweepers", "승리호", 2021, "scifi action"),
    ("movie", "Little Forest", "리틀 포레스트", 2018, "drama"),
    ("movie", "The Age of Shadows", "밀정", 2016, "action thriller history"),
    ("movie", "Hunt", "헌트", 2022, "action thriller"),
    ("movie", "Concrete Utopia", "콘크리트 유토피아", 2023, "drama thriller"),
    ("movie", "1987: When the Day Comes", "1987", 2017, "drama history"),
    ("movie", "Spirited Away", "千と千尋の神隠し", 2001, "animation family fantasy"),
    ("movie", "Your Name.", "君の名は。", 2016, "animation romance drama"),
    ("movie", "Interstellar", None, 2014, "adventure drama scifi"),
    ("movie", "Mad Max: Fury Road", None, 2015, "action adventure scifi"),
    ("movie", "Whiplash", None, 2014, "drama music"),
    ("movie", "La La Land", None, 2016, "comedy drama romance music"),
    ("movie", "Get Out", None, 2017, "mystery thriller horror"),
    ("movie", "Joker", None, 2019, "crime thriller drama"),
    ("movie", "Dune", None, 2021, "scifi adventure"),
    ("movie", "Everything Everywhere All at Once", None, 2022, "action adventure scifi"),
    ("movie", "Oppenheimer", None, 2023, "drama history"),
    ("movie", "The Social Network", None, 2010, "drama"),
    ("tv", "Squid Game", "오징어 게임", 2021, "tv-action mystery drama"),
    ("tv", "Crash Landing on You", "사랑의 불시착", 2019, "comedy drama"),
    ("tv", "Reply 1988", "응답하라 1988", 2015, "comedy drama"),
    ("tv", "Guardian: The Lonely and Great God", "쓸쓸하고 찬란하神 - 도깨비", 2016, "tv-scifi drama"),
    ("tv", "Kingdom", "킹덤", 2019, "drama tv-action mystery"),
    ("tv", "Itaewon Class", "이태원 클라쓰", 2020, "drama"),
    ("tv", "Hospital Playlist", "슬기로운 의사생활", 2020, "drama comedy"),
    ("tv", "My Mister", "나의 아저씨", 2018, "drama"),
    ("tv", "Extraordinary Attorney Woo", "이상한 변호사 우영우", 2022, "drama comedy"),
    ("tv", "The Glory", "더 글로리", 2022, "drama mystery"),
    ("tv", "Moving", "무빙", 2023, "tv-action tv-scifi drama"),
    ("tv", "Signal", "시그널", 2016, "crime mystery tv-scifi"),
    ("tv", "Mr. Sunshine", "미스터 션샤인", 2018, "drama tv-war"),
    ("tv", "Descendants of the Sun", "태양의 후예", 2016, "drama tv-action"),
    ("tv", "Sweet Home", "스위트홈", 2020, "tv-scifi drama mystery"),
    ("tv", "Hellbound", "지옥", 2021, "tv-scifi drama mystery"),
    ("tv", "Misaeng: Incomplete Life", "미생", 2014, "drama"),
    ("tv", "Stranger", "비밀의 숲", 2017, "crime drama mystery"),
    ("tv", "When the Camellia Blooms", "동백꽃 필 무렵", 2019, "comedy drama crime"),
    ("tv", "Vincenzo", "빈센조", 2021, "crime comedy drama"),
    ("tv", "Queen of Tears", "눈물의 여왕", 2024, "drama comedy"),
    ("tv", "Reborn Rich", "재벌집 막내아들", 2022, "drama tv-scifi"),
    ("tv", "Breaking Bad", None, 2008, "drama crime"),
    ("tv", "Game of Thrones", None, 2011, "tv-scifi drama tv-action"),
    ("tv", "The Office", None, 2005, "comedy"),
    ("tv", "Friends", None, 1994, "comedy"),
    ("tv", "Stranger Things", None, 2016, "drama tv-scifi mystery"),
    ("tv", "Sherlock", None, 2010, "crime drama mystery"),
    ("tv", "The Crown", None, 2016, "drama"),
    ("tv", "Chernobyl", None, 2019, "drama"),
    ("tv", "True Detective", None, 2014, "drama crime"),
    ("tv", "The Wire", None, 2002, "crime drama"),
    ("tv", "The Sopranos", None, 1999, "drama crime"),
    ("tv", "Mad Men", None, 2007, "drama"),
    ("tv", "Fleabag", None, 2016, "comedy drama"),
    ("tv", "Dark", None, 2017, "crime drama tv-scifi mystery"),
    ("tv", "Money Heist", "La casa de papel", 2017, "crime drama"),
    ("tv", "The Mandalorian", None, 2019, "tv-scifi tv-action drama"),
    ("tv", "Succession", None, 2018, "drama"),
    ("tv", "Band of Brothers", None, 2001, "drama tv-war"),
    ("tv", "Better Call Saul", None, 2015, "crime drama"),
    ("tv", "The Last of Us", None, 2023, "drama"),
    ("tv", "Seinfeld", None, 1989, "comedy"),
    ("tv", "The Simpsons", None, 1989, "animation comedy family"),
    ("tv", "Twin Peaks", None, 1990, "mystery drama crime"),
    ("tv", "Black Mirror", None, 2011, "tv-scifi drama"),
    ("tv", "Lost", None, 2004, "mystery tv-action drama"),
    ("tv", "The X-Files", None, 1993, "mystery tv-scifi"),
    ("tv", "The Bear", None, 2022, "drama comedy"),
    ("tv", "Attack on Titan", "進撃の巨人", 2013, "animation tv-scifi tv-action"),
    ("tv", "Lupin", None, 2021, "crime drama mystery"),
    ("tv", "Narcos", None, 2015, "crime drama"),
    ("tv", "Downton Abbey", None, 2010, "drama"),
    ("tv", "Severance", None, 2022, "drama mystery tv-scifi"),
    ("tv", "The Queen's Gambit", None, 2020, "drama"),
    ("tv", "Peaky Blinders", None, 2013, "drama crime"),
]


def year(date):
    try:
        y = datetime.datetime.strptime(date, "%b %d %Y").year
    except (TypeError, ValueError):
        return None
    # The table parses two-digit years into the wrong century (1939 -> 2039).
    return y - 100 if y > 2010 else y


def rows_from_table(path):
    films = [f for f in json.load(open(path, encoding="utf-8"))
             if f["Major Genre"] and f["IMDB Votes"] and year(f["Release Date"])]
    films.sort(key=lambda f: -f["IMDB Votes"])
    seen = set()
    for f in films:
        title = TITLES.get(str(f["Title"]), str(f["Title"]))
        if title in seen:
            continue
        seen.add(title)
        genres = MAJOR[f["Major Genre"]] + CREATIVE.get(f["Creative Type"], [])
        genres = list(dict.fromkeys(genres))
        y = YEARS.get(title, year(f["Release Date"]))
        yield ("movie", title, title, y, genres, f"{f['IMDB Votes'] / 1000:.1f}")
        if len(seen) == FILMS_FROM_TABLE:
            return


def main():
    rows = list(rows_from_table(sys.argv[1]))
    taken = {r[1] for r in rows}
    for kind, title, original, y, genres in BY_HAND:
        if title in taken:
            continue
        rows.append((kind, title, original or title, y, [G[g] for g in genres.split()], ""))
    for kind, title, original, y, genres, popularity in rows:
        assert "\t" not in title + original
        print("\t".join([kind, title, original, str(y), ",".join(map(str, genres)), popularity]))


main()
