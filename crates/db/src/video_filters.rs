//! The narrowing filters of a video list that PeerTube clients send (`categoryOneOf`,
//! `tagsAllOf`, `nsfw`, `durationMin`, `startDate`, …), as SQL conditions on `videos` for
//! [`crate::video_lists`]. Every value is a bound placeholder; the SQL text is fixed.

use crate::video_lists::Bind;

/// PeerTube's `languageOneOf` value for "no language set".
pub const UNKNOWN_LANGUAGE: &str = "_unknown";

/// PeerTube's `include` bit: videos in any state, not only published ones.
pub const INCLUDE_NOT_PUBLISHED: i64 = 1;
/// PeerTube's `include` bit: blocked videos (and those of banned users) too.
pub const INCLUDE_BLACKLISTED: i64 = 2;
/// PeerTube's `include` bit: videos of muted accounts and servers too.
pub const INCLUDE_BLOCKED_OWNER: i64 = 4;
/// Every bit PeerTube defines for `include` (the others, 8 to 64, add files, captions, the
/// source or automatic tags to each video's JSON and change no list).
pub const INCLUDE_ALL: i64 = 127;

/// Whose videos `host` keeps.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HostFilter {
    /// This instance's own (the host named is ours).
    Local,
    /// Those of accounts on this remote host (lowercase).
    Remote(String),
}

/// What a list is narrowed to; a `None` (or the default) filters nothing. Arrays are "one of"
/// (empty arrays are never built by the API).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct VideoFilters {
    /// Category ids (`categoryOneOf`).
    pub categories: Option<Vec<i64>>,
    /// Licence ids (`licenceOneOf`).
    pub licences: Option<Vec<i64>>,
    /// Language codes (`languageOneOf`); [`UNKNOWN_LANGUAGE`] stands for videos without one.
    pub languages: Option<Vec<String>>,
    /// At least one of these tags, case-insensitive (`tagsOneOf`).
    pub tags_one_of: Option<Vec<String>>,
    /// Every one of these tags, case-insensitive (`tagsAllOf`).
    pub tags_all_of: Option<Vec<String>>,
    /// Only NSFW videos (`Some(true)`), only the others (`Some(false)`), or both (`nsfw`).
    pub nsfw: Option<bool>,
    /// Only lives, or no lives (`isLive`).
    pub live: Option<bool>,
    /// Only videos with HLS files, or only those without (`hasHLSFiles`).
    pub has_hls: Option<bool>,
    /// Only videos with web video files (a local video's uploaded file until its renditions
    /// exist), or only those without (`hasWebVideoFiles`).
    pub has_web_videos: Option<bool>,
    /// Privacy ids (`privacyOneOf`, staff and a user's own list); replaces "public only".
    pub privacies: Option<Vec<i64>>,
    /// Shortest duration, seconds (`durationMin`).
    pub duration_min: Option<i64>,
    /// Longest duration, seconds (`durationMax`).
    pub duration_max: Option<i64>,
    /// Published at or after, epoch milliseconds (`startDate`).
    pub published_from: Option<i64>,
    /// Published at or before, epoch milliseconds (`endDate`).
    pub published_until: Option<i64>,
    /// Originally published at or after, epoch milliseconds (`originallyPublishedStartDate`).
    pub originally_published_from: Option<i64>,
    /// Originally published at or before, epoch milliseconds (`originallyPublishedEndDate`).
    pub originally_published_until: Option<i64>,
    /// Only the videos of accounts on this host (`host`).
    pub host: Option<HostFilter>,
    /// PeerTube's `include` bits (moderators): [`INCLUDE_NOT_PUBLISHED`],
    /// [`INCLUDE_BLACKLISTED`], [`INCLUDE_BLOCKED_OWNER`] lift the list's usual conditions.
    pub include: i64,
    /// At least one of these automatic tags (`autoTagOneOf`). Kinora tags nothing
    /// automatically yet, so a list asking for any matches nothing, as PeerTube's would.
    pub auto_tags_one_of: Option<Vec<String>>,
    /// `excludeAlreadyWatched` from a signed-in viewer: the user whose watch history
    /// (`user_video_history`) leaves its videos out.
    pub exclude_watched_by: Option<i64>,
    /// `nsfwFlagsIncluded` and `nsfwFlagsExcluded` (PeerTube's bits: 1 violent, 2 shocking,
    /// 4 sexually explicit). Videos carry no flags here (all 0), which PeerTube's conditions
    /// (`flags & included != 0` widens the safe list, `flags & excluded = 0` narrows) meet
    /// without changing the answer; kept so a list's cache key names them.
    pub nsfw_flags: (Option<i64>, Option<i64>),
}

impl VideoFilters {
    /// Whether the list depends on who asks beyond mutes (privacies, `include`, the viewer's
    /// history): such lists
    /// are computed each time, never kept for others.
    pub fn is_personal(&self) -> bool {
        self.privacies.is_some() || self.include != 0 || self.exclude_watched_by.is_some()
    }
}

/// `$a, $b, …` for `values` pushed onto `binds`.
fn placeholders(binds: &mut Vec<Bind>, values: impl IntoIterator<Item = Bind>) -> String {
    let mut list = Vec::new();
    for value in values {
        binds.push(value);
        list.push(format!("${}", binds.len()));
    }
    list.join(", ")
}

/// `$n` for one value pushed onto `binds`.
fn placeholder(binds: &mut Vec<Bind>, value: Bind) -> String {
    binds.push(value);
    format!("${}", binds.len())
}

/// A video has HLS files: its own master playlist, or a remote one its origin announced.
const HAS_HLS: &str = "(hls_master_file IS NOT NULL OR EXISTS (SELECT 1 FROM remote_video_media \
     m WHERE m.video_id = videos.id AND m.playlist_url IS NOT NULL))";
/// A video lists a web video file: a local one's uploaded file, until its renditions exist
/// (the API's `files`).
const HAS_WEB_VIDEOS: &str = "(url IS NULL AND hls_master_file IS NULL AND original_size > 0)";

impl VideoFilters {
    /// Adds the conditions of these filters (all but `privacies`, which
    /// [`crate::video_lists`] applies) to `conditions`, their values to `binds`.
    pub(crate) fn push_conditions(&self, conditions: &mut Vec<String>, binds: &mut Vec<Bind>) {
        if let Some(categories) = &self.categories {
            let list = placeholders(binds, categories.iter().map(|&id| Bind::Int(id)));
            conditions.push(format!("category IN ({list})"));
        }
        if let Some(user) = self.exclude_watched_by {
            let user = placeholder(binds, Bind::Int(user));
            conditions.push(format!(
                "id NOT IN (SELECT video_id FROM user_video_history WHERE user_id = {user})"
            ));
        }
        if let Some(licences) = &self.licences {
            let list = placeholders(binds, licences.iter().map(|&id| Bind::Int(id)));
            conditions.push(format!("licence IN ({list})"));
        }
        if let Some(languages) = &self.languages {
            let unknown = languages.iter().any(|code| code == UNKNOWN_LANGUAGE);
            let known: Vec<Bind> = languages
                .iter()
                .filter(|code| *code != UNKNOWN_LANGUAGE)
                .map(|code| Bind::Text(code.clone()))
                .collect();
            let mut either = Vec::new();
            if !known.is_empty() {
                either.push(format!("language IN ({})", placeholders(binds, known)));
            }
            if unknown {
                either.push("language IS NULL".to_owned());
            }
            conditions.push(format!("({})", either.join(" OR ")));
        }
        if let Some(tags) = &self.tags_one_of {
            let lowered: Vec<String> = tags
                .iter()
                .map(|tag| format!("lower({})", placeholder(binds, Bind::Text(tag.clone()))))
                .collect();
            conditions.push(format!(
                "EXISTS (SELECT 1 FROM video_tags t WHERE t.video_id = videos.id \
                 AND t.tag IN ({}))",
                lowered.join(", ")
            ));
        }
        if let Some(tags) = &self.tags_all_of {
            for tag in tags {
                let p = placeholder(binds, Bind::Text(tag.clone()));
                conditions.push(format!(
                    "EXISTS (SELECT 1 FROM video_tags t WHERE t.video_id = videos.id \
                     AND t.tag = lower({p}))"
                ));
            }
        }
        match self.nsfw {
            Some(true) => conditions.push("nsfw = 1".to_owned()),
            Some(false) => conditions.push("nsfw = 0".to_owned()),
            None => {}
        }
        match self.live {
            Some(true) => conditions.push("is_live = 1".to_owned()),
            Some(false) => conditions.push("is_live = 0".to_owned()),
            None => {}
        }
        if self.auto_tags_one_of.is_some() {
            conditions.push("1 = 0".to_owned());
        }
        match &self.host {
            Some(HostFilter::Local) => conditions.push("url IS NULL".to_owned()),
            Some(HostFilter::Remote(host)) => {
                let p = placeholder(binds, Bind::Text(host.clone()));
                conditions.push(format!(
                    "channel_id IN (SELECT c.id FROM channels c \
                     JOIN accounts ac ON ac.id = c.account_id \
                     JOIN actors a ON a.id = ac.actor_id WHERE LOWER(a.host) = {p})"
                ));
            }
            None => {}
        }
        match self.has_hls {
            Some(true) => conditions.push(HAS_HLS.to_owned()),
            Some(false) => conditions.push(format!("NOT {HAS_HLS}")),
            None => {}
        }
        match self.has_web_videos {
            Some(true) => conditions.push(HAS_WEB_VIDEOS.to_owned()),
            Some(false) => conditions.push(format!("NOT {HAS_WEB_VIDEOS}")),
            None => {}
        }
        let ranges = [
            ("duration >=", self.duration_min),
            ("duration <=", self.duration_max),
            ("published_at >=", self.published_from),
            ("published_at <=", self.published_until),
            ("originally_published_at >=", self.originally_published_from),
            (
                "originally_published_at <=",
                self.originally_published_until,
            ),
        ];
        for (test, value) in ranges {
            if let Some(value) = value {
                let p = placeholder(binds, Bind::Int(value));
                conditions.push(format!("{test} {p}"));
            }
        }
    }
}
