//! Tests of the `[storage.s3]` settings: defaults, validation, secrets, URLs, per-kind locations.

use super::*;

fn config() -> S3Config {
    S3Config {
        bucket: "videos".to_owned(),
        access_key_id: Some("AKID".to_owned()),
        secret_access_key: Some(Secret::new("very-secret-value")),
        ..S3Config::default()
    }
}

#[test]
fn debug_output_never_shows_the_secret() {
    let config = config();
    let debug = format!("{config:?}");
    assert!(!debug.contains("very-secret-value"), "{debug}");
    assert!(debug.contains("***"), "{debug}");
    let pretty = format!("{config:#?}");
    assert!(!pretty.contains("very-secret-value"));
    let secret = Secret::new("very-secret-value");
    assert_eq!(format!("{secret:?}"), "***");
    assert_eq!(format!("{secret}"), "***");
    let resolved = config.resolve_credentials(|_| None).unwrap();
    assert!(!format!("{resolved:?}").contains("very-secret-value"));
}

#[test]
fn defaults_and_unknown_keys() {
    let config: S3Config = serde_json::from_str(r#"{"bucket": "b-1"}"#).unwrap();
    assert_eq!(config.region, "us-east-1");
    assert_eq!(config.prefix, "");
    assert_eq!(config.multipart_part_size, 16 * 1024 * 1024);
    assert!(!config.force_path_style);
    assert!(serde_json::from_str::<S3Config>(r#"{"bucket": "b", "secret": "x"}"#).is_err());
    let with_secret: S3Config =
        serde_json::from_str(r#"{"bucket": "b-1", "secret_access_key": "s3cr3t"}"#).unwrap();
    assert_eq!(with_secret.secret_access_key.unwrap().expose(), "s3cr3t");
}

#[test]
fn validation_refuses_bad_settings() {
    assert!(config().validate().is_ok());
    let bad = [
        S3Config {
            bucket: String::new(),
            ..config()
        },
        S3Config {
            bucket: "Upper".to_owned(),
            ..config()
        },
        S3Config {
            prefix: "/abs".to_owned(),
            ..config()
        },
        S3Config {
            prefix: "a/../b".to_owned(),
            ..config()
        },
        S3Config {
            prefix: "a b".to_owned(),
            ..config()
        },
        S3Config {
            multipart_part_size: MIN_PART_SIZE - 1,
            ..config()
        },
        S3Config {
            endpoint: Some(" ".to_owned()),
            ..config()
        },
    ];
    for config in bad {
        let error = config.validate().unwrap_err();
        assert!(!error.to_string().contains("very-secret-value"));
    }
}

#[test]
fn credentials_fall_back_to_the_environment() {
    let env = |name: &str| match name {
        "AWS_ACCESS_KEY_ID" => Some("ENVID".to_owned()),
        "AWS_SECRET_ACCESS_KEY" => Some("envsecret".to_owned()),
        "AWS_SESSION_TOKEN" => Some("token".to_owned()),
        _ => None,
    };
    let none = S3Config {
        access_key_id: None,
        secret_access_key: None,
        ..config()
    };
    let resolved = none.resolve_credentials(env).unwrap();
    assert_eq!(resolved.access_key_id, "ENVID");
    assert_eq!(resolved.secret_access_key.expose(), "envsecret");
    assert!(resolved.session_token.is_some());
    let resolved = config().resolve_credentials(env).unwrap();
    assert_eq!(resolved.access_key_id, "AKID");
    assert!(resolved.session_token.is_none());
    let error = none.resolve_credentials(|_| None).unwrap_err();
    assert!(error.to_string().contains("AWS_SECRET_ACCESS_KEY"));
}

#[test]
fn urls_follow_the_addressing_style() {
    let path_style = S3Config {
        endpoint: Some("http://127.0.0.1:9000/".to_owned()),
        force_path_style: true,
        ..config()
    };
    assert_eq!(
        path_style.bucket_object_url("p/a.mp4"),
        "http://127.0.0.1:9000/videos/p/a.mp4"
    );
    let virtual_host = S3Config {
        endpoint: Some("s3.example.com".to_owned()),
        ..config()
    };
    assert_eq!(
        virtual_host.public_object_url("a.mp4"),
        "https://videos.s3.example.com/a.mp4"
    );
    assert_eq!(
        config().public_object_url("a.mp4"),
        "https://videos.s3.us-east-1.amazonaws.com/a.mp4"
    );
    let cdn = S3Config {
        public_base_url: Some("https://cdn.example.com/media/".to_owned()),
        ..path_style
    };
    assert_eq!(
        cdn.public_object_url("a.mp4"),
        "https://cdn.example.com/media/a.mp4"
    );
}

#[test]
fn kinds_get_their_own_locations_and_public_ones_must_be_apart() {
    let public_hls = S3KindConfig {
        bucket: Some("public-media".to_owned()),
        public: true,
        public_base_url: Some("https://cdn.example.com".to_owned()),
        ..S3KindConfig::default()
    };
    let config = S3Config {
        hls: public_hls.clone(),
        originals: S3KindConfig {
            prefix: Some("originals/".to_owned()),
            ..S3KindConfig::default()
        },
        ..config()
    };
    assert!(config.validate().is_ok());
    let public = config.location(&config.hls, true).unwrap();
    assert_eq!(public.bucket, "public-media");
    assert_eq!(
        public.public_base_url.as_deref(),
        Some("https://cdn.example.com")
    );
    // Private videos' HLS stays in the main, private bucket.
    let private = config.location(&config.hls, false).unwrap();
    assert_eq!(
        (private.bucket.as_str(), private.prefix.as_str()),
        ("videos", "")
    );
    assert_eq!(private.public_base_url, None);
    assert!(config.location(&config.originals, true).is_none());
    assert_eq!(
        config.location(&config.originals, false).unwrap().prefix,
        "originals/"
    );

    let refused = [
        S3Config {
            originals: S3KindConfig {
                public: true,
                bucket: Some("elsewhere".to_owned()),
                ..S3KindConfig::default()
            },
            ..config.clone()
        },
        // Same bucket, and the public prefix contains the private one.
        S3Config {
            images: S3KindConfig {
                public: true,
                ..S3KindConfig::default()
            },
            ..config.clone()
        },
        S3Config {
            prefix: "private/".to_owned(),
            images: S3KindConfig {
                public: true,
                prefix: Some(String::new()),
                ..S3KindConfig::default()
            },
            ..config.clone()
        },
        S3Config {
            hls: S3KindConfig {
                bucket: Some("Bad_Bucket".to_owned()),
                ..public_hls.clone()
            },
            ..config.clone()
        },
        S3Config {
            hls: S3KindConfig {
                prefix: Some("../up".to_owned()),
                ..public_hls
            },
            ..config.clone()
        },
    ];
    for bad in refused {
        assert!(bad.validate().is_err(), "{bad:?}");
    }
    let apart = S3Config {
        images: S3KindConfig {
            public: true,
            prefix: Some("public/".to_owned()),
            ..S3KindConfig::default()
        },
        ..config
    };
    assert!(apart.validate().is_ok());
}
