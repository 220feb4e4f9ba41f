// The embeddable player (/videos/embed/<id>): the player alone, with the title linking to the
// watch page. Query: ?autoplay=1, ?start=<seconds or 1m30s>, ?muted=1, ?p2p=0 (no sharing with
// other viewers, not even a tracker connection) or ?p2p=1. A playlist's embed
// (/video-playlists/embed/<id>, ?playlistPosition=N) plays its videos in order, with the list's
// title linking to the playlist page and the position shown.

import './styles/base.css'
import { api, ApiError } from './api'
import { h, parseStart } from './dom'
import { createPlayer } from './player'
import { queryPreference } from './p2p-settings'
import { firstPlayable, loadElements, playable, playlistSequence } from './playlist-player'
import type { Storyboard, VideoCaption, VideoChapter, VideoDetails, VideoPlaylist } from './types'

/** Shows `text` in place of the player. */
function message (root: HTMLElement, text: string, role: 'alert' | 'status' = 'alert'): void {
  root.replaceChildren(h('div', { class: 'embed-message', role }, text))
}

async function start (): Promise<void> {
  const root = document.getElementById('embed')!
  const id = decodeURIComponent(location.pathname.split('/').filter(Boolean).pop() ?? '')
  const query = new URLSearchParams(location.search)
  if (location.pathname.startsWith('/video-playlists/embed/')) {
    await startPlaylist(root, id, query)
    return
  }
  let video: VideoDetails
  try {
    video = await api<VideoDetails>(`/videos/${encodeURIComponent(id)}`)
  } catch (error) {
    const missing = error instanceof ApiError && error.status === 404
    document.title = missing ? 'Video not found' : 'Video unavailable'
    message(root, missing ? 'This video does not exist or is private.' : 'This video could not be loaded.')
    return
  }
  document.title = video.name
  if ((video.state?.id ?? 1) !== 1) {
    message(root, 'This video is still being processed. Try again in a moment.', 'status')
    return
  }
  const player = createPlayer({
    video,
    autoplay: query.get('autoplay') === '1' || query.get('autoplay') === 'true',
    start: parseStart(query.get('start')),
    shortcutsOn: document,
    p2p: { context: 'embed', forced: queryPreference(query.get('p2p')) },
    onView: (currentTime) => {
      void api(`/videos/${video.uuid}/views`, { method: 'POST', json: { currentTime: Math.floor(currentTime) } }).catch(() => {})
    }
  })
  if (query.get('muted') === '1') player.media.muted = true
  const title = h('a', { class: 'embed-title', href: `/w/${video.shortUUID}`, target: '_blank', rel: 'noopener' }, video.name)
  root.replaceChildren(h('div', { class: 'embed-frame' }, player.element, title))
  api<{ storyboards: Storyboard[] }>(`/videos/${video.uuid}/storyboards`)
    .then((answer) => player.setStoryboards(answer.storyboards ?? [])).catch(() => {})
  api<{ data: VideoCaption[] }>(`/videos/${video.uuid}/captions`)
    .then((answer) => player.setCaptions(answer.data ?? [])).catch(() => {})
  api<{ chapters: VideoChapter[] }>(`/videos/${video.uuid}/chapters`)
    .then((answer) => player.setChapters(answer.chapters ?? [])).catch(() => {})
}

/** A playlist's embed: its videos one after the other, the title linking to its page. */
async function startPlaylist (root: HTMLElement, id: string, query: URLSearchParams): Promise<void> {
  let playlist: VideoPlaylist
  try {
    playlist = await api<VideoPlaylist>(`/video-playlists/${encodeURIComponent(id)}`)
  } catch (error) {
    const missing = error instanceof ApiError && (error.status === 404 || error.status === 403)
    document.title = missing ? 'Playlist not found' : 'Playlist unavailable'
    message(root, missing ? 'This playlist does not exist or is private.' : 'This playlist could not be loaded.')
    return
  }
  document.title = playlist.displayName
  const elements = await loadElements(playlist.uuid).catch(() => null)
  if (elements === null) { message(root, 'This playlist could not be loaded.'); return }
  const first = firstPlayable(elements, query.get('playlistPosition'))
  if (first < 0) { message(root, 'This playlist has no video you can watch.', 'status'); return }
  const stage = h('div', { class: 'embed-stage', 'data-testid': 'playlist-embed-stage' })
  const position = h('span', { class: 'embed-position', 'data-testid': 'playlist-embed-position' })
  const title = h('a', { class: 'embed-title', href: `/w/p/${playlist.shortUUID}`, target: '_blank', rel: 'noopener' },
    playlist.displayName, ' · ', position)
  const watchable = elements.filter(playable).length
  const sequence = playlistSequence({
    elements,
    stage,
    p2p: { context: 'embed', forced: queryPreference(query.get('p2p')) },
    onChange: (index, video) => {
      const shown = elements.slice(0, index + 1).filter(playable).length
      position.textContent = video ? `${shown}/${watchable} ${video.name}` : `${shown}/${watchable}`
      const player = sequence.player()
      if (video && player && query.get('muted') === '1') player.media.muted = true
    }
  })
  root.replaceChildren(h('div', { class: 'embed-frame' }, stage, title))
  await sequence.play(first, query.get('autoplay') === '1' || query.get('autoplay') === 'true')
}

void start()
