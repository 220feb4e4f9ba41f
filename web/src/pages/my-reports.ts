// My reports (/my-account/abuses): the reports the user sent, their state, and the
// conversation with the moderators.

import { api, currentUser } from '../api'
import { errorText, h, notice, setTitle } from '../dom'
import { navigate, type PageContext } from '../router'
import type { Abuse, Page } from '../types'
import { reportCard } from '../components/abuse-report'

const PAGE = 20

export async function render ({ main, signal }: PageContext): Promise<void> {
  setTitle('My reports')
  if (!await currentUser()) { navigate(`/login?next=${encodeURIComponent(location.pathname)}`, { replace: true }); return }
  const list = h('ul', { class: 'row-list', 'aria-label': 'My reports' })
  const status = h('div', {})
  const more = h('button', { type: 'button', class: 'button', hidden: true }, 'Show more')
  main.append(h('section', { class: 'wide' }, h('h1', {}, 'My reports'),
    h('p', { class: 'muted' }, 'What you reported to the moderators, and what they answered.'), list, status, more))
  let loaded = 0
  const load = async (): Promise<void> => {
    more.disabled = true
    try {
      const page = await api<Page<Abuse>>('/users/me/abuses', { query: { start: loaded, count: PAGE, sort: '-createdAt' }, signal })
      list.append(...page.data.map((abuse) => reportCard(abuse, signal)))
      loaded += page.data.length
      more.hidden = loaded >= page.total || page.data.length === 0
      if (loaded === 0) status.replaceChildren(h('p', { class: 'empty' }, 'You have not reported anything.'))
    } catch (error) {
      if (!signal.aborted) status.replaceChildren(notice(`Could not load your reports: ${errorText(error)}`, 'error'))
    } finally {
      more.disabled = false
    }
  }
  more.addEventListener('click', () => { void load() })
  await load()
}
