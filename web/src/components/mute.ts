// Muting an account or a whole instance for oneself (PeerTube's user blocklist): their videos
// and comments no longer show. Undone on the "Muted accounts and instances" page.

import { api } from '../api'
import { errorText, fullHandle, h } from '../dom'

/** Mutes `name@host` (or a host alone with `server`); the answer is a line of text to show. */
export async function mute (what: { account: { name: string, host: string } } | { server: string }): Promise<HTMLElement> {
  const label = 'account' in what ? fullHandle(what.account) : what.server
  try {
    if ('account' in what) await api('/users/me/blocklist/accounts', { method: 'POST', json: { accountName: label } })
    else await api('/users/me/blocklist/servers', { method: 'POST', json: { host: label } })
    return h('p', { class: 'notice notice-success', role: 'status', 'data-testid': 'mute-done' },
      `${label} is muted: you will not see its videos and comments any more. `,
      h('a', { href: '/my-account/blocklist' }, 'Manage your mutes'), '.')
  } catch (error) {
    return h('p', { class: 'notice notice-error', role: 'alert' }, `Could not mute ${label}: ${errorText(error)}`)
  }
}
