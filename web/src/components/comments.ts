// Comments under a video: threads (newest first, paged), replies loaded per thread, a box to
// comment, reply forms, and deletion of one's own comments (or any, for the video's owner and
// moderators). Deleted comments stay as tombstones so their replies keep their place. Others'
// comments have a menu to report them or mute their author; comments held for the owner's
// approval (commentsPolicy 3) say so.

import { api, ApiError, currentUser } from '../api'
import { errorText, formatAge, formatCount, formatDate, h, handle, notice } from '../dom'
import { renderMarkdown } from '../markdown'
import type { CommentTree, Page, User, VideoComment, VideoDetails } from '../types'
import { moreMenu } from './dialog'
import { mute } from './mute'
import { openReportDialog } from './report-dialog'

interface Context { video: VideoDetails, user: User | null, signal: AbortSignal }

const PAGE = 20

function isMine (user: User, comment: VideoComment): boolean {
  return comment.account?.name === user.account.name && (comment.account?.host ?? location.host) === (user.account.host ?? location.host)
}

function canDelete (context: Context, comment: VideoComment): boolean {
  const { user, video } = context
  if (!user || comment.isDeleted) return false
  const mine = isMine(user, comment)
  const ownsVideo = video.account.name === user.account.name && video.isLocal !== false
  return mine || ownsVideo || user.role?.id === 0 || user.role?.id === 1
}

/** A box with a textarea and a submit button; `send` posts the text. */
function composer (options: { id: string, label: string, placeholder: string, testId: string, submitLabel: string, send: (text: string) => Promise<void>, onCancel?: () => void }): HTMLFormElement {
  const text = h('textarea', { id: options.id, rows: 3, maxlength: 10000, required: true, placeholder: options.placeholder, 'data-testid': `${options.testId}-input` })
  const submit = h('button', { type: 'submit', class: 'button button-primary', 'data-testid': `${options.testId}-submit` }, options.submitLabel)
  const status = h('div', { 'aria-live': 'polite' })
  const form = h('form', { class: 'comment-form' },
    h('label', { for: options.id, class: 'visually-hidden' }, options.label), text, status,
    h('div', { class: 'actions' }, options.onCancel ? h('button', { type: 'button', class: 'button', onclick: options.onCancel }, 'Cancel') : null, submit))
  form.addEventListener('submit', async (event) => {
    event.preventDefault()
    if (!text.value.trim()) { text.focus(); return }
    submit.disabled = true
    status.replaceChildren()
    try {
      await options.send(text.value)
      text.value = ''
    } catch (error) {
      status.replaceChildren(notice(`Could not send: ${errorText(error)}`, 'error'))
    } finally {
      submit.disabled = false
    }
  })
  return form
}

function commentItem (context: Context, comment: VideoComment): HTMLLIElement {
  const replies = h('ol', { class: 'comment-replies' })
  const slot = h('div', { class: 'comment-slot' })
  const actions = h('div', { class: 'comment-actions' })
  const body = h('div', { class: 'comment-text markdown', 'data-testid': 'comment-text' })
  const item = h('li', { class: 'comment', id: `comment-${comment.id}`, 'data-testid': 'comment-item', 'data-comment-id': comment.id })
  const author = comment.account
  const header = h('div', { class: 'comment-head' },
    author ? h('a', { class: 'comment-author', href: `/a/${handle(author)}` }, author.displayName || author.name) : h('span', { class: 'comment-author' }, 'Deleted account'),
    author ? h('span', { class: 'comment-handle' }, `@${handle(author)}`) : null,
    h('time', { datetime: comment.createdAt, title: formatDate(comment.createdAt) }, formatAge(comment.createdAt)),
    comment.heldForReview ? h('span', { class: 'badge badge-inline badge-warn', 'data-testid': 'comment-held' }, 'Awaiting approval') : null)
  const paintBody = (): void => {
    if (comment.isDeleted) {
      item.classList.add('comment-deleted')
      body.replaceChildren(h('p', {}, 'This comment has been deleted.'))
    } else {
      body.replaceChildren(renderMarkdown(comment.text))
    }
  }
  paintBody()
  const paintActions = (): void => {
    actions.replaceChildren()
    if (context.user && !comment.isDeleted) {
      actions.append(h('button', {
        type: 'button', class: 'link-button', 'data-testid': 'reply-button',
        onclick: () => {
          const form = composer({
            id: `reply-to-${comment.id}`, label: `Reply to ${author?.displayName ?? 'comment'}`, placeholder: 'Write a reply…',
            testId: 'reply', submitLabel: 'Reply',
            onCancel: () => slot.replaceChildren(),
            send: async (text) => {
              const answer = await api<{ comment: VideoComment }>(`/videos/${context.video.uuid}/comments/${comment.id}`, { method: 'POST', json: { text } })
              slot.replaceChildren()
              replies.append(commentItem(context, answer.comment))
            }
          })
          slot.replaceChildren(form)
          form.querySelector('textarea')?.focus()
        }
      }, 'Reply'))
    }
    if (canDelete(context, comment)) {
      const remove = h('button', { type: 'button', class: 'link-button danger', 'data-testid': 'comment-delete' }, 'Delete')
      remove.addEventListener('click', () => {
        const confirm = h('button', { type: 'button', class: 'link-button danger', 'data-testid': 'comment-delete-confirm' }, 'Yes, delete')
        const keep = h('button', { type: 'button', class: 'link-button', onclick: paintActions }, 'Keep')
        confirm.addEventListener('click', async () => {
          confirm.disabled = true
          try {
            await api(`/videos/${context.video.uuid}/comments/${comment.id}`, { method: 'DELETE' })
            comment.isDeleted = true
            comment.text = ''
            paintBody()
            paintActions()
          } catch (error) {
            actions.replaceChildren(notice(`Could not delete: ${errorText(error)}`, 'error'))
          }
        })
        actions.replaceChildren(h('span', {}, 'Delete this comment?'), confirm, keep)
        confirm.focus()
      })
      actions.append(remove)
    }
    const user = context.user
    if (user && author && !comment.isDeleted && !isMine(user, comment)) {
      const remote = author.host && author.host !== location.host
      const menu = moreMenu('More actions on this comment', 'comment-menu', [
        { label: 'Report this comment', testId: 'comment-report', action: () => { void openReportDialog({ kind: 'comment', id: comment.id, author: author.displayName || author.name }) } },
        { label: `Mute ${author.displayName || author.name}`, testId: 'comment-mute-account', action: () => { void mute({ account: author }).then((line) => slot.replaceChildren(line)) } },
        remote ? { label: `Mute the instance ${author.host}`, testId: 'comment-mute-server', action: () => { void mute({ server: author.host }).then((line) => slot.replaceChildren(line)) } } : null
      ])
      if (menu) actions.append(menu)
    }
  }
  paintActions()
  item.append(header, body, actions, slot)
  // Threads say how many replies they have; the tree is fetched on request.
  if (comment.inReplyToCommentId === null && (comment.totalReplies ?? 0) > 0) {
    const show = h('button', { type: 'button', class: 'link-button replies-toggle', 'data-testid': 'show-replies', 'aria-expanded': 'false' },
      `Show ${formatCount(comment.totalReplies ?? 0, 'reply', 'replies')}`)
    show.addEventListener('click', async () => {
      show.disabled = true
      try {
        const tree = await api<CommentTree>(`/videos/${context.video.uuid}/comment-threads/${comment.threadId ?? comment.id}`, { signal: context.signal })
        replies.replaceChildren(...tree.children.map((child) => treeItem(context, child)))
        show.remove()
      } catch (error) {
        show.disabled = false
        replies.replaceChildren(notice(`Could not load replies: ${errorText(error)}`, 'error'))
      }
    })
    item.append(show)
  }
  item.append(replies)
  return item
}

function treeItem (context: Context, tree: CommentTree): HTMLLIElement {
  const item = commentItem(context, tree.comment)
  item.querySelector(':scope > .comment-replies')?.append(...tree.children.map((child) => treeItem(context, child)))
  return item
}

export function commentsSection (video: VideoDetails, signal: AbortSignal): HTMLElement {
  const heading = h('h2', { id: 'comments-heading' }, 'Comments')
  const section = h('section', { class: 'comments', 'aria-labelledby': 'comments-heading', 'data-testid': 'comments' }, heading)
  if (video.commentsEnabled === false || video.commentsPolicy?.id === 2) {
    section.append(h('p', { class: 'empty' }, 'Comments are turned off for this video.'))
    return section
  }
  const list = h('ol', { class: 'comment-list' })
  const status = h('div', {})
  const more = h('button', { type: 'button', class: 'button', hidden: true }, 'Show more comments')
  const box = h('div', {})
  const held = h('p', { class: 'notice', role: 'status', hidden: true, 'data-testid': 'comment-held-notice' },
    'Your comment was sent. The video\'s owner approves comments before others can see them.')
  if (video.commentsPolicy?.id === 3) box.append(h('p', { class: 'muted' }, 'Comments on this video are shown once its owner approves them.'))
  section.append(box, held, list, status, more)
  void (async () => {
    const user = await currentUser()
    const context: Context = { video, user, signal }
    if (user) {
      box.append(composer({
        id: 'new-comment', label: 'Add a comment', placeholder: 'Add a comment…', testId: 'comment', submitLabel: 'Comment',
        send: async (text) => {
          const answer = await api<{ comment: VideoComment }>(`/videos/${video.uuid}/comment-threads`, { method: 'POST', json: { text } })
          list.prepend(commentItem(context, answer.comment))
          list.querySelector('.empty')?.remove()
          held.hidden = !answer.comment.heldForReview
        }
      }))
    } else {
      box.append(h('p', {}, h('a', { href: `/login?next=${encodeURIComponent(location.pathname)}` }, 'Log in'), ' to comment.'))
    }
    let loaded = 0
    const load = async (): Promise<void> => {
      more.disabled = true
      try {
        const page = await api<Page<VideoComment> & { totalNotDeletedComments?: number }>(`/videos/${video.uuid}/comment-threads`, {
          query: { start: loaded, count: PAGE, sort: '-createdAt' }, signal
        })
        status.replaceChildren()
        list.append(...page.data.map((comment) => commentItem(context, comment)))
        loaded += page.data.length
        heading.textContent = `Comments (${page.totalNotDeletedComments ?? page.total})`
        more.hidden = loaded >= page.total || page.data.length === 0
        if (loaded === 0) list.append(h('li', { class: 'empty' }, 'No comments yet.'))
      } catch (error) {
        if (signal.aborted) return
        const missing = error instanceof ApiError && error.routeMissing
        status.replaceChildren(notice(missing ? 'Comments are not available on this server yet.' : `Could not load comments: ${errorText(error)}`, 'error'))
      } finally {
        more.disabled = false
      }
    }
    more.addEventListener('click', () => { void load() })
    await load()
  })()
  return section
}
