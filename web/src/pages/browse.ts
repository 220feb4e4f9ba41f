// The full lists: /videos/recently-added, /videos/trending and /videos/local (in the signed-in
// viewer's video languages, when they chose some).

import { api } from '../api'
import { h, setTitle } from '../dom'
import type { Page as Listing, Video } from '../types'
import type { PageContext } from '../router'
import { videoList } from '../components/video-list'
import { languageFilter } from '../video-languages'

const lists: Record<string, { title: string, query: Record<string, string | boolean> }> = {
  '/videos/recently-added': { title: 'Recently added', query: { sort: '-publishedAt' } },
  '/videos/trending': { title: 'Trending', query: { sort: '-trending' } },
  '/videos/local': { title: 'Local videos', query: { sort: '-publishedAt', isLocal: true } }
}

export async function render ({ main, signal }: PageContext): Promise<void> {
  const list = lists[location.pathname.replace(/\/$/, '')] ?? lists['/videos/recently-added']
  setTitle(list.title)
  const languages = await languageFilter()
  main.append(h('h1', {}, list.title),
    ...(languages.languageOneOf
      ? [h('p', { class: 'muted', 'data-testid': 'language-filter' }, 'Only videos in the languages chosen in ',
          h('a', { href: '/my-account/settings' }, 'your settings'), '.')]
      : []),
    videoList({
      label: list.title,
      empty: 'No videos here yet.',
      load: (start, count) => api<Listing<Video>>('/videos', { query: { ...list.query, ...languages, start, count }, signal })
    }))
}
