//! Tying a child process's life to its parent's, so that no transcoder outlives the process
//! that started it, even when that one dies by SIGKILL: Linux's parent-death signal
//! (`prctl(PR_SET_PDEATHSIG)`), asked for by the child itself at start.
//!
//! The kernel sends the signal when the *thread* that forked the child ends. Both spawners
//! (`kinora serve`'s pool and a transcoder's job) fork from tokio worker threads, which live as
//! long as their runtime; a child must never be spawned from a blocking-pool thread, which ends
//! when idle.

use rustix::process::Signal;

/// The environment variable in which a spawner passes its own pid to the child, so that the
/// child can tell a parent that died before it asked for the signal.
pub const PARENT_PID_VARIABLE: &str = "KINORA_PARENT_PID";

/// Asks the kernel to send `signal` to this process when its parent dies. If the spawner named
/// itself in [`PARENT_PID_VARIABLE`] and is already gone (this process was re-parented before
/// the request took effect), exits at once with status 3.
pub fn follow(signal: Signal) {
    if let Err(error) = rustix::process::set_parent_process_death_signal(Some(signal)) {
        tracing::warn!(%error, "cannot ask to be signalled when the parent process dies");
        return;
    }
    let expected = std::env::var(PARENT_PID_VARIABLE)
        .ok()
        .and_then(|pid| pid.parse::<i32>().ok());
    let parent = rustix::process::getppid().map(|pid| pid.as_raw_pid());
    if let Some(expected) = expected
        && parent != Some(expected)
    {
        tracing::warn!(
            expected,
            ?parent,
            "the parent process is already gone; stopping"
        );
        std::process::exit(3);
    }
}
