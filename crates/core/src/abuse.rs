//! Abuse reports as PeerTube counts them: their states, the predefined reasons (names on the
//! wire, ids 1–8, stored as bits of one integer) and the limits of their texts.

/// Shortest reason, moderation comment or message, in characters.
pub const TEXT_MIN: usize = 2;
/// Longest reason, moderation comment or message, in characters.
pub const TEXT_MAX: usize = 3000;
/// Reports one user may file per hour (more answer 429 with `Retry-After`): each one reaches
/// every moderator and may go to another instance as a Flag.
pub const REPORTS_PER_HOUR: i64 = 20;

/// A report's state (PeerTube's `AbuseState`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AbuseState {
    /// Not looked at yet.
    Pending,
    /// Looked at, nothing done.
    Rejected,
    /// Looked at and acted on.
    Accepted,
}

impl AbuseState {
    /// The state of PeerTube's id (1 pending, 2 rejected, 3 accepted).
    pub fn from_id(id: i64) -> Option<Self> {
        match id {
            1 => Some(Self::Pending),
            2 => Some(Self::Rejected),
            3 => Some(Self::Accepted),
            _ => None,
        }
    }

    /// PeerTube's id.
    pub fn id(self) -> i64 {
        match self {
            Self::Pending => 1,
            Self::Rejected => 2,
            Self::Accepted => 3,
        }
    }

    /// PeerTube's label.
    pub fn label(self) -> &'static str {
        match self {
            Self::Pending => "Pending",
            Self::Rejected => "Rejected",
            Self::Accepted => "Accepted",
        }
    }
}

/// PeerTube's predefined reasons, in the order of their ids (1 to 8).
pub const PREDEFINED_REASONS: [&str; 8] = [
    "violentOrRepulsive",
    "hatefulOrAbusive",
    "spamOrMisleading",
    "privacy",
    "rights",
    "serverRules",
    "thumbnails",
    "captions",
];

/// The id (1–8) of a predefined reason's name.
pub fn reason_id(name: &str) -> Option<i64> {
    PREDEFINED_REASONS
        .iter()
        .position(|known| *known == name)
        .map(|index| index as i64 + 1)
}

/// The bit of reason `id` in a stored set.
pub fn reason_bit(id: i64) -> i64 {
    1 << id
}

/// The stored set of reasons named (an unknown name is `Err` with that name).
pub fn reasons_to_bits<'a>(names: impl IntoIterator<Item = &'a str>) -> Result<i64, &'a str> {
    names.into_iter().try_fold(0, |bits, name| {
        reason_id(name).map(|id| bits | reason_bit(id)).ok_or(name)
    })
}

/// The names of a stored set of reasons, in id order.
pub fn bits_to_reasons(bits: i64) -> Vec<&'static str> {
    PREDEFINED_REASONS
        .iter()
        .enumerate()
        .filter(|(index, _)| bits & reason_bit(*index as i64 + 1) != 0)
        .map(|(_, name)| *name)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reasons_round_trip_through_bits() {
        assert_eq!(reason_id("violentOrRepulsive"), Some(1));
        assert_eq!(reason_id("captions"), Some(8));
        assert_eq!(reason_id("violentOrAbusive"), None);
        let bits = reasons_to_bits(["spamOrMisleading", "captions"]).unwrap();
        assert_eq!(bits, (1 << 3) | (1 << 8));
        assert_eq!(bits_to_reasons(bits), ["spamOrMisleading", "captions"]);
        assert_eq!(reasons_to_bits(["privacy", "nope"]), Err("nope"));
        assert!(bits_to_reasons(0).is_empty());
    }

    #[test]
    fn states_have_peertube_ids_and_labels() {
        for id in 1..=3 {
            assert_eq!(AbuseState::from_id(id).unwrap().id(), id);
        }
        assert_eq!(AbuseState::from_id(3).unwrap().label(), "Accepted");
        assert_eq!(AbuseState::from_id(0), None);
        assert_eq!(AbuseState::from_id(4), None);
    }
}
