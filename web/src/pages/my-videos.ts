// My videos (/my-library/videos): the logged-in user's videos with their state, an edit link
// and deletion (confirmed inline).

import { api, currentUser } from '../api'
import { icon } from '../icons'
import { errorText, formatAge, formatCount, h, notice, setTitle } from '../dom'
import { navigate, type PageContext } from '../router'
import type { Page, Video } from '../types'
import { thumbnailOf, watchPath } from '../components/video-list'

const PAGE = 20

function row (video: Video): HTMLLIElement {
  const thumbnail = thumbnailOf(video)
  const actions = h('div', { class: 'row-actions' })
  const item = h('li', { class: 'my-video', 'data-testid': 'my-video', 'data-uuid': video.uuid },
    h('a', { class: 'thumb thumb-small', href: watchPath(video), tabindex: '-1', 'aria-hidden': 'true' },
      thumbnail ? h('img', { src: thumbnail, alt: '', loading: 'lazy', width: 160, height: 90 }) : h('span', { class: 'thumb-empty' }, icon('play'))),
    h('div', { class: 'my-video-body' },
      h('h2', { class: 'card-title' }, h('a', { href: watchPath(video) }, video.name)),
      h('p', { class: 'card-stats' },
        h('span', { class: 'badge badge-inline' }, video.privacy.label),
        (video.state?.id ?? 1) !== 1 ? h('span', { class: 'badge badge-inline badge-warn' },
          `${video.state?.label ?? 'Processing'}${typeof video.transcodingProgress === 'number' ? ` ${Math.round(video.transcodingProgress)}%` : ''}`) : null,
        ` ${formatCount(video.views, 'view', 'views')} · ${formatAge(video.publishedAt ?? video.createdAt)}`)),
    actions)
  const paintActions = (): void => {
    const remove = h('button', { type: 'button', class: 'button button-danger', 'data-testid': 'delete-video' }, 'Delete')
    remove.addEventListener('click', () => {
      const confirm = h('button', { type: 'button', class: 'button button-danger', 'data-testid': 'delete-confirm' }, 'Yes, delete')
      confirm.addEventListener('click', async () => {
        confirm.disabled = true
        try {
          await api(`/videos/${video.uuid}`, { method: 'DELETE' })
          item.replaceChildren(h('p', { class: 'muted', role: 'status' }, `“${video.name}” was deleted.`))
        } catch (error) {
          actions.replaceChildren(notice(`Could not delete: ${errorText(error)}`, 'error'))
        }
      })
      actions.replaceChildren(h('span', {}, 'Delete for good?'), confirm,
        h('button', { type: 'button', class: 'button', onclick: paintActions }, 'Keep'))
      confirm.focus()
    })
    actions.replaceChildren(h('a', { class: 'button', href: `/videos/manage/${video.shortUUID}`, 'data-testid': 'edit-link' }, 'Edit'), remove)
  }
  paintActions()
  return item
}

export async function render ({ main, signal }: PageContext): Promise<void> {
  setTitle('My videos')
  if (!await currentUser()) { navigate(`/login?next=${encodeURIComponent('/my-library/videos')}`, { replace: true }); return }
  const list = h('ul', { class: 'my-videos', 'aria-label': 'My videos' })
  const status = h('div', {})
  const more = h('button', { type: 'button', class: 'button', hidden: true }, 'Show more')
  main.append(h('div', { class: 'section-head' }, h('h1', {}, 'My videos'), h('a', { class: 'button button-primary', href: '/videos/upload' }, 'Upload')),
    list, status, more)
  let loaded = 0
  const load = async (): Promise<void> => {
    more.disabled = true
    try {
      const page = await api<Page<Video>>('/users/me/videos', { query: { start: loaded, count: PAGE, sort: '-createdAt' }, signal })
      list.append(...page.data.map(row))
      loaded += page.data.length
      more.hidden = loaded >= page.total || page.data.length === 0
      if (loaded === 0) status.replaceChildren(h('p', { class: 'empty' }, 'You have not uploaded any video yet. ', h('a', { href: '/videos/upload' }, 'Upload one'), '.'))
    } catch (error) {
      if (!signal.aborted) status.replaceChildren(notice(`Could not load your videos: ${errorText(error)}`, 'error'))
    } finally {
      more.disabled = false
    }
  }
  more.addEventListener('click', () => { void load() })
  await load()
}
