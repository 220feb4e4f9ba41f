// Discover (/videos/discover): videos that came from other instances (through followed
// channels and instances, and relays), newest and trending, so a new instance is not empty.

import { api } from '../api'
import { h, setTitle } from '../dom'
import type { Page as Listing, Video } from '../types'
import type { PageContext } from '../router'
import { videoList } from '../components/video-list'
import { languageFilter } from '../video-languages'

const sections = [
  { id: 'discover-newest', title: 'Newest from other instances', sort: '-publishedAt' },
  { id: 'discover-trending', title: 'Trending on other instances', sort: '-trending' }
]

export async function render ({ main, signal }: PageContext): Promise<void> {
  setTitle('Discover')
  main.append(h('h1', {}, 'Discover'),
    h('p', { class: 'muted' }, 'Videos of other instances that reached this one. Paste a channel’s handle (name@instance) in the search box to find more.'))
  const languages = await languageFilter()
  for (const section of sections) {
    main.append(h('section', { class: 'home-section', 'aria-labelledby': section.id, 'data-testid': section.id },
      h('h2', { id: section.id }, section.title),
      videoList({
        label: section.title,
        count: 8,
        empty: 'No videos from other instances yet.',
        load: (start, count) => api<Listing<Video>>('/videos', { query: { sort: section.sort, isLocal: false, ...languages, start, count }, signal })
      })))
  }
}
