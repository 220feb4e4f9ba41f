// Comments on my videos (/my-library/comments-on-my-videos): the comments waiting for the
// owner's approval (videos whose comments policy is "Requires approval"), or all of them;
// each can be approved or deleted.

import { api, currentUser } from '../api'
import { errorText, formatAge, formatDate, h, handle, notice, setTitle } from '../dom'
import { renderMarkdown } from '../markdown'
import { navigate, type PageContext } from '../router'
import type { OwnerComment, Page } from '../types'

const PAGE = 20

function row (comment: OwnerComment): HTMLLIElement {
  const actions = h('div', { class: 'row-actions' })
  const item = h('li', { class: 'row', 'data-testid': 'queue-comment', 'data-comment-id': comment.id })
  const video = comment.video
  const done = (text: string): void => { item.replaceChildren(h('p', { class: 'muted', role: 'status' }, text)) }
  const act = async (button: HTMLButtonElement, run: () => Promise<unknown>, text: string): Promise<void> => {
    for (const other of actions.querySelectorAll('button')) other.disabled = true
    try {
      await run()
      done(text)
    } catch (error) {
      for (const other of actions.querySelectorAll('button')) other.disabled = false
      actions.append(notice(`${button.textContent} failed: ${errorText(error)}`, 'error'))
    }
  }
  const approve = h('button', { type: 'button', class: 'button button-primary', 'data-testid': 'queue-approve' }, 'Approve')
  approve.addEventListener('click', () => {
    void act(approve, () => api(`/videos/${video.uuid ?? video.id}/comments/${comment.id}/approve`, { method: 'POST' }), 'Approved: everyone can see this comment now.')
  })
  const remove = h('button', { type: 'button', class: 'button button-danger', 'data-testid': 'queue-delete' }, 'Delete')
  remove.addEventListener('click', () => {
    void act(remove, () => api(`/videos/${video.uuid ?? video.id}/comments/${comment.id}`, { method: 'DELETE' }), 'Deleted.')
  })
  if (comment.heldForReview) actions.append(approve)
  actions.append(remove)
  item.append(
    h('div', { class: 'row-main' },
      h('div', { class: 'comment-head' },
        h('a', { class: 'comment-author', href: `/a/${handle(comment.account)}` }, comment.account.displayName || comment.account.name),
        h('span', { class: 'comment-handle' }, `@${handle(comment.account)}`),
        h('span', { class: 'muted' }, 'on ', h('a', { href: `/w/${video.shortUUID ?? video.uuid}` }, video.name)),
        h('time', { datetime: comment.createdAt, title: formatDate(comment.createdAt) }, formatAge(comment.createdAt)),
        comment.heldForReview ? h('span', { class: 'badge badge-inline badge-warn' }, 'Awaiting approval') : null),
      h('div', { class: 'comment-text markdown' }, renderMarkdown(comment.text))),
    actions)
  return item
}

export async function render ({ main, query, signal }: PageContext): Promise<void> {
  setTitle('Comments on my videos')
  if (!await currentUser()) { navigate(`/login?next=${encodeURIComponent(location.pathname)}`, { replace: true }); return }
  const all = query.get('all') === '1'
  const list = h('ul', { class: 'row-list', 'aria-label': 'Comments' })
  const status = h('div', {})
  const more = h('button', { type: 'button', class: 'button', hidden: true }, 'Show more')
  main.append(h('section', { class: 'wide' },
    h('h1', {}, 'Comments on my videos'),
    h('nav', { class: 'tabs', 'aria-label': 'Which comments' },
      h('a', { href: '/my-library/comments-on-my-videos', 'aria-current': all ? null : 'page' }, 'Awaiting approval'),
      h('a', { href: '/my-library/comments-on-my-videos?all=1', 'aria-current': all ? 'page' : null }, 'All comments')),
    h('p', { class: 'muted' }, 'On videos whose comments “Require approval” (in the video’s settings), new comments wait here until you approve them.'),
    list, status, more))
  let loaded = 0
  const load = async (): Promise<void> => {
    more.disabled = true
    try {
      const page = await api<Page<OwnerComment>>('/users/me/videos/comments', {
        query: { start: loaded, count: PAGE, sort: '-createdAt', isHeldForReview: all ? undefined : true }, signal
      })
      list.append(...page.data.map(row))
      loaded += page.data.length
      more.hidden = loaded >= page.total || page.data.length === 0
      if (loaded === 0) status.replaceChildren(h('p', { class: 'empty' }, all ? 'No comments on your videos yet.' : 'No comment is waiting for your approval.'))
    } catch (error) {
      if (!signal.aborted) status.replaceChildren(notice(`Could not load the comments: ${errorText(error)}`, 'error'))
    } finally {
      more.disabled = false
    }
  }
  more.addEventListener('click', () => { void load() })
  await load()
}
