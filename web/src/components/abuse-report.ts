// One report as a card (what was reported, why, by whom, its state) and its conversation
// between the reporter and the moderators (/api/v1/abuses/{id}/messages), shown on request.

import { api } from '../api'
import { errorText, formatAge, formatDate, formatDuration, h, handle, notice } from '../dom'
import { AbuseState, predefinedReasons, type Abuse, type AbuseMessage, type Page } from '../types'

const reasonLabels = new Map(predefinedReasons.map((reason) => [reason.id, reason.label]))

/** "Video “x” (0:10–0:40)", "Comment on “x”", "Account y". */
export function reportedThing (abuse: Abuse): HTMLElement {
  if (abuse.video) {
    const video = abuse.video
    const span = video.startAt != null || video.endAt != null
      ? ` (${formatDuration(video.startAt ?? 0)}–${video.endAt != null ? formatDuration(video.endAt) : 'end'})`
      : ''
    return h('span', {}, 'Video ',
      video.deleted ? h('span', {}, `“${video.name}”`) : h('a', { href: `/w/${video.shortUUID ?? video.uuid}`, 'data-testid': 'abuse-video-link' }, `“${video.name}”`),
      span,
      video.deleted ? h('span', { class: 'badge badge-inline' }, 'Deleted') : null,
      video.blacklisted ? h('span', { class: 'badge badge-inline badge-warn', 'data-testid': 'abuse-video-blocked' }, 'Blocked') : null)
  }
  if (abuse.comment) {
    const comment = abuse.comment
    return h('span', {}, 'Comment on ',
      h('a', { href: `/w/${comment.video.uuid}#comment-${comment.id}` }, `“${comment.video.name}”`),
      comment.deleted ? h('span', { class: 'badge badge-inline' }, 'Deleted') : null)
  }
  const account = abuse.flaggedAccount
  return h('span', {}, 'Account ', account ? h('a', { href: `/a/${handle(account)}` }, account.displayName || account.name) : 'deleted')
}

export function stateBadge (abuse: Abuse): HTMLElement {
  const kind = abuse.state.id === AbuseState.accepted ? 'state-accepted' : abuse.state.id === AbuseState.rejected ? 'state-rejected' : 'state-pending'
  return h('span', { class: `badge badge-inline ${kind}`, 'data-testid': 'abuse-state' }, abuse.state.label)
}

/** The conversation of a report: its messages and a box to write one. */
export function conversation (abuse: Abuse, signal: AbortSignal, onCount: (count: number) => void = () => {}): HTMLElement {
  const list = h('ol', { class: 'messages', 'data-testid': 'abuse-messages' })
  const status = h('div', {})
  const text = h('textarea', { id: `message-${abuse.id}`, rows: 2, minlength: 2, maxlength: 3000, required: true, placeholder: 'Write a message…', 'data-testid': 'abuse-message-input' })
  const send = h('button', { type: 'submit', class: 'button', 'data-testid': 'abuse-message-send' }, 'Send')
  const form = h('form', { class: 'comment-form' }, h('label', { for: `message-${abuse.id}`, class: 'visually-hidden' }, 'Message'), text, h('div', { class: 'actions' }, send))
  const item = (message: AbuseMessage): HTMLLIElement => h('li', { class: message.byModerator ? 'message message-moderator' : 'message' },
    h('div', { class: 'comment-head' },
      h('span', { class: 'comment-author' }, message.account?.displayName || message.account?.name || 'Someone'),
      message.byModerator ? h('span', { class: 'badge badge-inline' }, 'Moderator') : null,
      h('time', { datetime: message.createdAt, title: formatDate(message.createdAt) }, formatAge(message.createdAt))),
    h('p', { class: 'message-text' }, message.message))
  const load = async (): Promise<void> => {
    try {
      const page = await api<Page<AbuseMessage>>(`/abuses/${abuse.id}/messages`, { signal })
      list.replaceChildren(...page.data.map(item))
      onCount(page.total)
      if (page.data.length === 0) list.append(h('li', { class: 'empty' }, 'No messages yet.'))
      status.replaceChildren()
    } catch (error) {
      if (!signal.aborted) status.replaceChildren(notice(`Could not load the messages: ${errorText(error)}`, 'error'))
    }
  }
  form.addEventListener('submit', async (event) => {
    event.preventDefault()
    const message = text.value.trim()
    if (message.length < 2) return
    send.disabled = true
    try {
      await api(`/abuses/${abuse.id}/messages`, { method: 'POST', json: { message } })
      text.value = ''
      await load()
    } catch (error) {
      status.replaceChildren(notice(`Could not send the message: ${errorText(error)}`, 'error'))
    } finally {
      send.disabled = false
    }
  })
  void load()
  return h('div', { class: 'conversation' }, list, status, form)
}

/** The common part of a report card; `extra` holds moderator-only lines and actions. */
export function reportCard (abuse: Abuse, signal: AbortSignal, extra: Array<Node | null> = []): HTMLLIElement {
  const slot = h('div', {})
  const toggle = h('button', { type: 'button', class: 'link-button', 'aria-expanded': 'false', 'data-testid': 'abuse-conversation' },
    `Conversation (${abuse.countMessages ?? 0})`)
  toggle.addEventListener('click', () => {
    const open = toggle.getAttribute('aria-expanded') === 'true'
    toggle.setAttribute('aria-expanded', String(!open))
    slot.replaceChildren(open ? '' : conversation(abuse, signal, (count) => { toggle.textContent = `Conversation (${count})` }))
  })
  const reasons = (abuse.predefinedReasons ?? []).map((id) => h('li', {}, reasonLabels.get(id) ?? id))
  return h('li', { class: 'row report', 'data-testid': 'abuse-item', 'data-abuse-id': abuse.id },
    h('div', { class: 'row-main' },
      h('p', { class: 'report-title' }, stateBadge(abuse), h('strong', {}, reportedThing(abuse))),
      h('p', { class: 'muted' }, `#${abuse.id} · reported ${formatDate(abuse.createdAt)}`,
        abuse.reporterAccount ? ` by ${abuse.reporterAccount.displayName || abuse.reporterAccount.name}` : ''),
      reasons.length ? h('ul', { class: 'tags reasons-list', 'aria-label': 'Reasons' }, reasons) : null,
      h('p', { class: 'report-reason', 'data-testid': 'abuse-reason' }, abuse.reason),
      abuse.moderationComment ? h('p', { class: 'muted' }, 'Moderation comment: ', h('span', { 'data-testid': 'abuse-moderation-comment' }, abuse.moderationComment)) : null,
      ...extra,
      toggle, slot))
}
