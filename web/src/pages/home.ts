// Home: the newest, trending and local videos, each section linking to its full list.

import { api } from '../api'
import { h, setTitle } from '../dom'
import type { Page as Listing, Video } from '../types'
import type { PageContext } from '../router'
import { videoList } from '../components/video-list'

const sections = [
  { title: 'Recently added', path: '/videos/recently-added', query: { sort: '-publishedAt' } },
  { title: 'Trending', path: '/videos/trending', query: { sort: '-trending' } },
  { title: 'Local videos', path: '/videos/local', query: { sort: '-publishedAt', isLocal: true } }
]

export async function render ({ main, signal }: PageContext): Promise<void> {
  setTitle('')
  main.append(h('h1', { class: 'visually-hidden' }, 'Home'))
  for (const section of sections) {
    const id = `section-${section.path.split('/').pop()}`
    main.append(h('section', { class: 'home-section', 'aria-labelledby': id },
      h('div', { class: 'section-head' },
        h('h2', { id }, section.title),
        h('a', { href: section.path, class: 'more-link' }, 'See all', h('span', { class: 'visually-hidden' }, ` ${section.title.toLowerCase()}`))),
      videoList({
        label: section.title,
        single: true,
        count: 8,
        empty: 'No videos here yet.',
        load: (start, count) => api<Listing<Video>>('/videos', { query: { ...section.query, start, count }, signal })
      })))
  }
}
