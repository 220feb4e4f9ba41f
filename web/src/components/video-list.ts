// Video cards in a grid, with "Show more" paging.

import { icon } from '../icons'
import { errorText, formatAge, formatCount, formatDuration, h, handle, notice } from '../dom'
import type { Page, Video } from '../types'

export function thumbnailOf (video: Video): string | null {
  return video.thumbnailUrl ?? video.thumbnailPath ?? video.previewUrl ?? video.previewPath ?? null
}

export function watchPath (video: Pick<Video, 'shortUUID' | 'uuid'>): string {
  return `/w/${video.shortUUID ?? video.uuid}`
}

export function videoCard (video: Video, extra?: Node): HTMLElement {
  const thumbnail = thumbnailOf(video)
  const published = video.state === undefined || video.state.id === 1
  return h('article', { class: 'video-card', 'data-testid': 'video-card' },
    h('a', { class: 'thumb', href: watchPath(video), tabindex: '-1', 'aria-hidden': 'true' },
      thumbnail ? h('img', { src: thumbnail, alt: '', loading: 'lazy', width: 320, height: 180 }) : h('span', { class: 'thumb-empty' }, icon('play')),
      video.duration ? h('span', { class: 'duration' }, formatDuration(video.duration)) : null,
      published ? null : h('span', { class: 'badge' }, video.state?.label ?? 'Processing'),
      watchedBar(video)),
    h('div', { class: 'card-body' },
      h('h3', { class: 'card-title' }, h('a', { href: watchPath(video), title: video.name }, video.name)),
      video.channel ? h('a', { class: 'card-channel', href: `/c/${handle(video.channel)}` }, video.channel.displayName || video.channel.name) : null,
      h('p', { class: 'card-stats' }, `${formatCount(video.views, 'view', 'views')} · ${formatAge(video.publishedAt ?? video.createdAt)}`),
      extra ?? null))
}

/** How much of the video the viewer watched (their history), as a bar along the thumbnail. */
function watchedBar (video: Video): HTMLElement | null {
  const seconds = video.userHistory?.currentTime
  if (typeof seconds !== 'number' || !video.duration) return null
  const percent = Math.min(100, Math.max(0, Math.round((seconds / video.duration) * 100)))
  const part = h('span', { class: 'watched-part' })
  part.style.width = `${percent}%` // through the CSSOM: the CSP allows no style attributes
  return h('span', { class: 'watched', 'data-testid': 'watched-bar', 'data-percent': String(percent), title: `Watched ${formatDuration(seconds)} of ${formatDuration(video.duration)}` }, part)
}

export interface VideoListOptions {
  load: (start: number, count: number) => Promise<Page<Video>>
  empty: string
  count?: number
  /** Stop after the first page (home sections link to the full list instead). */
  single?: boolean
  label?: string
  /** Something under each card (an action on it). */
  extra?: (video: Video, card: () => HTMLElement) => Node
}

/** A grid that loads its first page at once and more on request. */
export function videoList (options: VideoListOptions): HTMLElement {
  const count = options.count ?? 24
  const grid = h('div', { class: 'video-grid', role: 'list', 'aria-label': options.label ?? 'Videos' })
  const status = h('div', { class: 'list-status' })
  const more = h('button', { type: 'button', class: 'button', hidden: true }, 'Show more')
  const container = h('div', { class: 'video-list' }, grid, status, more)
  let loaded = 0
  const load = async (): Promise<void> => {
    more.disabled = true
    status.replaceChildren(notice('Loading…'))
    try {
      const page = await options.load(loaded, count)
      status.replaceChildren()
      for (const video of page.data) {
        let shown: HTMLElement | null = null
        const card = videoCard(video, options.extra?.(video, () => shown!))
        shown = card
        card.setAttribute('role', 'listitem')
        grid.append(card)
      }
      loaded += page.data.length
      if (loaded === 0) status.replaceChildren(h('p', { class: 'empty' }, options.empty))
      more.hidden = options.single === true || loaded >= page.total || page.data.length === 0
    } catch (error) {
      status.replaceChildren(notice(`Could not load videos: ${errorText(error)}`, 'error'))
    } finally {
      more.disabled = false
    }
  }
  more.addEventListener('click', () => { void load() })
  void load()
  return container
}
