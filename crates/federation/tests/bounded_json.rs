//! Bounded JSON (DOS-03): size, depth without recursion, string and item caps.

mod common;

use kinora_federation::json::{JsonError, JsonLimits, parse_activity_json};

fn nested_arrays(depth: usize) -> Vec<u8> {
    ("[".repeat(depth) + &"]".repeat(depth)).into_bytes()
}

fn nested_objects(depth: usize) -> Vec<u8> {
    (r#"{"a":"#.repeat(depth) + "1" + &"}".repeat(depth)).into_bytes()
}

#[test]
fn dos_03_json_nested_100000_levels_is_an_error_not_a_stack_overflow() {
    let defaults = JsonLimits::default();
    for body in [
        nested_arrays(100_000),
        nested_objects(100_000),
        "[".repeat(100_000).into_bytes(),
        (r#"{"a":["#.repeat(50_000)).into_bytes(),
    ] {
        let result = parse_activity_json(&body, &defaults);
        assert!(
            matches!(result, Err(JsonError::TooDeep { limit: 32 })),
            "{result:?}"
        );
    }
}

#[test]
fn dos_03_without_our_depth_limit_serde_keeps_its_own() {
    let unlimited = JsonLimits {
        max_depth: usize::MAX,
        ..JsonLimits::default()
    };
    let result = parse_activity_json(&nested_arrays(100_000), &unlimited);
    assert!(matches!(result, Err(JsonError::Syntax(_))), "{result:?}");
}

#[test]
fn dos_03_depth_32_is_accepted_and_33_is_not() {
    let defaults = JsonLimits::default();
    assert!(parse_activity_json(&nested_arrays(32), &defaults).is_ok());
    assert!(parse_activity_json(&nested_objects(32), &defaults).is_ok());
    assert!(matches!(
        parse_activity_json(&nested_arrays(33), &defaults),
        Err(JsonError::TooDeep { limit: 32 })
    ));
    assert!(matches!(
        parse_activity_json(&nested_objects(33), &defaults),
        Err(JsonError::TooDeep { limit: 32 })
    ));
    // Siblings do not add up: depth is per path.
    let wide = format!("[{}]", vec!["[[1]]"; 500].join(","));
    let limits = JsonLimits {
        max_depth: 3,
        ..defaults
    };
    assert!(parse_activity_json(wide.as_bytes(), &limits).is_ok());
}

#[test]
fn dos_03_brackets_inside_strings_do_not_count() {
    let limits = JsonLimits {
        max_depth: 2,
        ..JsonLimits::default()
    };
    let body = format!(r#"{{"content":"{}","e":"\"[{{\\"}}"#, "[{".repeat(10_000));
    let value = parse_activity_json(body.as_bytes(), &limits).unwrap();
    assert_eq!(value["content"].as_str().unwrap().len(), 20_000);
    assert_eq!(value["e"], "\"[{\\");
}

#[test]
fn dos_03_the_size_cap_comes_first() {
    let limits = JsonLimits {
        max_bytes: 100,
        ..JsonLimits::default()
    };
    let exactly = format!(r#"{{"a":"{}"}}"#, "x".repeat(92));
    assert_eq!(exactly.len(), 100);
    assert!(parse_activity_json(exactly.as_bytes(), &limits).is_ok());
    let over = format!(r#"{{"a":"{}"}}"#, "x".repeat(93));
    assert!(matches!(
        parse_activity_json(over.as_bytes(), &limits),
        Err(JsonError::TooLarge { limit: 100 })
    ));
    // Even an over-deep body answers "too large" when it is too large: the inbox's 413.
    assert!(matches!(
        parse_activity_json(&nested_arrays(1000), &limits),
        Err(JsonError::TooLarge { .. })
    ));
}

#[test]
fn dos_03_long_strings_are_refused_keys_too() {
    let limits = JsonLimits {
        max_string_bytes: 16,
        ..JsonLimits::default()
    };
    assert!(
        parse_activity_json(
            format!(r#"{{"a":"{}"}}"#, "x".repeat(16)).as_bytes(),
            &limits
        )
        .is_ok()
    );
    for body in [
        format!(r#"{{"a":"{}"}}"#, "x".repeat(17)),
        format!(r#"{{"{}":1}}"#, "k".repeat(17)),
        format!(r#"["{}"]"#, "\\n".repeat(9)),
    ] {
        let result = parse_activity_json(body.as_bytes(), &limits);
        assert!(
            matches!(result, Err(JsonError::StringTooLong { limit: 16 })),
            "{body}: {result:?}"
        );
    }
}

#[test]
fn dos_03_long_arrays_and_objects_are_refused() {
    let limits = JsonLimits {
        max_items: 100,
        ..JsonLimits::default()
    };
    let array = |count: usize| format!("[{}]", vec!["1"; count].join(","));
    let object = |count: usize| {
        let members: Vec<String> = (0..count).map(|index| format!(r#""k{index}":1"#)).collect();
        format!("{{{}}}", members.join(","))
    };
    assert!(parse_activity_json(array(100).as_bytes(), &limits).is_ok());
    assert!(parse_activity_json(object(100).as_bytes(), &limits).is_ok());
    assert!(
        parse_activity_json(
            format!("[{},{}]", array(100), object(100)).as_bytes(),
            &limits
        )
        .is_ok()
    );
    for body in [
        array(101),
        object(101),
        format!(r#"{{"to":{}}}"#, array(101)),
    ] {
        let result = parse_activity_json(body.as_bytes(), &limits);
        assert!(
            matches!(result, Err(JsonError::TooManyItems { limit: 100 })),
            "{result:?}"
        );
    }
    // Commas inside strings are not items.
    let commas = format!(r#"["{}"]"#, ",".repeat(500));
    assert!(parse_activity_json(commas.as_bytes(), &limits).is_ok());
}

#[test]
fn invalid_json_is_a_syntax_error() {
    for body in [
        "",
        "{",
        r#"{"a":}"#,
        "[1,]",
        "]]]]",
        r#""unterminated"#,
        "{} {}",
        "\u{feff}{}",
    ] {
        let result = parse_activity_json(body.as_bytes(), &JsonLimits::default());
        assert!(
            matches!(result, Err(JsonError::Syntax(_))),
            "{body:?}: {result:?}"
        );
    }
}

#[test]
fn every_activitypub_fixture_parses_under_the_default_limits() {
    let mut parsed = 0;
    for folder in ["mastodon", "peertube"] {
        for entry in std::fs::read_dir(common::fixtures::ap_json_dir().join(folder)).unwrap() {
            let bytes = std::fs::read(entry.unwrap().path()).unwrap();
            let value = parse_activity_json(&bytes, &JsonLimits::default()).unwrap();
            assert!(value.is_object());
            parsed += 1;
        }
    }
    assert!(parsed >= 9, "{parsed}");
}
