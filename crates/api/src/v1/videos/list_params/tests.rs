//! The query parsing of video lists: each parameter, each refusal.

use super::*;

fn catalogue(raw: &str) -> Result<ListParams, ApiError> {
    parse(Some(raw), ListKind::Catalogue, None, HOST)
}

const HOST: &str = "localhost:9000";

#[test]
fn arrays_come_repeated_bracketed_or_single() {
    let params = catalogue("categoryOneOf=1&categoryOneOf=2&tagsOneOf[]=a&tagsOneOf[]=b").unwrap();
    assert_eq!(params.filters.categories, Some(vec![1, 2]));
    assert_eq!(
        params.filters.tags_one_of,
        Some(vec!["a".to_owned(), "b".to_owned()])
    );
    let params = catalogue("licenceOneOf=7&languageOneOf=fr").unwrap();
    assert_eq!(params.filters.licences, Some(vec![7]));
    assert_eq!(params.filters.languages, Some(vec!["fr".to_owned()]));
    // Absent: public lists leave NSFW videos out.
    assert_eq!(params.filters.nsfw, Some(false));
    assert_eq!(catalogue("nsfw=both").unwrap().filters.nsfw, None);
    assert_eq!(
        parse(Some("nsfw=true"), ListKind::Mine, None, HOST)
            .unwrap()
            .filters
            .nsfw,
        None
    );
}

#[test]
fn sorts_follow_peertube_and_refuse_the_rest() {
    let sort = |text: &str, kind| parse_sort(Some(text), kind);
    assert_eq!(
        parse_sort(None, ListKind::Catalogue).unwrap(),
        (VideoOrder::PublishedAt, true)
    );
    assert_eq!(
        sort("-trending", ListKind::Catalogue).unwrap(),
        (VideoOrder::Views, true)
    );
    assert_eq!(
        sort("createdAt", ListKind::Catalogue).unwrap(),
        (VideoOrder::CreatedAt, false)
    );
    assert_eq!(
        sort("-match", ListKind::Search).unwrap(),
        (VideoOrder::Match, true)
    );
    assert!(sort("-match", ListKind::Catalogue).is_err());
    assert!(sort("-trending", ListKind::Search).is_err());
    for bad in ["", "-", "--views", "id", "views;drop", "-Views", "random"] {
        assert!(sort(bad, ListKind::Catalogue).is_err(), "{bad:?}");
    }
}

#[test]
fn ranges_are_read_on_search_only() {
    let raw = "durationMin=10&durationMax=60&startDate=2024-01-01&endDate=2024-02-01T00:00:00Z";
    let search = parse(Some(raw), ListKind::Search, None, HOST).unwrap();
    assert_eq!(search.filters.duration_min, Some(10));
    assert_eq!(search.filters.duration_max, Some(60));
    assert_eq!(search.filters.published_from, Some(1_704_067_200_000));
    assert_eq!(search.filters.published_until, Some(1_706_745_600_000));
    let list = catalogue(raw).unwrap();
    assert_eq!(list.filters.duration_min, None);
    assert_eq!(list.filters.published_from, None);
}

#[test]
fn hosts_include_flags_and_watched_are_checked() {
    assert_eq!(
        catalogue("host=localhost:9000").unwrap().filters.host,
        Some(HostFilter::Local)
    );
    assert_eq!(
        catalogue("host=Peertube.Example").unwrap().filters.host,
        Some(HostFilter::Remote("peertube.example".to_owned()))
    );
    for bad in [
        "host=https://a.example",
        "host=a.example/x",
        "host=",
        "host=a..b",
        "host=a.example:0",
        "host=a.example:99999",
        "host=-a.example",
    ] {
        let error = catalogue(bad).unwrap_err();
        assert_eq!(error.status(), axum::http::StatusCode::BAD_REQUEST, "{bad}");
    }
    assert_eq!(
        catalogue("nsfwFlagsIncluded=3").unwrap().filters.nsfw_flags,
        (Some(3), None)
    );
    for bad in [
        "nsfwFlagsIncluded=8",
        "nsfwFlagsExcluded=-1",
        "nsfwFlagsExcluded=x",
    ] {
        assert!(catalogue(bad).is_err(), "{bad}");
    }
    // Anonymous: moderators' parameters are 401, excludeAlreadyWatched a 400.
    for (raw, status) in [
        ("include=1", 401),
        ("autoTagOneOf=x", 401),
        ("include=128", 400),
        ("include=x", 400),
        ("excludeAlreadyWatched=true", 400),
        ("excludeAlreadyWatched=maybe", 400),
    ] {
        assert_eq!(
            catalogue(raw).unwrap_err().status().as_u16(),
            status,
            "{raw}"
        );
    }
    assert_eq!(catalogue("include=0").unwrap().filters.include, 0);
}
