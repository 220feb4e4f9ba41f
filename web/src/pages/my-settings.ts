// My settings (/my-account/settings): profile, preferences, password and e-mail address; the
// avatar of the user's account, and the avatar and banner of each of the user's channels
// (PeerTube's account settings and channel edit pages).

import { api, currentUser } from '../api'
import { errorText, h, handle, notice, setTitle } from '../dom'
import { navigate, type PageContext } from '../router'
import type { Account, Channel } from '../types'
import { imageEditor } from '../components/actor-images'
import { preferencesForm } from '../components/preferences-form'

export async function render ({ main, signal }: PageContext): Promise<void> {
  setTitle('My settings')
  const user = await currentUser()
  if (!user) { navigate(`/login?next=${encodeURIComponent(location.pathname)}`, { replace: true }); return }
  const section = h('section', { class: 'narrow' }, h('h1', {}, 'My settings'))
  main.append(section)
  try {
    const account = await api<Account>(`/accounts/${encodeURIComponent(user.account.name)}`, { signal })
    section.append(preferencesForm(user, account))
    section.append(h('section', { 'aria-labelledby': 'settings-account' },
      h('h2', { id: 'settings-account' }, 'Account'),
      imageEditor({ kind: 'avatar', label: 'Your avatar', path: '/users/me/avatar', current: account.avatars, testId: 'account-avatar' })))
    for (const summary of user.videoChannels) {
      const channel = await api<Channel>(`/video-channels/${encodeURIComponent(summary.name)}`, { signal })
      const path = `/video-channels/${encodeURIComponent(channel.name)}`
      section.append(h('section', { 'aria-label': `Channel ${channel.displayName}`, 'data-testid': `settings-channel-${channel.name}` },
        h('h2', {}, 'Channel ', h('a', { href: `/c/${handle(channel)}` }, channel.displayName || channel.name)),
        imageEditor({ kind: 'avatar', label: `Avatar of ${channel.displayName}`, path: `${path}/avatar`, current: channel.avatars, testId: `channel-avatar-${channel.name}` }),
        imageEditor({ kind: 'banner', label: `Banner of ${channel.displayName}`, path: `${path}/banner`, current: channel.banners, testId: `channel-banner-${channel.name}` })))
    }
  } catch (error) {
    if (!signal.aborted) section.append(notice(`Could not load your settings: ${errorText(error)}`, 'error'))
  }
}
