// Playlist cards in a grid (a channel's playlists), with "Show more" paging.

import { errorText, h, notice } from '../dom'
import { icon } from '../icons'
import type { Page, VideoPlaylist } from '../types'

export function playlistCard (playlist: VideoPlaylist): HTMLElement {
  const path = `/w/p/${playlist.shortUUID}`
  const thumbnail = playlist.thumbnailUrl ?? playlist.thumbnailPath
  return h('article', { class: 'video-card playlist-card', 'data-testid': 'playlist-card', role: 'listitem' },
    h('a', { class: 'thumb', href: path, tabindex: '-1', 'aria-hidden': 'true' },
      thumbnail ? h('img', { src: thumbnail, alt: '', loading: 'lazy', width: 320, height: 180 }) : h('span', { class: 'thumb-empty' }, icon('play')),
      h('span', { class: 'duration' }, `${playlist.videosLength} ${playlist.videosLength === 1 ? 'video' : 'videos'}`)),
    h('div', { class: 'card-body' },
      h('h3', { class: 'card-title' }, h('a', { href: path, title: playlist.displayName }, playlist.displayName)),
      playlist.privacy.id !== 1 ? h('span', { class: 'badge badge-inline' }, playlist.privacy.label) : null))
}

export interface PlaylistListOptions {
  load: (start: number, count: number) => Promise<Page<VideoPlaylist>>
  empty: string
  label: string
}

/** A grid of playlists, loading more on request. */
export function playlistList (options: PlaylistListOptions): HTMLElement {
  const count = 24
  const grid = h('div', { class: 'video-grid', role: 'list', 'aria-label': options.label })
  const status = h('div', { class: 'list-status' })
  const more = h('button', { type: 'button', class: 'button', hidden: true }, 'Show more')
  let loaded = 0
  const load = async (): Promise<void> => {
    more.disabled = true
    try {
      const page = await options.load(loaded, count)
      grid.append(...page.data.map(playlistCard))
      loaded += page.data.length
      status.replaceChildren(loaded === 0 ? h('p', { class: 'empty' }, options.empty) : '')
      more.hidden = loaded >= page.total || page.data.length === 0
    } catch (error) {
      status.replaceChildren(notice(`Could not load playlists: ${errorText(error)}`, 'error'))
    } finally {
      more.disabled = false
    }
  }
  more.addEventListener('click', () => { void load() })
  void load()
  return h('div', { class: 'video-list' }, grid, status, more)
}
