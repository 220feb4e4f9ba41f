// The watch page: player, title, counters, like/dislike, channel with subscribe, description,
// tags, the owner's edit link, a Download menu (when allowed), a report button for others, and comments. A video still processing shows its progress.

import { api, ApiError, currentUser } from '../api'
import { errorText, formatCount, formatDate, h, handle, notice, parseStart, replace, setTitle } from '../dom'
import { icon } from '../icons'
import { renderMarkdown } from '../markdown'
import { createPlayer, type Player } from '../player'
import { navigate, type PageContext } from '../router'
import type { ServerConfig, Storyboard, User, VideoCaption, VideoChapter, VideoDetails } from '../types'
import { avatarOf } from '../components/actor-images'
import { commentsSection } from '../components/comments'
import { subscribeButton } from '../components/subscribe'
import { progressBar } from '../components/progress'
import { openReportDialog } from '../components/report-dialog'
import { saveToPlaylistButton } from '../components/playlist-add'
import { downloadMenu } from '../components/download-menu'

type Rating = 'like' | 'dislike' | 'none'

export async function render ({ main, params, signal }: PageContext): Promise<() => void> {
  let player: Player | null = null
  const cleanup = (): void => { player?.destroy(); player = null }
  let video: VideoDetails
  try {
    video = await api<VideoDetails>(`/videos/${encodeURIComponent(params.id)}`, { signal })
  } catch (error) {
    if (signal.aborted) return cleanup
    setTitle('Video not found')
    const missing = error instanceof ApiError && (error.status === 404 || error.status === 403)
    main.append(h('section', { class: 'narrow' }, h('h1', {}, missing ? 'Video not found' : 'Could not load the video'),
      notice(missing ? 'This video does not exist, was deleted, or is private.' : errorText(error), 'error')))
    return cleanup
  }
  setTitle(video.name)
  const user = await currentUser()
  const stage = h('div', { class: 'watch-stage' })
  const layout = h('div', { class: 'watch' }, stage, details(video, user, signal), commentsSection(video, signal))
  main.append(layout)

  // A signed-in viewer's own choice; a visitor gets the instance's default.
  const autoplay = user !== null
    ? user.autoPlayVideo !== false
    : await api<ServerConfig>('/config', { signal }).then((config) => config.defaults?.player?.autoPlay !== false, () => false)
  let liveLatencyMode: number | undefined
  const startPlayer = async (current: VideoDetails): Promise<void> => {
    const keepsHistory = user !== null && user.videosHistoryEnabled !== false
    player = createPlayer({
      video: current,
      autoplay,
      start: parseStart(new URLSearchParams(location.search).get('start')) ?? (keepsHistory ? resumeAt(current) : undefined),
      shortcutsOn: document,
      // A signed-in viewer who turned sharing off in their settings never shares.
      p2p: { context: 'webapp', forced: user?.p2pEnabled === false ? false : null },
      liveLatencyMode,
      onView: (currentTime) => {
        void api(`/videos/${current.uuid}/views`, { method: 'POST', json: { currentTime: Math.floor(currentTime) } }).catch(() => {})
      },
      onProgress: keepsHistory
        ? (currentTime) => {
            void api(`/videos/${current.uuid}/watching`, { method: 'PUT', json: { currentTime: Math.floor(currentTime) } }).catch(() => {})
          }
        : undefined
    })
    replace(stage, player.element)
    const shown = player
    api<{ storyboards: Storyboard[] }>(`/videos/${current.uuid}/storyboards`, { signal })
      .then((answer) => shown.setStoryboards(answer.storyboards ?? [])).catch(() => {})
    api<{ data: VideoCaption[] }>(`/videos/${current.uuid}/captions`, { signal })
      .then((answer) => shown.setCaptions(answer.data ?? [])).catch(() => {})
    api<{ chapters: VideoChapter[] }>(`/videos/${current.uuid}/chapters`, { signal })
      .then((answer) => shown.setChapters(answer.chapters ?? [])).catch(() => {})
  }
  const startLive = async (current: VideoDetails): Promise<void> => {
    // Its latency mode sets how far behind its edge it plays (and whether peers share it).
    liveLatencyMode = await api<{ latencyMode?: number }>(`/videos/live/${current.uuid}`, { signal })
      .then((live) => live.latencyMode, () => undefined)
    await startPlayer(current)
    void keepWatchingLive(current, () => player, layout, signal)
  }
  if (video.isLive === true && !onTheAir(video)) void waitForLive(video, stage, signal, startLive)
  else if (video.isLive === true) await startLive(video)
  else if ((video.state?.id ?? 1) === 1) await startPlayer(video)
  else void waitForPublication(video, stage, signal, startPlayer)
  return cleanup
}

/** Where to pick up a video the viewer left part-way (their history): not its first seconds,
 * not its last ones (then it starts over). */
function resumeAt (video: VideoDetails): number | undefined {
  const seconds = video.userHistory?.currentTime
  if (typeof seconds !== 'number' || seconds < 5) return undefined
  if (video.duration && seconds > video.duration - 10) return undefined
  return seconds
}

/** Whether a live is on the air with its playlist written (state 1 comes a moment before). */
function onTheAir (video: VideoDetails): boolean {
  return (video.state?.id ?? 1) === 1 && (video.streamingPlaylists?.length ?? 0) > 0
}

/** A live that is not on the air: says so, and starts the player once it is (state 1, its
 * playlist there). An ended live (state 5) stays ended. */
async function waitForLive (video: VideoDetails, stage: HTMLElement, signal: AbortSignal, ready: (video: VideoDetails) => Promise<void>): Promise<void> {
  const status = h('p', { class: 'processing-title', role: 'status', 'data-testid': 'live-status' })
  replace(stage, h('div', { class: 'processing live-waiting' }, status))
  let current = video
  while (!signal.aborted) {
    const state = current.state?.id ?? 1
    if (onTheAir(current)) { await ready(current); return }
    if (state === 5) { status.textContent = 'This live has ended.'; return }
    status.textContent = state === 1 ? 'This live is starting…' : 'This live has not started yet. It will play here as soon as it does.'
    await new Promise((resolve) => setTimeout(resolve, state === 1 ? 1000 : 3000))
    try { current = await api<VideoDetails>(`/videos/${video.uuid}`, { signal }) } catch { /* try again */ }
  }
}

/** How often a live's player tells it is still watched, and the viewer count is read again. */
const LIVE_PRESENCE_MS = 10000

/**
 * While a live plays: tells the instance every few seconds that this viewer is still watching
 * (a view; the instance counts its viewers of the last minute) and shows the viewer count.
 */
async function keepWatchingLive (video: VideoDetails, player: () => Player | null, layout: HTMLElement, signal: AbortSignal): Promise<void> {
  while (!signal.aborted) {
    await new Promise((resolve) => setTimeout(resolve, LIVE_PRESENCE_MS))
    if (signal.aborted) return
    const media = player()?.media
    try {
      if (media && !media.paused) {
        await api(`/videos/${video.uuid}/views`, { method: 'POST', json: { currentTime: Math.floor(media.currentTime) }, signal })
      }
      const current = await api<VideoDetails>(`/videos/${video.uuid}`, { signal })
      // A live that went on the air while the page was open showed its views until now.
      const count = layout.querySelector<HTMLElement>('[data-testid=live-viewers]') ?? layout.querySelector<HTMLElement>('[data-testid=video-views]')
      if (count) {
        count.dataset.testid = 'live-viewers'
        count.textContent = formatCount(current.viewers ?? 0, 'viewer', 'viewers')
      }
      if (current.state?.id !== 1) return
    } catch { /* try again */ }
  }
}

/** For an owner looking at a video still being processed: progress, then the player. */
async function waitForPublication (video: VideoDetails, stage: HTMLElement, signal: AbortSignal, ready: (video: VideoDetails) => Promise<void>): Promise<void> {
  const bar = progressBar('Processing progress', 'transcode-progress')
  const status = h('p', { role: 'status' })
  replace(stage, h('div', { class: 'processing' }, h('p', { class: 'processing-title' }, 'This video is being processed.'), bar.element, status))
  let current = video
  while (!signal.aborted) {
    const state = current.state?.id ?? 1
    if (state === 1) { await ready(current); return }
    if (state === 7 || state === 8 || state === 11) {
      status.textContent = `Processing failed${current.failureReason ? `: ${current.failureReason}` : '.'}`
      return
    }
    const progress = current.transcodingProgress
    bar.set(typeof progress === 'number' ? progress : null)
    status.textContent = `${current.state?.label ?? 'Processing'}${typeof progress === 'number' ? ` (${Math.round(progress)}%)` : ''}`
    await new Promise((resolve) => setTimeout(resolve, 2000))
    try { current = await api<VideoDetails>(`/videos/${video.uuid}`, { signal }) } catch { /* try again */ }
  }
}

function details (video: VideoDetails, user: User | null, signal: AbortSignal): HTMLElement {
  const owner = user !== null && user.account.name === video.account.name && video.isLocal !== false
  const description = h('div', { class: 'description markdown', 'data-testid': 'video-description' })
  description.append(renderMarkdown(video.description))
  if (video.description && video.description.length === 250 && video.description.endsWith('...')) {
    // A truncated description: fetch the whole text.
    api<{ description: string }>(`/videos/${video.uuid}/description`, { signal })
      .then((answer) => { description.replaceChildren(renderMarkdown(answer.description)) }).catch(() => {})
  }
  const channel = video.channel
  return h('div', { class: 'watch-details' },
    h('h1', { class: 'watch-title', 'data-testid': 'video-title' }, video.name),
    h('div', { class: 'watch-bar' },
      h('p', { class: 'watch-stats' },
        video.isLive === true && video.state?.id === 1
          ? h('span', { 'data-testid': 'live-viewers' }, formatCount(video.viewers ?? 0, 'viewer', 'viewers'))
          : h('span', { 'data-testid': 'video-views' }, formatCount(video.views, 'view', 'views')), ' · ',
        h('time', { datetime: video.publishedAt }, formatDate(video.publishedAt)),
        video.privacy.id !== 1 ? h('span', { class: 'badge badge-inline' }, video.privacy.label) : null,
        video.isLive === true ? h('span', { class: 'badge badge-inline badge-live', 'data-testid': 'live-badge' }, video.state?.id === 1 ? 'LIVE' : 'Live') : null),
      h('div', { class: 'watch-actions' }, ratingButtons(video, user), shareMenu(video), saveToPlaylistButton(video), downloadMenu(video, user, owner),
        owner ? h('a', { class: 'button', href: `/videos/manage/${video.shortUUID}`, 'data-testid': 'edit-link' }, 'Edit') : null,
        owner ? null : h('button', {
          type: 'button', class: 'button', 'data-testid': 'report-video',
          onclick: () => { void openReportDialog({ kind: 'video', id: video.id, name: video.name, duration: video.duration }) }
        }, icon('flag'), 'Report'))),
    h('div', { class: 'channel-line' },
      avatarOf(channel, 'large', 48),
      h('div', { class: 'channel-names' },
        h('a', { class: 'channel-name', href: `/c/${handle(channel)}`, 'data-testid': 'channel-link' }, channel.displayName || channel.name),
        h('a', { class: 'account-name', href: `/a/${handle(video.account)}` }, `by ${video.account.displayName || video.account.name}`)),
      owner ? null : subscribeButton(channel)),
    description,
    video.tags?.length
      ? h('ul', { class: 'tags', 'aria-label': 'Tags' }, video.tags.map((tag) => h('li', {}, h('a', { href: `/search?search=${encodeURIComponent(tag)}` }, `#${tag}`))))
      : null)
}

function ratingButtons (video: VideoDetails, user: User | null): HTMLElement {
  let rating: Rating = 'none'
  let likes = video.likes ?? 0
  let dislikes = video.dislikes ?? 0
  const likeCount = h('span', { 'data-testid': 'like-count' }, String(likes))
  const dislikeCount = h('span', { 'data-testid': 'dislike-count' }, String(dislikes))
  const like = h('button', { type: 'button', class: 'button rate', 'aria-pressed': 'false', 'aria-label': 'Like', 'data-testid': 'like-button' },
    icon('like'), likeCount)
  const dislike = h('button', { type: 'button', class: 'button rate', 'aria-pressed': 'false', 'aria-label': 'Dislike', 'data-testid': 'dislike-button' },
    icon('dislike'), dislikeCount)
  const error = h('span', { class: 'inline-error', role: 'alert' })
  const paint = (): void => {
    like.setAttribute('aria-pressed', String(rating === 'like'))
    dislike.setAttribute('aria-pressed', String(rating === 'dislike'))
    likeCount.textContent = String(likes)
    dislikeCount.textContent = String(dislikes)
  }
  if (user) {
    api<{ rating: Rating }>(`/users/me/videos/${video.id}/rating`)
      .then((answer) => { rating = answer.rating ?? 'none'; paint() }).catch(() => {})
  }
  const rate = async (wanted: Rating): Promise<void> => {
    if (!user) { navigate(`/login?next=${encodeURIComponent(location.pathname)}`); return }
    const next: Rating = rating === wanted ? 'none' : wanted
    like.disabled = dislike.disabled = true
    error.textContent = ''
    try {
      await api(`/videos/${video.id}/rate`, { method: 'PUT', json: { rating: next } })
      if (rating === 'like') likes = Math.max(0, likes - 1)
      if (rating === 'dislike') dislikes = Math.max(0, dislikes - 1)
      if (next === 'like') likes++
      if (next === 'dislike') dislikes++
      rating = next
      paint()
    } catch (failure) {
      error.textContent = `Could not rate: ${errorText(failure)}`
    } finally {
      like.disabled = dislike.disabled = false
    }
  }
  like.addEventListener('click', () => { void rate('like') })
  dislike.addEventListener('click', () => { void rate('dislike') })
  return h('div', { class: 'rating', role: 'group', 'aria-label': 'Rate this video' }, like, dislike, error)
}

function shareMenu (video: VideoDetails): HTMLElement {
  const link = `${location.origin}/w/${video.shortUUID}`
  const embed = `<iframe title="${video.name.replace(/[&"<>]/g, (c) => `&#${c.charCodeAt(0)};`)}" width="560" height="315" src="${location.origin}/videos/embed/${video.uuid}" frameborder="0" allowfullscreen sandbox="allow-same-origin allow-scripts allow-popups allow-forms"></iframe>`
  const input = (id: string, label: string, value: string): HTMLElement => h('div', { class: 'field' },
    h('label', { for: id }, label),
    h('input', { id, readonly: true, value, onfocus: (event: Event) => (event.target as HTMLInputElement).select() }))
  return h('details', { class: 'share' }, h('summary', { class: 'button' }, 'Share'),
    h('div', { class: 'menu share-menu' }, input('share-link', 'Link', link), input('share-embed', 'Embed code', embed)))
}
