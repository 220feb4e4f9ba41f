// The head of a channel or account page: avatar, names, handle, description.

import { formatDate, h, handle } from '../dom'
import { renderMarkdown } from '../markdown'
import type { AccountSummary } from '../types'

export function actorHeader (actor: AccountSummary & { description?: string | null, createdAt?: string }, extra: Array<Node | null>): HTMLElement {
  const avatar = actor.avatars?.[0]
  const picture = avatar?.fileUrl ?? avatar?.path
  return h('header', { class: 'actor-header' },
    picture
      ? h('img', { class: 'avatar avatar-huge', src: picture, alt: '' })
      : h('span', { class: 'avatar avatar-huge', 'aria-hidden': 'true' }, (actor.displayName || actor.name).slice(0, 1).toUpperCase()),
    h('div', { class: 'actor-names' },
      h('h1', {}, actor.displayName || actor.name),
      h('p', { class: 'muted' }, `@${handle(actor)}`, actor.createdAt ? ` · since ${formatDate(actor.createdAt)}` : ''),
      ...extra,
      actor.description ? h('div', { class: 'markdown actor-description' }, renderMarkdown(actor.description)) : null))
}
