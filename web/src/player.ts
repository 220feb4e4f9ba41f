// The video player: hls.js (or the browser's own HLS, or a plain file) behind custom controls:
// play/pause, seek bar with storyboard previews and chapter markers, time, mute and volume, a
// settings menu with quality, speed, subtitles, chapters and peer-to-peer sharing (p2p-media-loader, loaded from ./p2p only when on),
// fullscreen, keyboard shortcuts, and a "view" callback after a few seconds of actual playback.
// When the origin's HLS cannot be reached, hls.js moves on to the video's mirrors (./mirrors).

import Hls from 'hls.js'
import './styles/player.css'
import { formatDuration, h } from './dom'
import { icon, type IconName } from './icons'
import { playlistSources, videoAtSource } from './mirrors'
import { bindShortcuts } from './player-keys'
import { emptyStats, p2pControls } from './player-p2p'
import { decideP2P, rememberPreference, type P2PContext } from './p2p-settings'
import { paintCell, spriteCell } from './storyboard'
import { trackControls } from './player-tracks'
import type { Storyboard, VideoCaption, VideoChapter, VideoDetails } from './types'

export interface PlayerOptions {
  video: VideoDetails
  storyboards?: Storyboard[]
  autoplay?: boolean
  start?: number
  /** Called once, after VIEW_AFTER seconds have really been played. */
  onView?: (currentTime: number) => void
  /** Called with the position while playing (every PROGRESS_EVERY seconds), on pause and at
   * the end: the signed-in viewer's watch history. */
  onProgress?: (currentTime: number) => void
  /** Where keyboard shortcuts listen (the whole page on watch and embed pages). */
  shortcutsOn?: HTMLElement | Document
  /** Peer-to-peer sharing: where the player runs, and an embed's `?p2p=` (null: not given). */
  p2p?: { context: P2PContext, forced: boolean | null }
  /** A live's latency mode (PeerTube's: 1 default, 2 high, 3 small); default when unknown. */
  liveLatencyMode?: number
}

/** PeerTube's live latency modes. */
const LATENCY_HIGH = 2
const LATENCY_SMALL = 3

/** How many segments behind its edge hls.js plays a live, by latency mode (PeerTube's). */
function liveSyncSegments (mode: number | undefined): number {
  return mode === LATENCY_SMALL ? 2 : mode === LATENCY_HIGH ? 10 : 5
}

export interface Player {
  element: HTMLElement
  media: HTMLVideoElement
  /** Storyboards arrive after the player is shown. */
  setStoryboards: (storyboards: Storyboard[]) => void
  /** So do captions (a subtitles menu) and chapters (seek bar markers). */
  setCaptions: (captions: VideoCaption[]) => void
  setChapters: (chapters: VideoChapter[]) => void
  destroy: () => void
}

const VIEW_AFTER = 5
const PROGRESS_EVERY = 5
const SPEEDS = [0.25, 0.5, 0.75, 1, 1.25, 1.5, 1.75, 2]
/** Seconds behind the live's usual distance from its edge past which a viewer is "behind". */
const LIVE_BEHIND = 6

function iconButton (label: string, name: IconName, testId: string): HTMLButtonElement {
  return h('button', { type: 'button', class: 'player-button', 'aria-label': label, title: label, 'data-testid': testId }, icon(name))
}

function setIcon (button: HTMLButtonElement, label: string, name: IconName): void {
  button.setAttribute('aria-label', label)
  button.title = label
  button.replaceChildren(icon(name))
}

export function createPlayer (options: PlayerOptions): Player {
  const { video } = options
  const media = h('video', {
    class: 'player-video', playsinline: true, preload: 'metadata', 'data-testid': 'player-video',
    poster: video.previewUrl ?? video.previewPath ?? video.thumbnailUrl ?? video.thumbnailPath ?? null
  })
  const bigPlay = h('button', { type: 'button', class: 'player-big-play', 'aria-label': 'Play' }, icon('play'))
  const spinner = h('div', { class: 'player-spinner', hidden: true, 'aria-hidden': 'true' })
  const message = h('div', { class: 'player-message', role: 'alert', hidden: true })
  const play = iconButton('Play (k)', 'play', 'player-play')
  const mute = iconButton('Mute (m)', 'volume', 'player-mute')
  const volume = h('input', { type: 'range', class: 'player-volume', min: 0, max: 1, step: 0.05, value: 1, 'aria-label': 'Volume' })
  const time = h('span', { class: 'player-time' }, '0:00 / 0:00')
  const seek = h('input', { type: 'range', class: 'player-seek-input', min: 0, max: video.duration || 0, step: 'any', value: 0, 'aria-label': 'Seek', 'data-testid': 'player-seek' })
  const buffered = h('div', { class: 'player-buffered' })
  const played = h('div', { class: 'player-played' })
  const previewImage = h('div', { class: 'player-preview-image' })
  const previewTime = h('span', { class: 'player-preview-time' })
  const preview = h('div', { class: 'player-preview', hidden: true, 'aria-hidden': 'true', 'data-testid': 'storyboard-preview' }, previewImage, previewTime)
  const seekBar = h('div', { class: 'player-seek' }, h('div', { class: 'player-track' }, buffered, played), seek, preview)
  const quality = h('select', { id: `quality-${video.uuid}`, 'data-testid': 'quality-menu' }, h('option', { value: '-1' }, 'Auto'))
  const speed = h('select', { id: `speed-${video.uuid}`, 'data-testid': 'speed-menu' },
    SPEEDS.map((rate) => h('option', { value: rate, selected: rate === 1 }, rate === 1 ? 'Normal' : `${rate}×`)))
  const sharing = p2pControls(`p2p-${video.uuid}`)
  const duration = (): number => (Number.isFinite(media.duration) && media.duration > 0 ? media.duration : video.duration || 0)
  const tracks = trackControls(video.uuid, media, seekBar, duration)
  const settingsPanel = h('div', { class: 'player-settings-panel', hidden: true, id: `settings-${video.uuid}` },
    h('label', { for: quality.id }, 'Quality'), quality,
    h('label', { for: speed.id }, 'Speed'), speed, ...tracks.elements, ...sharing.elements)
  const settings = iconButton('Settings', 'settings', 'player-settings')
  settings.setAttribute('aria-expanded', 'false')
  settings.setAttribute('aria-controls', settingsPanel.id)
  const fullscreen = iconButton('Full screen (f)', 'fullscreen', 'player-fullscreen')
  // A live: says whether the viewer is at the live edge, and takes them there.
  const goLive = video.isLive === true
    ? h('button', { type: 'button', class: 'player-go-live', title: 'Go to the live edge', 'data-testid': 'player-go-live', 'data-behind': 'false' }, 'LIVE')
    : null
  const controls = h('div', { class: 'player-controls' }, seekBar,
    h('div', { class: 'player-row' }, play, h('div', { class: 'player-volume-group' }, mute, volume), time, goLive,
      h('span', { class: 'player-spacer' }), h('div', { class: 'player-settings' }, settings, settingsPanel), fullscreen))
  const element = h('div', { class: 'player paused', 'data-testid': 'player' }, media, bigPlay, spinner, message, controls)

  // --- the source ---
  let hls: Hls | null = null
  let destroyed = false
  // Each start of hls.js; a later one (the viewer switched again) makes an earlier one give up.
  let generation = 0
  const playlist = video.streamingPlaylists?.[0]
  const fileUrl = video.files?.[0]?.fileUrl
  const useHls = playlist !== undefined && Hls.isSupported()
  // The origin's master playlist, then each mirror's; `source` is the one playing.
  const sources = playlist ? playlistSources(playlist) : []
  let source = 0
  // The viewer's switch in this page wins over an embed's ?p2p=.
  let chosen: boolean | null = options.p2p?.forced ?? null
  if (useHls) {
    element.dataset.engine = 'hls.js'
    element.dataset.source = sources[source]
    void startHls(sources[source], options.start ?? -1, false)
  } else if (playlist && media.canPlayType('application/vnd.apple.mpegurl')) {
    element.dataset.engine = 'native'
    media.src = playlist.playlistUrl
    quality.disabled = true
  } else if (fileUrl) {
    element.dataset.engine = 'file'
    media.src = fileUrl
    quality.disabled = true
  } else {
    showMessage(playlist ? 'This browser cannot play HLS video.' : 'This video has no playable file yet.')
  }
  if (!useHls) sharing.showDecision(null)

  /** Starts hls.js, with peer-to-peer sharing when it is on (else no tracker socket at all). */
  async function startHls (url: string, startPosition: number, resume: boolean): Promise<void> {
    const mine = ++generation
    const current = (): boolean => !destroyed && mine === generation
    let decision = options.p2p ? await decideP2P(video, options.p2p.context, chosen) : null
    if (!current()) return
    const live = video.isLive === true
    // A small-latency live plays too close to its edge for peers to have a segment first
    // (PeerTube does not share those either).
    if (decision && live && options.liveLatencyMode === LATENCY_SMALL) {
      decision = { ...decision, enabled: false, available: false, unavailableReason: 'A small-latency live is not shared.' }
    }
    // The master's subtitles rendition is for native players: the <track>s show the captions.
    // A live plays PeerTube's number of segments behind its edge: room for peers to share
    // what comes before the player needs it.
    const config = {
      startPosition, capLevelToPlayerSize: false, backBufferLength: 60, enableWebVTT: false, subtitleDisplay: false,
      ...(live ? { liveSyncDurationCount: liveSyncSegments(options.liveLatencyMode) } : {})
    }
    let engine: Hls | null = null
    if (decision?.enabled) {
      try {
        // A live's JSON lists no files: its renditions are read from its master playlist.
        const { createP2PHls, liveRenditions } = await import('./p2p')
        const renditions = video.isLive === true ? await liveRenditions(url) : undefined
        if (!current()) return
        engine = createP2PHls({ video: videoAtSource(video, url), hlsConfig: config, trackers: decision.trackers, stunServers: decision.stunServers, renditions, onStats: sharing.showStats })
      } catch (error) {
        console.warn('Peer-to-peer sharing is unavailable:', error)
        decision.enabled = false
        decision.available = false
        decision.unavailableReason = 'Peer-to-peer sharing could not start.'
      }
    }
    sharing.showDecision(decision ?? { enabled: false, available: false, unavailableReason: 'Peer-to-peer sharing is off here.', trackers: [], stunServers: [] })
    if (!engine) {
      engine = new Hls(config)
      countHttpBytes(engine)
    }
    hls = engine
    attachHls(engine, url)
    if (resume) void start()
  }

  /** Without p2p-media-loader, every media segment comes from the server. */
  function countHttpBytes (engine: Hls): void {
    const stats = emptyStats()
    engine.on(Hls.Events.FRAG_LOADED, (_event, data) => {
      if (data.frag.sn === 'initSegment') return
      stats.httpBytes += data.payload.byteLength
      stats.httpSegments++
      sharing.showStats({ ...stats })
    })
  }

  sharing.onChange((enabled) => {
    rememberPreference(enabled)
    chosen = enabled
    if (!useHls) return
    // The same position, with the other engine.
    const at = media.currentTime
    const playing = !media.paused
    hls?.destroy()
    hls = null
    void startHls(sources[source], at, playing)
  })

  /** The source cannot be reached: the same position from the next mirror. */
  function fallBack (): void {
    source++
    element.dataset.source = sources[source]
    const at = media.currentTime > 0 ? media.currentTime : options.start ?? -1
    const playing = !media.paused
    hls?.destroy()
    hls = null
    message.hidden = true
    void startHls(sources[source], at, playing)
  }

  function attachHls (engine: Hls, url: string): void {
    let recoveredMedia = false
    engine.on(Hls.Events.MANIFEST_PARSED, () => {
      const levels = engine.levels.map((level, index) => ({ index, height: level.height, bitrate: level.bitrate }))
        .sort((a, b) => b.height - a.height || b.bitrate - a.bitrate)
      quality.replaceChildren(h('option', { value: '-1' }, 'Auto'),
        ...levels.map((level) => h('option', { value: level.index, 'data-height': level.height }, level.height ? `${level.height}p` : 'Audio only')))
      quality.disabled = levels.length < 2
      // play() called before hls.js attached (a fast click, a script) was undone when the
      // media source was attached; honour it now.
      if (playWanted && media.paused) void start()
    })
    engine.on(Hls.Events.LEVEL_SWITCHED, (_event, data) => {
      const level = engine.levels[data.level]
      element.dataset.level = String(data.level)
      element.dataset.levelHeight = String(level?.height ?? '')
      const auto = quality.options[0]
      auto.textContent = engine.autoLevelEnabled && level ? `Auto (${level.height}p)` : 'Auto'
    })
    engine.on(Hls.Events.ERROR, (_event, data) => {
      if (!data.fatal) return
      if (data.type === Hls.ErrorTypes.MEDIA_ERROR && !recoveredMedia) {
        recoveredMedia = true
        engine.recoverMediaError()
      } else if (data.type === Hls.ErrorTypes.NETWORK_ERROR && source + 1 < sources.length) {
        console.warn(`${sources[source]} cannot be reached (${data.details}): trying a mirror`)
        fallBack()
      } else if (data.type === Hls.ErrorTypes.NETWORK_ERROR) {
        showMessage('Network trouble: trying again…')
        setTimeout(() => { message.hidden = true; engine.startLoad() }, 3000)
      } else {
        showMessage(`The video could not be played (${data.details}).`)
      }
    })
    engine.loadSource(url)
    engine.attachMedia(media)
  }

  function showMessage (text: string): void {
    message.textContent = text
    message.hidden = false
  }

  quality.addEventListener('change', () => {
    if (!hls) return
    hls.currentLevel = Number(quality.value) // -1: automatic
  })
  speed.addEventListener('change', () => { media.playbackRate = Number(speed.value) })
  media.addEventListener('ratechange', () => { speed.value = String(media.playbackRate) })

  // --- playing ---
  const toggle = (): void => { if (media.paused || media.ended) void start(); else media.pause() }
  async function start (): Promise<void> {
    try {
      await media.play()
    } catch (error) {
      // Autoplay with sound refused: play muted rather than not at all.
      if ((error as DOMException)?.name === 'NotAllowedError' && !media.muted) {
        media.muted = true
        try { await media.play() } catch { /* the person will press play */ }
      }
    }
  }
  play.addEventListener('click', toggle)
  bigPlay.addEventListener('click', () => { void start() })
  media.addEventListener('click', toggle)
  media.addEventListener('dblclick', () => { toggleFullscreen() })
  // Whether the viewer (or a script) asked to play and has not paused since: attaching hls.js's
  // media source resets a play() that came first, without a 'pause' event.
  let playWanted = false
  media.addEventListener('play', () => { playWanted = true })
  media.addEventListener('pause', () => { playWanted = false })
  media.addEventListener('play', () => { element.classList.remove('paused'); element.classList.add('started'); setIcon(play, 'Pause (k)', 'pause') })
  media.addEventListener('pause', () => { element.classList.add('paused'); setIcon(play, 'Play (k)', 'play'); showControls() })
  media.addEventListener('waiting', () => { spinner.hidden = false })
  for (const ready of ['playing', 'canplay', 'seeked']) media.addEventListener(ready, () => { spinner.hidden = true })

  // --- a live's edge ---
  // hls.js plays a live `targetLatency` behind its edge, and raises that target after each
  // stall; the viewer is behind when further than the target it started with, plus a margin.
  if (goLive) {
    let baseLatency = Infinity
    const behindBy = (): number => {
      const target = hls?.targetLatency
      if (typeof target === 'number' && target > 0) baseLatency = Math.min(baseLatency, target)
      const latency = hls?.latency ?? 0
      return Number.isFinite(baseLatency) && latency > 0 ? latency - baseLatency : 0
    }
    const paintLive = (): void => {
      const behind = behindBy() > LIVE_BEHIND
      goLive.dataset.behind = String(behind)
      goLive.dataset.latency = (hls?.latency ?? 0).toFixed(1)
      goLive.setAttribute('aria-label', behind ? 'Behind the live: go to the live edge' : 'At the live edge')
    }
    for (const change of ['timeupdate', 'play', 'seeked']) media.addEventListener(change, paintLive)
    goLive.addEventListener('click', () => {
      const by = behindBy()
      if (by > 0) media.currentTime += by
      void start()
    })
  }

  // --- time, seek bar and storyboard ---
  let seeking = false
  const paintTime = (): void => {
    const total = duration()
    time.textContent = `${formatDuration(media.currentTime)} / ${formatDuration(total)}`
    seek.max = String(total)
    if (!seeking) seek.value = String(media.currentTime)
    seek.setAttribute('aria-valuetext', `${formatDuration(media.currentTime)} of ${formatDuration(total)}`)
    played.style.width = total ? `${(media.currentTime / total) * 100}%` : '0'
    const ranges = media.buffered
    buffered.style.width = total && ranges.length ? `${(ranges.end(ranges.length - 1) / total) * 100}%` : '0'
  }
  for (const change of ['timeupdate', 'durationchange', 'loadedmetadata', 'progress']) media.addEventListener(change, paintTime)
  media.addEventListener('durationchange', tracks.layout)
  seek.addEventListener('input', () => { seeking = true; media.currentTime = Number(seek.value); paintTime() })
  seek.addEventListener('change', () => { seeking = false })
  if (options.start && !useHls) media.addEventListener('loadedmetadata', () => { media.currentTime = options.start! }, { once: true })

  let board = options.storyboards?.[0]
  seekBar.addEventListener('pointermove', (event) => {
    const box = seekBar.getBoundingClientRect()
    const ratio = Math.min(1, Math.max(0, (event.clientX - box.left) / box.width))
    const at = ratio * duration()
    const chapter = tracks.chapterAt(at)
    previewTime.textContent = chapter ? `${chapter} · ${formatDuration(at)}` : formatDuration(at)
    const cell = board ? spriteCell(board, at) : null
    previewImage.hidden = !cell
    if (cell) paintCell(previewImage, cell)
    preview.hidden = false
    const half = (cell?.width ?? 40) / 2
    preview.style.left = `${Math.min(box.width - half, Math.max(half, event.clientX - box.left))}px`
  })
  seekBar.addEventListener('pointerleave', () => { preview.hidden = true })

  // --- sound ---
  const paintSound = (): void => {
    const silent = media.muted || media.volume === 0
    setIcon(mute, silent ? 'Unmute (m)' : 'Mute (m)', silent ? 'muted' : 'volume')
    volume.value = String(media.muted ? 0 : media.volume)
  }
  mute.addEventListener('click', () => { media.muted = !media.muted; if (!media.muted && media.volume === 0) media.volume = 0.5 })
  volume.addEventListener('input', () => { media.volume = Number(volume.value); media.muted = media.volume === 0 })
  media.addEventListener('volumechange', paintSound)

  // --- settings menu ---
  const openSettings = (open: boolean): void => {
    if (open) {
      // The room between the player's top edge and the button, so the panel fits inside the
      // player (which clips), and the player itself in view below anything sticky.
      const room = settings.getBoundingClientRect().top - element.getBoundingClientRect().top - 8
      settingsPanel.style.setProperty('--settings-room', `${Math.max(80, Math.floor(room))}px`)
      element.scrollIntoView({ block: 'nearest' })
    }
    settingsPanel.hidden = !open
    settings.setAttribute('aria-expanded', String(open))
    element.classList.toggle('settings-open', open)
  }
  settings.addEventListener('click', () => { openSettings(settingsPanel.hidden !== false); if (!settingsPanel.hidden) quality.focus() })
  settingsPanel.addEventListener('keydown', (event) => { if (event.key === 'Escape') { openSettings(false); settings.focus() } })
  const closeOutside = (event: Event): void => {
    if (!settingsPanel.hidden && !(event.target as Element).closest('.player-settings')) openSettings(false)
  }
  document.addEventListener('pointerdown', closeOutside)

  // --- fullscreen ---
  function toggleFullscreen (): void {
    if (document.fullscreenElement) { void document.exitFullscreen(); return }
    if (element.requestFullscreen) { void element.requestFullscreen().catch(() => {}); return }
    const legacy = media as HTMLVideoElement & { webkitEnterFullscreen?: () => void }
    legacy.webkitEnterFullscreen?.()
  }
  fullscreen.addEventListener('click', toggleFullscreen)
  const paintFullscreen = (): void => {
    const on = document.fullscreenElement === element
    setIcon(fullscreen, on ? 'Exit full screen (f)' : 'Full screen (f)', on ? 'exit-fullscreen' : 'fullscreen')
  }
  document.addEventListener('fullscreenchange', paintFullscreen)

  // --- controls hide while playing and idle ---
  let idleTimer = 0
  function showControls (): void {
    element.classList.remove('idle')
    clearTimeout(idleTimer)
    idleTimer = window.setTimeout(() => {
      if (!media.paused && !element.contains(document.activeElement) && settingsPanel.hidden) element.classList.add('idle')
    }, 2500)
  }
  element.addEventListener('pointermove', showControls)
  element.addEventListener('focusin', showControls)

  // --- counting a view ---
  let playedSeconds = 0
  let lastTime: number | null = null
  let viewSent = false
  media.addEventListener('timeupdate', () => {
    if (!media.paused && lastTime !== null) {
      const step = media.currentTime - lastTime
      if (step > 0 && step < 2) playedSeconds += step
    }
    lastTime = media.currentTime
    // Short videos count once most of them has been seen.
    if (playedSeconds >= Math.min(VIEW_AFTER, duration() * 0.6)) sendView()
  })
  media.addEventListener('ended', sendView)
  function sendView (): void {
    if (viewSent || !options.onView || playedSeconds < 1) return
    viewSent = true
    options.onView(media.currentTime)
  }
  media.addEventListener('seeking', () => { lastTime = null })

  // --- the viewer's position, for their history ---
  let reportedAt: number | null = null
  const reportProgress = (force: boolean): void => {
    if (!options.onProgress || (reportedAt === null && media.currentTime < 1)) return
    if (!force && reportedAt !== null && Math.abs(media.currentTime - reportedAt) < PROGRESS_EVERY) return
    reportedAt = media.currentTime
    options.onProgress(media.currentTime)
  }
  media.addEventListener('timeupdate', () => { if (!media.paused) reportProgress(false) })
  media.addEventListener('pause', () => reportProgress(true))
  media.addEventListener('ended', () => reportProgress(true))

  const unbindKeys = bindShortcuts(options.shortcutsOn ?? element, element, {
    toggle,
    seekBy: (seconds) => { media.currentTime = Math.min(duration(), Math.max(0, media.currentTime + seconds)); showControls() },
    seekTo: (ratio) => { media.currentTime = duration() * ratio },
    volumeBy: (step) => { media.muted = false; media.volume = Math.min(1, Math.max(0, Math.round((media.volume + step) * 100) / 100)); showControls() },
    mute: () => { media.muted = !media.muted },
    fullscreen: toggleFullscreen
  })

  paintSound()
  paintTime()
  if (options.autoplay) void start()
  return {
    element,
    media,
    setStoryboards (storyboards) { board = storyboards[0] },
    setCaptions: tracks.setCaptions,
    setChapters: tracks.setChapters,
    destroy () {
      unbindKeys()
      document.removeEventListener('pointerdown', closeOutside)
      document.removeEventListener('fullscreenchange', paintFullscreen)
      clearTimeout(idleTimer)
      destroyed = true
      hls?.destroy()
      media.removeAttribute('src')
      media.load()
    }
  }
}
