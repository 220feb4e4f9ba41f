// The "⋯" menu of an account or channel page, for logged-in visitors other than its owner:
// report the account, mute it, or mute its whole instance when it lives elsewhere.

import { currentUser } from '../api'
import { h } from '../dom'
import type { AccountSummary } from '../types'
import { moreMenu } from './dialog'
import { mute } from './mute'
import { openReportDialog } from './report-dialog'

/** A placeholder filled once the current user is known (empty for visitors and the owner). */
export function actorActions (account: AccountSummary): HTMLElement {
  const holder = h('div', { class: 'actor-actions' })
  const status = h('div', { class: 'actor-actions-status' })
  void currentUser().then((user) => {
    if (!user) return
    const own = user.account.name === account.name && (account.host || location.host) === (user.account.host || location.host)
    if (own) return
    const name = account.displayName || account.name
    const remote = account.host && account.host !== location.host
    const menu = moreMenu(`More actions on ${name}`, 'actor-menu', [
      account.id !== undefined
        ? { label: 'Report this account', testId: 'actor-report', action: () => { void openReportDialog({ kind: 'account', id: account.id!, name }) } }
        : null,
      { label: `Mute ${name}`, testId: 'actor-mute-account', action: () => { void mute({ account }).then((line) => status.replaceChildren(line)) } },
      remote ? { label: `Mute the instance ${account.host}`, testId: 'actor-mute-server', action: () => { void mute({ server: account.host }).then((line) => status.replaceChildren(line)) } } : null
    ])
    if (menu) holder.prepend(menu)
  })
  holder.append(status)
  return holder
}
