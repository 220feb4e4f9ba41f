// The moderation area (/admin/moderation/<tab>) for administrators and moderators: reports,
// blocked videos, the instance's muted accounts and instances, users (bans), and sign-ups
// waiting for approval. Others are
// told the page is not for them.

import { currentUser } from '../api'
import { h, notice, setTitle } from '../dom'
import { navigate, type PageContext } from '../router'
import { isModerator } from '../types'
import { reportsTab } from '../components/moderation-reports'
import { blockedVideosTab, usersTab } from '../components/moderation-lists'
import { muteLists } from '../components/mute-lists'
import { registrationsTab } from '../components/moderation-registrations'

const tabs = [
  { key: 'abuses', label: 'Reports' },
  { key: 'video-blocks', label: 'Blocked videos' },
  { key: 'mutes', label: 'Muted accounts and instances' },
  { key: 'users', label: 'Users' },
  { key: 'registrations', label: 'Registrations' }
] as const

export async function render ({ main, params, query, signal }: PageContext): Promise<void> {
  setTitle('Moderation')
  const user = await currentUser()
  if (!user) { navigate(`/login?next=${encodeURIComponent(location.pathname + location.search)}`, { replace: true }); return }
  if (!isModerator(user)) {
    main.append(h('section', { class: 'narrow' }, h('h1', {}, 'Moderation'), notice('Only moderators and administrators can see this page.', 'error')))
    return
  }
  const current = tabs.find((tab) => tab.key === params.tab) ?? tabs[0]
  setTitle(`${current.label} - Moderation`)
  const nav = h('nav', { class: 'tabs', 'aria-label': 'Moderation' }, tabs.map((tab) =>
    h('a', { href: `/admin/moderation/${tab.key}`, 'aria-current': tab === current ? 'page' : null, 'data-testid': `moderation-tab-${tab.key}` }, tab.label)))
  const panel = h('div', { class: 'tab-panel' })
  main.append(h('section', { class: 'wide' }, h('h1', {}, 'Moderation'), nav, panel))
  switch (current.key) {
    case 'abuses': panel.append(...reportsTab(query, signal)); break
    case 'video-blocks': panel.append(...blockedVideosTab(signal)); break
    case 'mutes':
      panel.append(h('p', { class: 'muted' }, 'Nobody on this instance sees the videos and comments of these accounts and instances.'),
        ...muteLists('/server/blocklist', ' on this instance', signal))
      break
    case 'users': panel.append(...usersTab(user.id, query, signal)); break
    case 'registrations': panel.append(...registrationsTab(signal)); break
  }
}
