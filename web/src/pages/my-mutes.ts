// Muted accounts and instances (/my-account/blocklist): whose videos and comments the user
// does not want to see.

import { currentUser } from '../api'
import { h, setTitle } from '../dom'
import { navigate, type PageContext } from '../router'
import { muteLists } from '../components/mute-lists'

export async function render ({ main, signal }: PageContext): Promise<void> {
  setTitle('Muted accounts and instances')
  if (!await currentUser()) { navigate(`/login?next=${encodeURIComponent(location.pathname)}`, { replace: true }); return }
  main.append(h('section', { class: 'wide' }, h('h1', {}, 'Muted accounts and instances'),
    h('p', { class: 'muted' }, 'You do not see the videos and comments of muted accounts, nor of any account on a muted instance. They are not told.'),
    muteLists('/users/me/blocklist', '', signal)))
}
