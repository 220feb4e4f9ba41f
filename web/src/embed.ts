// The embeddable player (/videos/embed/<id>): the player alone, with the title linking to the
// watch page. Query: ?autoplay=1, ?start=<seconds or 1m30s>, ?muted=1, ?p2p=0 (no sharing with
// other viewers, not even a tracker connection) or ?p2p=1.

import './styles/base.css'
import { api, ApiError } from './api'
import { h, parseStart } from './dom'
import { createPlayer } from './player'
import { queryPreference } from './p2p-settings'
import type { Storyboard, VideoCaption, VideoChapter, VideoDetails } from './types'

async function start (): Promise<void> {
  const root = document.getElementById('embed')!
  const id = decodeURIComponent(location.pathname.split('/').filter(Boolean).pop() ?? '')
  const query = new URLSearchParams(location.search)
  let video: VideoDetails
  try {
    video = await api<VideoDetails>(`/videos/${encodeURIComponent(id)}`)
  } catch (error) {
    const missing = error instanceof ApiError && error.status === 404
    document.title = missing ? 'Video not found' : 'Video unavailable'
    root.replaceChildren(h('div', { class: 'embed-message', role: 'alert' },
      missing ? 'This video does not exist or is private.' : 'This video could not be loaded.'))
    return
  }
  document.title = video.name
  if ((video.state?.id ?? 1) !== 1) {
    root.replaceChildren(h('div', { class: 'embed-message', role: 'status' }, 'This video is still being processed. Try again in a moment.'))
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

void start()
