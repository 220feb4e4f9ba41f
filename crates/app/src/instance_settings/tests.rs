//! Unit tests of the stored overlay and of every refused field.

use super::*;
use crate::AppError;

#[test]
fn stored_settings_overlay_the_file_and_keep_other_keys() {
    let file = InstanceConfig::default();
    let changed = SettingsChange {
        name: Some("Changed".into()),
        languages: Some(vec!["fr".into()]),
        ..SettingsChange::default()
    }
    .apply(&file);
    let text = stored_json(&changed);
    assert!(!text.contains("admin_email"), "{text}");
    let mut file2 = file.clone();
    file2.admin_email = "other@example.com".into();
    let merged = overlay(&file2, &text);
    assert_eq!(merged.name, "Changed");
    assert_eq!(merged.languages, vec!["fr".to_owned()]);
    assert_eq!(merged.admin_email, "other@example.com");
    assert_eq!(overlay(&file2, "not json"), file2);
    assert_eq!(overlay(&file2, r#"{"name":""}"#), file2);
}

#[test]
fn every_bad_field_is_named() {
    let good = InstanceConfig::default();
    assert!(validate(&good).is_ok());
    let cases: Vec<(&str, SettingsChange)> = vec![
        (
            "instance.name",
            SettingsChange {
                name: Some("  ".into()),
                ..Default::default()
            },
        ),
        (
            "instance.name",
            SettingsChange {
                name: Some("x".repeat(NAME_MAX + 1)),
                ..Default::default()
            },
        ),
        (
            "instance.name",
            SettingsChange {
                name: Some("a\nb".into()),
                ..Default::default()
            },
        ),
        (
            "instance.shortDescription",
            SettingsChange {
                short_description: Some("a\u{7}".into()),
                ..Default::default()
            },
        ),
        (
            "instance.terms",
            SettingsChange {
                terms: Some("x".repeat(TEXT_MAX + 1)),
                ..Default::default()
            },
        ),
        (
            "instance.description",
            SettingsChange {
                description: Some("a\u{0}b".into()),
                ..Default::default()
            },
        ),
        (
            "instance.languages",
            SettingsChange {
                languages: Some(vec!["zz-bad".into()]),
                ..Default::default()
            },
        ),
        (
            "instance.languages",
            SettingsChange {
                languages: Some(vec!["fr".into(), "fr".into()]),
                ..Default::default()
            },
        ),
        (
            "instance.categories",
            SettingsChange {
                categories: Some(vec![999]),
                ..Default::default()
            },
        ),
        (
            "user.videoQuota",
            SettingsChange {
                default_video_quota: Some(-2),
                ..Default::default()
            },
        ),
        (
            "user.videoQuotaDaily",
            SettingsChange {
                default_video_quota_daily: Some(QUOTA_MAX + 1),
                ..Default::default()
            },
        ),
        (
            "videoChannels.maxPerUser",
            SettingsChange {
                max_channels_per_user: Some(0),
                ..Default::default()
            },
        ),
    ];
    for (field, change) in cases {
        match validate(&change.clone().apply(&good)) {
            Err(AppError::Invalid { field: named, .. }) => {
                assert_eq!(named, field, "{change:?}")
            }
            other => panic!("{change:?}: {other:?}"),
        }
    }
}
