// A playlist (/w/p/<id>, /videos/watch/playlist/<id>): its videos in order beside a player that
// plays them one after the other, each from its start timestamp to its stop timestamp.
// `?playlistPosition=N` starts at the N-th. The owner may take videos out.

import { api, ApiError, currentUser } from '../api'
import { errorText, formatDuration, h, handle, notice, replace, setTitle } from '../dom'
import { firstPlayable, loadElements, playable, playlistSequence } from '../playlist-player'
import type { PageContext } from '../router'
import type { VideoPlaylist, VideoPlaylistElement } from '../types'
import { thumbnailOf } from '../components/video-list'

export async function render ({ main, params, query, signal }: PageContext): Promise<() => void> {
  let playlist: VideoPlaylist
  try {
    playlist = await api<VideoPlaylist>(`/video-playlists/${encodeURIComponent(params.id)}`, { signal })
  } catch (error) {
    if (signal.aborted) return () => {}
    setTitle('Playlist not found')
    const missing = error instanceof ApiError && (error.status === 404 || error.status === 403)
    main.append(h('section', { class: 'narrow' }, h('h1', {}, missing ? 'Playlist not found' : 'Could not load the playlist'),
      notice(missing ? 'This playlist does not exist, was deleted, or is private.' : errorText(error), 'error')))
    return () => {}
  }
  setTitle(playlist.displayName)
  let elements: VideoPlaylistElement[]
  try {
    elements = await loadElements(playlist.uuid, signal)
  } catch (error) {
    if (!signal.aborted) main.append(notice(`Could not load the playlist's videos: ${errorText(error)}`, 'error'))
    return () => {}
  }
  const user = await currentUser()
  const owner = user !== null && user.account.name === playlist.ownerAccount.name && playlist.isLocal
  const stage = h('div', { class: 'watch-stage', 'data-testid': 'playlist-stage' })
  const nowPlaying = h('h2', { class: 'watch-title', 'data-testid': 'playlist-now-playing' })
  const items = h('ol', { class: 'playlist-items', 'data-testid': 'playlist-items', 'aria-label': 'Videos of the playlist' })
  const status = h('div', { role: 'status' })
  const sequence = playlistSequence({
    elements,
    stage,
    signal,
    p2p: { context: 'webapp', forced: null },
    onChange: (_index, video) => {
      if (video) nowPlaying.textContent = video.name
      else paint()
    }
  })
  const cleanup = (): void => { sequence.destroy() }
  const play = sequence.play

  const paint = (): void => {
    replace(items, elements.map((element, index) => {
      const video = element.video
      const label = video?.name ?? ['', 'Deleted video', 'Private video', 'Unavailable video'][element.type] ?? 'Unavailable video'
      const thumbnail = video ? thumbnailOf(video) : null
      const remove = owner
        ? h('button', {
          type: 'button',
          class: 'link-button',
          'data-testid': 'playlist-remove',
          'aria-label': `Remove ${label} from the playlist`,
          onclick: async () => {
            try {
              await api(`/video-playlists/${playlist.uuid}/videos/${element.id}`, { method: 'DELETE' })
              sequence.remove(index)
              paint()
            } catch (error) {
              status.replaceChildren(notice(errorText(error), 'error'))
            }
          }
        }, 'Remove')
        : null
      const body = playable(element)
        ? h('button', {
          type: 'button',
          class: 'playlist-item-button',
          'aria-current': index === sequence.current() ? 'true' : null,
          onclick: () => { void play(index, true) }
        },
        h('span', { class: 'playlist-position' }, String(index + 1)),
        thumbnail ? h('img', { src: thumbnail, alt: '', width: 96, height: 54, loading: 'lazy' }) : null,
        h('span', { class: 'playlist-item-name' }, label),
        video?.duration ? h('span', { class: 'playlist-item-duration' }, formatDuration(video.duration)) : null)
        : h('span', { class: 'playlist-item-button playlist-item-hidden' }, h('span', { class: 'playlist-position' }, String(index + 1)), label)
      return h('li', { class: 'playlist-item', 'data-testid': 'playlist-item', 'data-current': index === sequence.current() ? 'true' : null }, body, remove)
    }))
  }

  const heading = h('div', { class: 'playlist-head' },
    h('h1', { 'data-testid': 'playlist-title' }, playlist.displayName),
    h('p', { class: 'watch-stats' },
      `${playlist.videosLength} ${playlist.videosLength === 1 ? 'video' : 'videos'} · `,
      playlist.videoChannel
        ? h('a', { href: `/c/${handle(playlist.videoChannel)}` }, playlist.videoChannel.displayName || playlist.videoChannel.name)
        : h('a', { href: `/a/${handle(playlist.ownerAccount)}` }, playlist.ownerAccount.displayName || playlist.ownerAccount.name),
      playlist.privacy.id !== 1 ? h('span', { class: 'badge badge-inline' }, playlist.privacy.label) : null),
    playlist.description ? h('p', { class: 'description' }, playlist.description) : null)
  main.append(h('div', { class: 'playlist-watch' },
    h('div', { class: 'playlist-player' }, stage, nowPlaying),
    h('aside', { class: 'playlist-side' }, heading, items, status)))
  paint()
  const first = firstPlayable(elements, query.get('playlistPosition'))
  if (first >= 0) await play(first, false)
  else replace(stage, h('p', { class: 'empty', 'data-testid': 'playlist-empty' }, 'This playlist has no video you can watch.'))
  return cleanup
}
