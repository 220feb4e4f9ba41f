// Home: for a signed-in viewer, the videos they stopped part-way ("Continue watching", from
// their history); then the newest, trending and local videos, each section linking to its full
// list (in the viewer's video languages, when they chose some).

import { api, currentUser } from '../api'
import { h, setTitle } from '../dom'
import type { Page as Listing, Video } from '../types'
import type { PageContext } from '../router'
import { videoList } from '../components/video-list'
import { languageFilter } from '../video-languages'

const sections = [
  { title: 'Recently added', path: '/videos/recently-added', query: { sort: '-publishedAt' } },
  { title: 'Trending', path: '/videos/trending', query: { sort: '-trending' } },
  { title: 'Local videos', path: '/videos/local', query: { sort: '-publishedAt', isLocal: true } }
]

/** Started and not near its end. */
function unfinished (video: Video): boolean {
  const seconds = video.userHistory?.currentTime ?? 0
  return seconds >= 5 && (!video.duration || seconds < video.duration - 10)
}

export async function render ({ main, signal }: PageContext): Promise<void> {
  setTitle('')
  main.append(h('h1', { class: 'visually-hidden' }, 'Home'))
  const user = await currentUser()
  if (user && user.videosHistoryEnabled !== false) {
    const started = await api<Listing<Video>>('/users/me/history/videos', { query: { start: 0, count: 24 }, signal })
      .then((page) => page.data.filter(unfinished).slice(0, 8)).catch(() => [])
    if (started.length > 0) {
      main.append(h('section', { class: 'home-section', 'aria-labelledby': 'section-continue', 'data-testid': 'continue-watching' },
        h('div', { class: 'section-head' },
          h('h2', { id: 'section-continue' }, 'Continue watching'),
          h('a', { href: '/my-library/history/videos', class: 'more-link' }, 'My history')),
        videoList({ label: 'Continue watching', single: true, empty: '', load: async () => ({ total: started.length, data: started }) })))
    }
  }
  const languages = await languageFilter()
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
        load: (start, count) => api<Listing<Video>>('/videos', { query: { ...section.query, ...languages, start, count }, signal })
      })))
  }
}
