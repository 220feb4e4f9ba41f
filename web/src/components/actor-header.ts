// The head of a channel or account page: banner, avatar, names, handle, where it moved (if it
// did), description.

import { formatDate, h, handle } from '../dom'
import { renderMarkdown } from '../markdown'
import type { AccountSummary, ActorImage } from '../types'
import { avatarOf, bannerOf } from './actor-images'

export function actorHeader (actor: AccountSummary & { description?: string | null, createdAt?: string, banners?: ActorImage[], movedTo?: string }, extra: Array<Node | null>): DocumentFragment {
  const fragment = document.createDocumentFragment()
  const banner = bannerOf(actor.banners)
  if (banner) fragment.append(banner)
  fragment.append(h('header', { class: 'actor-header' },
    avatarOf(actor, 'huge', 120),
    h('div', { class: 'actor-names' },
      h('h1', {}, actor.displayName || actor.name),
      h('p', { class: 'muted' }, `@${handle(actor)}`, actor.createdAt ? ` · since ${formatDate(actor.createdAt)}` : ''),
      actor.movedTo ? h('p', { class: 'notice notice-info', role: 'note', 'data-testid': 'moved-to' }, 'Moved to ', h('a', { href: actor.movedTo, rel: 'nofollow' }, actor.movedTo)) : null,
      ...extra,
      actor.description ? h('div', { class: 'markdown actor-description' }, renderMarkdown(actor.description)) : null)))
  return fragment
}
