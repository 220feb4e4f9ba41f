//! The librqbit seeding session against real files and a real peer connection: read-only
//! files are seeded block by block and never changed, a restart verifies only a sample of
//! pieces thanks to fast-resume, files that do not match their torrent are refused and left as
//! they are, and reconciling adds and removes torrents without touching files.

mod support;

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use kinora_p2p::build_torrent;
use kinora_p2p::seeder::{ReconcileReport, SeedFile, Seeder, SeederConfig};
use sha2::{Digest, Sha256};
use support::open_files::open_modes;
use support::peer_wire::handshake;
use support::{random_bytes, spec, write_file};

const MIB: usize = 1024 * 1024;

fn config(resume_dir: &Path) -> SeederConfig {
    SeederConfig {
        listen: "127.0.0.1:0".parse().unwrap(),
        resume_dir: resume_dir.to_path_buf(),
        ..SeederConfig::default()
    }
}

/// Writes `data` as a media file and its torrent; answers what to seed.
async fn media(dir: &Path, name: &str, data: &[u8]) -> SeedFile {
    let media_path = write_file(dir, name, data);
    let torrent = build_torrent(&media_path, &spec(name, "http://127.0.0.1:1/x"))
        .await
        .unwrap();
    let torrent_path = dir.join(format!("{name}.torrent"));
    std::fs::write(&torrent_path, &torrent.bytes).unwrap();
    SeedFile {
        info_hash: torrent.info_hash,
        torrent_path,
        media_path,
    }
}

/// What a file looks like: SHA-256, length, modification time, mode.
fn snapshot(path: &Path) -> ([u8; 32], u64, SystemTime, u32) {
    let metadata = std::fs::metadata(path).unwrap();
    (
        Sha256::digest(std::fs::read(path).unwrap()).into(),
        metadata.len(),
        metadata.modified().unwrap(),
        metadata.permissions().mode() & 0o7777,
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_read_only_file_is_seeded_block_by_block_and_left_unchanged() {
    let dir = tempfile::tempdir().unwrap();
    let data = random_bytes(3 * MIB + 4321, 7);
    let file = media(dir.path(), "ro.mp4", &data).await;
    std::fs::set_permissions(&file.media_path, std::fs::Permissions::from_mode(0o444)).unwrap();
    let before = snapshot(&file.media_path);

    let seeder = Seeder::start(&config(&dir.path().join("resume")))
        .await
        .unwrap();
    let report = seeder.reconcile(vec![file.clone()]).await;
    assert_eq!(
        report,
        ReconcileReport {
            added: 1,
            seeding: 1,
            ..ReconcileReport::default()
        }
    );
    assert_eq!(seeder.info_hashes().await, vec![file.info_hash]);
    let modes = open_modes("self", std::slice::from_ref(&file.media_path));
    assert!(!modes.is_empty(), "the seeder keeps the file open");
    assert!(
        modes.iter().all(|&mode| mode == 0),
        "opened read-only: {modes:?}"
    );

    let mut peer = handshake(seeder.listen_addr(), file.info_hash)
        .await
        .expect("the seeder answers for its torrent");
    let piece_length = kinora_p2p::piece_length_for(data.len() as u64) as usize;
    let last = (data.len() - 1) / piece_length;
    let block = peer.fetch_block(2, 0, 16 * 1024).await;
    assert_eq!(block, data[2 * piece_length..2 * piece_length + 16 * 1024]);
    let tail = data.len() - last * piece_length;
    let block = peer.fetch_block(last as u32, 0, tail as u32).await;
    assert_eq!(block, data[last * piece_length..]);
    let bitfield = peer.bitfield.clone().expect("a seeder sends its bitfield");
    let have: u32 = bitfield.iter().map(|byte| byte.count_ones()).sum();
    assert_eq!(have as usize, last + 1, "every piece");

    seeder.stop().await;
    assert_eq!(snapshot(&file.media_path), before);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_restart_reads_only_a_sample_of_pieces_thanks_to_fast_resume() {
    let dir = tempfile::tempdir().unwrap();
    let data = random_bytes(16 * MIB, 11);
    let file = media(dir.path(), "big.mp4", &data).await;
    let resume = dir.path().join("resume");

    let first = Seeder::start(&config(&resume)).await.unwrap();
    assert_eq!(first.reconcile(vec![file.clone()]).await.added, 1);
    let full = first.bytes_read();
    assert!(
        full >= data.len() as u64,
        "the first start reads everything: {full}"
    );
    first.stop().await;
    let bitfield = resume.join(format!("{}.bitv", hex::encode(file.info_hash)));
    assert!(bitfield.is_file(), "the verified pieces are kept");

    let second = Seeder::start(&config(&resume)).await.unwrap();
    assert_eq!(second.reconcile(vec![file.clone()]).await.added, 1);
    let sampled = second.bytes_read();
    assert!(sampled > 0, "a sample is still checked");
    assert!(
        sampled * 10 < full,
        "a restart read {sampled} bytes of {full}"
    );
    let mut peer = handshake(second.listen_addr(), file.info_hash)
        .await
        .unwrap();
    assert_eq!(peer.fetch_block(0, 0, 16 * 1024).await, data[..16 * 1024]);

    // Not wanted any more: removed, and its fast-resume state with it.
    let report = second.reconcile(Vec::new()).await;
    assert_eq!((report.removed, report.seeding), (1, 0));
    assert!(!bitfield.exists());
    second.stop().await;
    assert_eq!(std::fs::read(&file.media_path).unwrap(), data);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn files_that_do_not_match_their_torrent_are_refused_and_left_alone() {
    let dir = tempfile::tempdir().unwrap();
    let data = random_bytes(MIB + 17, 3);

    // Longer than its torrent says: librqbit's own storage would truncate it.
    let longer = media(dir.path(), "longer.mp4", &data).await;
    let mut grown = data.clone();
    grown.extend_from_slice(&[9; 1000]);
    std::fs::write(&longer.media_path, &grown).unwrap();
    // The right length, one byte changed: librqbit's own storage would download and write it.
    let corrupt = media(dir.path(), "corrupt.mp4", &random_bytes(MIB, 4)).await;
    let mut changed = std::fs::read(&corrupt.media_path).unwrap();
    changed[MIB / 2] ^= 0xff;
    std::fs::write(&corrupt.media_path, &changed).unwrap();
    // The database's info hash is not the torrent's.
    let mut mislabelled = media(dir.path(), "mislabelled.mp4", &random_bytes(40_000, 5)).await;
    mislabelled.info_hash = [1; 20];
    // The media file is gone.
    let missing = media(dir.path(), "missing.mp4", &random_bytes(40_000, 6)).await;
    std::fs::remove_file(&missing.media_path).unwrap();
    let before = [snapshot(&longer.media_path), snapshot(&corrupt.media_path)];

    let seeder = Seeder::start(&config(&dir.path().join("resume")))
        .await
        .unwrap();
    let wanted = vec![
        longer.clone(),
        corrupt.clone(),
        mislabelled.clone(),
        missing.clone(),
    ];
    let refused = ReconcileReport {
        refused: 4,
        ..ReconcileReport::default()
    };
    assert_eq!(seeder.reconcile(wanted.clone()).await, refused);
    assert_eq!(
        [snapshot(&longer.media_path), snapshot(&corrupt.media_path)],
        before
    );
    for file in &wanted {
        assert!(
            handshake(seeder.listen_addr(), file.info_hash)
                .await
                .is_none()
        );
    }
    // Refusals are remembered: nothing is read again while the files stay as they were.
    let read = seeder.bytes_read();
    assert_eq!(seeder.reconcile(wanted.clone()).await, refused);
    assert_eq!(seeder.bytes_read(), read);

    // Once the file is right again it is seeded.
    std::fs::write(&longer.media_path, &data).unwrap();
    let report = seeder.reconcile(wanted).await;
    assert_eq!((report.added, report.refused, report.seeding), (1, 3, 1));
    assert!(
        handshake(seeder.listen_addr(), longer.info_hash)
            .await
            .is_some()
    );
    seeder.stop().await;
    assert_eq!(snapshot(&corrupt.media_path), before[1]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reconciling_adds_and_removes_torrents_without_touching_files() {
    let dir = tempfile::tempdir().unwrap();
    let mut files = Vec::new();
    for (index, name) in ["a.mp4", "b.mp4", "c.mp4"].into_iter().enumerate() {
        files.push(media(dir.path(), name, &random_bytes(300_000, index as u64 + 20)).await);
    }
    let paths: Vec<PathBuf> = files.iter().map(|f| f.media_path.clone()).collect();
    let before: Vec<_> = paths.iter().map(|path| snapshot(path)).collect();
    let seeder = Seeder::start(&SeederConfig {
        max_torrents: 2,
        ..config(&dir.path().join("resume"))
    })
    .await
    .unwrap();

    let report = seeder.reconcile(files.clone()).await;
    assert_eq!(
        report,
        ReconcileReport {
            added: 2,
            refused: 1,
            seeding: 2,
            ..ReconcileReport::default()
        },
        "at most max_torrents, the first ones"
    );
    assert!(
        handshake(seeder.listen_addr(), files[0].info_hash)
            .await
            .is_some()
    );
    assert!(
        handshake(seeder.listen_addr(), files[1].info_hash)
            .await
            .is_some()
    );
    assert!(
        handshake(seeder.listen_addr(), files[2].info_hash)
            .await
            .is_none()
    );

    let report = seeder.reconcile(vec![files[1].clone()]).await;
    assert_eq!((report.added, report.removed, report.seeding), (0, 1, 1));
    assert!(
        handshake(seeder.listen_addr(), files[0].info_hash)
            .await
            .is_none()
    );
    assert!(
        handshake(seeder.listen_addr(), files[1].info_hash)
            .await
            .is_some()
    );

    // The same torrent with its file somewhere else is seeded from there.
    let moved = dir.path().join("moved-b.mp4");
    std::fs::copy(&files[1].media_path, &moved).unwrap();
    let relocated = SeedFile {
        media_path: moved,
        ..files[1].clone()
    };
    let report = seeder.reconcile(vec![relocated]).await;
    assert_eq!((report.added, report.removed, report.seeding), (1, 1, 1));

    seeder.stop().await;
    let after: Vec<_> = paths.iter().map(|path| snapshot(path)).collect();
    assert_eq!(after, before);
}
