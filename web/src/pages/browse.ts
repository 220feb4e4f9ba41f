// The full lists: /videos/recently-added, /videos/trending and /videos/local.

import { api } from '../api'
import { h, setTitle } from '../dom'
import type { Page as Listing, Video } from '../types'
import type { PageContext } from '../router'
import { videoList } from '../components/video-list'

const lists: Record<string, { title: string, query: Record<string, string | boolean> }> = {
  '/videos/recently-added': { title: 'Recently added', query: { sort: '-publishedAt' } },
  '/videos/trending': { title: 'Trending', query: { sort: '-trending' } },
  '/videos/local': { title: 'Local videos', query: { sort: '-publishedAt', isLocal: true } }
}

export async function render ({ main, signal }: PageContext): Promise<void> {
  const list = lists[location.pathname.replace(/\/$/, '')] ?? lists['/videos/recently-added']
  setTitle(list.title)
  main.append(h('h1', {}, list.title), videoList({
    label: list.title,
    empty: 'No videos here yet.',
    load: (start, count) => api<Listing<Video>>('/videos', { query: { ...list.query, start, count }, signal })
  }))
}
