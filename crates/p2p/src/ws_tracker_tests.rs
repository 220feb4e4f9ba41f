//! Tests of the WebSocket tracker's protocol logic.

use super::*;

fn open() -> TrackerConfig {
    TrackerConfig {
        private: false,
        ..TrackerConfig::default()
    }
}

fn announce(hash: &Id20, peer: &Id20, extra: Value) -> String {
    let mut message = json!({
        "action": "announce",
        "info_hash": encode_binary(hash),
        "peer_id": encode_binary(peer),
        "numwant": 5, "uploaded": 0, "downloaded": 0,
    });
    if let (Value::Object(base), Value::Object(extra)) = (&mut message, extra) {
        base.extend(extra);
    }
    message.to_string()
}

fn offers(count: u8) -> Value {
    let offers: Vec<Value> = (0..count)
        .map(|n| {
            json!({"offer": {"type": "offer", "sdp": format!("v=0 {n}")},
                   "offer_id": encode_binary(&[n; 20])})
        })
        .collect();
    json!({ "offers": offers })
}

fn parse(text: &str) -> Value {
    serde_json::from_str(text).unwrap()
}

fn yes(_: &Id20) -> bool {
    true
}

#[test]
fn binary_strings_are_latin1_bytes() {
    let bytes: Id20 = std::array::from_fn(|i| (i as u8).wrapping_mul(13).wrapping_add(200));
    assert_eq!(decode_binary(&encode_binary(&bytes)), Some(bytes));
    // Bytes 0x80–0xFF are one character each (two bytes of UTF-8), not UTF-8 sequences.
    assert_eq!(encode_binary(&[0xC3, 0xA9]), "Ã©");
    // The ASCII info hashes of p2p-media-loader v2.
    assert_eq!(
        decode_binary("Fexw8f5yaB3XHbRtQ+J4"),
        Some(*b"Fexw8f5yaB3XHbRtQ+J4")
    );
}

#[test]
fn an_info_hash_of_the_wrong_length_is_refused() {
    for hash in ["", "short", "twenty-one characters", &"x".repeat(19)] {
        let text = json!({"action": "announce", "info_hash": hash,
                          "peer_id": encode_binary(&[1; 20])})
        .to_string();
        assert_eq!(
            parse_message(&text, 65536),
            Err(WsError::Invalid("info_hash")),
            "{hash:?}"
        );
    }
    let text = json!({"action": "announce", "info_hash": 5, "peer_id": "x"}).to_string();
    assert_eq!(
        parse_message(&text, 65536),
        Err(WsError::Invalid("message"))
    );
}

#[test]
fn characters_above_latin1_are_refused() {
    // 20 characters, but one is U+0100 and one an emoji.
    for hash in ["Ā".repeat(20), format!("{}😀", "a".repeat(19))] {
        assert_eq!(hash.chars().count(), 20);
        assert_eq!(decode_binary(&hash), None);
        let text = announce(&[0; 20], &[1; 20], json!({}))
            .replace(&encode_binary(&[0; 20]).replace('\0', "\\u0000"), &hash);
        assert_eq!(
            parse_message(&text, 65536),
            Err(WsError::Invalid("info_hash")),
            "{text}"
        );
    }
    let peer = json!({"action": "announce", "info_hash": encode_binary(&[1; 20]),
                      "peer_id": "Ā".repeat(20)})
    .to_string();
    assert_eq!(
        parse_message(&peer, 65536),
        Err(WsError::Invalid("peer_id"))
    );
}

#[test]
fn a_message_without_action_or_with_an_unknown_one_is_refused() {
    let no_action = json!({"info_hash": encode_binary(&[1; 20]),
                           "peer_id": encode_binary(&[2; 20])})
    .to_string();
    assert_eq!(
        parse_message(&no_action, 65536),
        Err(WsError::Invalid("action"))
    );
    let other = no_action.replacen('{', "{\"action\":\"delete\",", 1);
    assert_eq!(
        parse_message(&other, 65536),
        Err(WsError::Invalid("action"))
    );
    for junk in ["", "null", "[]", "{", "\"announce\""] {
        assert!(parse_message(junk, 65536).is_err(), "{junk}");
    }
    let tracker = WsTracker::new(open());
    let conn = tracker.connect("127.0.0.1".parse().unwrap()).unwrap();
    let out = tracker.on_message(conn, &no_action, yes);
    assert_eq!(out.len(), 1);
    assert_eq!(parse(&out[0].1)["failure reason"], "invalid action");
}

#[test]
fn a_10_mb_message_is_refused_unparsed() {
    let huge = announce(
        &[1; 20],
        &[2; 20],
        json!({"offers": [{"offer": {"sdp": "x".repeat(10 * 1024 * 1024)},
                           "offer_id": encode_binary(&[3; 20])}]}),
    );
    assert_eq!(parse_message(&huge, 64 * 1024), Err(WsError::TooLarge));
    let tracker = WsTracker::new(open());
    let conn = tracker.connect("127.0.0.1".parse().unwrap()).unwrap();
    let out = tracker.on_message(conn, &huge, yes);
    assert_eq!(parse(&out[0].1)["failure reason"], "message too large");
    assert_eq!(tracker.size(), (0, 0, 1));
}

#[test]
fn bad_events_offers_and_answers_are_refused() {
    let hash = [1; 20];
    let peer = [2; 20];
    let bad = [
        (announce(&hash, &peer, json!({"event": "boom"})), "event"),
        (
            announce(
                &hash,
                &peer,
                json!({"offers": [{"offer_id": encode_binary(&[1; 20])}]}),
            ),
            "offer",
        ),
        (
            announce(
                &hash,
                &peer,
                json!({"offers": [{"offer": {"sdp": ""}, "offer_id": "x"}]}),
            ),
            "offer_id",
        ),
        (
            announce(
                &hash,
                &peer,
                json!({"answer": {"sdp": ""}, "offer_id": encode_binary(&[1; 20])}),
            ),
            "to_peer_id",
        ),
        (
            announce(
                &hash,
                &peer,
                json!({"answer": "text", "to_peer_id": encode_binary(&[1; 20])}),
            ),
            "answer",
        ),
    ];
    for (text, field) in bad {
        assert_eq!(
            parse_message(&text, 65536),
            Err(WsError::Invalid(field)),
            "{text}"
        );
    }
    let Ok(ClientMessage::Announce(parsed)) =
        parse_message(&announce(&hash, &peer, offers(30)), 65536)
    else {
        panic!("an announce");
    };
    assert_eq!(parsed.offers.len(), MAX_OFFERS);
    assert_eq!(parsed.event, WsEvent::Update);
    assert!(!parsed.complete, "no `left` means incomplete");
    let Ok(ClientMessage::Announce(seeder)) = parse_message(
        &announce(&hash, &peer, json!({"left": 0, "event": "paused"})),
        65536,
    ) else {
        panic!("an announce");
    };
    assert!(seeder.complete);
    assert_eq!(seeder.event, WsEvent::Paused);
}

#[test]
fn offers_go_to_other_peers_and_never_back_and_answers_return() {
    let tracker = WsTracker::new(open());
    let ip: IpAddr = "127.0.0.1".parse().unwrap();
    let hash = [9; 20];
    let a = tracker.connect(ip).unwrap();
    let b = tracker.connect(ip).unwrap();
    let c = tracker.connect(ip).unwrap();
    // A alone: only the announce response; its offers have nobody to go to.
    let out = tracker.on_message(a, &announce(&hash, &[0xA; 20], offers(5)), yes);
    assert_eq!(out.len(), 1);
    let response = parse(&out[0].1);
    assert_eq!(out[0].0, a);
    assert_eq!(response["action"], "announce");
    assert_eq!(response["interval"], 120);
    assert_eq!(response["incomplete"], 1);
    assert_eq!(response["info_hash"], encode_binary(&hash));
    tracker.on_message(c, &announce(&hash, &[0xC; 20], json!({"left": 0})), yes);
    // B with 5 offers: response plus one offer each to A and C, none to B.
    let out = tracker.on_message(b, &announce(&hash, &[0xB; 20], offers(5)), yes);
    assert_eq!(out[0].0, b);
    assert_eq!(parse(&out[0].1)["complete"], 1);
    assert_eq!(parse(&out[0].1)["incomplete"], 2);
    let targets: HashSet<_> = out[1..].iter().map(|(conn, _)| *conn).collect();
    assert_eq!(out.len(), 3);
    assert_eq!(targets, HashSet::from([a, c]));
    let relayed = parse(&out[1].1);
    assert_eq!(relayed["peer_id"], encode_binary(&[0xB; 20]));
    assert_eq!(relayed["info_hash"], encode_binary(&hash));
    assert_eq!(relayed["offer"]["type"], "offer");
    let offer_id = relayed["offer_id"].as_str().unwrap().to_owned();
    // The answer from whoever got it goes back to B only, with nothing to the answerer.
    let (answerer, answerer_id) = if out[1].0 == a {
        (a, [0xA; 20])
    } else {
        (c, [0xC; 20])
    };
    let answer = json!({"action": "announce", "info_hash": encode_binary(&hash),
        "peer_id": encode_binary(&answerer_id), "to_peer_id": encode_binary(&[0xB; 20]),
        "offer_id": offer_id, "answer": {"type": "answer", "sdp": "v=0"}})
    .to_string();
    let out = tracker.on_message(answerer, &answer, yes);
    assert_eq!(out.len(), 1);
    assert_eq!(out[0].0, b);
    let relayed = parse(&out[0].1);
    assert_eq!(relayed["answer"]["type"], "answer");
    assert_eq!(relayed["peer_id"], encode_binary(&answerer_id));
    assert_eq!(relayed["offer_id"], offer_id);
}

#[test]
fn many_announces_never_offer_to_the_sender() {
    let tracker = WsTracker::new(open());
    let ip: IpAddr = "10.0.0.1".parse().unwrap();
    let hash = [3; 20];
    let conns: Vec<_> = (0..5u8)
        .map(|n| {
            let conn = tracker.connect(ip).unwrap();
            tracker.on_message(conn, &announce(&hash, &[n; 20], json!({})), yes);
            conn
        })
        .collect();
    for _ in 0..200 {
        let out = tracker.on_message(conns[0], &announce(&hash, &[0; 20], offers(10)), yes);
        assert_eq!(
            out.len(),
            5,
            "response plus one offer to each of the 4 others"
        );
        let targets: HashSet<_> = out[1..].iter().map(|(conn, _)| *conn).collect();
        assert_eq!(targets.len(), 4);
        assert!(!targets.contains(&conns[0]));
    }
}

#[test]
fn an_answer_to_an_unknown_peer_is_dropped() {
    let tracker = WsTracker::new(open());
    let ip: IpAddr = "127.0.0.1".parse().unwrap();
    let a = tracker.connect(ip).unwrap();
    let b = tracker.connect(ip).unwrap();
    tracker.on_message(a, &announce(&[1; 20], &[0xA; 20], json!({})), yes);
    let answer = |hash: &Id20, to: &Id20| {
        json!({"action": "announce", "info_hash": encode_binary(hash),
            "peer_id": encode_binary(&[0xB; 20]), "to_peer_id": encode_binary(to),
            "offer_id": encode_binary(&[7; 20]), "answer": {"type": "answer", "sdp": ""}})
        .to_string()
    };
    // Unknown peer id, and a known peer id in another swarm.
    assert!(
        tracker
            .on_message(b, &answer(&[1; 20], &[0xF; 20]), yes)
            .is_empty()
    );
    assert!(
        tracker
            .on_message(b, &answer(&[2; 20], &[0xA; 20]), yes)
            .is_empty()
    );
    assert_eq!(
        tracker.on_message(b, &answer(&[1; 20], &[0xA; 20]), yes)[0].0,
        a
    );
}

#[test]
fn closing_a_connection_removes_all_its_peers() {
    let tracker = WsTracker::new(open());
    let ip: IpAddr = "127.0.0.1".parse().unwrap();
    let a = tracker.connect(ip).unwrap();
    let b = tracker.connect(ip).unwrap();
    for hash in 0..3u8 {
        for peer in 0..2u8 {
            tracker.on_message(a, &announce(&[hash; 20], &[peer; 20], json!({})), yes);
        }
    }
    tracker.on_message(b, &announce(&[0; 20], &[9; 20], json!({})), yes);
    assert_eq!(tracker.size(), (3, 7, 2));
    tracker.on_close(a);
    assert_eq!(tracker.size(), (1, 1, 1));
    // A's peer ids are free again, and B gets no offer from the gone A.
    let c = tracker.connect(ip).unwrap();
    let out = tracker.on_message(c, &announce(&[0; 20], &[0; 20], offers(3)), yes);
    assert_eq!(
        out.iter().map(|(conn, _)| *conn).collect::<Vec<_>>(),
        [c, b]
    );
    tracker.on_close(b);
    tracker.on_close(c);
    assert_eq!(tracker.size(), (0, 0, 0));
}

#[test]
fn stopped_leaves_and_a_peer_id_cannot_be_taken_over() {
    let tracker = WsTracker::new(open());
    let ip: IpAddr = "127.0.0.1".parse().unwrap();
    let a = tracker.connect(ip).unwrap();
    let b = tracker.connect(ip).unwrap();
    tracker.on_message(a, &announce(&[1; 20], &[0xA; 20], json!({})), yes);
    let out = tracker.on_message(b, &announce(&[1; 20], &[0xA; 20], json!({})), yes);
    assert_eq!(parse(&out[0].1)["failure reason"], "peer_id in use");
    let out = tracker.on_message(
        a,
        &announce(&[1; 20], &[0xA; 20], json!({"event": "stopped"})),
        yes,
    );
    assert_eq!(parse(&out[0].1)["incomplete"], 0);
    assert_eq!(tracker.size(), (0, 0, 2));
}

#[test]
fn swarms_peers_info_hashes_and_sockets_are_capped() {
    let tracker = WsTracker::new(TrackerConfig {
        max_peers_per_swarm: 3,
        max_swarms: 2,
        max_sockets_per_address: 4,
        ..open()
    });
    let ip: IpAddr = "127.0.0.1".parse().unwrap();
    let conns: Vec<_> = (0..4).map(|_| tracker.connect(ip).unwrap()).collect();
    assert_eq!(tracker.connect(ip), None, "the fifth socket of one address");
    assert!(tracker.connect("127.0.0.2".parse().unwrap()).is_some());
    for (n, conn) in conns.iter().enumerate() {
        let out = tracker.on_message(*conn, &announce(&[1; 20], &[n as u8; 20], json!({})), yes);
        assert_eq!(parse(&out[0].1)["incomplete"], n.min(2) + 1);
    }
    assert_eq!(tracker.size().1, 3, "a swarm holds at most 3 peers");
    // The one left out gets no offers and sends none.
    let out = tracker.on_message(conns[3], &announce(&[1; 20], &[3; 20], offers(5)), yes);
    assert_eq!(out.len(), 1);
    tracker.on_message(conns[0], &announce(&[2; 20], &[0; 20], json!({})), yes);
    let out = tracker.on_message(conns[0], &announce(&[3; 20], &[0; 20], json!({})), yes);
    assert_eq!(parse(&out[0].1)["failure reason"], "tracker full");
    tracker.on_close(conns[3]);
    assert!(
        tracker.connect(ip).is_some(),
        "a closed socket frees its slot"
    );

    let tracker = WsTracker::new(open());
    let conn = tracker.connect(ip).unwrap();
    for n in 0..MAX_INFO_HASHES_PER_CONNECTION {
        let hash: Id20 = std::array::from_fn(|i| (n >> (i % 2 * 8)) as u8);
        let out = tracker.on_message(conn, &announce(&hash, &[1; 20], json!({})), yes);
        assert!(parse(&out[0].1).get("failure reason").is_none());
    }
    let out = tracker.on_message(conn, &announce(&[0xEE; 20], &[1; 20], json!({})), yes);
    assert_eq!(
        parse(&out[0].1)["failure reason"],
        "too many info_hashes on this connection"
    );
}

#[test]
fn private_mode_refuses_hashes_the_caller_does_not_allow() {
    let tracker = WsTracker::new(TrackerConfig::default());
    let conn = tracker.connect("127.0.0.1".parse().unwrap()).unwrap();
    let out = tracker.on_message(conn, &announce(&[5; 20], &[1; 20], json!({})), |_| false);
    let failure = parse(&out[0].1);
    assert_eq!(failure["failure reason"], "unknown info_hash");
    assert_eq!(failure["info_hash"], encode_binary(&[5; 20]));
    assert_eq!(tracker.size(), (0, 0, 1));
    let out = tracker.on_message(conn, &announce(&[5; 20], &[1; 20], json!({})), yes);
    assert_eq!(parse(&out[0].1)["incomplete"], 1);
}

#[test]
fn scrape_counts_the_swarms_asked_for() {
    let tracker = WsTracker::new(open());
    let conn = tracker.connect("127.0.0.1".parse().unwrap()).unwrap();
    tracker.on_message(conn, &announce(&[1; 20], &[1; 20], json!({"left": 0})), yes);
    let scrape = json!({"action": "scrape",
                        "info_hash": [encode_binary(&[1; 20]), encode_binary(&[2; 20])]})
    .to_string();
    let out = parse(&tracker.on_message(conn, &scrape, yes)[0].1);
    assert_eq!(out["files"][encode_binary(&[1; 20])]["complete"], 1);
    assert_eq!(out["files"][encode_binary(&[2; 20])]["incomplete"], 0);
}
