//! Checks of the run-time settings: every refused field is named as PeerTube's JSON names it.

use kinora_core::transcoding::STANDARD_RESOLUTIONS;

use crate::{AppError, AppResult, InstanceConfig};

/// Longest instance name, in characters.
pub const NAME_MAX: usize = 120;
/// Longest short description, in characters.
pub const SHORT_DESCRIPTION_MAX: usize = 250;
/// Longest long text (description, terms, …), in characters.
pub const TEXT_MAX: usize = 10_000;
/// Most languages or categories listed.
pub const LIST_MAX: usize = 50;
/// Largest quota accepted, bytes (1 PiB).
pub const QUOTA_MAX: i64 = 1 << 50;
/// Most channels per user an administrator may allow.
pub const CHANNELS_MAX: i64 = 1000;

/// Checks every run-time setting; the error names the first bad field as PeerTube's JSON
/// names it.
pub fn validate(settings: &InstanceConfig) -> AppResult<()> {
    let invalid = |field: &'static str, message: String| AppError::Invalid { field, message };
    let name = settings.name.trim();
    if name.is_empty() || settings.name.chars().count() > NAME_MAX || has_control(name, false) {
        return Err(invalid(
            "instance.name",
            format!("must be 1 to {NAME_MAX} characters on one line"),
        ));
    }
    if settings.short_description.chars().count() > SHORT_DESCRIPTION_MAX
        || has_control(&settings.short_description, false)
    {
        return Err(invalid(
            "instance.shortDescription",
            format!("must be at most {SHORT_DESCRIPTION_MAX} characters on one line"),
        ));
    }
    for (field, text) in [
        ("instance.description", &settings.description),
        ("instance.terms", &settings.terms),
        ("instance.codeOfConduct", &settings.code_of_conduct),
        (
            "instance.moderationInformation",
            &settings.moderation_information,
        ),
        ("instance.administrator", &settings.administrator),
        ("instance.creationReason", &settings.creation_reason),
        (
            "instance.maintenanceLifetime",
            &settings.maintenance_lifetime,
        ),
        ("instance.businessModel", &settings.business_model),
        (
            "instance.hardwareInformation",
            &settings.hardware_information,
        ),
    ] {
        if text.chars().count() > TEXT_MAX || has_control(text, true) {
            return Err(invalid(
                field,
                format!("must be at most {TEXT_MAX} characters of text"),
            ));
        }
    }
    check_list(
        "instance.languages",
        &settings.languages,
        LIST_MAX,
        |code| kinora_core::labels::language_label(code).is_some(),
        |code| format!("{code:?} is not a language of /api/v1/videos/languages"),
    )?;
    check_list(
        "instance.categories",
        &settings.categories,
        LIST_MAX,
        |id| kinora_core::labels::category_label(*id).is_some(),
        |id| format!("{id} is not a category of /api/v1/videos/categories"),
    )?;
    for (field, quota) in [
        ("user.videoQuota", settings.default_video_quota),
        ("user.videoQuotaDaily", settings.default_video_quota_daily),
    ] {
        if quota != -1 && !(0..=QUOTA_MAX).contains(&quota) {
            return Err(invalid(
                field,
                format!("must be -1 (unlimited) or 0 to {QUOTA_MAX} bytes"),
            ));
        }
    }
    check_list(
        "transcoding.resolutions",
        &settings.transcoding_resolutions,
        STANDARD_RESOLUTIONS.len(),
        |resolution| STANDARD_RESOLUTIONS.contains(resolution),
        |resolution| format!("{resolution} is not one of {STANDARD_RESOLUTIONS:?}"),
    )?;
    if !(1..=CHANNELS_MAX).contains(&settings.max_channels_per_user) {
        return Err(invalid(
            "videoChannels.maxPerUser",
            format!("must be 1 to {CHANNELS_MAX}"),
        ));
    }
    Ok(())
}

/// Checks a list setting: at most `max` entries, each one `known` (else `unknown` says why),
/// none listed twice.
fn check_list<T: PartialEq + std::fmt::Debug>(
    field: &'static str,
    items: &[T],
    max: usize,
    known: impl Fn(&T) -> bool,
    unknown: impl Fn(&T) -> String,
) -> AppResult<()> {
    let invalid = |message: String| AppError::Invalid { field, message };
    if items.len() > max {
        return Err(invalid(format!("at most {max} entries")));
    }
    for (index, item) in items.iter().enumerate() {
        if !known(item) {
            return Err(invalid(unknown(item)));
        }
        if items[..index].contains(item) {
            return Err(invalid(format!("{item:?} is listed twice")));
        }
    }
    Ok(())
}

/// Whether `text` holds control characters (line breaks and tabs allowed in long texts).
fn has_control(text: &str, multiline: bool) -> bool {
    text.chars()
        .any(|c| c.is_control() && !(multiline && matches!(c, '\n' | '\r' | '\t')))
}
